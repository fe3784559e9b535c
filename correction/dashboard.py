"""The HR lead dashboard's workflows: everything the page shows (`dashboard_data`), the drift
check that raises throttled alerts (`check_drift`, also `cvassist drift-check`), and
acknowledging an alert (`acknowledge_alert`, audited).

Numbers come aggregated from SQL (`data.metrics`, `data.queue.operational_metrics`); the
statistics (control limits, PSI, ECE, Wilson intervals) are `learning.drift`'s pure functions.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session

from correction.access import SYSTEM_USER, authorize
from correction.review import open_candidate, save_corrections
from data.db import begin_write, init_db, session_scope
from data.metrics import (
    AuditSample,
    DayActivity,
    FieldBin,
    GroupRate,
    Period,
    PeriodRate,
    alert_blocked,
    audit_sample,
    backlog,
    count_corrections,
    daily_activity,
    field_rates_split,
    input_mix_split,
    list_alerts,
    median_seconds_per_cv,
    outcome_bins,
    rate_series,
    rates_by,
    unreviewed,
)
from data.models import DriftAlert, utcnow
from data.privacy import last_run, mark_run
from data.queries import NotFound, add_audit
from data.queue import operational_metrics
from data.record import PathError
from learning.drift import (
    REFERENCE_WINDOWS,
    WINDOW_DAYS,
    AlertCandidate,
    OutcomeBin,
    RateCount,
    ece_from_bins,
    mix_alerts,
    p_chart_limits,
    pooled_rate,
    rate_alerts,
    wilson_interval,
    window_bounds,
)

log = logging.getLogger(__name__)
TREND_FIELDS = 8  # the fields with most decisions get a trend line (more is unreadable)
DAILY_UP_TO_DAYS = 35  # longer ranges are charted per week
MIX_DIMENSIONS = ("language", "format", "pages", "empty_text")
DRIFT_TASK = "drift_check"  # its last run is kept in the maintenance table
DRIFT_CHECK_EVERY = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Kpis:
    """The headline numbers of the window. None = nothing to measure yet."""

    days: int
    cvs_reviewed: int
    cvs_per_day: float  # CVs with a save, per day of the window
    uploads_per_day: float
    median_seconds_per_cv: float | None
    share_accepted_unchanged: float | None
    backlog: int
    audit: AuditSample | None  # None = no auto-accept audit is recorded (issue 5 not active)
    audit_precision: float | None
    audit_interval: tuple[float, float] | None  # 95 % Wilson interval


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One field's correction rate in one period with its p-chart limits."""

    field: str
    period: date
    n: int
    rate: float
    centre: float
    lower: float
    upper: float

    @property
    def out_of_control(self) -> bool:
        """Whether the rate is outside its limits."""
        return not self.lower <= self.rate <= self.upper


@dataclass(frozen=True, slots=True)
class Calibration:
    """ECE of one field group from recruiter outcomes (old confidence vs accepted unchanged)."""

    group: str
    n: int
    ece: float | None
    mean_confidence: float
    accuracy: float


@dataclass(frozen=True, slots=True)
class AlertView:
    """A drift alert as the page shows it (detached from the session)."""

    id: int
    kind: str
    subject: str
    window_start: datetime
    window_end: datetime
    observed: float
    expected: float
    lower: float | None
    upper: float
    n: int
    created_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None

    @classmethod
    def of(cls, a: DriftAlert) -> AlertView:
        """The view of a stored alert."""
        assert a.id is not None
        return cls(
            a.id,
            a.kind,
            a.subject,
            a.window_start,
            a.window_end,
            a.observed,
            a.expected,
            a.lower,
            a.upper,
            a.n,
            a.created_at,
            a.acknowledged_by,
            a.acknowledged_at,
        )

    def sentence(self) -> str:
        """What happened, in one sentence (numbers and field names only)."""
        week = f"{self.window_start:%d %b} – {self.window_end - timedelta(days=1):%d %b}"
        if self.kind == "input_mix":
            return (
                f"The mix of uploaded CVs by {self.subject.replace('_', ' ')} shifted "
                f"(stability index {self.observed:.2f} > {self.upper:.2f}, {self.n} parses, "
                f"{week})."
            )
        direction = "rose" if self.observed > self.upper else "fell"
        return (
            f"Corrections to {self.subject} {direction} to {self.observed:.0%} of {self.n} "
            f"decisions ({week}); the control limits are {self.lower or 0:.0%}–{self.upper:.0%} "
            f"around {self.expected:.0%}."
        )


