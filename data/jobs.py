"""The parse-job queue: claim, heartbeat, complete, fail an attempt, reap expired leases.

Every step is a short committed transaction. PostgreSQL claims with `SELECT … FOR UPDATE SKIP
LOCKED`, so concurrent workers on any machine never get the same job and never wait on each
other; SQLite has one writer at a time (BEGIN IMMEDIATE through `begin_write`), which gives the
same guarantee on one machine. A claim counts the attempt and sets a lease *before* the parse
starts: a worker killed mid-parse leaves a running job whose lease expires, the reaper re-queues
it, and after MAX_ATTEMPTS the job fails for good with a message, so a file that kills its parser
cannot block the queue. (Holding the row lock for the whole parse would roll the attempt counter
back with the dead worker's transaction and retry the poison file forever.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from data.db import begin_write
from data.models import Document, ParseJob, utcnow
from data.queries import count_in_batch

MAX_ATTEMPTS = 3
LEASE = timedelta(minutes=5)
BACKOFF = (timedelta(seconds=5), timedelta(seconds=30))  # wait before attempt 2, attempt 3
RETRYING = "The parser stopped unexpectedly on this file; it will be tried again shortly."
GAVE_UP = (
    "The parser stopped on this file {n} times; the file is kept and can be retried, "
    "or tell an administrator."
)


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job this worker holds: its id, document, the attempt number and the lease's end."""

    job_id: int
    document_id: int
    attempts: int
    worker: str
    lease_until: datetime


