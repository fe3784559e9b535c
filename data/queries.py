"""Query functions (all take `*, session`): documents, parses, candidates, corrections, audit.

They add and flush but never commit: the workflow in `correction/` that calls them owns the
transaction (and starts it with `data.db.begin_write` when it writes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from data.models import (
    AuditEvent,
    Batch,
    BatchPublic,
    Candidate,
    Correction,
    CorrectionPublic,
    Document,
    FieldValue,
    ParseJob,
    ParseResult,
    utcnow,
)
from data.record import FieldPath, Record
from data.store import FileStore, default_store
from parsing.errors import CVError, DocumentLoadError
from parsing.model import ParsedCV
from parsing.readers import sniff_format

MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain",
}
UNKNOWN_FORMAT = "unknown"


class NotFound(CVError, LookupError):
    """No row with that id."""


@dataclass(frozen=True, slots=True)
class CandidateScores:
    """Band counts and queue order of one record (computed by correction.bands)."""

    n_fields: int
    n_green: int
    n_amber: int
    n_red: int
    expected_corrections: float
    min_confidence: float | None  # None = the record has no fields


# --- batches and documents ----------------------------------------------------------------------


def create_batch(*, session: Session, user: str, label: str | None = None) -> Batch:
    """A new upload batch."""
    batch = Batch(label=label, created_by=user)
    session.add(batch)
    session.flush()
    return batch


def count_in_batch(*, session: Session, batch_id: int | None, **deltas: int) -> None:
    """Add to a batch's counters atomically in SQL (n_files=1, n_new=1, ...)."""
    if batch_id is None or not deltas:
        return
    values = {name: getattr(Batch, name) + n for name, n in deltas.items()}
    session.execute(update(Batch).where(col(Batch.id) == batch_id).values(**values))


def sniff(data: bytes) -> tuple[str, str]:
    """(format, mime) from the bytes; ('unknown', 'application/octet-stream') when unreadable."""
    try:
        fmt = sniff_format(data)
    except DocumentLoadError:
        return UNKNOWN_FORMAT, "application/octet-stream"
    return fmt, MIME[fmt]


def get_document(*, session: Session, sha256: str) -> Document | None:
    """The document with these bytes, if any."""
    return session.exec(select(Document).where(Document.sha256 == sha256)).first()


def _insert(session: Session, model: type[Any]) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def get_or_create_document(
    *,
    session: Session,
    data: bytes,
    name: str,
    user: str,
    batch_id: int | None,
    store: FileStore | None = None,
) -> tuple[Document, bool]:
    """(document, created). The bytes are stored durably before the row is inserted; the same
    bytes uploaded twice (even concurrently) yield one row (INSERT ... ON CONFLICT DO NOTHING)."""
    digest = hashlib.sha256(data).hexdigest()
    existing = get_document(session=session, sha256=digest)
    if existing is not None:
        return existing, False
    store = store or default_store()
    store.put(data)
    fmt, mime = sniff(data)
    doc = Document(
        sha256=digest,
        name=name[:500],
        size=len(data),
        mime=mime,
        format=fmt,
        uploaded_by=user,
        batch_id=batch_id,
        stored_path=store.relpath(digest),
    )
    stmt: Insert = _insert(session, Document).values(**doc.model_dump(exclude={"id"}))
    stmt = stmt.on_conflict_do_nothing(index_elements=["sha256"])  # type: ignore[attr-defined]
    new_id = session.execute(stmt.returning(col(Document.id))).scalar_one_or_none()
    found = get_document(session=session, sha256=digest)
    assert found is not None
    return found, new_id is not None


# --- parse jobs and results ---------------------------------------------------------------------


def enqueue_parse(*, session: Session, document_id: int) -> ParseJob:
    """A queued parse job for a document."""
    job = ParseJob(document_id=document_id)
    session.add(job)
    session.flush()
    return job


def add_parse_result(*, session: Session, document_id: int, parsed: ParsedCV) -> ParseResult:
    """Store one parse (the full ParsedCV JSON) and one FieldValue row per extracted field."""
    result = ParseResult(
        document_id=document_id,
        status=parsed.status.value,
        message=parsed.message,
        model_version=parsed.model_version or "",
        parse_ms=parsed.parse_ms,
        parsed=parsed.to_dict(),
    )
    session.add(result)
    session.flush()
    assert result.id is not None
    for path, f in parsed.fields.iter_fields():
        src = f.source
        session.add(
            FieldValue(
                parse_result_id=result.id,
                path=path,
                field=FieldPath.parse(path).field,
                value=f.model_dump(mode="json")["value"],
                normalized=f.model_dump(mode="json")["normalized"],
                # 0004: the parser's raw confidence; the calibrated one (what the UI shows) apart
                confidence=(f.model_extra or {}).get("raw_confidence", f.confidence),
                page=src.page if src else None,
                bbox=list(src.bbox) if src and src.bbox else None,
                start=src.start if src else None,
                end=src.end if src else None,
                extractor=f.extractor,
                calibrated=f.confidence if "raw_confidence" in (f.model_extra or {}) else None,
                decision=(f.model_extra or {}).get("decision"),
            )
        )
    session.flush()
    return result


def latest_parse(*, session: Session, document_id: int) -> ParseResult | None:
    """The most recent parse of a document."""
    stmt = (
        select(ParseResult)
        .where(ParseResult.document_id == document_id)
        .order_by(col(ParseResult.id).desc())
    )
    return session.exec(stmt).first()


