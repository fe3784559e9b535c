"""The page list, built from the user's role; each page checks its role again (`require`)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from correction.access import PERMISSIONS
from ui.user import current_role


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One page: its script, title, URL path, icon and the roles allowed to open it."""

    script: str
    title: str
    url_path: str
    icon: str
    roles: frozenset[str]


RECRUITING = frozenset({"recruiter", "admin"})
VIEWING = frozenset({"recruiter", "hr_lead", "admin"})
PAGES: dict[str, PageSpec] = {
    "queue": PageSpec("ui/queue.py", "Review queue", "queue", ":material/checklist:", VIEWING),
    "upload": PageSpec("ui/upload.py", "Upload", "upload", ":material/upload_file:", RECRUITING),
    "correct": PageSpec("ui/correct.py", "Correct a CV", "correct", ":material/edit:", RECRUITING),
    "candidate": PageSpec(
        "ui/candidate.py", "Candidate", "candidate", ":material/person:", VIEWING
    ),
    "dashboard": PageSpec(
        "ui/dashboard.py",
        "Dashboard",
        "dashboard",
        ":material/monitoring:",
        frozenset({"hr_lead", "admin"}),
    ),
    "users": PageSpec(
        "ui/users.py", "Users", "users", ":material/group:", PERMISSIONS["users.manage"]
    ),
    "privacy": PageSpec(
        "ui/privacy.py",
        "Privacy",
        "privacy",
        ":material/shield_person:",
        PERMISSIONS["privacy.erase"],
    ),
    "models": PageSpec(
        "ui/models.py", "Models", "models", ":material/model_training:", PERMISSIONS["models.train"]
    ),
    "export": PageSpec(
        "ui/export.py", "Export", "export", ":material/file_export:", PERMISSIONS["export.run"]
    ),
}
NO_ACCESS = "Your role has no pages in this app yet; ask an administrator for access."
SIGNIN = PageSpec("ui/signin.py", "Sign in", "signin", ":material/login:", frozenset())


def allowed(role: str) -> list[str]:
    """Keys of the pages a role may open, in navigation order (deny by default)."""
    return [key for key, spec in PAGES.items() if role in spec.roles]


def pages_for(role: str) -> list[st.Page]:
    """The st.Page objects for a role; the first allowed page is the default."""
    keys = allowed(role)
    if not keys:
        return [st.Page(_no_access, title="No access", url_path="no-access", default=True)]
    return [
        st.Page(
            PAGES[k].script,
            title=PAGES[k].title,
            url_path=PAGES[k].url_path,
            icon=PAGES[k].icon,
            default=i == 0,
        )
        for i, k in enumerate(keys)
    ]


def signin_page() -> st.Page:
    """The sign-in page, the only page before signing in."""
    return st.Page(
        SIGNIN.script, title=SIGNIN.title, url_path=SIGNIN.url_path, icon=SIGNIN.icon, default=True
    )


def require(page: str) -> None:
    """Stop the page with a sentence unless the current role may open it."""
    if current_role() not in PAGES[page].roles:
        st.error("You do not have access to this page.")
        st.stop()


def _no_access() -> None:
    st.info(NO_ACCESS)