def backoff(attempts: int) -> timedelta:
    """How long a job waits before its next attempt after `attempts` failed ones."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def _claim(
    session: Session, job: ParseJob, *, worker: str, lease: timedelta, now: datetime | None = None
) -> ClaimedJob:
    now = now or utcnow()
    job.status, job.attempts, job.worker = "running", job.attempts + 1, worker
    job.lease_until, job.updated_at, job.available_at = now + lease, now, None
    assert job.id is not None and job.lease_until is not None
    return ClaimedJob(job.id, job.document_id, job.attempts, worker, job.lease_until)


def claim_jobs(
    *,
    session: Session,
    worker: str,
    n: int = 1,
    lease: timedelta = LEASE,
    now: datetime | None = None,
) -> list[ClaimedJob]:
    """Claim up to n queued jobs whose backoff has passed, oldest first; commits.

    [] = nothing to do right now. Each claimed job is running, counts one more attempt and is
    leased to `worker` until now + lease. now None = the current time.
    """
    now = now or utcnow()
    begin_write(session)
    stmt = (
        select(ParseJob)
        .where(col(ParseJob.status) == "queued")
        .where(or_(col(ParseJob.available_at).is_(None), col(ParseJob.available_at) <= now))
        .order_by(col(ParseJob.created_at), col(ParseJob.id))
        .limit(n)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite ignores it (BEGIN IMMEDIATE)
        .execution_options(populate_existing=True)
    )
    claimed = [
        _claim(session, job, worker=worker, lease=lease, now=now) for job in session.exec(stmt)
    ]
    session.commit()
    return claimed


def claim_job(
    *, session: Session, job_id: int, worker: str, lease: timedelta = LEASE
) -> ClaimedJob | None:
    """Claim one particular job if it is still queued (an inline parse); commits.

    None = another worker already has it, or it has finished.
    """
    begin_write(session)
    stmt = (
        select(ParseJob)
        .where(col(ParseJob.id) == job_id, col(ParseJob.status) == "queued")
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    job = session.exec(stmt).first()
    claimed = _claim(session, job, worker=worker, lease=lease) if job else None
    session.commit()
    return claimed


def holds(*, session: Session, job: ClaimedJob) -> ParseJob | None:
    """The job row, locked, if `job` still holds its lease (inside the caller's transaction).

    None = the lease was lost (reaped and perhaps claimed again): the caller must not write a
    result for it.
    """
    stmt = (
        select(ParseJob)
        .where(col(ParseJob.id) == job.job_id)
        .with_for_update()
        .execution_options(populate_existing=True)  # sessions keep objects after commit
    )
    row = session.exec(stmt).first()
    if (
        row is None
        or row.status != "running"
        or row.worker != job.worker
        or row.attempts != job.attempts
    ):
        return None
    return row


def heartbeat(*, session: Session, job: ClaimedJob, lease: timedelta = LEASE) -> bool:
    """Extend a running job's lease to now + lease; commits. False = the lease was lost."""
    begin_write(session)
    row = holds(session=session, job=job)
    if row is not None:
        row.lease_until, row.updated_at = utcnow() + lease, utcnow()
    session.commit()
    return row is not None


def complete_job(*, session: Session, job: ClaimedJob, error: str | None = None) -> bool:
    """Mark a held job done, or failed for good with a user-facing `error` (no retry).

    Runs inside the caller's write transaction (with the parse result it stores) and does not
    commit. False = the lease was lost; the caller rolls back.
    """
    row = holds(session=session, job=job)
    if row is None:
        return False
    row.status = "done" if error is None else "failed"
    row.last_error, row.lease_until, row.updated_at = error, None, utcnow()
    if error is not None:
        _count_failed(session, row.document_id)
    return True


def fail_attempt(*, session: Session, job: ClaimedJob, message: str) -> str:
    """An attempt broke (not the parse's verdict): re-queue with backoff, or fail for good after
    MAX_ATTEMPTS keeping `message`; commits. Returns the job's status ('lost' = not held)."""
    begin_write(session)
    row = holds(session=session, job=job)
    if row is None:
        session.rollback()
        return "lost"
    _give_back(session, row, retry=message, final=message)
    session.commit()
    return row.status


def release_job(*, session: Session, job: ClaimedJob) -> bool:
    """Hand a held job back to the queue unrun (a worker shutting down); commits.

    The attempt it counted is given back, so stopping a worker never uses up a file's retries.
    """
    begin_write(session)
    row = holds(session=session, job=job)
    if row is not None:
        row.status, row.attempts, row.worker = "queued", row.attempts - 1, None
        row.lease_until, row.updated_at = None, utcnow()
    session.commit()
    return row is not None


def reap_expired(*, session: Session, now: datetime | None = None) -> int:
    """Running jobs whose lease ended (their worker died) → queued again, or failed for good with
    a message when their attempts are used up (counted in the batch); commits. Returns how many."""
    now = now or utcnow()
    begin_write(session)
    stmt = (
        select(ParseJob)
        .where(col(ParseJob.status) == "running", col(ParseJob.lease_until) < now)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    rows = list(session.exec(stmt))
    for row in rows:
        _give_back(session, row, retry=RETRYING, final=GAVE_UP.format(n=row.attempts), now=now)
    session.commit()
    return len(rows)


def _give_back(
    session: Session, row: ParseJob, *, retry: str, final: str, now: datetime | None = None
) -> None:
    """Re-queue a broken attempt after its backoff, or fail the job for good when out of tries."""
    now = now or utcnow()
    row.lease_until, row.worker, row.updated_at = None, None, now
    if row.attempts >= MAX_ATTEMPTS:
        row.status, row.last_error = "failed", final
        _count_failed(session, row.document_id)
    else:
        row.status, row.last_error = "queued", retry
        row.available_at = now + backoff(row.attempts)


def _count_failed(session: Session, document_id: int) -> None:
    document = session.get(Document, document_id)
    count_in_batch(session=session, batch_id=document.batch_id if document else None, n_failed=1)


@dataclass(frozen=True, slots=True)
class QueueCounts:
    """How many jobs are in each state (the `cvassist worker` log line, and the benchmark)."""

    queued: int = 0
    running: int = 0
    done: int = 0
    failed: int = 0

    @property
    def pending(self) -> int:
        """Jobs not finished yet."""
        return self.queued + self.running


def queue_counts(*, session: Session, job_ids: Sequence[int] | None = None) -> QueueCounts:
    """Jobs per status; job_ids None = every job."""
    stmt = select(col(ParseJob.status), func.count()).group_by(col(ParseJob.status))
    if job_ids is not None:
        stmt = stmt.where(col(ParseJob.id).in_(list(job_ids)))
    counts = {status: n for status, n in session.exec(stmt)}
    session.rollback()  # end the read transaction: SQLite readers must not pin old snapshots
    return QueueCounts(**counts)
