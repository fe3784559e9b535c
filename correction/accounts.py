"""Local user accounts: argon2 password hashes, roles, sign-in with lockout, admin management.

Every sign-in and failed sign-in is audited (never the password). After `MAX_FAILURES` failed
attempts an account is locked for `LOCKOUT_MINUTES`; a correct password during the lock is still
refused, so guessing gains nothing. Management functions need "users.manage"; the command line
acts as `SYSTEM_USER`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from correction.access import ROLES, SYSTEM_USER, authorize
from data.db import begin_write
from data.models import UserAccount, UserAccountPublic, utcnow
from data.queries import add_audit
from parsing.errors import CVError

MIN_PASSWORD = 8
MAX_PASSWORD = 1024
MAX_FAILURES = 5
LOCKOUT_MINUTES = 15
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
LOCAL_ADMIN = "local-admin"  # the account single-user mode signs in as
BAD_CREDENTIALS = "The user name or password is not right."
LOCKED = "Too many failed sign-ins: this account is locked for a few minutes; try again later."

_hasher = PasswordHasher()


class AccountError(CVError, ValueError):
    """A user-management request that cannot be carried out; str(e) is a sentence for the user."""


@dataclass(frozen=True, slots=True)
class SignIn:
    """Outcome of a sign-in attempt: the account on success, else a sentence to show."""

    account: UserAccountPublic | None
    message: str

    @property
    def ok(self) -> bool:
        """True when the user is signed in."""
        return self.account is not None


def _check_new(username: str, role: str, password: str | None) -> None:
    if not USERNAME.match(username) or username == SYSTEM_USER:
        raise AccountError(
            "A user name is 2-64 lower-case letters, digits or . _ @ -, and not 'system'."
        )
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
    if password is not None and not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"A password needs at least {MIN_PASSWORD} characters.")


def get_account(*, session: Session, username: str) -> UserAccount | None:
    """The account with this user name, if any."""
    return session.exec(select(UserAccount).where(UserAccount.username == username)).first()


def create_user(
    *,
    session: Session,
    username: str,
    role: str,
    password: str | None,
    email: str | None = None,
    user: str = SYSTEM_USER,
) -> UserAccount:
    """A new account (password None = OIDC sign-in only, by e-mail); commits.

    `user` is the acting administrator (the command line acts as SYSTEM_USER).
    """
    username = username.strip().lower()
    _check_new(username, role, password)
    if password is None and not email:
        raise AccountError("An account without a password needs an e-mail to sign in with.")
    begin_write(session)
    authorize(session=session, user=user, permission="users.manage")
    if get_account(session=session, username=username) is not None:
        session.rollback()
        raise AccountError(f"There is already a user called {username}.")
    account = UserAccount(
        username=username,
        role=role,
        email=email.strip().lower() if email else None,
        password_hash=_hasher.hash(password) if password is not None else None,
    )
    session.add(account)
    session.flush()
    add_audit(
        session=session,
        user=user,
        action="account",
        detail={"event": "create", "account_id": account.id, "role": role},
    )
    session.commit()
    return account


def _change(*, session: Session, user: str, username: str, **values: object) -> UserAccount:
    begin_write(session)
    authorize(session=session, user=user, permission="users.manage")
    account = get_account(session=session, username=username)
    if account is None:
        session.rollback()
        raise AccountError(f"There is no user called {username}.")
    for name, value in values.items():
        setattr(account, name, value)
    session.add(account)
    session.flush()
    detail = {"account_id": account.id, **{k: v for k, v in values.items() if k != "locked_until"}}
    add_audit(session=session, user=user, action="account", detail={"event": "change", **detail})
    session.commit()
    return account


def set_role(*, session: Session, user: str, username: str, role: str) -> UserAccount:
    """Give an account another role (takes effect on the user's next action); commits."""
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
    return _change(session=session, user=user, username=username, role=role)


def disable_user(*, session: Session, user: str, username: str) -> UserAccount:
    """Disable an account: it can no longer sign in or act (nothing is deleted); commits."""
    if username == user:
        raise AccountError("You cannot disable your own account.")
    return _change(session=session, user=user, username=username, disabled=True)


def enable_user(*, session: Session, user: str, username: str) -> UserAccount:
    """Re-enable a disabled account and clear its lockout; commits."""
    return _change(
        session=session,
        user=user,
        username=username,
        disabled=False,
        failed_attempts=0,
        locked_until=None,
    )


def reset_password(*, session: Session, user: str, username: str, password: str) -> UserAccount:
    """Set a new password for an account (and clear its lockout); commits."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"A password needs at least {MIN_PASSWORD} characters.")
    return _change(
        session=session,
        user=user,
        username=username,
        password_hash=_hasher.hash(password),
        failed_attempts=0,
        locked_until=None,
    )


def list_users(*, session: Session, user: str) -> list[UserAccountPublic]:
    """Every account, by user name."""
    authorize(session=session, user=user, permission="users.manage")
    stmt = select(UserAccount).order_by(col(UserAccount.username))
    return [UserAccountPublic.model_validate(a) for a in session.exec(stmt)]


def count_admins(*, session: Session) -> int:
    """How many enabled admin accounts exist (0 = the first admin still has to be made)."""
    stmt = select(UserAccount).where(UserAccount.role == "admin").where(~col(UserAccount.disabled))
    return len(list(session.exec(stmt)))


@cache
def _dummy_account() -> UserAccount:
    return UserAccount(username="?", role="recruiter", password_hash=_hasher.hash("not a password"))


def verify_password(account: UserAccount, password: str) -> bool:
    """Whether `password` matches the account's argon2 hash (False for OIDC-only accounts)."""
    if account.password_hash is None or len(password) > MAX_PASSWORD:
        return False
    try:
        return _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def sign_in(
    *, session: Session, username: str, password: str, now: datetime | None = None
) -> SignIn:
    """Check a password with lockout, record the attempt in the audit log; commits."""
    now = now or utcnow()
    username = username.strip().lower()
    begin_write(session)
    account = get_account(session=session, username=username)
    if account is None or account.disabled:
        # the same work and answer as a wrong password: no hint which user names exist
        verify_password(_dummy_account(), password)
        # not the typed name: people type their password into the name field
        add_audit(
            session=session, user="?", action="sign_in", detail={"ok": False, "reason": "unknown"}
        )
        session.commit()
        return SignIn(None, BAD_CREDENTIALS)
    if account.locked_until is not None and account.locked_until > now:
        add_audit(
            session=session,
            user=username,
            action="sign_in",
            detail={"ok": False, "reason": "locked"},
        )
        session.commit()
        return SignIn(None, LOCKED)
    if not verify_password(account, password):
        return _failed(session, account, now)
    account.failed_attempts = 0
    account.locked_until = None
    account.last_sign_in_at = now
    session.add(account)
    add_audit(
        session=session, user=username, action="sign_in", detail={"ok": True, "via": "password"}
    )
    session.commit()
    return SignIn(UserAccountPublic.model_validate(account), "")


def _failed(session: Session, account: UserAccount, now: datetime) -> SignIn:
    account.failed_attempts += 1
    locked = account.failed_attempts >= MAX_FAILURES
    if locked:
        account.locked_until = now + timedelta(minutes=LOCKOUT_MINUTES)
        account.failed_attempts = 0
    session.add(account)
    add_audit(
        session=session,
        user=account.username,
        action="sign_in",
        detail={"ok": False, "reason": "password", "locked": locked},
    )
    session.commit()
    return SignIn(None, LOCKED if locked else BAD_CREDENTIALS)


def sign_in_external(*, session: Session, email: str | None) -> SignIn:
    """Map an OIDC identity to an account by e-mail (role from the account); commits."""
    if not email:
        return SignIn(None, "Your sign-in provider did not share an e-mail address.")
    begin_write(session)
    stmt = select(UserAccount).where(UserAccount.email == email.strip().lower())
    account = session.exec(stmt).first()
    if account is None or account.disabled:
        add_audit(
            session=session,
            user="?",
            action="sign_in",
            detail={"ok": False, "reason": "unknown", "via": "oidc"},
        )
        session.commit()
        return SignIn(None, "Your account has no access to this app; ask an administrator.")
    account.last_sign_in_at = utcnow()
    session.add(account)
    add_audit(
        session=session, user=account.username, action="sign_in", detail={"ok": True, "via": "oidc"}
    )
    session.commit()
    return SignIn(UserAccountPublic.model_validate(account), "")


def sign_in_local_admin(*, session: Session) -> SignIn:
    """Single-user mode: sign in as the local admin account, made on first use; commits.

    It has no password and no e-mail, so it can never sign in through the form or OIDC.
    """
    begin_write(session)
    account = get_account(session=session, username=LOCAL_ADMIN)
    if account is None:
        account = UserAccount(username=LOCAL_ADMIN, role="admin")
        session.add(account)
        session.flush()
        add_audit(
            session=session,
            user=SYSTEM_USER,
            action="account",
            detail={"event": "create", "account_id": account.id, "role": "admin"},
        )
    if account.disabled:
        session.commit()
        return SignIn(None, "The local admin account is disabled; ask an administrator.")
    account.last_sign_in_at = utcnow()
    session.add(account)
    add_audit(
        session=session, user=LOCAL_ADMIN, action="sign_in", detail={"ok": True, "via": "none"}
    )
    session.commit()
    return SignIn(UserAccountPublic.model_validate(account), "")


def sign_out(*, session: Session, user: str) -> None:
    """Record a sign-out; commits."""
    begin_write(session)
    add_audit(session=session, user=user, action="sign_out")
    session.commit()
