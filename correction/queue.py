"""The review queue page's workflow: filtered queue, filter choices, metrics, and the next CV."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from sqlmodel import Session

from correction.access import authorize
from data.models import BatchPublic
from data.queries import list_batches, list_uploaders
from data.queue import OperationalMetrics, QueueRow, operational_metrics, review_queue
from data.store import FileStore

INFO_WINDOW = 50  # CVs reordered by expected information (each is fingerprinted once)

OPEN_STATUSES: tuple[str, ...] = ("new", "in_review")


@dataclass(frozen=True, slots=True)
class QueueFilters:
    """What the recruiter filters on; None = no filter (an empty status tuple = all statuses)."""

    statuses: tuple[str, ...] = OPEN_STATUSES
    batch_id: int | None = None
    uploader: str | None = None
    since: datetime | None = None  # timezone-aware
    has_red: bool | None = None
    order: str = "corrections"  # "corrections" | "information" (uncertainty + layout variety)


@dataclass(frozen=True, slots=True)
class QueueView:
    """Everything the queue page renders."""

    rows: list[QueueRow]
    metrics: OperationalMetrics
    batches: list[BatchPublic] = field(default_factory=list)
    uploaders: list[str] = field(default_factory=list)


def queue_view(
    *,
    session: Session,
    user: str,
    filters: QueueFilters,
    limit: int = 200,
    store: FileStore | None = None,
) -> QueueView:
    """The queue (most expected corrections first), the filter choices and review metrics."""
    authorize(session=session, user=user, permission="review.view")
    rows = review_queue(
        session=session,
        limit=limit,
        status=list(filters.statuses) or None,
        batch_id=filters.batch_id,
        uploader=filters.uploader,
        since=filters.since,
        has_red=filters.has_red,
    )
    if filters.order == "information":
        rows = _by_information(session=session, rows=rows, store=store)
    view = QueueView(
        rows=rows,
        metrics=operational_metrics(session=session),
        batches=list_batches(session=session),
        uploaders=list_uploaders(session=session),
    )
    session.rollback()  # reads only: hold no transaction open
    return view


def next_candidate(
    *, session: Session, user: str, skip: frozenset[int] = frozenset()
) -> int | None:
    """The open CV with the most expected corrections, not in `skip`; None = the queue is empty."""
    authorize(session=session, user=user, permission="review.view")
    rows = review_queue(session=session, limit=len(skip) + 1, status=list(OPEN_STATUSES))
    session.rollback()
    return next((r.candidate_id for r in rows if r.candidate_id not in skip), None)


def information_order(
    *, session: Session, user: str, window: int = INFO_WINDOW, store: FileStore | None = None
) -> list[QueueRow]:
    """The `window` most uncertain open CVs, reordered by expected information: uncertainty
    discounted by layout similarity to CVs already reviewed or placed earlier, so one template's
    near-duplicates do not fill the top of the queue (`learning.active.uncertainty_diversity`)."""
    authorize(session=session, user=user, permission="review.view")
    rows = review_queue(session=session, limit=window, status=list(OPEN_STATUSES))
    return _by_information(session=session, rows=rows, window=window, store=store)


def _by_information(
    *, session: Session, rows: list[QueueRow], window: int = INFO_WINDOW, store: FileStore | None
) -> list[QueueRow]:
    """`rows` (most expected corrections first) with their top `window` reordered by expected
    information; the rest keep their order below them."""
    from learning.active import uncertainty_diversity  # numpy, only here
    from learning.layout_memory import document_prints

    head, tail = rows[:window], rows[window:]
    done = review_queue(session=session, limit=window, status=["reviewed"])
    session.rollback()
    if len(head) < 2:
        return rows
    prints = document_prints([r.document_id for r in head + done], session=session, store=store)
    X = np.array([prints[r.document_id] for r in head])
    labelled = np.array([prints[r.document_id] for r in done]) if done else None
    scores = np.array([r.expected_corrections for r in head])
    order = uncertainty_diversity(scores, X, len(head), labelled=labelled)
    return [head[int(i)] for i in order] + tail
