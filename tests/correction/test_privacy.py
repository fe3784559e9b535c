"""Erasure, retention purge and subject access leave no trace and lose nothing else.

Generated CVs (synthetic people) go in through the real intake and parser; after an erasure or a
purge every text/JSON column of every table and every file of the store is searched for the
person's e-mail and name, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import json
import logging
import os
import zipfile
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Column, ForeignKey, Integer, String, Table, select, text
from sqlmodel import Session, SQLModel
from support import GENERATED

from correction.access import SYSTEM_USER, AccessDenied
from correction.intake import ingest
from correction.privacy import (
    PURGE_TASK,
    erase_candidate,
    purge_expired,
    purge_if_due,
    subject_access,
)
from correction.review import FieldChange, open_candidate, save_corrections
from data.models import AuditEvent, Candidate, Document, ModelVersion, utcnow
from data.privacy import last_run
from data.queries import NotFound
from data.store import FileStore
from settings import get_settings

PEOPLE = [
    "gen_2024_00000__classic.txt",
    "gen_2024_00001__modern.txt",
    "gen_2024_00002__two_column.txt",
]


def truth(file: str) -> dict:
    return json.loads((GENERATED / "docs" / f"{file.split('__')[0]}.json").read_text())


def traces(session: Session, store: FileStore, *needles: str) -> list[str]:
    """Where any needle (case-insensitive) still appears: 'table.column' or a stored file path."""
    found = []
    lowered = [n.lower() for n in needles]
    for table in SQLModel.metadata.sorted_tables:
        for row in session.execute(select(table)).mappings():
            for column, value in row.items():
                blob = json.dumps(value, default=str).lower()
                if any(n in blob for n in lowered):
                    found.append(f"{table.name}.{column}")
    session.rollback()
    for path in store.root.rglob("*"):
        if path.is_file():
            data = path.read_bytes().lower()
            if any(n.encode() in data for n in lowered):
                found.append(str(path))
    return found


@pytest.fixture(autouse=True)
def patient_parser(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A generous parse time limit: on a busy CI machine the real parser may take a while."""
    monkeypatch.setenv("CVASSIST_PARSE_TIMEOUT_S", "120")
    monkeypatch.setenv("CVASSIST_PARSE_CPU_S", "120")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def people(session: Session, store: FileStore, staff) -> dict[str, int]:
    """Three generated CVs through the real parser; file name → candidate id."""
    ids = {}
    for name in PEOPLE:
        data = (GENERATED / "docs" / name).read_bytes()
        result = ingest(
            session=session, name=name, data=data, user="ann", batch_id=None, store=store
        )
        assert result.candidate_id is not None, result.message
        ids[name] = result.candidate_id
    return ids


def _correct(session: Session, cid: int, name: str) -> None:
    task = open_candidate(session=session, candidate_id=cid, user="ann")
    result = save_corrections(
        session=session,
        candidate_id=cid,
        user="ann",
        expected_version=task.candidate.version_id,
        changes=[FieldChange("name", "edit", f"{name} (checked)")],
        seconds_spent=12.0,
    )
    assert result.ok


def test_erasure_leaves_no_trace_and_keeps_everyone_else(
    session: Session, store: FileStore, people: dict[str, int], make_user
) -> None:
    admin = make_user("admin", "root")
    gone, *kept = PEOPLE
    person = truth(gone)
    _correct(session, people[gone], person["name"])
    assert traces(session, store, person["email"], person["name"])  # the search finds it first
    model = ModelVersion(
        version="m1",
        created_by="lead",
        sha256="0" * 64,
        path="m1",
        parser_version="p",
        candidate_ids=[people[gone]],
    )
    session.add(model)
    session.commit()

    report = erase_candidate(
        session=session,
        user=admin,
        candidate_id=people[gone],
        reason="erasure_request",
        store=store,
    )

    assert traces(session, store, person["email"], person["name"]) == []
    assert report.files_deleted == 1
    assert {"candidate", "document", "parseresult", "fieldvalue", "correction"} <= set(report.rows)
    assert report.models_flagged == ["m1"]
    session.refresh(model)
    assert model.needs_retraining
    for name in kept:  # nobody else lost anything
        other = truth(name)
        assert session.get(Candidate, people[name]) is not None
        assert traces(session, store, other["email"])
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "delete")).scalars().one()
    assert (event.username, event.candidate_id) == ("root", people[gone])
    assert event.detail["reason"] == "erasure_request"
    with pytest.raises(NotFound):
        erase_candidate(
            session=session, user=admin, candidate_id=people[gone], reason="other", store=store
        )


def test_erasure_reaches_a_table_added_later(
    session: Session, store: FileStore, people: dict[str, int], make_user
) -> None:
    """A table another feature adds (here: derived training examples) is found by its columns."""
    extra = Table(
        "trainingexample_test",
        SQLModel.metadata,
        Column("id", Integer, primary_key=True),
        Column("candidate_id", Integer, nullable=False),  # no foreign key: found by its name
        Column("features", String(500)),
    )
    child = Table(
        "trainingexample_test_child",
        SQLModel.metadata,
        Column("id", Integer, primary_key=True),
        Column("example_id", Integer, ForeignKey("trainingexample_test.id"), nullable=False),
        Column("token", String(200)),
    )
    engine = session.get_bind()
    try:
        extra.create(engine)
        child.create(engine)
        gone = PEOPLE[0]
        email = truth(gone)["email"]
        for cid in people.values():
            session.execute(extra.insert().values(id=cid, candidate_id=cid, features=f"f {cid}"))
            token = email if cid == people[gone] else f"token {cid}"
            session.execute(child.insert().values(example_id=cid, token=token))
        session.commit()
        erase_candidate(
            session=session,
            user=SYSTEM_USER,
            candidate_id=people[gone],
            reason="other",
            store=store,
        )
        left = session.execute(select(extra.c.candidate_id)).scalars().all()
        assert sorted(left) == sorted(people[p] for p in PEOPLE[1:])
        tokens = session.execute(select(child.c.token)).scalars().all()
        assert sorted(tokens) == sorted(f"token {people[p]}" for p in PEOPLE[1:])
    finally:
        session.rollback()
        child.drop(engine, checkfirst=True)
        extra.drop(engine, checkfirst=True)
        SQLModel.metadata.remove(child)
        SQLModel.metadata.remove(extra)


