"""Review: append-only corrections, the current record, optimistic locking, audit, metrics."""

from __future__ import annotations

import threading

import pytest
from dbfixtures import TEST_PASSWORD
from sqlalchemy import Engine
from sqlmodel import Session, select

from correction.accounts import sign_in
from correction.intake import ingest
from correction.review import (
    FieldChange,
    SaveResult,
    download_original,
    open_candidate,
    save_corrections,
)
from data.models import Candidate, Correction, ParseResult
from data.queries import audit_events, current_record, history
from data.queue import operational_metrics, review_queue
from data.record import PathError
from data.store import FileStore
from parsing.model import Source

CONF = {"name": 0.55, "email": 0.99, "phone": 0.7, "skills[0]": 0.4, "skills[1]": 0.9}


@pytest.fixture
def cand_id(ingested) -> int:
    return ingested(CONF, b"synthetic cv")


def save(
    session: Session,
    cand: int,
    version: int,
    *changes: FieldChange,
    user: str = "ann",
    seconds: float = 30.0,
) -> SaveResult:
    return save_corrections(
        session=session,
        candidate_id=cand,
        user=user,
        expected_version=version,
        changes=list(changes),
        seconds_spent=seconds,
    )


def test_corrections_are_appended_and_applied(session: Session, cand_id: int) -> None:
    task = open_candidate(session=session, candidate_id=cand_id, user="ann")
    assert [f.path for f in task.fields] == list(CONF)
    assert {f.path: f.band for f in task.fields}["skills[0]"] == "red"
    parsed_before = session.exec(select(ParseResult)).one().parsed
    first = save(
        session,
        cand_id,
        task.candidate.version_id,
        FieldChange("name", "edit", "Jane Roe"),
        FieldChange("email", "accept"),
        FieldChange("skills[0]", "reject"),
        FieldChange("skills[2]", "add", "SQL", Source(page=1, start=3, end=6, text="SQL")),
    )
    assert first.ok and (first.n_changed, first.n_accepted) == (3, 1)
    assert first.version == task.candidate.version_id + 1 and first.status == "in_review"
    second = save(session, cand_id, first.version, FieldChange("name", "edit", "Jane A. Roe"))
    assert second.ok
    rows = session.exec(select(Correction).order_by(Correction.id)).all()
    assert [(r.field_path, r.action) for r in rows] == [
        ("name", "edit"),
        ("email", "accept"),
        ("skills[0]", "reject"),
        ("skills[2]", "add"),
        ("name", "edit"),
    ]
    assert (rows[0].old_value, rows[0].new_value) == ("value of name", "Jane Roe")
    assert rows[0].old_confidence == 0.55 and rows[0].seconds_spent == 30.0
    assert rows[0].model_version == "synthetic-1" and rows[0].candidate_version == first.version
    assert (rows[4].old_value, rows[4].new_value) == ("Jane Roe", "Jane A. Roe")  # corrected win
    assert rows[3].old_value is None and rows[3].new_source == {
        "page": 1,
        "start": 3,
        "end": 6,
        "text": "SQL",
    }
    assert session.exec(select(ParseResult)).one().parsed == parsed_before  # never edited
    record = current_record(session=session, candidate_id=cand_id)
    assert record.fields.name is not None and record.fields.name.value == "Jane A. Roe"
    assert [f.value for f in record.fields.skills or []] == ["value of skills[1]", "SQL"]
    assert [h.username for h in history(session=session, candidate_id=cand_id)] == ["ann"] * 5
    cand = session.get(Candidate, cand_id, populate_existing=True)
    assert cand is not None and cand.display_name == "Jane A. Roe"
    assert cand.n_red == 0  # the red skill was rejected; decided fields count as confirmed


def test_bad_change_writes_nothing(session: Session, cand_id: int) -> None:
    with pytest.raises(PathError):
        save(session, cand_id, 1, FieldChange("email", "accept"), FieldChange("phone", "add", "1"))
    assert session.exec(select(Correction)).all() == []
    assert save(session, cand_id, 1, FieldChange("email", "accept")).ok  # lock was released


def test_accepting_everything_marks_reviewed(session: Session, cand_id: int) -> None:
    changes = [FieldChange(path, "accept") for path in CONF]
    result = save(session, cand_id, 1, *changes)
    assert result.ok and result.status == "reviewed" and result.n_changed == 0
    assert [r.candidate_id for r in review_queue(session=session, status="reviewed")] == [cand_id]


