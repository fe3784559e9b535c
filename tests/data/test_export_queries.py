"""Export queries on SQLite and PostgreSQL: every filter in SQL, exact after corrections, paged."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlmodel import Session, col

from correction.intake import ingest
from correction.review import FieldChange, open_candidate, save_corrections
from data.export import ExportFilters, count_export, iter_export
from data.models import Candidate, Document
from data.queries import create_batch
from data.store import FileStore
from parsing.model import ParsedCV

pytestmark = pytest.mark.usefixtures("staff")  # accounts ann and bob (recruiters)
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def _field(value: Any, normalized: Any = None) -> dict[str, Any]:
    return {"value": value, "normalized": normalized, "confidence": 0.9, "extractor": "test"}


def _cv(data: bytes, name: str, spec: dict[str, Any]) -> ParsedCV:
    fields: dict[str, Any] = {"name": _field(spec["name"])}
    fields["skills"] = [_field(raw, norm) for raw, norm in spec.get("skills", [])]
    fields["languages"] = [{"language": _field(g, g)} for g in spec.get("languages", [])]
    if "years" in spec:
        fields["total_experience_years"] = _field(f"{spec['years']} years", spec["years"])
    return ParsedCV.model_validate(
        {
            "file": name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "status": "ok",
            "model_version": "test-1",
            "fields": fields,
        }
    )


PEOPLE: dict[str, dict[str, Any]] = {
    "ada": {
        "skills": [("postgres", "PostgreSQL"), ("Python", "Python")],
        "languages": ["English"],
        "years": 12.5,
    },
    "ben": {"skills": [("python3", "Python")], "languages": ["English", "German"], "years": 3},
    "cy": {"skills": [("Excel", "Microsoft Excel")], "languages": ["French"], "years": 7},
    "dee": {"skills": [], "languages": ["German"]},
}


@pytest.fixture
def people(session: Session, store: FileStore) -> dict[str, int]:
    """Four candidates; ada and ben in batch 1, cy and dee in batch 2, uploaded a day apart."""
    ids: dict[str, int] = {}
    batches = [create_batch(session=session, user="ann").id for _ in range(2)]
    session.commit()
    for n, (who, spec) in enumerate(PEOPLE.items()):
        data = f"cv of {who}".encode()
        res = ingest(
            session=session,
            name=f"{who}.txt",
            data=data,
            user="ann",
            batch_id=batches[n // 2],
            store=store,
            parser=lambda d, name, spec={**spec, "name": who}: _cv(d, name, spec),
        )
        assert res.candidate_id is not None and res.document_id is not None
        ids[who] = res.candidate_id
        when = NOW - timedelta(days=4 - n)  # ada 4 days ago ... dee 1 day ago
        session.execute(
            update(Document).where(col(Document.id) == res.document_id).values(uploaded_at=when)
        )
        session.execute(
            update(Candidate)
            .where(col(Candidate.id) == res.candidate_id)
            .values(last_activity_at=NOW - timedelta(days=n))
        )
    session.commit()
    return ids


def _names(session: Session, filters: ExportFilters, page_size: int = 500) -> list[str]:
    got = [
        str(c.record().fields.name.value)
        for c in iter_export(session=session, filters=filters, page_size=page_size)
        if c.fields.get("name")
    ]
    assert count_export(session=session, filters=filters) == len(got)
    return got


def _review(session: Session, cand: int, changes: list[FieldChange], done: bool = False) -> None:
    task = open_candidate(session=session, candidate_id=cand, user="bob")
    saved = save_corrections(
        session=session,
        candidate_id=cand,
        user="bob",
        expected_version=task.candidate.version_id,
        changes=changes,
        seconds_spent=5.0,
        done=done,
    )
    assert saved.ok


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ExportFilters(), ["ada", "ben", "cy", "dee"]),
        (ExportFilters(since=NOW - timedelta(days=3)), ["ben", "cy", "dee"]),
        (ExportFilters(until=NOW - timedelta(days=2)), ["ada", "ben"]),
        (
            ExportFilters(since=NOW - timedelta(days=1, hours=1), date_field="activity"),
            ["ada", "ben"],
        ),
        (ExportFilters(skills=("python",)), ["ada", "ben"]),  # normalized, any case
        (ExportFilters(skills=("POSTGRES",)), ["ada"]),  # as written
        (ExportFilters(skills=("python", "microsoft excel")), ["ada", "ben", "cy"]),
        (ExportFilters(skills=("python", "postgresql"), skill_mode="all"), ["ada"]),
        (ExportFilters(skills=("cobol",)), []),
        (ExportFilters(languages=("german",)), ["ben", "dee"]),
        (ExportFilters(languages=("English", "German")), ["ben"]),
        (ExportFilters(min_years=7), ["ada", "cy"]),
        (ExportFilters(max_years=7), ["ben", "cy"]),  # dee has no total: not in a range
        (ExportFilters(min_years=4, max_years=10, languages=("French",)), ["cy"]),
    ],
)
def test_filters(
    session: Session, people: dict[str, int], filters: ExportFilters, expected: list[str]
) -> None:
    assert _names(session, filters) == expected


def test_batch_status_and_reviewed_only(session: Session, people: dict[str, int]) -> None:
    batch = session.get(Document, session.get(Candidate, people["cy"]).document_id).batch_id
    assert _names(session, ExportFilters(batch_id=batch)) == ["cy", "dee"]
    _review(session, people["ben"], [FieldChange("name", "accept")], done=True)
    _review(session, people["dee"], [FieldChange("name", "accept")], done=False)
    assert _names(session, ExportFilters(reviewed_only=True)) == ["ben"]
    assert _names(session, ExportFilters(statuses=("in_review", "reviewed"))) == ["ben", "dee"]
    assert _names(session, ExportFilters(statuses=("new",), batch_id=batch)) == ["cy"]


def test_corrections_decide_the_value_filters(session: Session, people: dict[str, int]) -> None:
    _review(session, people["cy"], [FieldChange("skills[1]", "add", "Python")])
    _review(session, people["ben"], [FieldChange("skills[0]", "reject")])
    _review(session, people["ada"], [FieldChange("total_experience_years", "edit", "2")])
    _review(session, people["dee"], [FieldChange("languages[0].language", "edit", "English")])
    assert _names(session, ExportFilters(skills=("python",))) == ["ada", "cy"]
    assert _names(session, ExportFilters(max_years=5)) == ["ada", "ben"]
    assert _names(session, ExportFilters(languages=("english",))) == ["ada", "ben", "dee"]
    assert _names(session, ExportFilters(languages=("german",))) == ["ben"]


def test_the_exported_record_has_the_corrections(session: Session, people: dict[str, int]) -> None:
    _review(session, people["ada"], [FieldChange("name", "edit", "Ada Lovelace")])
    assert _names(session, ExportFilters()) == ["Ada Lovelace", "ben", "cy", "dee"]


def test_pages_are_keyset_queries_of_two_statements(
    session: Session, people: dict[str, int]
) -> None:
    statements: list[str] = []
    bind = session.get_bind()

    def log(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(bind, "before_cursor_execute", log)
    try:
        stream = iter_export(session=session, filters=ExportFilters(), page_size=3)
        first = next(stream)
        assert first.candidate_id == people["ada"]
        assert len(statements) == 2  # one page and its corrections, nothing more yet
        rest = [c.candidate_id for c in stream]
    finally:
        event.remove(bind, "before_cursor_execute", log)
    assert rest == [people["ben"], people["cy"], people["dee"]]
    assert len(statements) == 4  # two pages of three, two statements each


def test_naive_dates_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ExportFilters(since=datetime(2026, 1, 1))
