"""The review queue and the operational metrics, computed in SQL (no rows loaded to sort)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Float, case, cast, func, select
from sqlmodel import Session, col

from data.models import Candidate, Correction, Document


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One CV in the review queue: what the queue page shows and needs to open it."""

    candidate_id: int
    document_id: int
    file_name: str
    display_name: str | None
    status: str
    n_fields: int
    n_green: int
    n_amber: int
    n_red: int
    expected_corrections: float
    min_confidence: float | None
    version_id: int
    uploaded_by: str
    uploaded_at: datetime
    batch_id: int | None
    last_activity_at: datetime


def _utc(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware value")
    return when.astimezone(UTC)


def review_queue(
    *,
    session: Session,
    limit: int = 50,
    offset: int = 0,
    status: str | Sequence[str] | None = None,
    batch_id: int | None = None,
    uploader: str | None = None,
    since: datetime | None = None,
    has_red: bool | None = None,
) -> list[QueueRow]:
    """CVs by expected corrections (most first), then weakest field; None filters = all."""
    columns = [
        col(Candidate.id),
        col(Candidate.document_id),
        col(Document.name),
        col(Candidate.display_name),
        col(Candidate.status),
        col(Candidate.n_fields),
        col(Candidate.n_green),
        col(Candidate.n_amber),
        col(Candidate.n_red),
        col(Candidate.expected_corrections),
        col(Candidate.min_confidence),
        col(Candidate.version_id),
        col(Document.uploaded_by),
        col(Document.uploaded_at),
        col(Document.batch_id),
        col(Candidate.last_activity_at),
    ]
    stmt = select(*columns).join(Document, col(Document.id) == col(Candidate.document_id))
    if status is not None:
        statuses = [status] if isinstance(status, str) else list(status)
        stmt = stmt.where(col(Candidate.status).in_(statuses))
    if batch_id is not None:
        stmt = stmt.where(col(Document.batch_id) == batch_id)
    if uploader is not None:
        stmt = stmt.where(col(Document.uploaded_by) == uploader)
    if since is not None:
        stmt = stmt.where(col(Document.uploaded_at) >= _utc(since))
    if has_red is not None:
        stmt = stmt.where(col(Candidate.n_red) > 0 if has_red else col(Candidate.n_red) == 0)
    stmt = stmt.order_by(
        col(Candidate.expected_corrections).desc(),
        col(Candidate.min_confidence).asc(),
        col(Candidate.id).asc(),
    )
    rows = session.execute(stmt.limit(limit).offset(offset)).all()
    return [QueueRow(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class OperationalMetrics:
    """Review effort since a date. Shares and means are None when nothing was reviewed."""

    n_cvs: int  # CVs with at least one save
    n_saves: int
    n_decisions: int  # correction rows (accept + edit + reject + add)
    seconds_per_cv: float | None  # mean over CVs of the time spent across its saves
    fields_changed_per_cv: float | None  # mean over CVs of edit + reject + add rows
    share_accepted_unchanged: float | None  # accept rows / all decisions
    share_cvs_unchanged: float | None  # CVs whose every decision was an accept


def operational_metrics(
    *, session: Session, since: datetime | None = None, until: datetime | None = None
) -> OperationalMetrics:
    """Time per CV, fields changed per CV and share accepted unchanged, aggregated in SQL
    (decisions saved at or after `since` and before `until`; None = unbounded)."""
    changed = case((col(Correction.action) == "accept", 0), else_=1)
    window = [col(Correction.at) >= _utc(since)] if since is not None else []
    if until is not None:
        window.append(col(Correction.at) < _utc(until))
    saves: Any = (
        select(
            col(Correction.candidate_id).label("candidate_id"),
            func.max(col(Correction.seconds_spent)).label("seconds"),  # each row of a save has it
            func.sum(changed).label("changed"),
            func.count().label("decisions"),
        )
        .where(*window)
        .group_by(col(Correction.candidate_id), col(Correction.candidate_version))
    )
    s = saves.subquery()
    per_cv = (
        select(
            s.c.candidate_id,
            func.sum(s.c.seconds).label("seconds"),
            func.sum(s.c.changed).label("changed"),
            func.sum(s.c.decisions).label("decisions"),
            func.count().label("saves"),
        )
        .group_by(s.c.candidate_id)
        .subquery()
    )
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(per_cv.c.saves), 0),
            func.coalesce(func.sum(per_cv.c.decisions), 0),
            func.avg(cast(per_cv.c.seconds, Float)),
            func.avg(cast(per_cv.c.changed, Float)),
            func.sum(per_cv.c.decisions - per_cv.c.changed),
            func.sum(case((per_cv.c.changed == 0, 1), else_=0)),
        )
    ).one()
    n_cvs, n_saves, n_decisions, secs, n_changed, n_accepted, n_unchanged_cvs = row
    return OperationalMetrics(
        n_cvs=int(n_cvs),
        n_saves=int(n_saves),
        n_decisions=int(n_decisions),
        seconds_per_cv=float(secs) if secs is not None else None,
        fields_changed_per_cv=float(n_changed) if n_changed is not None else None,
        share_accepted_unchanged=int(n_accepted) / int(n_decisions) if n_decisions else None,
        share_cvs_unchanged=int(n_unchanged_cvs) / int(n_cvs) if n_cvs else None,
    )
