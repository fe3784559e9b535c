"""Intake: store, de-duplicate, parse; a failed or crashed parse never loses the upload."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select
from support import GENERATED

from correction.bands import AMBER_FROM, band, score_fields
from correction.intake import ingest, retry_parse
from data.models import AuditEvent, Batch, Candidate, Document, ParseJob, ParseResult
from data.queries import audit_events, current_record
from data.store import FileStore
from parsing.model import Field

pytestmark = pytest.mark.usefixtures("staff")  # accounts ann and bob
CV = GENERATED / "docs" / "gen_2024_00001__modern.txt"


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_upload_twice_is_one_document(session: Session, store: FileStore) -> None:
    data = CV.read_bytes()
    first = ingest(session=session, name=CV.name, data=data, user="ann", batch_id=None, store=store)
    assert first.status == "parsed" and first.candidate_id is not None
    assert first.parse_status == "ok"
    again = ingest(
        session=session, name="renamed.txt", data=data, user="bob", batch_id=None, store=store
    )
    assert again.status == "duplicate"
    assert (again.document_id, again.candidate_id) == (first.document_id, first.candidate_id)
    assert count(session, Document) == 1
    assert count(session, ParseResult) == 1  # not parsed again
    assert count(session, Candidate) == 1
    job = session.exec(select(ParseJob)).one()
    assert (job.status, job.attempts, job.lease_until) == ("done", 1, None)
    uploads = audit_events(session=session, action="upload")
    assert [e.username for e in uploads] == ["ann", "bob"]
    assert uploads[1].detail["duplicate"] is True
    assert all("renamed" not in str(e.detail) for e in uploads)  # no file names in the log
    record = current_record(session=session, candidate_id=first.candidate_id)
    assert record.sha256 == first.sha256 and record.fields.email is not None
    cand = session.get(Candidate, first.candidate_id)
    assert cand is not None and cand.display_name == record.fields.name.value  # type: ignore[union-attr]
    scores = score_fields(f for _, f in record.fields.iter_fields())
    assert (cand.n_green, cand.n_amber, cand.n_red) == (
        scores.n_green,
        scores.n_amber,
        scores.n_red,
    )
    assert cand.n_fields == len(record.fields.iter_fields()) > 10


def test_batch_counts(session: Session, store: FileStore, fake_parser) -> None:
    from data.queries import create_batch

    batch = create_batch(session=session, user="ann", label="week 1")
    session.commit()
    parse = fake_parser({"name": 0.9})
    for data in (b"one", b"two", b"one"):
        ingest(
            session=session,
            name="x.txt",
            data=data,
            user="ann",
            batch_id=batch.id,
            store=store,
            parser=parse,
        )
    ingest(
        session=session,
        name="bad.pdf",
        data=b"%PDF-1.4 broken",
        user="ann",
        batch_id=batch.id,
        store=store,
    )
    row = session.get(Batch, batch.id, populate_existing=True)
    assert row is not None
    assert (row.n_files, row.n_new, row.n_duplicates, row.n_failed) == (4, 3, 1, 1)
    doc = session.exec(select(Document).where(Document.name == "x.txt")).first()
    assert doc is not None and doc.batch_id == batch.id and doc.uploaded_by == "ann"


def test_failed_parse_keeps_the_document(session: Session, store: FileStore) -> None:
    data = b"%PDF-1.7\nthis is not really a pdf\n%%EOF"
    r = ingest(
        session=session, name="broken.pdf", data=data, user="ann", batch_id=None, store=store
    )
    assert r.status == "failed" and r.candidate_id is None and r.stored
    assert r.message  # a sentence for the recruiter
    doc = session.exec(select(Document)).one()
    assert store.get(doc.sha256) == data
    result = session.exec(select(ParseResult)).one()
    assert result.status == r.parse_status and result.status not in ("ok", "partial")
    job = session.exec(select(ParseJob)).one()
    assert job.status == "failed" and job.last_error == r.message
    events = session.exec(select(AuditEvent).where(AuditEvent.action != "account"))
    assert [e.action for e in events] == ["upload"]
    again = retry_parse(session=session, document_id=doc.id or 0, user="ann", store=store)
    assert again.status == "failed"
    assert count(session, ParseResult) == 2 and count(session, Document) == 1  # appended


def test_parser_crash_keeps_the_document(session: Session, store: FileStore) -> None:
    def boom(data: bytes, name: str):
        raise RuntimeError("bug in an extractor")

    r = ingest(
        session=session,
        name="cv.txt",
        data=b"Jane",
        user="ann",
        batch_id=None,
        store=store,
        parser=boom,
    )
    assert (r.status, r.parse_status) == ("failed", "failed")
    assert count(session, Document) == 1 and count(session, ParseResult) == 1
    assert store.exists(r.sha256)


def test_unstorable_upload_reports_error(session: Session, tmp_path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the store root should be")
    r = ingest(
        session=session,
        name="cv.txt",
        data=b"Jane",
        user="ann",
        batch_id=None,
        store=FileStore(blocker),
    )
    assert r.status == "error" and not r.stored and r.message
    assert count(session, Document) == 0


@pytest.mark.parametrize(
    ("confidence", "expected"),
    [
        (1.0, "green"),
        (0.98, "green"),
        (0.979, "amber"),
        (AMBER_FROM, "amber"),
        (0.59, "red"),
        (0.0, "red"),
    ],
)
def test_bands(confidence: float, expected: str) -> None:
    assert band(confidence, 0.98) == expected


def test_scores() -> None:
    fields = [Field(value=v, confidence=c) for v, c in [("a", 0.99), ("b", 0.7), ("c", 0.1)]]
    s = score_fields(fields, auto_accept=0.98)
    assert (s.n_fields, s.n_green, s.n_amber, s.n_red) == (3, 1, 1, 1)
    assert s.expected_corrections == pytest.approx(0.01 + 0.3 + 0.9)
    assert s.min_confidence == 0.1
    assert score_fields([], auto_accept=0.98).min_confidence is None
