"""Model workflows for the Models page and the CLI: history, train (in the background),
promote, rollback and the champion's reliability chart. Every call is authorized first.

Background training is a separate `cvassist train` process; it writes its state to
`data_dir/models/training.json`, which the page polls. One run at a time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from correction.access import SYSTEM_USER, authorize
from data.db import begin_write, session_scope
from data.models import ModelVersion
from data.store import write_atomic
from evaluation.calibration import reliability_bins
from learning import registry
from learning.bundle import BundleError, ModelBundle
from learning.registry import RegistryError
from learning.shipped import corpus_holdout, load_shipped
from learning.train import PromoteMode, TrainReport, train

STATUS_FILE = "training.json"


@dataclass(frozen=True, slots=True)
class ModelRow:
    """One line of the model history (no personal data)."""

    version: str
    created_at: datetime
    created_by: str
    status: str
    champion: bool
    n_corrections: int
    score: float | None
    group_scores: dict[str, float]
    sha256_short: str
    needs_retraining: bool
    note: str | None


@dataclass(frozen=True, slots=True)
class TrainingStatus:
    """The background training run: idle | running | done | failed, and its report."""

    state: str
    started_at: str | None = None
    finished_at: str | None = None
    report: dict[str, Any] | None = None
    message: str | None = None


def _row(m: ModelVersion, champion: str | None) -> ModelRow:
    holdout = (m.metrics or {}).get("holdout", {})
    return ModelRow(
        version=m.version,
        created_at=m.created_at,
        created_by=m.created_by,
        status=m.status,
        champion=m.version == champion,
        n_corrections=m.n_corrections,
        score=holdout.get("overall"),
        group_scores={g: v["score"] for g, v in holdout.get("groups", {}).items()},
        sha256_short=m.sha256[:12],
        needs_retraining=m.needs_retraining,
        note=m.note,
    )


def model_history(*, session: Session, user: str) -> list[ModelRow]:
    """Every model version, newest first, with its holdout scores and champion marker."""
    authorize(session=session, user=user, permission="models.train")
    current = registry.champion(session=session)
    name = current.version if current else None
    return [_row(m, name) for m in registry.history(session=session)]


def promote_model(*, session: Session, user: str, version: str) -> ModelRow:
    """Make a version the champion (audited as 'promote'); raises RegistryError with a sentence."""
    authorize(session=session, user=user, permission="models.promote")
    begin_write(session)
    row = registry.promote(session=session, version=version, user=user)
    session.commit()
    return _row(row, row.version)


def rollback_model(*, session: Session, user: str) -> ModelRow:
    """Back to the previous champion in one action (audited as 'promote', event rollback)."""
    authorize(session=session, user=user, permission="models.promote")
    begin_write(session)
    row = registry.rollback(session=session, user=user)
    session.commit()
    return _row(row, row.version)


def reliability(*, session: Session, user: str) -> list[dict[str, Any]]:
    """The champion's reliability bins on the frozen generated-corpus holdout (for a chart)."""
    authorize(session=session, user=user, permission="models.train")
    current = registry.champion(session=session)
    try:
        bundle: ModelBundle = registry.load_row(current) if current else load_shipped()
    except BundleError:
        bundle = load_shipped()
    values = corpus_holdout()
    assert bundle.calibrator is not None
    cal = bundle.calibrator.predict([v.ftype for v in values], [v.confidence for v in values])
    bins = reliability_bins(cal.tolist(), [v.correct for v in values])
    return [asdict(b) for b in bins if b.count]


def run_training(*, session: Session, user: str, promote_mode: PromoteMode = "auto") -> TrainReport:
    """Train now in this process (the CLI and the background job call this)."""
    authorize(session=session, user=user, permission="models.train")
    begin_write(session)
    report = train(session=session, user=user, promote_mode=promote_mode)
    session.commit()
    return report


# ------------------------------------------------------------------ background runs


