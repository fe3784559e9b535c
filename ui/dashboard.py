"""HR lead dashboard: KPIs, correction-rate trends with control limits, comparisons by model
version, batch and format, calibration from outcomes, drift alerts with Acknowledge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import altair as alt
import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from streamlit.errors import StreamlitPageNotFoundError

from correction.access import AccessDenied
from correction.dashboard import AlertView, DashboardData, acknowledge_alert, dashboard_data
from data.db import session_scope
from data.metrics import GroupRate
from data.queries import NotFound
from ui.nav import PAGES, require
from ui.user import current_role, current_user

RANGES = {"Last 7 days": 7, "Last 30 days": 30, "Last 90 days": 90, "Last 365 days": 365}
DEFAULT_RANGE = "Last 30 days"
# Tableau-10 blue and red: both read on the light and the dark theme's background
WITHIN, OUTSIDE = "within limits", "outside limits"
WITHIN_COLOUR, OUTSIDE_COLOUR = "#4c78a8", "#e45756"
NEUTRAL = "#888888"  # mid grey: the centre line on either background
MIN_RATE_AXIS = 0.1  # the trend's y axis shows at least 0-10 %
CHART_HEIGHT = 220
BAR_STEP = 26  # px per bar in the comparison charts
FACET_COLUMNS = 3
FACET_WIDTH = 260


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def _share(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def _kpis(d: DashboardData) -> None:
    k = d.kpis
    c1, c2, c3, c4, c5 = st.columns(5)
    c1.metric(
        "CVs reviewed per day",
        f"{k.cvs_per_day:.1f}",
        help=f"{k.cvs_reviewed} CVs with a saved review in {k.days} days; "
        f"{k.uploads_per_day:.1f} uploaded per day.",
    )
    c2.metric(
        "Median time per CV",
        _duration(k.median_seconds_per_cv),
        help="Median over reviewed CVs of the time spent on them.",
    )
    c3.metric(
        "Accepted unchanged",
        _share(k.share_accepted_unchanged),
        help="Share of recruiters' decisions that kept the parsed value as it was.",
    )
    c4.metric("Backlog", k.backlog, help="CVs not yet reviewed (new or in review).")
    if k.audit is None or not k.audit.n:
        c5.metric(
            "Auto-accept precision",
            "–",
            help="No audited auto-accepted values in this period yet.",
        )
        return
    lo, hi = k.audit_interval or (0.0, 1.0)
    c5.metric(
        "Auto-accept precision",
        _share(k.audit_precision),
        help="Share of audited auto-accepted values that a recruiter kept unchanged.",
    )
    c5.caption(f"n = {k.audit.n} audited · 95 % interval {lo:.0%}–{hi:.0%}")


def _activity_chart(d: DashboardData) -> alt.Chart | None:
    if not d.activity:
        return None
    df = pd.DataFrame(
        [
            {"day": a.day.isoformat(), "what": what, "CVs": n}
            for a in d.activity
            for what, n in (("uploaded", a.uploaded), ("reviewed", a.reviewed))
        ]
    )
    return (
        alt.Chart(df, height=CHART_HEIGHT)
        .mark_line(point=True)
        .encode(
            x=alt.X("day:T", title=None),
            y=alt.Y("CVs:Q", title="CVs"),
            color=alt.Color("what:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=["day:T", "what:N", "CVs:Q"],
        )
    )


def _trend_chart(d: DashboardData) -> alt.FacetChart | None:
    if not d.trend:
        return None
    df = pd.DataFrame(
        [
            {
                "field": p.field,
                "period": p.period.isoformat(),
                "rate": p.rate,
                "centre": p.centre,
                "lower": p.lower,
                "upper": p.upper,
                "decisions": p.n,
                "state": OUTSIDE if p.out_of_control else WITHIN,
            }
            for p in d.trend
        ]
    )
    top = min(1.0, max(MIN_RATE_AXIS, 1.1 * float(df[["rate", "upper"]].to_numpy().max())))
    y_scale = alt.Scale(domain=[0.0, top])
    base = alt.Chart().encode(x=alt.X("period:T", title=None))
    band = base.mark_area(opacity=0.15, color=WITHIN_COLOUR).encode(
        y=alt.Y("lower:Q", title="correction rate", scale=y_scale, axis=alt.Axis(format=".0%")),
        y2="upper:Q",
    )
    limits = base.mark_rule(opacity=0.35, strokeWidth=6, color=WITHIN_COLOUR).encode(
        y="lower:Q", y2="upper:Q"
    )
    centre = alt.Chart().mark_rule(strokeDash=[4, 3], color=NEUTRAL).encode(y="centre:Q")
    line = base.mark_line(color=WITHIN_COLOUR).encode(y="rate:Q")
    points = base.mark_point(filled=True, size=50).encode(
        y="rate:Q",
        color=alt.Color(
            "state:N",
            title=None,
            scale=alt.Scale(domain=[WITHIN, OUTSIDE], range=[WITHIN_COLOUR, OUTSIDE_COLOUR]),
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=[
            "field:N",
            "period:T",
            alt.Tooltip("rate:Q", format=".0%"),
            alt.Tooltip("lower:Q", format=".0%"),
            alt.Tooltip("upper:Q", format=".0%"),
            "decisions:Q",
        ],
    )
    return (
        alt.layer(band, limits, centre, line, points, data=df)
        .properties(width=FACET_WIDTH, height=140)
        .facet(facet=alt.Facet("field:N", title=None), columns=FACET_COLUMNS)
    )


def _rate_bars(rows: list[GroupRate], title: str) -> alt.Chart | None:
    if not rows:
        return None
    df = pd.DataFrame(
        [{title: r.key, "rate": r.changed / r.n, "decisions": r.n} for r in rows if r.n]
    )
    return (
        alt.Chart(df, height=alt.Step(BAR_STEP))
        .mark_bar()
        .encode(
            y=alt.Y(f"{title}:N", sort="-x", title=None),
            x=alt.X("rate:Q", title="correction rate", axis=alt.Axis(format="%")),
            tooltip=[f"{title}:N", alt.Tooltip("rate:Q", format=".1%"), "decisions:Q"],
        )
    )


def _calibration_chart(d: DashboardData) -> alt.Chart | None:
    rows = [c for c in d.calibration if c.ece is not None]
    if not rows:
        return None
    df = pd.DataFrame(
        [
            {
                "field group": c.group,
                "ECE": c.ece,
                "mean confidence": c.mean_confidence,
                "accepted unchanged": c.accuracy,
                "decisions": c.n,
            }
            for c in rows
        ]
    )
    return (
        alt.Chart(df, height=alt.Step(BAR_STEP))
        .mark_bar()
        .encode(
            y=alt.Y("field group:N", sort="-x", title=None),
            x=alt.X("ECE:Q", title="expected calibration error"),
            tooltip=[
                "field group:N",
                alt.Tooltip("ECE:Q", format=".3f"),
                alt.Tooltip("mean confidence:Q", format=".2f"),
                alt.Tooltip("accepted unchanged:Q", format=".0%"),
                "decisions:Q",
            ],
        )
    )


def _chart(chart: alt.TopLevelMixin | None, empty: str) -> None:
    if chart is None:
        st.caption(empty)
    else:
        st.altair_chart(chart, theme="streamlit", width="stretch")


def _acknowledge(alert_id: int) -> None:
    try:
        with session_scope() as session:
            acknowledge_alert(session=session, user=current_user(), alert_id=alert_id)
    except (AccessDenied, NotFound) as e:
        st.session_state["dashboard_error"] = str(e)
    except SQLAlchemyError:
        st.session_state["dashboard_error"] = "The alert could not be acknowledged; try again."


def _alerts(alerts: list[AlertView]) -> None:
    st.subheader("Drift alerts")
    if error := st.session_state.pop("dashboard_error", None):
        st.error(error)
    if not alerts:
        st.caption("No open alerts: every field's correction rate and the input mix are steady.")
        return
    for a in alerts:
        c1, c2 = st.columns([6, 1], vertical_alignment="center")
        c1.warning(a.sentence(), icon=":material/warning:")
        c2.button("Acknowledge", key=f"ack-{a.id}", on_click=_acknowledge, args=(a.id,))


def _models_link() -> None:
    spec = PAGES.get("models")
    if spec is None or current_role() not in spec.roles:
        return
    try:
        st.page_link(spec.script, label="Model history: promote and roll back", icon=spec.icon)
    except StreamlitPageNotFoundError:  # the page run on its own, outside the app's navigation
        st.caption("Model history, promote and roll back: the Models page.")


def render() -> None:
    """Period → one workflow call → KPIs, alerts, charts."""
    require("dashboard")
    st.title("Dashboard")
    choice = st.selectbox("Period", list(RANGES), index=list(RANGES).index(DEFAULT_RANGE))
    until = datetime.now(UTC)
    since = until - timedelta(days=RANGES[choice])
    try:
        with session_scope() as session:
            d = dashboard_data(session=session, user=current_user(), since=since, until=until)
    except AccessDenied as e:
        st.error(str(e))
        return
    except SQLAlchemyError:
        st.error("The dashboard could not be loaded; please try again in a moment.")
        return
    _kpis(d)
    _alerts(d.alerts)
    _models_link()
    st.subheader("Correction rate per field")
    st.caption(
        f"Per {d.period}; the band is the 3-sigma control limits around the field's earlier "
        "rate (dashed). Red points are outside the limits."
    )
    _chart(_trend_chart(d), "No corrections in this period yet.")
    st.subheader("CVs per day")
    _chart(_activity_chart(d), "No uploads or reviews in this period yet.")
    c1, c2, c3 = st.columns(3)
    with c1:
        st.subheader("By model version")
        _chart(_rate_bars(d.by_model, "model version"), "No corrections yet.")
    with c2:
        st.subheader("By upload batch")
        _chart(_rate_bars(d.by_batch[:15], "batch"), "No corrections yet.")
    with c3:
        st.subheader("By source format")
        _chart(_rate_bars(d.by_format, "format"), "No corrections yet.")
    st.subheader("Calibration per field group")
    st.caption(
        "Expected calibration error of the parser's confidence against recruiters' outcomes "
        "(accepted unchanged = correct); 0 is perfect."
    )
    _chart(_calibration_chart(d), "No reviewed values in this period yet.")


render()