@dataclass(frozen=True, slots=True)
class DashboardData:
    """Everything the dashboard page renders."""

    since: datetime
    until: datetime
    period: Period
    kpis: Kpis
    activity: list[DayActivity]
    trend: list[TrendPoint]
    by_field: list[GroupRate]
    by_model: list[GroupRate]
    by_batch: list[GroupRate]
    by_format: list[GroupRate]
    calibration: list[Calibration]
    alerts: list[AlertView]
    raised: int  # alerts this load's drift check raised


def dashboard_data(
    *, session: Session, user: str, since: datetime, until: datetime, check: bool = True
) -> DashboardData:
    """The dashboard for [since, until): KPIs, trends with control limits, comparisons by model
    version, batch and format, calibration, open alerts (after a drift check, unless `check` is
    False). Raises AccessDenied without "dashboard.view"."""
    authorize(session=session, user=user, permission="dashboard.view")
    if until <= since:
        raise ValueError("The end of the period must be after its start.")
    raised = len(_check_if_due(session)) if check else 0
    days = max(1, round((until - since) / timedelta(days=1)))
    period: Period = "day" if days <= DAILY_UP_TO_DAYS else "week"
    window = {"since": since, "until": until}
    series = rate_series(session=session, period=period, **window)
    activity = daily_activity(session=session, **window)
    data = DashboardData(
        since=since,
        until=until,
        period=period,
        kpis=_kpis(session, since, until, days, activity),
        activity=activity,
        trend=trend_with_limits(series),
        by_field=field_totals(series),
        by_model=rates_by(session=session, by="model_version", **window),
        by_batch=rates_by(session=session, by="batch", **window),
        by_format=rates_by(session=session, by="format", **window),
        calibration=calibration_by_group(outcome_bins(session=session, since=since, until=until)),
        alerts=[AlertView.of(a) for a in list_alerts(session=session)],
        raised=raised,
    )
    session.rollback()  # reads only from here: hold no transaction open
    return data


def _kpis(
    session: Session, since: datetime, until: datetime, days: int, activity: list[DayActivity]
) -> Kpis:
    ops = operational_metrics(session=session, since=since, until=until)
    audit = audit_sample(session=session, since=since, until=until)
    return Kpis(
        days=days,
        cvs_reviewed=ops.n_cvs,
        cvs_per_day=sum(a.reviewed for a in activity) / days,
        uploads_per_day=sum(a.uploaded for a in activity) / days,
        median_seconds_per_cv=median_seconds_per_cv(session=session, since=since, until=until),
        share_accepted_unchanged=ops.share_accepted_unchanged,
        backlog=backlog(session=session),
        audit=audit,
        audit_precision=audit.accepted / audit.n if audit and audit.n else None,
        audit_interval=wilson_interval(audit.accepted, audit.n) if audit else None,
    )


