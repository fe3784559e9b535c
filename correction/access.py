"""Roles and permissions: deny by default; every user-invoked workflow calls `authorize` first.

The role comes from the accounts table on every call (a role change or a disabled account takes
effect at once). `SYSTEM_USER` is the operator on the command line and the background workers.
"""

from __future__ import annotations

from sqlmodel import Session, select

from data.models import ROLES, UserAccount

__all__ = [
    "PERMISSIONS",
    "ROLES",
    "SYSTEM_USER",
    "AccessDenied",
    "authorize",
    "can",
    "role_of",
]

SYSTEM_USER = "system"
SYSTEM_ROLE = "system"

_RECRUITING = frozenset({"recruiter", "admin"})
_VIEWING = frozenset({"recruiter", "hr_lead", "admin"})
_LEADING = frozenset({"hr_lead", "admin"})
_ADMIN = frozenset({"admin"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "upload": _RECRUITING,
    "review.view": _VIEWING,
    "review.correct": _RECRUITING,
    "dashboard.view": _LEADING,
    "alerts.acknowledge": _LEADING,
    "models.train": _LEADING,
    "models.promote": _LEADING,
    "export.run": frozenset({"analyst", "admin"}),
    "users.manage": _ADMIN,
    "privacy.erase": _ADMIN,
    "privacy.subject_access": _ADMIN,
    "privacy.purge": _ADMIN,
    "audit.view": _LEADING,
}


class AccessDenied(PermissionError):
    """The acting user may not do this; str(e) is a sentence to show them."""


def can(role: str, permission: str) -> bool:
    """Whether a role holds a permission (unknown permissions are held by nobody but system)."""
    if role == SYSTEM_ROLE:
        return True
    return role in PERMISSIONS.get(permission, frozenset())


def role_of(*, session: Session, user: str) -> str | None:
    """The user's role, or None when the account is unknown or disabled."""
    if user == SYSTEM_USER:
        return SYSTEM_ROLE
    account = session.exec(select(UserAccount).where(UserAccount.username == user)).first()
    if account is None or account.disabled:
        return None
    return account.role


def authorize(*, session: Session, user: str, permission: str) -> str:
    """The user's role if it holds `permission`; AccessDenied otherwise (deny by default)."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    role = role_of(session=session, user=user)
    if role is None:
        raise AccessDenied("You are not signed in with an active account; please sign in again.")
    if not can(role, permission):
        raise AccessDenied(f"Your role ({role}) does not allow this; ask an administrator.")
    return role
