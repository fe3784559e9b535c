"""The HR lead dashboard page with AppTest: charts for an HR lead, Acknowledge, role gating."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from dbfixtures import synthetic_cv
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from support import ROOT

from correction import accounts
from correction.accounts import create_user
from correction.intake import ingest
from correction.review import FieldChange, open_candidate, save_corrections
from data.db import dispose_engines, get_engine, init_db
from data.models import AuditEvent, DriftAlert, utcnow
from data.store import FileStore
from settings import get_settings
from ui.nav import allowed

PAGE = "ui/dashboard.py"
TIMEOUT = 30
PASSWORD = "correct horse battery"
CONF = {"name": 0.9, "email": 0.7, "skills[0]": 0.4, "experience[0].title": 0.8}


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated SQLite database with a recruiter, an HR lead and an analyst account."""
    url = f"sqlite:///{tmp_path / 'cvassist.sqlite'}"
    monkeypatch.setenv("CVASSIST_DATABASE_URL", url)
    monkeypatch.setenv("CVASSIST_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    init_db(get_engine(url))
    from argon2 import PasswordHasher

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
    with Session(get_engine(url), expire_on_commit=False) as s:
        for name, role in (("ann", "recruiter"), ("lena", "hr_lead"), ("otto", "analyst")):
            create_user(session=s, username=name, role=role, password=PASSWORD)
    yield url
    dispose_engines()
    get_settings.cache_clear()


@pytest.fixture
def session(env: str) -> Iterator[Session]:
    with Session(get_engine(env), expire_on_commit=False) as s:
        yield s


@pytest.fixture
def reviewed(session: Session, tmp_path: Path) -> None:
    """Three CVs, two reviewed by ann through the real save (one email edited), one open alert."""
    store = FileStore(tmp_path / "data" / "files")
    for n in range(3):
        res = ingest(
            session=session,
            name=f"cv{n}.txt",
            data=f"cv {n}".encode(),
            user="ann",
            batch_id=None,
            store=store,
            parser=lambda d, name: synthetic_cv(d, name, CONF),
        )
        if n == 2:
            break
        task = open_candidate(session=session, candidate_id=res.candidate_id, user="ann")
        changes = [
            FieldChange(f.path, "edit", "fixed") if n == 0 and f.path == "email"
            else FieldChange(f.path, "accept")
            for f in task.fields
        ]  # fmt: skip
        save_corrections(
            session=session,
            candidate_id=res.candidate_id,
            user="ann",
            expected_version=task.candidate.version_id,
            changes=changes,
            seconds_spent=45.0,
        )
    now = utcnow()
    session.add(
        DriftAlert(
            kind="correction_rate",
            subject="email",
            window_start=now - timedelta(days=1),
            window_end=now + timedelta(days=6),
            observed=0.5,
            expected=0.1,
            lower=0.0,
            upper=0.2,
            n=60,
        )
    )
    session.commit()


def run(user: str) -> AppTest:
    """The dashboard page's own script, signed in as `user` (whose role the accounts table
    holds); the router's page list is tested below."""
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=TIMEOUT)
    at.session_state["user"] = user
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_dashboard_is_in_the_navigation_of_hr_leads_and_admins_only() -> None:
    assert "dashboard" in allowed("hr_lead") and "dashboard" in allowed("admin")
    assert "dashboard" not in allowed("recruiter") and "dashboard" not in allowed("analyst")


def charts(at: AppTest) -> list[dict]:
    """The Vega-Lite specs the page sent."""
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def chart_rows(at: AppTest, index: int) -> pd.DataFrame:
    """The data of the index-th chart (Streamlit sends it beside the spec, as Arrow)."""
    proto = at.get("vega_lite_chart")[index].proto
    datasets = [d.data.data for d in proto.datasets] or [proto.data.data]
    return pd.concat(pa.ipc.open_stream(b).read_pandas() for b in datasets)


def test_hr_lead_sees_kpis_charts_and_an_alert(env: str, reviewed: None) -> None:
    at = run("lena")
    assert at.title[0].value == "Dashboard"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["CVs reviewed per day"] == f"{2 / 30:.1f}"
    assert metrics["Median time per CV"] == "45 s"
    assert metrics["Accepted unchanged"] == "88%"  # 7 of 8 decisions
    assert metrics["Backlog"] == "1"
    specs = charts(at)
    assert len(specs) == 6  # trend, activity, model, batch, format, calibration
    assert specs[0]["facet"]["field"] == "field"  # the trend: one small chart per field
    trend = chart_rows(at, 0)
    assert set(trend["field"]) == {"email", "name", "skills", "experience.title"}
    email = trend[trend["field"] == "email"].iloc[0]
    assert (email["rate"], email["decisions"]) == (0.5, 2)
    assert at.warning[0].value.startswith("Corrections to email rose to 50%")


def test_acknowledge_closes_the_alert_and_is_audited(
    env: str, reviewed: None, session: Session
) -> None:
    at = run("lena")
    ack = [b for b in at.button if b.label == "Acknowledge"]
    assert len(ack) == 1
    ack[0].click().run()
    assert not at.exception, at.exception
    assert not [b for b in at.button if b.label == "Acknowledge"]
    assert any("No open alerts" in c.value for c in at.caption)
    alert = session.exec(select(DriftAlert)).one()
    assert alert.acknowledged_by == "lena"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "acknowledge")).one()
    assert event.username == "lena" and event.detail["subject"] == "email"


def test_empty_database_renders_without_charts(env: str) -> None:
    at = run("lena")
    assert not charts(at)
    assert any("No corrections in this period yet." in c.value for c in at.caption)


@pytest.mark.parametrize("user", ["ann", "otto"])  # a recruiter, an analyst
def test_other_roles_are_denied(env: str, reviewed: None, user: str) -> None:
    at = run(user)
    assert [e.value for e in at.error] == ["You do not have access to this page."]
    assert not charts(at) and not at.metric
