"""Dashboard aggregations: exact numbers on a small hand-built history, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from data.metrics import (
    AuditSample,
    DayActivity,
    FieldBin,
    GroupRate,
    PeriodRate,
    audit_sample,
    backlog,
    daily_activity,
    field_rates_split,
    input_mix,
    input_mix_split,
    median_seconds_per_cv,
    outcome_bins,
    rate_series,
    rates_by,
)
from data.models import Batch, Candidate, Correction, Document, FieldValue

CONF = {"name": 0.9, "email": 0.95, "skills[0]": 0.5, "experience[0].title": 0.3}


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 1, day, hour, tzinfo=UTC)


# (candidate, version, day, hour, seconds, model, [(path, action)])
SAVES = [
    ("A", 2, 5, 10, 60.0, "m1", [("name", "accept"), ("email", "accept"),
                                 ("skills[0]", "edit"), ("experience[0].title", "reject")]),
    ("B", 2, 6, 9, 30.0, "m1", [("name", "accept"), ("email", "edit")]),
    ("A", 3, 6, 23, 20.0, "m1", [("experience[1].company", "add")]),
    ("B", 3, 12, 8, 100.0, "m2", [("skills[0]", "accept")]),
    ("C", 2, 13, 8, 10.0, "m2", [("name", "reject")]),
]  # fmt: skip


@pytest.fixture
def history(session: Session, ingested) -> dict[str, int]:
    """Three CVs (C in batch 'week 2'), nine decisions over two ISO weeks."""
    ids = {k: ingested(CONF, f"cv {k}".encode()) for k in "ABC"}
    batch = Batch(label="week 2", created_by="ann")
    session.add(batch)
    session.flush()
    for key, cid in ids.items():
        cand = session.get(Candidate, cid)
        doc = session.get(Document, cand.document_id)
        doc.uploaded_at = at(12 if key == "C" else 5, 7)
        doc.batch_id = batch.id if key == "C" else None
        cand.status = "reviewed" if key == "A" else "new"
        session.add_all([doc, cand])
    for key, version, day, hour, secs, model, decisions in SAVES:
        cand = session.get(Candidate, ids[key])
        for path, action in decisions:
            session.add(
                Correction(
                    candidate_id=cand.id,
                    parse_result_id=cand.parse_result_id,
                    username="rita",
                    field_path=path,
                    action=action,
                    old_confidence=None if action == "add" else CONF[path],
                    seconds_spent=secs,
                    model_version=model,
                    candidate_version=version,
                    at=at(day, hour),
                )
            )
    session.commit()
    return ids


def test_rate_series_per_field_and_week(session: Session, history) -> None:
    rows = rate_series(session=session, period="week")
    w1, w2 = date(2026, 1, 5), date(2026, 1, 12)
    assert rows == [
        PeriodRate("email", w1, 2, 1),
        PeriodRate("experience.company", w1, 1, 1),
        PeriodRate("experience.title", w1, 1, 1),
        PeriodRate("name", w1, 2, 0),
        PeriodRate("skills", w1, 1, 1),
        PeriodRate("name", w2, 1, 1),
        PeriodRate("skills", w2, 1, 0),
    ]


def test_rate_series_per_day_within_a_window(session: Session, history) -> None:
    rows = rate_series(session=session, since=at(6, 0), until=at(13, 0), period="day")
    assert rows == [
        PeriodRate("email", date(2026, 1, 6), 1, 1),
        PeriodRate("experience.company", date(2026, 1, 6), 1, 1),
        PeriodRate("name", date(2026, 1, 6), 1, 0),
        PeriodRate("skills", date(2026, 1, 12), 1, 0),
    ]


def test_rates_by_model_batch_format_and_field(session: Session, history) -> None:
    assert rates_by(session=session, by="model_version") == [
        GroupRate("m1", 7, 4),
        GroupRate("m2", 2, 1),
    ]
    batch_id = session.get(Document, session.get(Candidate, history["C"]).document_id).batch_id
    assert rates_by(session=session, by="batch") == [
        GroupRate("no batch", 8, 4),
        GroupRate(f"batch {batch_id} week 2", 1, 1),
    ]
    assert rates_by(session=session, by="format") == [GroupRate("txt", 9, 5)]
    by_field = {r.key: (r.n, r.changed) for r in rates_by(session=session, by="field")}
    assert by_field == {
        "name": (3, 1),
        "email": (2, 1),
        "skills": (2, 1),
        "experience.title": (1, 1),
        "experience.company": (1, 1),
    }


def test_outcome_bins_skip_additions(session: Session, history) -> None:
    bins = outcome_bins(session=session)
    assert [(b.field, b.bin, b.count) for b in bins] == [
        ("email", 9, 2),
        ("experience.title", 3, 1),
        ("name", 9, 3),
        ("skills", 5, 2),
    ]
    name = next(b for b in bins if b.field == "name")
    assert name == FieldBin("name", 9, 3, pytest.approx(0.9), pytest.approx(2 / 3))


def test_daily_activity(session: Session, history) -> None:
    assert daily_activity(session=session) == [
        DayActivity(date(2026, 1, 5), uploaded=2, reviewed=1, decisions=4),
        DayActivity(date(2026, 1, 6), uploaded=0, reviewed=2, decisions=3),
        DayActivity(date(2026, 1, 12), uploaded=1, reviewed=1, decisions=1),
        DayActivity(date(2026, 1, 13), uploaded=0, reviewed=1, decisions=1),
    ]


def test_median_time_per_cv(session: Session, history) -> None:
    # per CV: A 60 + 20, B 30 + 100, C 10 → 10, 80, 130
    assert median_seconds_per_cv(session=session) == pytest.approx(80.0)
    # first week only: A 80, B 30 → mean of the two middle values
    assert median_seconds_per_cv(session=session, until=at(12, 0)) == pytest.approx(55.0)
    assert median_seconds_per_cv(session=session, since=at(20)) is None


def test_backlog_counts_unreviewed_cvs(session: Session, history) -> None:
    assert backlog(session=session) == 2


def test_input_mix(session: Session, history) -> None:
    mix = input_mix(session=session)
    assert mix["language"] == {"en": 3}
    assert mix["format"] == {"txt": 3}
    assert mix["pages"] == {"1": 3}
    assert mix["empty_text"] == {"text": 3}
    assert mix["layout"] == {"txt · 1 p · en": 3}
    assert input_mix(session=session, until=at(1))["language"] == {}


def test_audit_sample_precision(session: Session, history) -> None:
    if not hasattr(FieldValue, "decision"):
        pytest.skip("FieldValue.decision (auto-accept audit, issue 5) is not in the model yet")
    cand_a = session.get(Candidate, history["A"])
    rows = select(FieldValue).where(FieldValue.parse_result_id == cand_a.parse_result_id)
    for fv in session.exec(rows):
        fv.decision = "audit" if fv.path in ("name", "email", "skills[0]") else "review"
        session.add(fv)
    session.commit()
    # A: name accept, email accept, skills[0] edit → 2 of 3 audited values accepted unchanged
    assert audit_sample(session=session) == AuditSample(n=3, accepted=2)


def test_two_adjacent_windows_in_one_scan(session: Session, history) -> None:
    split = field_rates_split(
        session=session, reference=(at(5, 0), at(12, 0)), current=(at(12, 0), at(19, 0))
    )
    assert {f: (r.n, r.changed) for f, r in split["reference"].items()} == {
        "email": (2, 1),
        "experience.company": (1, 1),
        "experience.title": (1, 1),
        "name": (2, 0),
        "skills": (1, 1),
    }
    assert {f: (r.n, r.changed) for f, r in split["current"].items()} == {
        "name": (1, 1),
        "skills": (1, 0),
    }
    with pytest.raises(ValueError, match="must end where"):
        field_rates_split(session=session, reference=(at(1), at(2)), current=(at(3), at(4)))
    now = datetime.now(UTC)
    mixes = input_mix_split(
        session=session,
        reference=(at(1), now - timedelta(hours=1)),
        current=(now - timedelta(hours=1), now + timedelta(hours=1)),
    )
    assert mixes["reference"]["language"] == {} and mixes["current"]["language"] == {"en": 3}
    assert mixes["current"]["empty_text"] == {"text": 3}
