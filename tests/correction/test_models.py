"""Model workflows: who may see, train, promote and roll back; promotions are audited;
`cvassist train` / `cvassist models` on the command line (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session

from cli import main as cli_main
from correction.access import AccessDenied
from correction.models import (
    model_history,
    models_page,
    promote_model,
    rollback_model,
    run_training,
)
from data.queries import audit_events
from learning import registry
from learning.bundle import ModelBundle
from learning.calibration import FieldCalibrator


def _register(session: Session, version: str) -> None:
    rng = np.random.default_rng(7)
    x = rng.uniform(0.05, 0.99, 300)
    y = rng.uniform(size=300) < x
    bundle = ModelBundle(version, FieldCalibrator().fit(["skills"] * 300, x, y))
    registry.register(session=session, bundle=bundle, root=registry.models_root(), user="lead")
    session.commit()


@pytest.fixture
def two_models(session: Session, app_env: Path) -> None:
    _register(session, "m-1")
    _register(session, "m-2")


@pytest.mark.parametrize("role", ["hr_lead", "admin"])
def test_leads_and_admins_promote_and_roll_back(
    session: Session, two_models: None, make_user: Callable[..., str], role: str
) -> None:
    user = make_user(role)
    promote_model(session=session, user=user, version="m-1")
    row = promote_model(session=session, user=user, version="m-2")
    assert row.champion and row.version == "m-2"
    assert [r.champion for r in model_history(session=session, user=user)] == [True, False]
    assert rollback_model(session=session, user=user).version == "m-1"
    events = audit_events(session=session, action="promote")
    assert [(e.username, e.detail["event"]) for e in events] == [
        (user, "promote"),
        (user, "promote"),
        (user, "rollback"),
    ]


@pytest.mark.parametrize("role", ["recruiter", "analyst"])
def test_other_roles_may_not_see_train_or_promote(
    session: Session, two_models: None, make_user: Callable[..., str], role: str
) -> None:
    user = make_user(role)
    for call in (
        lambda: model_history(session=session, user=user),
        lambda: models_page(session=session, user=user),
        lambda: promote_model(session=session, user=user, version="m-1"),
        lambda: rollback_model(session=session, user=user),
        lambda: run_training(session=session, user=user),
    ):
        with pytest.raises(AccessDenied, match="does not allow this"):
            call()
    assert registry.champion(session=session) is None
    assert not audit_events(session=session, action="promote")


def test_page_data_names_the_shipped_model_before_any_promotion(
    session: Session, app_env: Path, make_user: Callable[..., str]
) -> None:
    data = models_page(session=session, user=make_user("hr_lead"))
    assert data.rows == []
    assert data.champion == "shipped-1 (shipped)"
    assert data.status.state == "idle"
    assert data.reliability and all(b["count"] > 0 for b in data.reliability)


def test_cli_models_list_promote_rollback(
    session: Session, two_models: None, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv, code in (
        (["models", "promote", "m-1"], 0),
        (["models", "promote", "m-2"], 0),
        (["models", "rollback"], 0),
        (["models", "promote", "nope"], 1),
    ):
        with pytest.raises(SystemExit) as e:
            cli_main(argv)
        assert e.value.code == code
    assert "There is no model version 'nope'." in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli_main(["models", "list"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("  m-2  rolled_back")
    assert lines[1].startswith("* m-1  champion")


def test_cli_train_without_corrections_says_so(
    session: Session, app_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "train.json"
    with pytest.raises(SystemExit) as e:
        cli_main(["train", "--json", str(out)])
    assert e.value.code == 1
    assert "no recruiter corrections to learn from yet" in capsys.readouterr().out
    report = json.loads(out.read_text())
    assert report["version"] is None and report["promoted"] is False
