"""The dashboard workflows: drift alerts (throttled per subject and window), acknowledgement,
the dashboard's numbers and who may see them. SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from correction.access import AccessDenied
from correction.dashboard import acknowledge_alert, check_drift, dashboard_data
from correction.review import open_candidate, save_corrections
from data.models import AuditEvent, Candidate, Correction, DriftAlert, ParseResult
from data.queries import NotFound

CONF = {"name": 0.9, "email": 0.8, "skills[0]": 0.6}
WEEK = timedelta(days=7)
MONDAY = datetime(2026, 2, 2, tzinfo=UTC)  # the window under test starts here
NOW = MONDAY + timedelta(days=2, hours=12)


def add_decisions(
    session: Session, cid: int, *, field: str, start: datetime, n: int, changed: int
) -> None:
    """n decisions on one field spread over the week from `start`, the first `changed` edits."""
    cand = session.get(Candidate, cid)
    for i in range(n):
        session.add(
            Correction(
                candidate_id=cid,
                parse_result_id=cand.parse_result_id,
                username="ann",
                field_path=field,
                action="edit" if i < changed else "accept",
                old_confidence=CONF.get(field, 0.5),
                seconds_spent=30.0,
                model_version="m1",
                candidate_version=1000 + i,
                at=start + timedelta(hours=1 + i % 40),
            )
        )
    session.commit()


def steady_history(session: Session, cid: int) -> None:
    """Four reference weeks before MONDAY: email corrected 10 % of the time, 100 a week."""
    for k in range(1, 5):
        add_decisions(session, cid, field="email", start=MONDAY - k * WEEK, n=100, changed=10)


def test_a_degradation_alerts_once_per_window_until_acknowledged(
    session: Session, ingested, make_user, caplog
) -> None:
    cid = ingested(CONF)
    lead = make_user("hr_lead", "lena")
    steady_history(session, cid)
    add_decisions(session, cid, field="email", start=MONDAY, n=60, changed=30)  # 50 %
    with caplog.at_level(logging.WARNING, logger="correction.dashboard"):
        raised = check_drift(session=session, now=NOW)
    assert [(a.kind, a.subject) for a in raised] == [("correction_rate", "email")]
    alert = raised[0]
    assert alert.observed == pytest.approx(0.5) and alert.expected == pytest.approx(0.1)
    assert alert.window_start == MONDAY and alert.n == 60
    assert "drift alert correction_rate: email 0.500" in caplog.text
    assert "value of" not in caplog.text  # no field values in the log
    assert "Corrections to email rose to 50% of 60 decisions" in alert.sentence()

    # the same window, checked again (even with more bad data): no second alert
    add_decisions(session, cid, field="email", start=MONDAY + timedelta(days=1), n=40, changed=30)
    assert check_drift(session=session, now=NOW + timedelta(hours=5)) == []
    # the next window while the first alert is still open: still no new alert
    add_decisions(session, cid, field="email", start=MONDAY + WEEK, n=60, changed=45)
    assert check_drift(session=session, now=NOW + WEEK) == []
    # acknowledged: nothing more in the first window, but the next window alerts again
    acknowledge_alert(session=session, user=lead, alert_id=alert.id)
    assert check_drift(session=session, now=NOW) == []
    again = check_drift(session=session, now=NOW + WEEK)
    assert [(a.subject, a.window_start) for a in again] == [("email", MONDAY + WEEK)]
    assert session.exec(select(DriftAlert)).all().__len__() == 2


def test_a_steady_field_raises_nothing(session: Session, ingested) -> None:
    cid = ingested(CONF)
    steady_history(session, cid)
    add_decisions(session, cid, field="email", start=MONDAY, n=60, changed=7)
    assert check_drift(session=session, now=NOW) == []


def test_an_input_mix_shift_alerts(session: Session, ingested) -> None:
    """40 English CVs in the reference weeks, then 30 German ones this week."""
    for i in range(70):
        cid = ingested(CONF, f"cv {i}".encode())
        pr = session.get(ParseResult, session.get(Candidate, cid).parse_result_id)
        current = i >= 40
        pr.created_at = (MONDAY if current else MONDAY - 2 * WEEK) + timedelta(hours=i % 40)
        pr.parsed = {**pr.parsed, "language": "de" if current else "en"}
        session.add(pr)
    session.commit()
    raised = check_drift(session=session, now=NOW)
    assert [(a.kind, a.subject) for a in raised] == [("input_mix", "language")]
    assert raised[0].observed > 0.25 and raised[0].n == 30
    assert "by language shifted" in raised[0].sentence()


def test_acknowledging_is_for_hr_leads_audited_and_idempotent(
    session: Session, ingested, make_user
) -> None:
    cid = ingested(CONF)
    steady_history(session, cid)
    add_decisions(session, cid, field="email", start=MONDAY, n=60, changed=30)
    (alert,) = check_drift(session=session, now=NOW)
    with pytest.raises(AccessDenied):
        acknowledge_alert(session=session, user="ann", alert_id=alert.id)  # a recruiter
    lead = make_user("hr_lead", "lena")
    done = acknowledge_alert(session=session, user=lead, alert_id=alert.id)
    assert done.acknowledged_by == "lena" and done.acknowledged_at is not None
    again = acknowledge_alert(session=session, user=make_user("admin", "adam"), alert_id=alert.id)
    assert again.acknowledged_by == "lena"  # the first acknowledgement stands
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "acknowledge")).all()
    assert [(e.username, e.detail["alert_id"], e.detail["subject"]) for e in events] == [
        ("lena", alert.id, "email")
    ]
    with pytest.raises(NotFound):
        acknowledge_alert(session=session, user=lead, alert_id=alert.id + 1000)


def test_dashboard_numbers_from_real_saves(session: Session, ingested, make_user) -> None:
    """Two CVs reviewed through save_corrections: the KPIs are what the recruiter did."""
    lead = make_user("hr_lead", "lena")
    first, second, _third = (ingested(CONF, f"cv {k}".encode()) for k in range(3))
    for cid, edit, secs in ((first, "email", 40.0), (second, None, 100.0)):
        task = open_candidate(session=session, candidate_id=cid, user="ann")
        changes = [f.path for f in task.fields]
        save_corrections(
            session=session,
            candidate_id=cid,
            user="ann",
            expected_version=task.candidate.version_id,
            changes=[_change(p, edit) for p in changes],
            seconds_spent=secs,
        )
    now = datetime.now(UTC)
    data = dashboard_data(session=session, user=lead, since=now - 7 * timedelta(days=1), until=now)
    k = data.kpis
    assert (k.cvs_reviewed, k.backlog) == (2, 1)
    assert k.median_seconds_per_cv == pytest.approx(70.0)
    assert k.share_accepted_unchanged == pytest.approx(5 / 6)
    assert k.cvs_per_day == pytest.approx(2 / 7) and k.uploads_per_day == pytest.approx(3 / 7)
    assert {r.key: (r.n, r.changed) for r in data.by_field}["email"] == (2, 1)
    assert [(r.key, r.n) for r in data.by_format] == [("txt", 6)]
    email = next(p for p in data.trend if p.field == "email")
    assert email.rate == pytest.approx(0.5) and email.centre == pytest.approx(0.5)
    assert {c.group for c in data.calibration} == {"name", "email", "skills"}
    assert data.alerts == [] and data.raised == 0


def _change(path: str, edit: str | None):
    from correction.review import FieldChange

    return FieldChange(path, "edit", "fixed") if path == edit else FieldChange(path, "accept")


@pytest.mark.parametrize("role", ["recruiter", "analyst"])
def test_dashboard_is_denied_to_other_roles(session: Session, make_user, role: str) -> None:
    user = make_user(role, f"{role}1")
    now = datetime.now(UTC)
    with pytest.raises(AccessDenied):
        dashboard_data(session=session, user=user, since=now - WEEK, until=now)


def test_an_empty_period_is_refused(session: Session, make_user) -> None:
    lead = make_user("hr_lead", "lena")
    now = datetime.now(UTC)
    with pytest.raises(ValueError, match="after its start"):
        dashboard_data(session=session, user=lead, since=now, until=now)


def test_drift_check_command_raises_and_prints_alerts(
    session: Session, ingested, app_env, capsys
) -> None:
    """`cvassist drift-check` (cron) on a degraded field: one alert, then none on a rerun."""
    import cli

    cid = ingested(CONF)
    now = datetime.now(UTC)
    start = now - (now - MONDAY) % WEEK  # the Monday the current window starts on
    for k in range(1, 5):
        add_decisions(session, cid, field="email", start=start - k * WEEK, n=100, changed=10)
    add_decisions(session, cid, field="email", start=start, n=60, changed=30)
    # a decision timestamped later than `now` would not count: keep every one in the past
    session.execute(
        Correction.__table__.update()
        .where(Correction.at > now)
        .values(at=now - timedelta(minutes=1))
    )
    session.commit()
    with pytest.raises(SystemExit) as e:
        cli.main(["drift-check"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "Corrections to email rose to" in out and "1 new alert" in out
    with pytest.raises(SystemExit):
        cli.main(["drift-check"])
    assert "0 new alerts" in capsys.readouterr().out


def test_demo_reviews_are_real_saves_against_the_ground_truth(
    session: Session, store, make_user
) -> None:
    """Two demo PDFs: both reviewed through save_corrections by the operator, once only."""
    from correction.dashboard import DEMO_DOCS, review_demo
    from correction.intake import ingest
    from parsing.pipeline import parse_bytes

    for path in sorted((DEMO_DOCS / "docs").glob("*.pdf"))[:2]:
        ingest(
            session=session,
            name=path.name,
            data=path.read_bytes(),
            user="system",
            batch_id=None,
            store=store,
            parser=parse_bytes,
        )
    assert review_demo(session=session) == 2
    rows = session.exec(select(Correction)).all()
    assert {r.username for r in rows} == {"system"}
    assert {r.action for r in rows} >= {"accept"} and len({r.candidate_id for r in rows}) == 2
    statuses = {c.status for c in session.exec(select(Candidate)).all()}
    assert statuses == {"reviewed"}
    assert review_demo(session=session) == 0  # never twice
    lead = make_user("hr_lead", "lena")
    now = datetime.now(UTC)
    data = dashboard_data(session=session, user=lead, since=now - WEEK, until=now)
    assert data.kpis.cvs_reviewed == 2 and data.kpis.median_seconds_per_cv >= 25.0
