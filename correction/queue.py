"""The review queue page's workflow: filtered queue, filter choices, metrics, and the next CV."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from data.models import BatchPublic
from data.queries import list_batches, list_uploaders
from data.queue import OperationalMetrics, QueueRow, operational_metrics, review_queue

OPEN_STATUSES: tuple[str, ...] = ("new", "in_review")


@dataclass(frozen=True, slots=True)
class QueueFilters:
    """What the recruiter filters on; None = no filter (an empty status tuple = all statuses)."""

    statuses: tuple[str, ...] = OPEN_STATUSES
    batch_id: int | None = None
    uploader: str | None = None
    since: datetime | None = None  # timezone-aware
    has_red: bool | None = None


@dataclass(frozen=True, slots=True)
class QueueView:
    """Everything the queue page renders."""

    rows: list[QueueRow]
    metrics: OperationalMetrics
    batches: list[BatchPublic] = field(default_factory=list)
    uploaders: list[str] = field(default_factory=list)


def queue_view(*, session: Session, filters: QueueFilters, limit: int = 200) -> QueueView:
    """The queue (most expected corrections first), the filter choices and review metrics."""
    rows = review_queue(
        session=session,
        limit=limit,
        status=list(filters.statuses) or None,
        batch_id=filters.batch_id,
        uploader=filters.uploader,
        since=filters.since,
        has_red=filters.has_red,
    )
    view = QueueView(
        rows=rows,
        metrics=operational_metrics(session=session),
        batches=list_batches(session=session),
        uploaders=list_uploaders(session=session),
    )
    session.rollback()  # reads only: hold no transaction open
    return view


def next_candidate(*, session: Session, skip: frozenset[int] = frozenset()) -> int | None:
    """The open CV with the most expected corrections, not in `skip`; None = the queue is empty."""
    rows = review_queue(session=session, limit=len(skip) + 1, status=list(OPEN_STATUSES))
    session.rollback()
    return next((r.candidate_id for r in rows if r.candidate_id not in skip), None)
