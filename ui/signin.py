"""Sign-in page: the only page anyone sees until they are signed in."""

from __future__ import annotations

import streamlit as st

from correction.accounts import sign_in
from data.db import session_scope
from ui.user import MESSAGE_KEY, accept, auth_mode, oidc_configured


def _password_form() -> None:
    with st.form("signin", enter_to_submit=True):
        username = st.text_input("User name", key="signin_user", autocomplete="username")
        password = st.text_input(
            "Password", type="password", key="signin_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    if not username.strip() or not password:
        st.error("Enter your user name and password.")
        return
    with session_scope() as session:
        result = sign_in(session=session, username=username, password=password)
    if not result.ok:
        st.error(result.message)
        return
    accept(result)
    st.rerun()


st.title("Sign in to CV Assist")
message = st.session_state.pop(MESSAGE_KEY, None)
if message:
    st.error(message)
if oidc_configured():
    st.button("Sign in with your organisation's account", on_click=st.login, key="oidc")
if auth_mode() != "oidc":
    _password_form()
elif not oidc_configured():
    st.error(
        "Single sign-on is chosen (CVASSIST_AUTH=oidc) but .streamlit/secrets.toml has no "
        "[auth] section; ask the administrator."
    )
st.caption(
    "CV Assist holds personal data: every sign-in, view, correction, export and deletion "
    "is recorded in the audit log."
)