def test_purge_removes_only_expired_candidates_once_a_day(
    session: Session, store: FileStore, people: dict[str, int], make_user
) -> None:
    old, *fresh = PEOPLE
    person = truth(old)
    now = utcnow()
    cand = session.get(Candidate, people[old])
    session.execute(
        text("UPDATE candidate SET last_activity_at = :t WHERE id = :id"),
        {"t": now - timedelta(days=181), "id": people[old]},
    )
    failed = ingest(  # a file that never parsed, uploaded long ago: no candidate, still purged
        session=session,
        name="old.pdf",
        data=b"%PDF-1.4 broken",
        user="ann",
        batch_id=None,
        store=store,
    )
    session.execute(
        text("UPDATE document SET uploaded_at = :t WHERE id = :id"),
        {"t": now - timedelta(days=200), "id": failed.document_id},
    )
    session.commit()
    orphan = store.put(b"an orphan left by a crash between commit and unlink")
    os.utime(store.path(orphan), (0, 0))

    preview = purge_expired(session=session, user=SYSTEM_USER, now=now, dry_run=True, store=store)
    assert (preview.candidates, preview.documents, preview.dry_run) == (1, 1, True)
    assert session.get(Candidate, cand.id) is not None  # a dry run deletes nothing

    report = purge_if_due(session=session, now=now, store=store)
    assert report is not None and (report.candidates, report.documents) == (1, 1)
    assert report.files_deleted == 2 and report.orphan_files == 1
    assert traces(session, store, person["email"], person["name"]) == []
    assert all(session.get(Candidate, people[p]) is not None for p in fresh)
    assert session.get(Document, failed.document_id) is None
    assert last_run(session=session, task=PURGE_TASK) == now
    assert purge_if_due(session=session, now=now + timedelta(hours=23), store=store) is None
    assert purge_if_due(session=session, now=now + timedelta(hours=25), store=store) is not None


def test_subject_access_holds_everything_about_one_person(
    session: Session, store: FileStore, people: dict[str, int], make_user
) -> None:
    admin = make_user("admin", "root")
    name = PEOPLE[1]
    person = truth(name)
    _correct(session, people[name], person["name"])
    blob = subject_access(session=session, user=admin, candidate_id=people[name], store=store)
    zf = zipfile.ZipFile(io.BytesIO(blob))
    assert zf.read(f"original/{name}") == (GENERATED / "docs" / name).read_bytes()
    record = json.loads(zf.read("record.json"))
    assert record["fields"]["name"]["value"] == f"{person['name']} (checked)"
    held = json.loads(zf.read("held.json"))
    (correction,) = held["tables"]["correction"]
    assert (correction["username"], correction["action"]) == ("ann", "edit")
    assert correction["at"]
    assert {"document", "parseresult", "fieldvalue", "candidate"} <= set(held["tables"])
    assert [d["name"] for d in held["tables"]["document"]] == [name]  # nobody else's
    actions = [e["action"] for e in held["audit_events"]]
    assert actions[:1] == ["upload"] or "view" in actions
    assert actions[-1] == "export" and "correct" in actions
    assert person["email"] not in json.dumps(held["audit_events"])


@pytest.mark.parametrize("role", ["recruiter", "hr_lead", "analyst"])
def test_only_admins_erase_export_or_purge(
    session: Session, store: FileStore, people: dict[str, int], make_user, role: str
) -> None:
    user = make_user(role)
    cid = people[PEOPLE[0]]
    with pytest.raises(AccessDenied):
        erase_candidate(session=session, user=user, candidate_id=cid, reason="other", store=store)
    with pytest.raises(AccessDenied):
        subject_access(session=session, user=user, candidate_id=cid, store=store)
    with pytest.raises(AccessDenied):
        purge_expired(session=session, user=user, store=store)
    assert session.get(Candidate, cid) is not None


def test_no_personal_data_in_logs(
    session: Session, store: FileStore, staff, caplog: pytest.LogCaptureFixture
) -> None:
    name = PEOPLE[2]
    person = truth(name)
    caplog.set_level(logging.DEBUG)
    data = (GENERATED / "docs" / name).read_bytes()
    result = ingest(session=session, name=name, data=data, user="ann", batch_id=None, store=store)
    assert result.candidate_id is not None
    _correct(session, result.candidate_id, person["name"])
    erase_candidate(
        session=session,
        user=SYSTEM_USER,
        candidate_id=result.candidate_id,
        reason="other",
        store=store,
    )

    def leaky_parser(data: bytes, name: str):  # a library error quoting the text it choked on
        raise ValueError(f"unexpected token near {person['email']} ({person['phone']})")

    crashed = ingest(
        session=session,
        name="again.txt",
        data=data + b" ",
        user="ann",
        batch_id=None,
        store=store,
        parser=leaky_parser,
    )
    assert crashed.status == "failed"
    assert caplog.records  # the crash was logged, at DEBUG everything was captured
    logged = caplog.text.lower()
    for needle in (person["email"], person["name"], person["phone"]):
        assert needle.lower() not in logged
