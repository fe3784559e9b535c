"""Streamlit entry point: a router only (pages live in ui/)."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="CV Assist", page_icon="📄", layout="wide")
pages = [st.Page("ui/parse_preview.py", title="Parse CVs", icon="📄", default=True)]
st.navigation(pages).run()