def test_concurrent_edit_conflict(engine: Engine, session: Session, cand_id: int) -> None:
    with Session(engine) as ann_s, Session(engine) as bob_s:
        ann = open_candidate(session=ann_s, candidate_id=cand_id, user="ann")
        bob = open_candidate(session=bob_s, candidate_id=cand_id, user="bob")
        v = ann.candidate.version_id
        assert bob.candidate.version_id == v
        first = save(
            ann_s,
            cand_id,
            v,
            FieldChange("name", "edit", "Ann's fix"),
            FieldChange("email", "accept"),
            user="ann",
        )
        assert first.ok
        second = save(
            bob_s,
            cand_id,
            v,
            FieldChange("name", "edit", "Bob's fix"),
            FieldChange("phone", "edit", "+44 20 7946 0000"),
            user="bob",
        )
        assert not second.ok and second.conflict is not None
        conflict = second.conflict
        assert conflict.current_version == first.version
        assert [(c.username, c.field_path, c.new_value) for c in conflict.theirs] == [
            ("ann", "name", "Ann's fix"),
            ("ann", "email", "value of email"),  # an accept records the value it confirmed
        ]
        assert conflict.overlapping == ["name"]
        assert [c.path for c in conflict.mergeable] == ["phone"]
        assert {c.username for c in session.exec(select(Correction))} == {"ann"}  # bob: nothing
        merged = save(bob_s, cand_id, conflict.current_version, *conflict.mergeable, user="bob")
        assert merged.ok
    session.commit()  # end the test session's read snapshot (SQLite WAL) before reading
    record = current_record(session=session, candidate_id=cand_id)
    assert record.fields.name is not None and record.fields.name.value == "Ann's fix"
    assert record.fields.phone is not None and record.fields.phone.value == "+44 20 7946 0000"


def test_simultaneous_saves_one_wins(engine: Engine, cand_id: int) -> None:
    """Two threads save against the same version at once: exactly one conflict, no lost rows."""
    barrier = threading.Barrier(2)
    results: list[SaveResult] = []

    def work(user: str) -> None:
        with Session(engine) as s:
            barrier.wait()
            results.append(save(s, cand_id, 1, FieldChange("phone", "edit", user), user=user))

    threads = [threading.Thread(target=work, args=(u,)) for u in ("ann", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.ok for r in results) == [False, True]
    with Session(engine) as s:
        assert len(s.exec(select(Correction)).all()) == 1


def test_audit_trail(session: Session, store: FileStore, cand_id: int) -> None:
    assert sign_in(session=session, username="ann", password=TEST_PASSWORD).ok
    open_candidate(session=session, candidate_id=cand_id, user="ann")
    save(session, cand_id, 1, FieldChange("name", "edit", "Jane Roe"))
    name, data = download_original(session=session, candidate_id=cand_id, user="ann", store=store)
    assert (name, data) == ("cv.txt", b"synthetic cv")
    events = [e for e in audit_events(session=session) if e.action != "account"]
    assert [e.action for e in events] == ["upload", "sign_in", "view", "correct", "export"]
    correct = events[3]
    assert correct.candidate_id == cand_id and correct.username == "ann"
    assert correct.detail == {"version": 2, "changed": 1, "accepted": 0, "seconds": 30.0}
    assert all("Jane" not in str(e.detail) for e in events)  # no personal data in the log


def test_operational_metrics(session: Session, store: FileStore, fake_parser, cand_id: int) -> None:
    other = ingest(
        session=session,
        name="b.txt",
        data=b"other",
        user="ann",
        batch_id=None,
        store=store,
        parser=fake_parser({"name": 0.9, "email": 0.9}),
    )
    assert other.candidate_id is not None
    empty = operational_metrics(session=session)
    assert empty.n_cvs == 0 and empty.seconds_per_cv is None
    save(
        session,
        cand_id,
        1,
        FieldChange("name", "edit", "X"),
        FieldChange("email", "accept"),
        seconds=40,
    )
    save(session, cand_id, 2, FieldChange("phone", "reject"), seconds=20)
    save(
        session,
        other.candidate_id,
        1,
        FieldChange("name", "accept"),
        FieldChange("email", "accept"),
        seconds=10,
    )
    m = operational_metrics(session=session)
    assert (m.n_cvs, m.n_saves, m.n_decisions) == (2, 3, 5)
    assert m.seconds_per_cv == pytest.approx((40 + 20 + 10) / 2)
    assert m.fields_changed_per_cv == pytest.approx(1.0)  # (2 + 0) / 2
    assert m.share_accepted_unchanged == pytest.approx(3 / 5)
    assert m.share_cvs_unchanged == pytest.approx(0.5)


@pytest.mark.parametrize("race_in", ["working_record", "set_scores"])
def test_save_racing_another_save(
    engine: Engine, cand_id: int, monkeypatch: pytest.MonkeyPatch, race_in: str
) -> None:
    """PostgreSQL: another save commits while ours runs, during a read (the version check
    catches it) or after the last read (the UPDATE ... WHERE version_id guard catches it)."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite writers are serialised by BEGIN IMMEDIATE: no window to race in")
    import correction.review as review

    real = getattr(review, race_in)

    def racing(*args, **kwargs):
        monkeypatch.setattr(review, race_in, real)
        with Session(engine) as other:
            assert save(other, cand_id, 1, FieldChange("email", "accept"), user="bob").ok
        return real(*args, **kwargs)

    monkeypatch.setattr(review, race_in, racing)
    with Session(engine) as s:
        result = save(s, cand_id, 1, FieldChange("name", "edit", "Ann"), user="ann")
    assert result.conflict is not None and result.conflict.current_version == 2
    assert [c.username for c in result.conflict.theirs] == ["bob"]
    with Session(engine) as s:
        assert [c.username for c in s.exec(select(Correction))] == ["bob"]
