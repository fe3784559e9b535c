"""Streamlit entry point: a router only (pages live in ui/, the page list comes from the role).

Until someone is signed in, the sign-in page is the only page; a signed-in account whose role has
no pages sees a sentence.
"""

from __future__ import annotations

import streamlit as st

from ui.nav import pages_for, signin_page
from ui.resources import daily_purge, database
from ui.user import (
    MESSAGE_KEY,
    USER_KEY,
    account_sidebar,
    auto_sign_in,
    current_role,
    signed_in_user,
)

st.set_page_config(page_title="CV Assist", page_icon=":material/description:", layout="wide")
database()
daily_purge()
problem = auto_sign_in()
role = current_role()
if role is None:
    if signed_in_user() is not None:  # disabled or deleted since signing in
        del st.session_state[USER_KEY]
        problem = "Your account is no longer active; ask an administrator."
    if problem:
        st.session_state[MESSAGE_KEY] = problem
    st.navigation([signin_page()], position="hidden").run()
else:
    account_sidebar(role)
    st.navigation(pages_for(role)).run()
