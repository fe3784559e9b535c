"""Model registry: bundles under `data_dir/models/<version>/`, rows in `modelversion`, and an
append-only `modelevent` log whose newest row names the champion.

Promotion and rollback are single appended events (rollback = back to the previous champion that
was not itself rolled back), each also written to the audit log. `load_bundle` checks the
manifest against the SHA-256 in the row, and every file against the manifest, before loading.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from data.models import ModelEvent, ModelVersion
from data.queries import add_audit
from learning.bundle import BundleError, ModelBundle, library_versions
from parsing.pipeline import model_version as parser_model_version
from settings import Settings, get_settings


class RegistryError(Exception):
    """A registry action that cannot be done (unknown version, nothing to roll back to)."""


def models_root(settings: Settings | None = None) -> Path:
    """Where bundle directories live: data_dir/models."""
    return (settings or get_settings()).data_dir / "models"


def new_version() -> str:
    """A sortable, unique-enough version name (UTC time to the millisecond)."""
    now = datetime.now(UTC)
    return now.strftime("%Y%m%d-%H%M%S-") + f"{now.microsecond // 1000:03d}"


def register(
    *,
    session: Session,
    bundle: ModelBundle,
    root: Path,
    user: str,
    metrics: dict[str, Any] | None = None,
    correction_ids: list[int] | None = None,
    candidate_ids: list[int] | None = None,
    status: str = "candidate",
    note: str | None = None,
) -> ModelVersion:
    """Save a bundle under root/<version>/ and record it with its manifest SHA-256."""
    bundle.meta.setdefault("metrics", metrics or {})
    bundle.meta.setdefault("trained_on", {"corrections": correction_ids or []})
    sha = bundle.save(root / bundle.version)
    row = ModelVersion(
        version=bundle.version,
        created_by=user,
        sha256=sha,
        path=bundle.version,
        parser_version=parser_model_version(),
        libraries=library_versions(),
        metrics=metrics or {},
        correction_ids=sorted(correction_ids or []),
        candidate_ids=sorted(set(candidate_ids or [])),
        n_corrections=len(correction_ids or []),
        status=status,
        note=note,
    )
    session.add(row)
    session.flush()
    return row


def get_version(*, session: Session, version: str) -> ModelVersion:
    """One registered version (raises RegistryError when unknown)."""
    row = session.exec(select(ModelVersion).where(ModelVersion.version == version)).first()
    if row is None:
        raise RegistryError(f"There is no model version {version!r}.")
    return row


def champion(*, session: Session) -> ModelVersion | None:
    """The current champion (None = none promoted yet: the shipped calibrator is used)."""
    event = session.exec(select(ModelEvent).order_by(col(ModelEvent.id).desc())).first()
    return None if event is None else get_version(session=session, version=event.version)


def history(*, session: Session) -> list[ModelVersion]:
    """Every registered version, newest first."""
    return list(session.exec(select(ModelVersion).order_by(col(ModelVersion.id).desc())))


def events(*, session: Session) -> list[ModelEvent]:
    """Every promotion and rollback, oldest first."""
    return list(session.exec(select(ModelEvent).order_by(col(ModelEvent.id))))


def _switch(
    *, session: Session, user: str, action: str, target: ModelVersion, old_status: str
) -> ModelVersion:
    current = champion(session=session)
    if current is not None:
        current.status = old_status
        session.add(current)
    target.status = "champion"
    session.add(target)
    previous = current.version if current else None
    session.add(ModelEvent(username=user, action=action, version=target.version, previous=previous))
    add_audit(
        session=session,
        user=user,
        action="promote",
        detail={"event": action, "version": target.version, "previous": previous},
    )
    session.flush()
    return target


def promote(*, session: Session, version: str, user: str) -> ModelVersion:
    """Make a registered version the champion (audited); the old champion is retired."""
    target = get_version(session=session, version=version)
    current = champion(session=session)
    if current is not None and current.version == version:
        raise RegistryError(f"Model {version} is already the champion.")
    return _switch(
        session=session, user=user, action="promote", target=target, old_status="retired"
    )


def rollback(*, session: Session, user: str) -> ModelVersion:
    """Back to the previous champion in one action (audited); the current one is marked
    rolled_back so a second rollback goes further back rather than forth."""
    current = champion(session=session)
    if current is None:
        raise RegistryError("No model has been promoted, so there is nothing to roll back.")
    for event in reversed(events(session=session)):
        row = get_version(session=session, version=event.version)
        if row.version != current.version and row.status not in ("rolled_back", "rejected"):
            return _switch(
                session=session, user=user, action="rollback", target=row, old_status="rolled_back"
            )
    raise RegistryError("There is no earlier model to roll back to.")


def load_bundle(
    *, session: Session, version: str | None = None, root: Path | None = None
) -> ModelBundle:
    """Load a version (default: the champion), verifying SHA-256 first; raises BundleError."""
    row = get_version(session=session, version=version) if version else champion(session=session)
    if row is None:
        raise RegistryError("No model has been promoted yet.")
    return load_row(row, root=root)


def load_row(row: ModelVersion, *, root: Path | None = None) -> ModelBundle:
    """Load the bundle a registry row points at, verified against the row's SHA-256."""
    bundle = ModelBundle.load((root or models_root()) / row.path, manifest_sha256=row.sha256)
    if bundle.version != row.version:
        raise BundleError(f"The files of model {row.version} name another version; not loaded.")
    return bundle


def flag_for_retraining(*, session: Session, candidate_id: int) -> list[str]:
    """Flag every version trained on this candidate's corrections (called on erasure)."""
    flagged = []
    for row in history(session=session):
        if candidate_id in (row.candidate_ids or []) and not row.needs_retraining:
            row.needs_retraining = True
            session.add(row)
            flagged.append(row.version)
    session.flush()
    return flagged
