"""The correction page's draft: editor diffs → FieldChanges (no Streamlit needed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from correction.bands import band
from correction.review import FieldChange, ReviewField, ReviewTask
from data.models import CandidatePublic, DocumentPublic
from data.record import Record
from parsing.model import ParsedCV, Source
from ui.editor import Draft, changes, effective, fold, green_undecided, new_draft, set_decision

NOW = datetime(2024, 1, 1, tzinfo=UTC)


def _task(decided: dict[str, str] | None = None) -> ReviewTask:
    f = lambda v, c: {"value": v, "confidence": c, "extractor": "t"}  # noqa: E731
    parsed = ParsedCV.model_validate(
        {
            "file": "cv.txt",
            "sha256": "0" * 64,
            "status": "ok",
            "fields": {
                "name": f("Ada", 0.99),
                "email": f("ada@example.org", 0.5),
                "total_experience_years": f(4.0, 0.7),
                "skills": [f("Python", 0.99), f("Cobol", 0.4)],
                "experience": [{"title": f("Engineer", 0.9), "company": f("ACME", 0.8)}],
            },
        }
    )
    record = Record(parsed)
    decided = decided or {}
    fields = [
        ReviewField(p, fld, band(fld.confidence, 0.98), decided.get(p))
        for p, fld in record.iter_fields()
    ]
    return ReviewTask(
        candidate=CandidatePublic(
            id=7,
            document_id=1,
            parse_result_id=1,
            version_id=3,
            created_at=NOW,
            last_activity_at=NOW,
        ),
        document=DocumentPublic(
            id=1,
            sha256="0" * 64,
            name="cv.txt",
            size=1,
            mime="text/plain",
            format="txt",
            uploaded_by="ann",
            uploaded_at=NOW,
        ),
        record=parsed,
        fields=fields,
        history=[],
        next_index={g: record.next_index(g) for g in ("skills", "experience", "links")},
    )


def _diff(edited=None, added=None, deleted=None) -> dict:
    return {"edited_rows": edited or {}, "added_rows": added or [], "deleted_rows": deleted or []}


def _row(draft: Draft, stem: str, path: str) -> int:
    return next(i for i, r in enumerate(draft.base[stem]) if r["path"] == path)


@pytest.fixture
def draft() -> Draft:
    return new_draft(_task())


def test_tables_hold_every_field_and_missing_contact_rows(draft: Draft) -> None:
    contact = {r["path"]: r for r in draft.base["contact"]}
    assert contact["name"]["value"] == "Ada" and contact["name"]["band"] == "green"
    assert contact["phone"]["value"] == "" and contact["phone"]["band"] == "missing"
    assert [r["value"] for r in draft.base["skills"]] == ["Python", "Cobol"]
    assert [r["field"] for r in draft.base["experience-0"]][:2] == ["title", "company"]
    assert draft.version == 3 and draft.candidate_id == 7


def test_no_edits_no_changes(draft: Draft) -> None:
    assert changes(draft, {}) == []


def test_edit_reject_add_accept(draft: Draft) -> None:
    c = draft.key("contact")
    diffs = {
        c: _diff(
            edited={
                str(_row(draft, "contact", "email")): {"value": "ada@example.com"},
                _row(draft, "contact", "phone"): {"value": "+44 20 7946 0000"},
                _row(draft, "contact", "name"): {"decision": "accept"},
                _row(draft, "contact", "total_experience_years"): {"value": "5"},
            }
        ),
        draft.key("skills"): _diff(edited={1: {"decision": "reject"}}, added=[{"value": "Rust"}]),
    }
    assert changes(draft, diffs) == [
        FieldChange("name", "accept"),
        FieldChange("email", "edit", "ada@example.com"),
        FieldChange("phone", "add", "+44 20 7946 0000"),
        FieldChange("total_experience_years", "edit", 5.0),  # a number stays a number
        FieldChange("skills[1]", "reject"),
        FieldChange("skills[2]", "add", "Rust"),  # the next stable index
    ]


def test_emptied_value_or_deleted_row_is_a_reject(draft: Draft) -> None:
    diffs = {
        draft.key("contact"): _diff(edited={_row(draft, "contact", "email"): {"value": "  "}}),
        draft.key("skills"): _diff(deleted=[0]),
    }
    assert changes(draft, diffs) == [
        FieldChange("email", "reject"),
        FieldChange("skills[0]", "reject"),
    ]


def test_entries_added_and_removed(draft: Draft) -> None:
    stem = draft.add_entry("experience")
    assert stem == "experience-1"
    diffs = {
        draft.key(stem): _diff(edited={0: {"value": "CTO"}, 1: {"value": "Initech"}}),
        draft.key("experience-0"): _diff(edited={0: {"value": "ignored: entry removed"}}),
    }
    assert changes(draft, diffs, removed_entries={"experience-0"}) == [
        FieldChange("experience[1].title", "add", "CTO"),
        FieldChange("experience[1].company", "add", "Initech"),
        FieldChange("experience[0]", "reject"),
    ]
    # removing a new entry drops it instead of rejecting anything
    assert changes(draft, {}, removed_entries={stem}) == []


def test_fold_keeps_edits_across_generations(draft: Draft) -> None:
    old = draft.key("skills")
    fold(draft, {old: _diff(added=[{"value": "Go"}], deleted=[1])})
    assert draft.key("skills") != old  # new editor keys: no stale widget state
    assert [r["value"] for r in draft.base["skills"]] == ["Python", "Go"]
    assert changes(draft, {}) == [
        FieldChange("skills[2]", "add", "Go"),
        FieldChange("skills[1]", "reject"),
    ]


def test_accept_all_green_marks_only_undecided_green(draft: Draft) -> None:
    task = _task(decided={"skills[0]": "accept"})
    draft = new_draft(task)
    assert green_undecided(draft) == {"name"}
    fold(draft, {draft.key("contact"): _diff(edited={0: {"value": "Ada L."}})})
    assert set_decision(draft, green_undecided(draft), "accept", undecided_only=True) == 0
    assert changes(draft, {}) == [FieldChange("name", "edit", "Ada L.")]  # the edit wins


def test_effective_ignores_unknown_columns_and_rows() -> None:
    base = [{"path": "name", "field": "name", "value": "A", "band": "green", "decision": None}]
    eff = effective(base, _diff(edited={5: {"value": "x"}, 0: {"path": "evil", "value": "B"}}))
    assert eff.rows[0]["path"] == "name" and eff.rows[0]["value"] == "B"


def test_moves_and_merges_become_order_and_merge_changes(draft: Draft) -> None:
    second = draft.add_entry("experience")
    assert second == "experience-1"
    draft.move_entry("experience", second, -1)
    assert draft.visible("experience") == ["experience-1", "experience-0"]
    assert changes(draft, {})[-1] == FieldChange("experience", "order", [1, 0])
    draft.move_entry("experience", second, -1)  # already first: nothing moves
    assert draft.visible("experience") == ["experience-1", "experience-0"]
    assert draft.merge_entry("experience", "experience-0") == "experience-1"
    assert draft.visible("experience") == ["experience-1"]
    out = changes(draft, {})
    assert out[-1] == FieldChange("experience[0]", "merge", 1)
    assert not [c for c in out if c.action == "order"]  # one entry left: nothing to order
    assert draft.merge_entry("experience", "experience-1") is None  # the first has no previous


def test_a_picked_value_carries_its_source_until_retyped(draft: Draft) -> None:
    src = Source(page=1, start=10, end=19, text="ada@x.org")
    assert draft.pick("email", "ada@x.org", src) == "email"
    assert draft.pick("+skills", "Rust", src.model_copy(update={"text": "Rust"})) == "skills[2]"
    assert draft.pick("location", "London", None) == "location"
    by_path = {c.path: c for c in changes(draft, {})}
    assert by_path["email"] == FieldChange("email", "edit", "ada@x.org", src)
    assert by_path["skills[2]"].action == "add" and by_path["skills[2]"].source is not None
    assert by_path["location"] == FieldChange("location", "add", "London")
    row = _row(draft, "contact", "email")
    retyped = changes(draft, {draft.key("contact"): _diff({row: {"value": "ada@y.org"}})})
    assert next(c for c in retyped if c.path == "email").source is None  # no longer the text
