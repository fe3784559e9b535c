"""Sign-in and the router with AppTest: only the sign-in page until signed in, lockout,
single-user mode (localhost only), and an account disabled mid-session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dbfixtures import TEST_PASSWORD
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from support import ROOT

from correction.access import SYSTEM_USER
from correction.accounts import (
    BAD_CREDENTIALS,
    LOCAL_ADMIN,
    LOCKED,
    MAX_FAILURES,
    create_user,
    disable_user,
)
from data.db import dispose_engines, get_engine, init_db
from data.models import AuditEvent
from settings import get_settings
from ui.user import NOT_LOCAL

APP = str(ROOT / "app.py")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_hashing) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cvassist.sqlite'}"
    monkeypatch.setenv("CVASSIST_DATABASE_URL", url)
    monkeypatch.setenv("CVASSIST_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CVASSIST_AUTH", "local")
    monkeypatch.setenv("CVASSIST_EMBEDDED_WORKERS", "0")
    get_settings.cache_clear()
    init_db(get_engine(url))
    with Session(get_engine(url)) as s:
        create_user(session=s, username="rita", role="recruiter", password=TEST_PASSWORD)
    yield url
    dispose_engines()
    get_settings.cache_clear()


def _sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="signin_user").input(username)
    at.text_input(key="signin_password").input(password)
    return at.button[0].click().run()


def test_only_the_sign_in_page_until_signed_in(env: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.title[0].value == "Sign in to CV Assist"
    assert not at.dataframe
    _sign_in(at, "rita", "wrong password")
    assert [e.value for e in at.error] == [BAD_CREDENTIALS]
    assert at.title[0].value == "Sign in to CV Assist"
    _sign_in(at, "Rita", TEST_PASSWORD)
    assert not at.exception
    assert at.session_state["user"] == "rita"
    assert at.title[0].value == "Review queue"


def test_repeated_failures_lock_the_account(env: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    for _ in range(MAX_FAILURES):
        _sign_in(at, "rita", "guessing")
    assert [e.value for e in at.error] == [LOCKED]
    _sign_in(at, "rita", TEST_PASSWORD)
    assert [e.value for e in at.error] == [LOCKED]
    assert "user" not in at.session_state


def test_an_account_disabled_mid_session_is_signed_out(env: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = "rita"
    at.run()
    assert at.title[0].value == "Review queue"
    with Session(get_engine(env)) as s:
        disable_user(session=s, user=SYSTEM_USER, username="rita")
    at.run()
    assert at.title[0].value == "Sign in to CV Assist"
    assert "no longer active" in at.error[0].value


def _bind(monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    """Pretend the server was started with --server.address=<address>."""
    import streamlit as st

    original = st.get_option
    monkeypatch.setattr(
        st, "get_option", lambda key: address if key == "server.address" else original(key)
    )


def test_single_user_mode_signs_in_the_local_admin_on_localhost(
    env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CVASSIST_AUTH", "none")
    get_settings.cache_clear()
    _bind(monkeypatch, "127.0.0.1")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.session_state["user"] == LOCAL_ADMIN
    assert at.title[0].value == "Review queue"
    assert not [b for b in at.button if b.key == "sign_out"]  # nothing to sign out of
    with Session(get_engine(env)) as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "sign_in")).one()
        assert (event.username, event.detail["via"]) == (LOCAL_ADMIN, "none")


def test_single_user_mode_is_refused_beyond_localhost(
    env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CVASSIST_AUTH", "none")
    get_settings.cache_clear()
    _bind(monkeypatch, "0.0.0.0")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.title[0].value == "Sign in to CV Assist"
    assert at.error[0].value == NOT_LOCAL
    assert "user" not in at.session_state


def test_oidc_identity_signs_in_the_account_with_that_email(env: str) -> None:
    with Session(get_engine(env)) as s:
        create_user(
            session=s, username="lea", role="hr_lead", password=None, email="lea@corp.example"
        )
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x",
        "client_id": "y",
        "client_secret": "z",
        "server_metadata_url": "https://idp.example/.well-known/openid",
    }
    at.user["is_logged_in"] = True
    at.user["email"] = "Lea@corp.example"
    at.run()
    assert not at.exception
    assert at.session_state["user"] == "lea"
    at2 = AppTest.from_file(APP, default_timeout=60)
    at2.secrets["auth"] = dict(at.secrets["auth"])
    at2.user["is_logged_in"] = True
    at2.user["email"] = "mallory@corp.example"
    at2.run()
    assert "user" not in at2.session_state
    assert "no access" in at2.error[0].value
