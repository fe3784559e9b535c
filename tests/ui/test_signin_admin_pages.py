"""The admin's Users and Privacy pages with AppTest: create an account, erase a candidate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dbfixtures import TEST_PASSWORD, synthetic_cv
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from support import ROOT

from correction.accounts import create_user, sign_in
from correction.intake import ingest
from data.db import dispose_engines, get_engine, init_db
from data.models import AuditEvent, Candidate, UserAccount
from data.store import FileStore
from settings import get_settings


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_hashing) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cvassist.sqlite'}"
    monkeypatch.setenv("CVASSIST_DATABASE_URL", url)
    monkeypatch.setenv("CVASSIST_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CVASSIST_AUTH", "local")
    get_settings.cache_clear()
    init_db(get_engine(url))
    with Session(get_engine(url)) as s:
        create_user(session=s, username="root", role="admin", password=TEST_PASSWORD)
    yield url
    dispose_engines()
    get_settings.cache_clear()


def _page(script: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "ui" / script), default_timeout=60)
    at.session_state["user"] = "root"
    return at.run()


def test_admin_creates_an_account_that_can_sign_in(env: str) -> None:
    at = _page("users.py")
    at.text_input(key="new_username").input("Nora")
    at.selectbox(key="new_role").select("analyst")
    at.text_input(key="new_password").input("nora's secret")
    at.button[0].click().run()
    assert not at.exception
    assert "Created nora (analyst)." in at.success[0].value
    with Session(get_engine(env)) as s:
        assert s.exec(select(UserAccount.role).where(UserAccount.username == "nora")).one() == (
            "analyst"
        )
        assert sign_in(session=s, username="nora", password="nora's secret").ok
    at.text_input(key="new_username").input("x")
    at.text_input(key="new_password").input("short")
    at.button[0].click().run()
    assert "user name" in at.error[0].value  # a sentence, nothing created


def test_admin_erases_a_candidate_from_the_privacy_page(env: str, tmp_path: Path) -> None:
    with Session(get_engine(env)) as s:
        create_user(session=s, username="ann", role="recruiter", password=TEST_PASSWORD)
        r = ingest(
            session=s,
            name="cv.txt",
            data=b"a cv",
            user="ann",
            batch_id=None,
            store=FileStore(tmp_path / "data" / "files"),
            parser=lambda d, n: synthetic_cv(d, n, {"name": 0.9}),
        )
    at = _page("privacy.py")
    assert "Due now: **0** candidates" in at.markdown[0].value
    at.number_input(key="erase_id").set_value(r.candidate_id)
    at.button(key="FormSubmitter:erase-Erase").click().run()
    assert "tick the box" in at.error[0].value  # no confirmation: nothing erased
    at.number_input(key="erase_id").set_value(r.candidate_id)
    at.checkbox(key="erase_ok").check()
    at.button(key="FormSubmitter:erase-Erase").click().run()
    assert not at.exception
    assert f"Candidate {r.candidate_id} was erased" in at.success[0].value
    with Session(get_engine(env)) as s:
        assert s.get(Candidate, r.candidate_id) is None
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "delete")).one()
        assert (event.username, event.candidate_id) == ("root", r.candidate_id)
