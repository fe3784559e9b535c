"""The Models page with AppTest: history, promote, rollback (audited), Train now in the
background, role gating."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest
from support import ROOT

from correction import accounts
from correction.accounts import create_user
from correction.models import status_path
from data.db import dispose_engines, get_engine, init_db
from data.queries import audit_events
from learning import registry
from learning.bundle import ModelBundle
from learning.calibration import FieldCalibrator
from settings import get_settings
from ui.nav import allowed

PAGE = "ui/models.py"
TIMEOUT = 30
PASSWORD = "correct horse battery"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated SQLite database with an HR lead and a recruiter, and two registered models."""
    url = f"sqlite:///{tmp_path / 'cvassist.sqlite'}"
    monkeypatch.setenv("CVASSIST_DATABASE_URL", url)
    monkeypatch.setenv("CVASSIST_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    init_db(get_engine(url))
    from argon2 import PasswordHasher

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
    rng = np.random.default_rng(0)
    x = rng.uniform(0.05, 0.99, 300)
    y = rng.uniform(size=300) < x
    with Session(get_engine(url), expire_on_commit=False) as s:
        for name, role in (("lena", "hr_lead"), ("ann", "recruiter")):
            create_user(session=s, username=name, role=role, password=PASSWORD)
        for version in ("m-1", "m-2"):
            bundle = ModelBundle(version, FieldCalibrator().fit(["skills"] * 300, x, y))
            registry.register(session=s, bundle=bundle, root=registry.models_root(), user="lena")
        registry.promote(session=s, version="m-1", user="lena")
        s.commit()
    yield url
    dispose_engines()
    get_settings.cache_clear()


def run(user: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=TIMEOUT)
    at.session_state["user"] = user
    at.run()
    assert not at.exception, at.exception
    return at


def champion(url: str) -> str | None:
    with Session(get_engine(url)) as s:
        row = registry.champion(session=s)
        return row.version if row else None


def test_models_page_is_for_hr_leads_and_admins_only() -> None:
    assert "models" in allowed("hr_lead")
    assert "models" in allowed("admin")
    assert "models" not in allowed("recruiter")
    assert "models" not in allowed("analyst")


def test_history_promote_and_rollback(env: str) -> None:
    at = run("lena")
    assert at.title[0].value == "Models"
    table = at.dataframe[0].value
    assert list(table["version"]) == ["m-2", "m-1"]
    assert list(table["champion"]) == ["", "★"]
    assert len(at.get("vega_lite_chart")) == 1  # the reliability chart
    at.selectbox[0].select("m-2").run()
    next(b for b in at.button if b.label == "Promote").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "Model m-2 is now the champion."
    assert champion(env) == "m-2"
    next(b for b in at.button if b.label == "Rollback").click().run()
    assert at.success[0].value == "Rolled back: model m-1 is the champion again."
    assert champion(env) == "m-1"
    with Session(get_engine(env)) as s:
        events = [e.detail["event"] for e in audit_events(session=s, action="promote")]
    assert events == ["promote", "promote", "rollback"]


def test_rollback_with_nothing_earlier_is_a_sentence(env: str) -> None:
    at = run("lena")
    next(b for b in at.button if b.label == "Rollback").click().run()
    assert at.error[0].value == "There is no earlier model to roll back to."
    assert champion(env) == "m-1"


def test_train_now_runs_in_the_background(env: str) -> None:
    at = run("lena")
    started = time.perf_counter()
    next(b for b in at.button if b.label == "Train now").click().run(timeout=TIMEOUT)
    assert time.perf_counter() - started < 10  # the page did not wait for the training
    assert at.info[0].value.startswith("Training started in the background")
    deadline = time.time() + 120
    state = {}
    while time.time() < deadline:
        state = json.loads(status_path().read_text())
        if state["state"] != "running":
            break
        time.sleep(1)
    assert state["state"] == "done", state
    assert state["report"]["reasons"] == ["there are no recruiter corrections to learn from yet"]
    at = run("lena")
    assert any("no recruiter corrections" in c.value for c in at.caption)


@pytest.mark.parametrize("user", ["ann"])
def test_other_roles_are_denied(env: str, user: str) -> None:
    at = run(user)
    assert [e.value for e in at.error] == ["You do not have access to this page."]
    assert not at.button
