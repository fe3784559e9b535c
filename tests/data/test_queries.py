"""Query functions on SQLite and PostgreSQL: round trip, documents, review queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, func, select
from support import GENERATED

from correction.bands import score_fields
from correction.intake import ingest
from data.models import Candidate, Document, FieldValue, ParseResult
from data.queries import (
    add_parse_result,
    create_batch,
    current_record,
    field_values,
    get_or_create_document,
    save_candidate,
)
from data.queue import review_queue
from data.store import FileStore
from parsing.pipeline import parse_bytes

pytestmark = pytest.mark.usefixtures("staff")  # accounts ann and bob
FIXTURES = sorted(
    p for p in (GENERATED / "docs").glob("gen_2024_0000[0-2]__*") if p.suffix != ".json"
)


def _store_parsed(session: Session, store: FileStore, data: bytes, name: str, parsed) -> int:
    doc, _ = get_or_create_document(
        session=session, data=data, name=name, user="ann", batch_id=None, store=store
    )
    assert doc.id is not None
    result = add_parse_result(session=session, document_id=doc.id, parsed=parsed)
    assert result.id is not None
    cand = save_candidate(
        session=session,
        document_id=doc.id,
        parse_result_id=result.id,
        scores=score_fields(f for _, f in parsed.fields.iter_fields()),
        display_name=None,
    )
    session.commit()
    assert cand.id is not None
    return cand.id


@pytest.mark.parametrize("path", FIXTURES[:3], ids=lambda p: p.suffix)
def test_round_trip_parsed_cv(session: Session, store: FileStore, path) -> None:
    data = path.read_bytes()
    parsed = parse_bytes(data, path.name)
    assert parsed.fields.iter_fields(), "the fixture should parse to some fields"
    cand_id = _store_parsed(session, store, data, path.name, parsed)
    session.expunge_all()
    assert current_record(session=session, candidate_id=cand_id) == parsed
    result = session.exec(select(ParseResult)).one()
    rows = field_values(session=session, parse_result_id=result.id or 0)
    assert [(r.path, r.confidence) for r in rows] == [
        (p, f.confidence) for p, f in parsed.fields.iter_fields()
    ]


def test_round_trip_keeps_boxes_and_extras(session: Session, store: FileStore, make_cv) -> None:
    parsed = make_cv(b"cv", "cv.pdf", {"name": 0.42, "experience[0].title": 0.3})
    parsed = parsed.model_copy(update={"warnings": ["w"], "custom_extra": {"k": [1, 2]}})
    cand_id = _store_parsed(session, store, b"cv", "cv.pdf", parsed)
    session.expunge_all()
    back = current_record(session=session, candidate_id=cand_id)
    assert back == parsed
    assert back.fields.name is not None and back.fields.name.source is not None
    assert back.fields.name.source.bbox == (10.0, 20.5, 110.0, 32.25)
    row = session.exec(select(FieldValue).where(FieldValue.path == "name")).one()
    assert row.bbox == [10.0, 20.5, 110.0, 32.25] and row.page == 1 and row.field == "name"
    fields = session.exec(select(FieldValue.field).order_by(FieldValue.id)).all()
    assert fields == ["name", "experience.title"]


def test_same_bytes_one_document(session: Session, store: FileStore) -> None:
    data = b"Jane Example\nSoftware tester\n"
    first, created = get_or_create_document(
        session=session, data=data, name="a.txt", user="ann", batch_id=None, store=store
    )
    session.commit()
    again, created_again = get_or_create_document(
        session=session, data=data, name="b.txt", user="bob", batch_id=None, store=store
    )
    session.commit()
    assert (created, created_again) == (True, False)
    assert again.id == first.id and again.name == "a.txt"
    assert session.exec(select(func.count()).select_from(Document)).one() == 1
    assert first.format == "txt" and first.mime == "text/plain" and first.size == len(data)


def test_bytes_are_stored_before_the_row(session: Session, store: FileStore) -> None:
    doc, _ = get_or_create_document(
        session=session, data=b"bytes", name="a.txt", user="ann", batch_id=None, store=store
    )
    digest = doc.sha256
    assert store.get(digest) == b"bytes"  # durable before commit
    session.rollback()  # the transaction dies: the file stays for the next try, no row
    assert session.exec(select(func.count()).select_from(Document)).one() == 0
    assert store.exists(digest)


def _queue_fixture(session: Session, store: FileStore, fake_parser) -> dict[str, int]:
    """Four CVs: different uploaders, batches and confidence profiles."""
    b1 = create_batch(session=session, user="ann", label="monday")
    b2 = create_batch(session=session, user="bob", label="tuesday")
    session.commit()
    specs = {
        "sure": ("ann", b1.id, {"name": 0.99, "email": 0.99}),  # expected 0.02, no red
        "shaky": ("ann", b1.id, {"name": 0.5, "email": 0.7, "phone": 0.9}),  # 0.9, one red
        "worst": ("bob", b2.id, {"name": 0.2, "email": 0.3, "phone": 0.4}),  # 2.1, three red
        "amber": ("bob", b2.id, {"name": 0.65, "email": 0.65}),  # 0.7, none red
    }
    ids = {}
    for label, (user, batch_id, conf) in specs.items():
        r = ingest(
            session=session,
            name=f"{label}.txt",
            data=label.encode(),
            user=user,
            batch_id=batch_id,
            store=store,
            parser=fake_parser(conf),
        )
        assert r.candidate_id is not None
        ids[label] = r.candidate_id
    ids["b1"], ids["b2"] = b1.id or 0, b2.id or 0
    return ids


def test_review_queue_order_and_filters(session: Session, store: FileStore, fake_parser) -> None:
    ids = _queue_fixture(session, store, fake_parser)
    rows = review_queue(session=session)
    assert [r.candidate_id for r in rows] == [ids[k] for k in ("worst", "shaky", "amber", "sure")]
    worst = rows[0]
    assert (worst.n_red, worst.n_amber, worst.n_green) == (3, 0, 0)
    assert worst.expected_corrections == pytest.approx(2.1)
    assert worst.min_confidence == pytest.approx(0.2) and worst.file_name == "worst.txt"
    assert rows[1].n_red == 1 and rows[1].n_amber == 2  # 0.7 and 0.9 are amber below 0.98

    def q(**kw) -> list[int]:
        return [r.candidate_id for r in review_queue(session=session, **kw)]

    assert q(uploader="ann") == [ids["shaky"], ids["sure"]]
    assert q(batch_id=ids["b2"]) == [ids["worst"], ids["amber"]]
    assert q(has_red=True) == [ids["worst"], ids["shaky"]]
    assert q(has_red=False) == [ids["amber"], ids["sure"]]
    assert q(limit=2) == [ids["worst"], ids["shaky"]]
    assert q(status="reviewed") == []
    assert len(q(status=["new", "in_review"])) == 4
    assert q(since=datetime.now(UTC) + timedelta(hours=1)) == []
    assert len(q(since=datetime.now(UTC) - timedelta(hours=1))) == 4
    cand = session.get(Candidate, ids["sure"])
    assert cand is not None
    cand.status = "reviewed"
    session.add(cand)
    session.commit()
    assert q(status="reviewed") == [ids["sure"]]
