"""Who is using the app: the signed-in account, its role, sign-in and sign-out.

Everything that needs the user's name or role asks `current_user` / `current_role`; the role is
read from the accounts table on every run, so a role change or a disabled account takes effect at
once. Sign-in modes (settings.auth): "local" accounts, "oidc" (`st.login`, accounts matched by
e-mail), or "none" = single-user mode, signed in as the local admin, only on localhost.
"""

from __future__ import annotations

import streamlit as st

from correction.access import role_of
from correction.accounts import LOCAL_ADMIN, SignIn, sign_in_external, sign_in_local_admin
from correction.accounts import sign_out as record_sign_out
from data.db import session_scope
from settings import get_settings

USER_KEY = "user"
MESSAGE_KEY = "signin_message"  # why the last automatic sign-in failed, for the sign-in page
LOCAL_ADDRESSES = frozenset({"127.0.0.1", "localhost", "::1"})
SIGN_IN_FIRST = "Please sign in first."
NOT_LOCAL = (
    "Single-user mode (CVASSIST_AUTH=none) only works when the app is bound to localhost; "
    "set CVASSIST_AUTH=local and create accounts with `cvassist users create`."
)


def signed_in_user() -> str | None:
    """The signed-in user's name; None = nobody is signed in."""
    user = st.session_state.get(USER_KEY)
    return str(user) if user else None


def current_user() -> str:
    """The acting user's name (recorded on every correction and audit event); stops the page
    with a sentence when nobody is signed in."""
    user = signed_in_user()
    if user is None:
        st.warning(SIGN_IN_FIRST)
        st.stop()
    return str(user)


def current_role() -> str | None:
    """The signed-in user's role from the accounts table; None = not signed in or disabled."""
    user = signed_in_user()
    if user is None:
        return None
    with session_scope() as session:
        role = role_of(session=session, user=user)
        session.rollback()
    return role


def auth_mode() -> str:
    """How people sign in: "local", "oidc" or "none" (single-user)."""
    return get_settings().auth


def is_localhost() -> bool:
    """Whether the server only listens on loopback and this browser reached it directly (not
    through a reverse proxy, which would make single-user mode open to the network)."""
    if str(st.get_option("server.address") or "") not in LOCAL_ADDRESSES:
        return False
    headers = st.context.headers
    if any(h in headers for h in ("X-Forwarded-For", "X-Real-Ip", "Forwarded")):
        return False
    host = str(headers.get("Host") or "localhost")
    return host.rsplit(":", 1)[0].strip("[]") in LOCAL_ADDRESSES


def oidc_configured() -> bool:
    """Whether `.streamlit/secrets.toml` has an [auth] section (so `st.login` can work)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises its own not-found error
        return False


def auto_sign_in() -> str | None:
    """Sign in without a form where the mode allows it (single-user on localhost, or an OIDC
    identity already established by `st.login`); the message is shown when that fails."""
    if signed_in_user() is not None:
        return None
    mode = auth_mode()
    if mode == "none":
        if not is_localhost():
            return NOT_LOCAL
        with session_scope() as session:
            accept(sign_in_local_admin(session=session))
        return None
    if mode != "none" and oidc_configured() and st.user.is_logged_in:
        with session_scope() as session:
            result = sign_in_external(session=session, email=st.user.get("email"))
        if not result.ok:
            return result.message
        accept(result)
    return None


def accept(result: SignIn) -> None:
    """Remember a successful sign-in for this browser session."""
    if result.account is not None:
        st.session_state[USER_KEY] = result.account.username


def sign_out() -> None:
    """Forget the signed-in user (and the OIDC identity) and record it."""
    user = signed_in_user()
    if user is not None:
        with session_scope() as session:
            record_sign_out(session=session, user=user)
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if auth_mode() == "oidc" and st.user.is_logged_in:
        st.logout()


def account_sidebar(role: str) -> None:
    """Who is signed in, with what role, and a sign-out button (not in single-user mode)."""
    with st.sidebar:
        st.caption(f"Signed in as **{signed_in_user()}** ({role.replace('_', ' ')})")
        if auth_mode() != "none":
            st.button("Sign out", key="sign_out", on_click=sign_out, icon=":material/logout:")


__all__ = ["LOCAL_ADMIN", "current_role", "current_user", "signed_in_user"]