def field_values(*, session: Session, parse_result_id: int) -> list[FieldValue]:
    """The flat field rows of one parse, in insertion (review) order."""
    stmt = (
        select(FieldValue)
        .where(FieldValue.parse_result_id == parse_result_id)
        .order_by(col(FieldValue.id))
    )
    return list(session.exec(stmt))


# --- candidates ---------------------------------------------------------------------------------


def get_candidate(*, session: Session, candidate_id: int) -> Candidate:
    """The candidate row as the database has it now; NotFound when there is none."""
    cand = session.get(Candidate, candidate_id, populate_existing=True)
    if cand is None:
        raise NotFound(f"no candidate {candidate_id}")
    return cand


def candidate_for_document(*, session: Session, document_id: int) -> Candidate | None:
    """The candidate of a document (None before its first usable parse)."""
    return session.exec(select(Candidate).where(Candidate.document_id == document_id)).first()


def save_candidate(
    *,
    session: Session,
    document_id: int,
    parse_result_id: int,
    scores: CandidateScores,
    display_name: str | None,
) -> Candidate:
    """Create the document's candidate, or point it at a newer parse (bumping its version)."""
    cand = candidate_for_document(session=session, document_id=document_id)
    if cand is None:
        cand = Candidate(document_id=document_id, parse_result_id=parse_result_id)
    cand.parse_result_id = parse_result_id
    set_scores(cand, scores, display_name=display_name)
    session.add(cand)
    session.flush()
    return cand


def set_scores(cand: Candidate, scores: CandidateScores, *, display_name: str | None) -> None:
    """Copy band counts and the queue key onto a candidate; marks activity."""
    cand.n_fields = scores.n_fields
    cand.n_green = scores.n_green
    cand.n_amber = scores.n_amber
    cand.n_red = scores.n_red
    cand.expected_corrections = scores.expected_corrections
    cand.min_confidence = scores.min_confidence
    cand.display_name = display_name[:300] if display_name else None
    cand.last_activity_at = utcnow()


# --- corrections, current record and history ----------------------------------------------------


def corrections(*, session: Session, candidate_id: int, after_version: int = 0) -> list[Correction]:
    """A candidate's corrections, oldest first; after_version keeps those of later saves."""
    stmt = (
        select(Correction)
        .where(Correction.candidate_id == candidate_id)
        .where(Correction.candidate_version > after_version)
        .order_by(col(Correction.id))
    )
    return list(session.exec(stmt))


def working_record(*, session: Session, candidate_id: int) -> Record:
    """The candidate's parse with every correction replayed (stable paths)."""
    cand = get_candidate(session=session, candidate_id=candidate_id)
    result = session.get(ParseResult, cand.parse_result_id)
    if result is None:
        raise NotFound(f"no parse result {cand.parse_result_id}")
    record = Record(ParsedCV.model_validate(result.parsed))
    return record.replay(corrections(session=session, candidate_id=candidate_id))


def current_record(*, session: Session, candidate_id: int) -> ParsedCV:
    """The latest parse with corrections applied: corrected values win over the raw parse."""
    return working_record(session=session, candidate_id=candidate_id).to_parsed()


def history(*, session: Session, candidate_id: int) -> list[CorrectionPublic]:
    """Who changed what and when, oldest first."""
    return [
        CorrectionPublic.model_validate(c)
        for c in corrections(session=session, candidate_id=candidate_id)
    ]


# --- audit --------------------------------------------------------------------------------------


def add_audit(
    *,
    session: Session,
    user: str,
    action: str,
    candidate_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event; `detail` must hold ids and counts, never personal data."""
    event = AuditEvent(username=user, action=action, candidate_id=candidate_id, detail=detail or {})
    session.add(event)
    session.flush()
    return event


def audit_events(
    *, session: Session, candidate_id: int | None = None, action: str | None = None
) -> list[AuditEvent]:
    """Audit events, oldest first, optionally for one candidate and/or one action."""
    stmt = select(AuditEvent).order_by(col(AuditEvent.id))
    if candidate_id is not None:
        stmt = stmt.where(AuditEvent.candidate_id == candidate_id)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    return list(session.exec(stmt))


# --- views for the pages (upload progress, queue filters) ---------------------------------------


@dataclass(frozen=True, slots=True)
class JobProgress:
    """Where one parse job is: its status, its failure message, and the candidate it made."""

    job_id: int
    document_id: int
    status: str  # queued | running | done | failed
    attempts: int
    last_error: str | None
    candidate_id: int | None  # None = no usable parse (yet)


def job_progress(*, session: Session, job_ids: Sequence[int]) -> list[JobProgress]:
    """The jobs with these ids (any order in, ascending id out); unknown ids are left out."""
    if not job_ids:
        return []
    stmt = (
        sa_select(
            col(ParseJob.id),
            col(ParseJob.document_id),
            col(ParseJob.status),
            col(ParseJob.attempts),
            col(ParseJob.last_error),
            col(Candidate.id),
        )
        .outerjoin(Candidate, col(Candidate.document_id) == col(ParseJob.document_id))
        .where(col(ParseJob.id).in_(list(job_ids)))
        .order_by(col(ParseJob.id))
    )
    return [JobProgress(*row) for row in session.execute(stmt).all()]


def list_batches(*, session: Session, limit: int = 100) -> list[BatchPublic]:
    """The most recent upload batches, newest first."""
    stmt = select(Batch).order_by(col(Batch.id).desc()).limit(limit)
    return [BatchPublic.model_validate(b) for b in session.exec(stmt)]


def list_uploaders(*, session: Session) -> list[str]:
    """Every user who uploaded a document, alphabetically."""
    stmt = select(Document.uploaded_by).distinct().order_by(col(Document.uploaded_by))
    return list(session.exec(stmt))
