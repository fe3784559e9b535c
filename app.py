"""Streamlit entry point: a router only (pages live in ui/, the page list comes from the role)."""

from __future__ import annotations

import streamlit as st

from ui.nav import pages_for
from ui.resources import database
from ui.user import current_role

st.set_page_config(page_title="CV Assist", page_icon=":material/description:", layout="wide")
database()
st.navigation(pages_for(current_role())).run()
