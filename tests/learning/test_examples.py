"""Corrections become training data: values located in the text, rejections as negatives."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from correction.intake import ingest
from correction.review import FieldChange, open_candidate, save_corrections
from data.store import FileStore
from learning.examples import build_examples, locate
from learning.extraction import _slot_for, context_for, label_rows

TEXT = (
    "Ada Example\nada@example.com\n\nExperience\n"
    "Data Engineer at Northwind Traders Ltd\n2019 - 2023\n"
)
CV = TEXT.encode()


@pytest.mark.parametrize(
    ("value", "how"),
    [
        ("Northwind Traders Ltd", "exact"),
        ("northwind   traders LTD", "loose"),  # case and spacing as a recruiter typed it
        ("Northwlnd Traders Ltd", "fuzzy"),  # OCR-ish noise: l for i
        ("Nortwind Tradres Ltd", "fuzzy"),
    ],
)
def test_corrected_value_is_located(value: str, how: str) -> None:
    found = locate(TEXT, value)
    assert found is not None
    start, end, kind = found
    assert kind == how
    assert TEXT[start:end].lower().replace(" ", "") == "northwindtradersltd"


def test_value_not_in_document_is_not_located() -> None:
    assert locate(TEXT, "Contoso Pharmaceuticals") is None


def test_nearest_occurrence_wins() -> None:
    text = "Acme\nintro\n" + "x\n" * 50 + "Acme"
    assert locate(text, "Acme", near=len(text) - 2)[0] == len(text) - 4


def _open(session: Session, store: FileStore) -> tuple[int, int, list[str]]:
    """(candidate id, version, field paths) of the CV after upload."""
    res = ingest(
        session=session, name="ada.txt", data=CV, user="system", batch_id=None, store=store
    )
    assert res.candidate_id is not None
    task = open_candidate(session=session, candidate_id=res.candidate_id, user="system")
    return (
        res.candidate_id,
        task.candidate.version_id,
        [p for p, _ in task.record.fields.iter_fields()],
    )


def _save(session: Session, cid: int, version: int, changes: list[FieldChange]) -> None:
    saved = save_corrections(
        session=session, candidate_id=cid, user="system",
        expected_version=version, changes=changes, seconds_spent=3.0,
    )  # fmt: skip
    assert saved.ok


def test_edit_gives_a_positive_span_and_the_old_value_a_negative(
    session: Session, store: FileStore
) -> None:
    cid, version, paths = _open(session, store)
    title = next(p for p in paths if p.endswith(".title"))
    _save(session, cid, version, [FieldChange(title, "edit", "data engineer")])
    [ex] = [e for e in build_examples(session=session, store=store) if e.field_path == title]
    assert ex.action == "edit" and ex.new_span is not None
    assert ex.layout.text[ex.new_span[0] : ex.new_span[1]] == "Data Engineer"
    ctx = context_for(ex.layout)
    slot = _slot_for(ctx, ex.fields, ex.field_path)
    assert slot is not None
    rows = dict(
        ((c.start, c.end), y)
        for c, (_, y) in zip(slot.candidates, label_rows(ctx, slot, ex), strict=True)
    )
    assert rows[ex.new_span[:2]] == 1
    if ex.old_span is not None and ex.old_span != ex.new_span[:2]:
        assert rows.get(ex.old_span, 0) == 0
    assert sum(rows.values()) == 1  # exactly one candidate is the corrected value


def test_reject_becomes_a_negative(session: Session, store: FileStore) -> None:
    cid, version, paths = _open(session, store)
    company = next(p for p in paths if p.endswith(".company"))
    _save(session, cid, version, [FieldChange(company, "reject")])
    [ex] = [e for e in build_examples(session=session, store=store) if e.field_path == company]
    assert ex.action == "reject" and ex.new_span is None
    ctx = context_for(ex.layout)
    slot = _slot_for(ctx, ex.fields, ex.field_path)
    assert slot is not None
    rows = label_rows(ctx, slot, ex)
    assert rows and all(y == 0 for _, y in rows)  # the rejected value, and nothing else, is taught


def test_since_id_returns_only_newer_corrections(session: Session, store: FileStore) -> None:
    cid, version, paths = _open(session, store)
    _save(session, cid, version, [FieldChange(p, "accept") for p in paths])
    every = build_examples(session=session, store=store)
    assert len(every) == len(paths)
    assert all(e.new_span is not None for e in every if e.action == "accept" and e.old_span)
    newest = max(e.correction_id for e in every)
    assert build_examples(session=session, store=store, since_id=newest) == []