def status_path() -> Path:
    """Where the background run writes its state."""
    return registry.models_root() / STATUS_FILE


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def training_status(*, session: Session, user: str) -> TrainingStatus:
    """The state of the last background run (idle when none ran)."""
    authorize(session=session, user=user, permission="models.train")
    try:
        data = json.loads(status_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return TrainingStatus("idle")
    if data.get("state") == "running" and not _alive(int(data.get("pid", 0))):
        data["state"], data["message"] = "failed", "The training process stopped unexpectedly."
    data.pop("pid", None)
    return TrainingStatus(**data)


def start_training(*, session: Session, user: str) -> TrainingStatus:
    """Start `cvassist train` in the background (never blocks); refuses a second run."""
    authorize(session=session, user=user, permission="models.train")
    current = training_status(session=session, user=user)
    if current.state == "running":
        return current
    path = status_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-c", "from cli import main; main()", "train", "--user", user]
    proc = subprocess.Popen(  # a separate process: the UI thread only reads the status file
        [*cmd, "--status", str(path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    _write_status(path, state="running", pid=proc.pid, started_at=_now())
    return TrainingStatus("running", started_at=_now())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_status(path: Path, **data: Any) -> None:
    write_atomic(path, json.dumps(data, default=str).encode(), mode=0o644)


# ------------------------------------------------------------------ command line


def train_main(ns: argparse.Namespace) -> int:
    """`cvassist train [--force-promote never] [--json OUT]`: 0 when trained, 1 otherwise."""
    status = Path(ns.status) if getattr(ns, "status", None) else None
    user = getattr(ns, "user", None) or SYSTEM_USER
    started = _now()
    if status:
        _write_status(status, state="running", pid=os.getpid(), started_at=started)
    try:
        with session_scope() as session:
            report = run_training(session=session, user=user, promote_mode=ns.force_promote)
    except (PermissionError, RegistryError, BundleError) as e:
        if status:
            _write_status(
                status, state="failed", started_at=started, finished_at=_now(), message=str(e)
            )
        print(f"cvassist train: {e}", file=sys.stderr)
        return 1
    out = report.to_dict()
    if status:
        _write_status(status, state="done", started_at=started, finished_at=_now(), report=out)
    if ns.json_out:
        Path(ns.json_out).write_text(json.dumps(out, indent=1, default=str), encoding="utf-8")
    verdict = "promoted" if report.promoted else ("passed" if report.passed else "not promoted")
    print(
        f"model {report.version or '-'}: {verdict}; {report.n_train} outcomes trained, "
        f"{report.seconds:.1f}s" + ("".join(f"\n  {r}" for r in report.reasons))
    )
    return 0 if report.version else 1


def models_main(ns: argparse.Namespace) -> int:
    """`cvassist models list | promote VERSION | rollback` as the operator (system user)."""
    user = SYSTEM_USER
    try:
        with session_scope() as session:
            if ns.action == "list":
                for r in model_history(session=session, user=user):
                    mark = "*" if r.champion else " "
                    score = f"{r.score:.2f}" if r.score is not None else "-"
                    flag = " needs-retraining" if r.needs_retraining else ""
                    print(
                        f"{mark} {r.version}  {r.status:<11} {r.n_corrections:>6} corrections  "
                        f"score {score}  sha256 {r.sha256_short}{flag}"
                    )
                return 0
            if ns.action == "promote":
                if not ns.version:
                    print("cvassist models promote: name the VERSION to promote", file=sys.stderr)
                    return 2
                row = promote_model(session=session, user=user, version=ns.version)
            else:
                row = rollback_model(session=session, user=user)
    except (RegistryError, PermissionError) as e:
        print(f"cvassist models: {e}", file=sys.stderr)
        return 1
    print(f"champion is now {row.version}")
    return 0


# ------------------------------------------------------------------ the page's one read


@dataclass(frozen=True, slots=True)
class ModelsPage:
    """Everything the Models page shows: history, champion, training state, reliability."""

    rows: list[ModelRow]
    champion: str
    status: TrainingStatus
    reliability: list[dict[str, Any]]


def models_page(*, session: Session, user: str) -> ModelsPage:
    """The Models page's data in one call (authorized as models.train)."""
    rows = model_history(session=session, user=user)
    current = next((r.version for r in rows if r.champion), None)
    return ModelsPage(
        rows=rows,
        champion=current or f"{load_shipped().version} (shipped)",
        status=training_status(session=session, user=user),
        reliability=reliability(session=session, user=user),
    )
