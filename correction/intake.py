"""Intake workflow: uploaded bytes → stored document → parse job → parse result + candidate.

`ingest` is the one code path of the upload page and `cvassist import`. The upload is never lost:
the bytes are stored (fsync) and the Document + ParseJob rows committed before parsing starts, so
a failed or crashed parse leaves the document, its job and the upload audit event behind.
`ingest` parses in-process; the upload page stores a whole batch first (`intake_batch`) and
workers (`correction.worker`) claim the queued jobs from the table (data.jobs) and `run_claimed`
them, so a job is never run twice and a restart resumes what was queued.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from correction.access import authorize
from correction.bands import score_fields
from data.db import begin_write
from data.jobs import ClaimedJob, claim_job, complete_job
from data.models import Document, ParseJob
from data.queries import (
    NotFound,
    add_audit,
    add_parse_result,
    candidate_for_document,
    count_in_batch,
    create_batch,
    enqueue_parse,
    get_or_create_document,
    latest_parse,
    save_candidate,
)
from data.store import FileStore, default_store
from learning.runtime import champion_parser, parse_with_champion
from parsing.model import ParsedCV, Status
from parsing.pipeline import MESSAGES, failed_parse
from parsing.sandbox import parse_isolated
from settings import get_settings

log = logging.getLogger(__name__)

Parser = Callable[[bytes, str], ParsedCV]
IngestStatus = Literal["queued", "parsed", "failed", "duplicate", "error"]
NOT_STORED = "The file could not be stored; please try again or tell an administrator."
WARM_UP_TEXT = b"Jane Example\njane@example.com\n\nExperience\n2020 - 2024 Engineer, Example Ltd\n"


@dataclass(frozen=True, slots=True)
class IngestResult:
    """Outcome of one file. queued: stored, its parse job waits for a worker; parsed: a candidate
    to review; failed: stored, but the parse found nothing usable (see message); duplicate: these
    bytes were uploaded before; error: not stored."""

    name: str
    status: IngestStatus
    sha256: str
    document_id: int | None = None
    candidate_id: int | None = None
    parse_status: str | None = None  # the parse's Status value; None = not parsed (yet)
    message: str | None = None
    job_id: int | None = None  # the parse job made for this upload; None = none (duplicate, error)

    @property
    def stored(self) -> bool:
        """True when the bytes are in the store and the document row exists."""
        return self.status != "error"


def ingest(
    *,
    session: Session,
    name: str,
    data: bytes,
    user: str,
    batch_id: int | None,
    store: FileStore | None = None,
    parser: Parser | None = None,
) -> IngestResult:
    """Store, de-duplicate (SHA-256) and parse one upload; commits. parser None = the pipeline."""
    stored = store_upload(
        session=session, name=name, data=data, user=user, batch_id=batch_id, store=store
    )
    if stored.status != "queued" or stored.job_id is None:
        return stored
    return process_job(session=session, job_id=stored.job_id, store=store, parser=parser)


def store_upload(
    *,
    session: Session,
    name: str,
    data: bytes,
    user: str,
    batch_id: int | None,
    store: FileStore | None = None,
) -> IngestResult:
    """Store and de-duplicate one upload and queue its parse job, without parsing; commits."""
    authorize(session=session, user=user, permission="upload")
    name = Path(name).name
    digest = hashlib.sha256(data).hexdigest()
    store = store or default_store()
    begin_write(session)
    try:
        doc, created = get_or_create_document(
            session=session, data=data, name=name, user=user, batch_id=batch_id, store=store
        )
    except OSError:
        session.rollback()
        log.warning("could not store upload %s", digest[:12], exc_info=True)
        return IngestResult(name=name, status="error", sha256=digest, message=NOT_STORED)
    assert doc.id is not None
    count_in_batch(
        session=session, batch_id=batch_id, n_files=1, n_new=int(created), n_duplicates=1 - created
    )
    detail = {"document_id": doc.id, "batch_id": batch_id, "size": len(data), "format": doc.format}
    if not created:
        cand = candidate_for_document(session=session, document_id=doc.id)
        cand_id = cand.id if cand else None
        add_audit(
            session=session,
            user=user,
            action="upload",
            candidate_id=cand_id,
            detail={**detail, "duplicate": True},
        )
        last = latest_parse(session=session, document_id=doc.id)
        session.commit()
        return IngestResult(
            name=name,
            status="duplicate",
            sha256=digest,
            document_id=doc.id,
            candidate_id=cand_id,
            parse_status=last.status if last else None,
            message="This file was uploaded before; it was not parsed again.",
        )
    job = enqueue_parse(session=session, document_id=doc.id)
    add_audit(session=session, user=user, action="upload", detail=detail)
    session.commit()
    assert job.id is not None
    return IngestResult(
        name=name, status="queued", sha256=digest, document_id=doc.id, job_id=job.id
    )


@dataclass(frozen=True, slots=True)
class BatchIntake:
    """A stored batch: its id and one result per file, in upload order."""

    batch_id: int
    results: list[IngestResult]

    @property
    def job_ids(self) -> list[int]:
        """The parse jobs to hand to workers."""
        return [r.job_id for r in self.results if r.job_id is not None]


def intake_batch(
    *,
    session: Session,
    files: Iterable[tuple[str, bytes]],
    user: str,
    label: str | None = None,
    store: FileStore | None = None,
) -> BatchIntake:
    """Create a batch and store every (name, bytes) with `store_upload`; commits per file.

    One bad file never stops the batch: a file that cannot be stored gets an 'error' result.
    """
    authorize(session=session, user=user, permission="upload")
    begin_write(session)
    batch = create_batch(session=session, user=user, label=label)
    session.commit()
    assert batch.id is not None
    results: list[IngestResult] = []
    for name, data in files:
        try:
            result = store_upload(
                session=session, name=name, data=data, user=user, batch_id=batch.id, store=store
            )
        except SQLAlchemyError:
            session.rollback()
            log.warning("database error storing an upload", exc_info=True)
            result = IngestResult(
                name=Path(name).name, status="error", sha256="", message=NOT_STORED
            )
        results.append(result)
    return BatchIntake(batch.id, results)


def warm_up() -> str:
    """Load the parsing pipeline (spaCy models, lexicons, the champion model bundle) in a worker
    before real work arrives, so every forked parse starts warm."""
    return parse_with_champion(WARM_UP_TEXT, "warm-up.txt").status.value


def job_lease() -> timedelta:
    """How long a claimed job is held before the reaper may hand it to another worker."""
    return timedelta(seconds=get_settings().job_lease_seconds)


def process_job(
    *,
    session: Session,
    job_id: int,
    store: FileStore | None = None,
    parser: Parser | None = None,
    worker: str = "inline",
) -> IngestResult:
    """Claim one queued job and run it here (an inline parse); commits.

    A job another worker holds comes back 'queued' (follow it by job_id); a finished one comes
    back as it ended, without parsing again.
    """
    job = claim_job(session=session, job_id=job_id, worker=worker, lease=job_lease())
    if job is None:
        return job_outcome(session=session, job_id=job_id)
    return run_claimed(session=session, job=job, store=store, parser=parser)


def job_outcome(*, session: Session, job_id: int) -> IngestResult:
    """Where a job stands, as an IngestResult (queued/running → 'queued')."""
    job = session.get(ParseJob, job_id, populate_existing=True)
    if job is None:
        session.rollback()
        raise NotFound(f"no parse job {job_id}")
    document = session.get(Document, job.document_id)
    assert document is not None
    cand = candidate_for_document(session=session, document_id=job.document_id)
    last = latest_parse(session=session, document_id=job.document_id)
    status: IngestStatus = (
        "parsed" if job.status == "done" else "failed" if job.status == "failed" else "queued"
    )
    result = IngestResult(
        name=document.name,
        status=status,
        sha256=document.sha256,
        document_id=document.id,
        candidate_id=cand.id if cand and status == "parsed" else None,
        parse_status=last.status if last and status != "queued" else None,
        message=job.last_error,
        job_id=job_id,
    )
    session.rollback()  # end the read (values are copied out: a rollback expires the objects)
    return result


def run_claimed(
    *,
    session: Session,
    job: ClaimedJob,
    store: FileStore | None = None,
    parser: Parser | None = None,
) -> IngestResult:
    """Parse the stored bytes of a job this worker holds and store the result; commits.

    The result is written only while the lease is still held: a job reaped meanwhile (this
    worker was presumed dead) belongs to its next attempt, and this one comes back 'queued'.
    """
    store = store or default_store()
    document = session.get(Document, job.document_id)
    assert document is not None and document.id is not None
    doc, name, digest = document.id, document.name, document.sha256
    session.rollback()  # no transaction stays open during the parse
    try:
        data = store.get(digest)
    except OSError:
        log.error("stored bytes missing for %s", digest[:12])
        parsed = failed_parse(
            name, digest, Status.FAILED, "The stored file is missing; please upload it again."
        )
    else:
        parsed = _parse(data, name, digest, parser)

    usable = parsed.status.usable
    begin_write(session)
    if not complete_job(session=session, job=job, error=None if usable else parsed.message):
        session.rollback()
        log.warning("parse job %s lost its lease; its result was dropped", job.job_id)
        return IngestResult(
            name=name, status="queued", sha256=digest, document_id=doc, job_id=job.job_id
        )
    result = add_parse_result(session=session, document_id=doc, parsed=parsed)
    assert result.id is not None
    cand_id = None
    if usable:
        scores = score_fields(f for _, f in parsed.fields.iter_fields())
        name_field = parsed.fields.name
        cand = save_candidate(
            session=session,
            document_id=doc,
            parse_result_id=result.id,
            scores=scores,
            display_name=str(name_field.value) if name_field else None,
        )
        cand_id = cand.id
    session.commit()
    return IngestResult(
        name=name,
        status="parsed" if usable else "failed",
        sha256=digest,
        document_id=doc,
        candidate_id=cand_id,
        parse_status=parsed.status.value,
        message=parsed.message,
        job_id=job.job_id,
    )


def _parse(data: bytes, name: str, digest: str, parser: Parser | None) -> ParsedCV:
    """Run the parser; a crash in it becomes a FAILED parse (the upload is already safe)."""
    try:  # in a limited child process: a hostile file cannot crash, hang or bloat the app
        # the champion is looked up here, before the fork: the child never opens the database
        return parse_isolated(data, name, parser=parser or champion_parser())
    except Exception as e:  # the parser boundary: a bug must not lose the upload or stop a batch
        log.exception("parser crashed on %s: %s", digest[:12], type(e).__name__)
        return failed_parse(name, digest, Status.FAILED, MESSAGES[Status.FAILED])


def retry_parse(
    *,
    session: Session,
    document_id: int,
    user: str,
    store: FileStore | None = None,
    parser: Parser | None = None,
) -> IngestResult:
    """Parse a stored document again (a new job and a new ParseResult; nothing is overwritten)."""
    authorize(session=session, user=user, permission="upload")
    begin_write(session)
    job = enqueue_parse(session=session, document_id=document_id)
    cand = candidate_for_document(session=session, document_id=document_id)
    add_audit(
        session=session,
        user=user,
        action="upload",
        candidate_id=cand.id if cand else None,
        detail={"document_id": document_id, "retry": True},
    )
    session.commit()
    assert job.id is not None
    return process_job(session=session, job_id=job.id, store=store, parser=parser)
