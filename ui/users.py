"""Users page (admins): create accounts, change roles, disable and re-enable them."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from correction.access import ROLES
from correction.accounts import (
    MIN_PASSWORD,
    AccountError,
    create_user,
    disable_user,
    enable_user,
    list_users,
    set_role,
)
from data.db import session_scope
from ui.nav import require
from ui.user import current_user

ROLE_HELP = {
    "recruiter": "uploads and corrects CVs",
    "hr_lead": "views CVs, the dashboard, alerts and models",
    "analyst": "exports data for analysis",
    "admin": "everything, including users and privacy requests",
}
FLASH_KEY = "users_flash"


def _role_label(role: str) -> str:
    return f"{role.replace('_', ' ')} — {ROLE_HELP[role]}"


def _act(done: str, action, **kwargs) -> None:
    """Run one account workflow as the current admin; the outcome is shown after the rerun."""
    try:
        with session_scope() as session:
            action(session=session, user=current_user(), **kwargs)
    except (AccountError, PermissionError) as e:
        st.session_state[FLASH_KEY] = ("error", str(e))
        return
    except SQLAlchemyError:
        st.session_state[FLASH_KEY] = ("error", "The change could not be saved; try again.")
        return
    st.session_state[FLASH_KEY] = ("success", done)


def _create_form() -> None:
    with st.form("create_user", clear_on_submit=True):
        st.subheader("New account")
        c1, c2 = st.columns(2)
        username = c1.text_input("User name", key="new_username")
        role = c2.selectbox("Role", ROLES, format_func=_role_label, key="new_role")
        password = c1.text_input(
            "First password",
            type="password",
            key="new_password",
            help=f"At least {MIN_PASSWORD} characters (leave empty for single sign-on only).",
        )
        email = c2.text_input("E-mail for single sign-on (optional)", key="new_email")
        if st.form_submit_button("Create account", type="primary"):
            _act(
                f"Created {username.strip().lower()} ({role.replace('_', ' ')}).",
                create_user,
                username=username,
                role=role,
                password=password or None,  # none = single sign-on only (needs the e-mail)
                email=email.strip() or None,
            )
            st.rerun()


def _change_form(usernames: list[str]) -> None:
    st.subheader("Change an account")
    c1, c2, c3 = st.columns([2, 2, 3])
    who = c1.selectbox("Account", usernames, key="change_user")
    role = c2.selectbox(
        "New role", ROLES, format_func=lambda r: r.replace("_", " "), key="change_role"
    )
    with c3:
        st.write("")
        b1, b2, b3 = st.columns(3)
        if b1.button("Set role", key="set_role", disabled=not who):
            _act(f"{who} is now {role.replace('_', ' ')}.", set_role, username=who, role=role)
            st.rerun()
        if b2.button("Disable", key="disable", disabled=not who):
            _act(f"{who} can no longer sign in.", disable_user, username=who)
            st.rerun()
        if b3.button("Enable", key="enable", disabled=not who):
            _act(f"{who} can sign in again.", enable_user, username=who)
            st.rerun()


def render() -> None:
    """Accounts table, a create form and role / disable / enable actions."""
    require("users")
    st.title("Users")
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        (st.error if flash[0] == "error" else st.success)(flash[1])
    try:
        with session_scope() as session:
            users = list_users(session=session, user=current_user())
    except SQLAlchemyError:
        st.error("The accounts could not be loaded; please try again in a moment.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "user": u.username,
                    "role": u.role.replace("_", " "),
                    "active": not u.disabled,
                    "single sign-on e-mail": u.email or "",
                    "last sign-in": u.last_sign_in_at,
                }
                for u in users
            ],
            columns=["user", "role", "active", "single sign-on e-mail", "last sign-in"],
        ),
        hide_index=True,
        use_container_width=True,
    )
    _create_form()
    _change_form([u.username for u in users])


render()
