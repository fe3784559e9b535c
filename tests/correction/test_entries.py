"""Merging and reordering entries: stored as plain append-only rows, replayed to the same record."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from correction.review import FieldChange, SaveResult, open_candidate, save_corrections
from data.models import Correction
from data.queries import audit_events, current_record, history, working_record
from data.record import PathError
from parsing.model import ParsedCV

CONF = {
    "name": 0.9,
    "experience[0].title": 0.9,
    "experience[0].company": 0.9,
    "experience[1].title": 0.8,
    "experience[1].start": 0.8,
    "experience[2].company": 0.7,
    "experience[2].start": 0.7,
    "education[0].degree": 0.9,
    "education[1].institution": 0.9,
}


@pytest.fixture
def cand_id(ingested) -> int:
    return ingested(CONF, b"synthetic cv with entries")


def save(session: Session, cand: int, version: int, *changes: FieldChange) -> SaveResult:
    return save_corrections(
        session=session,
        candidate_id=cand,
        user="ann",
        expected_version=version,
        changes=list(changes),
        seconds_spent=12.0,
    )


def titles(cv: ParsedCV) -> list[tuple[str | None, ...]]:
    """Each experience entry as (title, company, start) values, in record order."""
    return [
        tuple(getattr(e, c).value if getattr(e, c) else None for c in ("title", "company", "start"))
        for e in cv.fields.experience or []
    ]


V = "value of experience"


def test_reorder_is_replayed_after_reload(session: Session, cand_id: int) -> None:
    result = save(session, cand_id, 1, FieldChange("experience", "order", [2, 0, 1]))
    assert result.ok
    cv = current_record(session=session, candidate_id=cand_id)
    assert titles(cv) == [
        (None, f"{V}[2].company", f"{V}[2].start"),
        (f"{V}[0].title", f"{V}[0].company", None),
        (f"{V}[1].title", None, f"{V}[1].start"),
    ]
    rows = session.exec(select(Correction).order_by(Correction.id)).all()
    # every entry from the first one that moves is rejected and re-added after the last one
    assert [(r.field_path, r.action) for r in rows] == [
        ("experience[0]", "reject"),
        ("experience[1]", "reject"),
        ("experience[2]", "reject"),
        ("experience[3].company", "add"),
        ("experience[3].start", "add"),
        ("experience[4].title", "add"),
        ("experience[4].company", "add"),
        ("experience[5].title", "add"),
        ("experience[5].start", "add"),
    ]
    assert rows[3].new_source is not None and rows[3].new_source["page"] == 1  # source kept
    assert {h.username for h in history(session=session, candidate_id=cand_id)} == {"ann"}
    assert [e.action for e in audit_events(session=session)][-1] == "correct"
    task = open_candidate(session=session, candidate_id=cand_id, user="bob")  # a fresh reload
    assert task.record.fields.experience == cv.fields.experience


def test_move_down_keeps_the_unchanged_prefix(session: Session, cand_id: int) -> None:
    assert save(session, cand_id, 1, FieldChange("experience", "order", [0, 2, 1])).ok
    rows = session.exec(select(Correction).order_by(Correction.id)).all()
    assert [r.field_path for r in rows if r.action == "reject"] == [
        "experience[1]",
        "experience[2]",
    ]
    cv = current_record(session=session, candidate_id=cand_id)
    assert [t[0] or t[1] for t in titles(cv)] == [
        f"{V}[0].title",
        f"{V}[2].company",
        f"{V}[1].title",
    ]


def test_same_order_writes_nothing(session: Session, cand_id: int) -> None:
    result = save(session, cand_id, 1, FieldChange("experience", "order", [0, 1, 2]))
    assert result.ok and result.n_changed == 0
    assert session.exec(select(Correction)).all() == []


def test_merge_keeps_both_and_the_earlier_entry_wins(session: Session, cand_id: int) -> None:
    # entry 1 (title, start) into entry 0 (title, company): entry 0's title wins, start comes over
    result = save(session, cand_id, 1, FieldChange("experience[1]", "merge", 0))
    assert result.ok and result.n_changed == 2
    rows = session.exec(select(Correction).order_by(Correction.id)).all()
    assert [(r.field_path, r.action, r.new_value) for r in rows] == [
        ("experience[0].start", "add", f"{V}[1].start"),
        ("experience[1]", "reject", None),
    ]
    cv = current_record(session=session, candidate_id=cand_id)
    assert titles(cv) == [
        (f"{V}[0].title", f"{V}[0].company", f"{V}[1].start"),
        (None, f"{V}[2].company", f"{V}[2].start"),
    ]


def test_edits_then_merge_then_order_in_one_save(session: Session, cand_id: int) -> None:
    """The page's save: field edits first, then merges, then the order, all on stable paths."""
    result = save(
        session,
        cand_id,
        1,
        FieldChange("experience[2].company", "edit", "Globex"),
        FieldChange("education[1]", "merge", 0),
        FieldChange("experience", "order", [2, 0, 1]),
    )
    assert result.ok
    cv = current_record(session=session, candidate_id=cand_id)
    assert titles(cv)[0] == (None, "Globex", f"{V}[2].start")
    edu = cv.fields.education or []
    assert len(edu) == 1 and edu[0].degree and edu[0].institution
    assert edu[0].institution.value == "value of education[1].institution"
    record = working_record(session=session, candidate_id=cand_id)
    assert record.entry_indices("experience") == [3, 4, 5]  # stable paths after the reorder


def test_merge_of_a_missing_entry_is_a_no_op_and_bad_arguments_raise(
    session: Session, cand_id: int
) -> None:
    assert save(session, cand_id, 1, FieldChange("experience[7]", "merge", 0)).n_changed == 0
    with pytest.raises(PathError):
        save(session, cand_id, 1, FieldChange("experience[1]", "merge", "first"))
    with pytest.raises(PathError):
        save(session, cand_id, 1, FieldChange("skills", "order", [1, 0]))
    assert session.exec(select(Correction)).all() == []
