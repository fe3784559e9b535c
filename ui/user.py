"""Who is using the app. Until sign-in exists (issue 6) there is one local user and one role.

Everything that needs the user's name or role asks these two functions, so sign-in can replace
them without touching the pages.
"""

from __future__ import annotations

import streamlit as st

DEFAULT_USER = "recruiter"
DEFAULT_ROLE = "recruiter"
USER_KEY = "user"
ROLE_KEY = "role"


def current_user() -> str:
    """The acting user's name (recorded on every correction and audit event)."""
    return str(st.session_state.setdefault(USER_KEY, DEFAULT_USER))


def current_role() -> str:
    """The acting user's role; the navigation and every page's access check use it."""
    return str(st.session_state.setdefault(ROLE_KEY, DEFAULT_ROLE))