def field_totals(rows: list[PeriodRate]) -> list[GroupRate]:
    """Per field over all periods (from the per-period aggregates); most decisions first."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        totals[r.field][0] += r.n
        totals[r.field][1] += r.changed
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1][0], kv[0]))
    return [GroupRate(f, n, c) for f, (n, c) in ranked]


def trend_with_limits(rows: list[PeriodRate], top: int = TREND_FIELDS) -> list[TrendPoint]:
    """The busiest fields' rates per period with p-chart limits; the centre line is the field's
    pooled rate over every period but the latest (the one being judged), as the drift check
    does; a field with one period is its own centre."""
    per_field: dict[str, list[PeriodRate]] = defaultdict(list)
    for r in rows:
        per_field[r.field].append(r)
    busiest = sorted(per_field, key=lambda f: -sum(r.n for r in per_field[f]))[:top]
    out = []
    for f in sorted(busiest):
        series = sorted(per_field[f], key=lambda r: r.period)
        ref = pooled_rate(RateCount(r.n, r.changed) for r in (series[:-1] or series))
        centre = ref.changed / ref.n
        for r in series:
            limits = p_chart_limits(centre, r.n)
            out.append(
                TrendPoint(f, r.period, r.n, r.changed / r.n, centre, limits.lower, limits.upper)
            )
    return out


def calibration_by_group(bins: list[FieldBin]) -> list[Calibration]:
    """ECE per field group (`experience.title` → `experience`) from per-field bins."""
    merged: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for b in bins:
        acc = merged[b.field.split(".")[0]][b.bin]
        acc[0] += b.count
        acc[1] += b.count * b.mean_confidence
        acc[2] += b.count * b.accuracy
    out = []
    for group in sorted(merged):
        sums = merged[group].values()
        outcome = [OutcomeBin(int(n), c / n, a / n) for n, c, a in sums]
        n = sum(o.count for o in outcome)
        out.append(
            Calibration(
                group=group,
                n=n,
                ece=ece_from_bins(outcome),
                mean_confidence=sum(c for _, c, _ in sums) / n,
                accuracy=sum(a for _, _, a in sums) / n,
            )
        )
    return out


def check_drift(
    *, session: Session, now: datetime | None = None, window_days: int = WINDOW_DAYS
) -> list[AlertView]:
    """Compare the current window with the reference windows before it and raise an alert per
    field (correction rate outside its 3-sigma limits) or input dimension (PSI above its limit),
    at most one per subject and window and none while one is unacknowledged; commits. The new
    alerts are logged at WARNING (field names and numbers only)."""
    now = now or utcnow()
    start, end = window_bounds(now, window_days)
    ref_start = start - REFERENCE_WINDOWS * (end - start)
    candidates = _candidates(session, ref_start, start, now, (start, end))
    begin_write(session)
    try:
        raised = [AlertView.of(_raise(session, c)) for c in candidates if not _blocked(session, c)]
        mark_run(session=session, task=DRIFT_TASK, at=utcnow())
        session.commit()
    except IntegrityError:  # another process raised the same alert a moment ago
        session.rollback()
        return []
    except BaseException:
        session.rollback()
        raise
    for a in raised:
        log.warning(
            "drift alert %s: %s %.3f outside [%s, %.3f] (n=%d, window from %s)",
            a.kind,
            a.subject,
            a.observed,
            "-" if a.lower is None else f"{a.lower:.3f}",
            a.upper,
            a.n,
            a.window_start.date(),
        )
    return raised


def _check_if_due(session: Session) -> list[AlertView]:
    """The drift check on a dashboard load, unless one ran (here or from cron) in the last
    DRIFT_CHECK_EVERY: it adds a few scans, and alerts are per window anyway."""
    last = last_run(session=session, task=DRIFT_TASK)
    session.rollback()
    if last is not None and utcnow() - last < DRIFT_CHECK_EVERY:
        return []
    return check_drift(session=session)


def _candidates(
    session: Session,
    ref_start: datetime,
    start: datetime,
    now: datetime,
    window: tuple[datetime, datetime],
) -> list[AlertCandidate]:
    windows = {"reference": (ref_start, start), "current": (start, now)}
    rates = field_rates_split(session=session, **windows)
    mixes = input_mix_split(session=session, **windows)
    ref, cur = rates["reference"], rates["current"]
    return [
        *rate_alerts(
            reference={f: RateCount(r.n, r.changed) for f, r in ref.items()},
            current={f: RateCount(r.n, r.changed) for f, r in cur.items()},
            window=window,
        ),
        *mix_alerts(
            reference={d: mixes["reference"][d] for d in MIX_DIMENSIONS},
            current={d: mixes["current"][d] for d in MIX_DIMENSIONS},
            window=window,
        ),
    ]


def _blocked(session: Session, c: AlertCandidate) -> bool:
    return alert_blocked(
        session=session, kind=c.kind, subject=c.subject, window_start=c.window_start
    )


def _raise(session: Session, c: AlertCandidate) -> DriftAlert:
    alert = DriftAlert(
        kind=c.kind,
        subject=c.subject,
        window_start=c.window_start,
        window_end=c.window_end,
        observed=c.observed,
        expected=c.expected,
        lower=c.lower,
        upper=c.upper,
        n=c.n,
        detail=c.detail,
    )
    session.add(alert)
    session.flush()
    return alert


def acknowledge_alert(*, session: Session, user: str, alert_id: int) -> AlertView:
    """Mark an alert as seen by `user` (audited); acknowledging twice keeps the first. Raises
    AccessDenied without "alerts.acknowledge", NotFound for an unknown alert; commits."""
    authorize(session=session, user=user, permission="alerts.acknowledge")
    begin_write(session)
    alert = session.get(DriftAlert, alert_id)
    if alert is None:
        session.rollback()
        raise NotFound("That alert no longer exists; reload the dashboard.")
    if alert.acknowledged_at is None:
        alert.acknowledged_by = user
        alert.acknowledged_at = utcnow()
        session.add(alert)
        detail = {"alert_id": alert_id, "kind": alert.kind, "subject": alert.subject}
        add_audit(session=session, user=user, action="acknowledge", detail=detail)
    view = AlertView.of(alert)
    session.commit()
    return view


def drift_check_main(*, window_days: int = WINDOW_DAYS) -> int:
    """`cvassist drift-check`: run the drift check on the configured database as the system
    operator; one line per new alert. 0 = checked, 1 = the database could not be used."""
    init_db()
    try:
        with session_scope() as session:
            raised = check_drift(session=session, window_days=window_days)
    except SQLAlchemyError:
        log.warning("drift check: database error", exc_info=True)
        print("drift check: the database could not be read; nothing was checked")
        return 1
    for a in raised:
        print(f"alert {a.id}: {a.sentence()}")
    print(f"drift check: {len(raised)} new alert{'s' if len(raised) != 1 else ''}")
    return 0


# --- demo: real reviews of the demo CVs, so the dashboard has something to show --------------

DEMO_DOCS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "generated"
DEMO_REVIEWED = 8  # of the 11 demo CVs; the rest stay in the backlog
DEMO_SECONDS = (25.0, 9.0)  # modelled review time: base + per changed field (no one timed it)


def review_demo(*, session: Session, n: int = DEMO_REVIEWED) -> int:
    """Review up to n unreviewed demo CVs as the operator, through the real save, changing each
    field to its ground truth (`correction.simulate`'s recruiter). Does nothing once any
    correction exists. Returns the number of CVs reviewed."""
    from correction.simulate import recruiter_changes
    from evaluation.harness import load_documents

    if count_corrections(session=session):
        return 0
    truth = {d.path.name: d for d in load_documents(DEMO_DOCS, formats=["pdf"])}
    reviewed = 0
    for cid, name in unreviewed(session=session, names=sorted(truth))[:n]:
        task = open_candidate(session=session, candidate_id=cid, user=SYSTEM_USER)
        doc = truth[name]
        changes = recruiter_changes(task.record, doc.gt, doc.annotated, task.next_index)
        changed = sum(c.action != "accept" for c in changes)
        try:
            save_corrections(
                session=session,
                candidate_id=cid,
                user=SYSTEM_USER,
                expected_version=task.candidate.version_id,
                changes=changes,
                seconds_spent=DEMO_SECONDS[0] + DEMO_SECONDS[1] * changed,
                done=True,
            )
        except PathError:  # a change the record refuses: leave this CV to a person
            continue
        reviewed += 1
    return reviewed


def review_demo_main() -> int:
    """After `cvassist demo`: review most demo CVs (once), so the dashboard shows real numbers."""
    with session_scope() as session:
        n = review_demo(session=session)
    if n:
        print(f"demo data: {n} demo CVs reviewed by '{SYSTEM_USER}' against their ground truth")
    return 0
