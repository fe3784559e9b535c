"""Review queue page: CVs ordered by expected corrections, filters, band counts, review metrics."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from correction.queue import OPEN_STATUSES, QueueFilters, QueueView, queue_view
from data.db import session_scope
from data.models import CANDIDATE_STATUSES
from data.queue import OperationalMetrics
from ui.nav import require
from ui.user import current_user

ANY = "any"
RED_CHOICES = {ANY: None, "with red fields": True, "without red fields": False}
ORDERS = {
    "corrections": "expected corrections",
    "information": "expected information (uncertainty + layout variety)",
}
STATUS_LABEL = {"new": "new", "in_review": "in review", "reviewed": "reviewed"}
QUEUE_LIMIT = 200
CANDIDATE_KEY = "candidate_id"
TABLE_GEN_KEY = "queue_table_gen"


def _filters() -> QueueFilters:
    """The filters as the widgets last reported them (defaults on the first run)."""
    s = st.session_state
    since = s.get("q_since")
    batch = s.get("q_batch", ANY)
    uploader = s.get("q_uploader", ANY)
    return QueueFilters(
        statuses=tuple(s.get("q_status", list(OPEN_STATUSES))),
        batch_id=None if batch == ANY else int(batch),
        uploader=None if uploader == ANY else uploader,
        since=datetime.combine(since, time.min, tzinfo=UTC) if since else None,
        has_red=RED_CHOICES[s.get("q_red", ANY)],
        order=s.get("q_order", "corrections"),
    )


def _filter_widgets(view: QueueView) -> None:
    c1, c2, c3, c4, c5 = st.columns([3, 2, 2, 2, 2])
    c1.multiselect(
        "Status",
        list(CANDIDATE_STATUSES),
        default=list(OPEN_STATUSES),
        format_func=STATUS_LABEL.get,
        key="q_status",
    )
    batches = {str(b.id): b for b in view.batches}
    current = st.session_state.get("q_batch", ANY)
    batch_options = [ANY, *batches, *([current] if current not in (ANY, *batches) else [])]
    c2.selectbox(
        "Upload batch",
        batch_options,
        format_func=lambda k: (
            "all batches"
            if k == ANY
            else f"batch {k} · {batches[k].created_at:%d %b %H:%M} · {batches[k].created_by}"
            if k in batches
            else f"batch {k}"
        ),
        key="q_batch",
    )
    c3.selectbox(
        "Uploaded by",
        [ANY, *view.uploaders],
        format_func=lambda u: "anyone" if u == ANY else u,
        key="q_uploader",
    )
    c4.date_input("Uploaded since", value=None, key="q_since", format="YYYY-MM-DD")
    c5.selectbox("Red fields", list(RED_CHOICES), key="q_red")
    st.radio(
        "Order",
        list(ORDERS),
        format_func=ORDERS.get,
        horizontal=True,
        key="q_order",
        help="Expected information puts CVs whose layout differs from what was already reviewed "
        "ahead of near-duplicates, so corrections teach the system more (the top 50 CVs are "
        "reordered).",
    )


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def _metrics(m: OperationalMetrics) -> None:
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("CVs reviewed", m.n_cvs, help="CVs with at least one saved decision.")
    c2.metric("Time per CV", _duration(m.seconds_per_cv), help="Mean time spent per reviewed CV.")
    c3.metric(
        "Fields changed per CV",
        "–" if m.fields_changed_per_cv is None else f"{m.fields_changed_per_cv:.1f}",
        help="Edits, rejections and additions per reviewed CV.",
    )
    c4.metric(
        "Accepted unchanged",
        "–" if m.share_accepted_unchanged is None else f"{m.share_accepted_unchanged:.0%}",
        help="Share of all decisions that confirmed the parsed value as it was.",
    )


def _table(view: QueueView) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "candidate": r.candidate_id,
                "name": r.display_name or "(no name found)",
                "file": r.file_name,
                "status": STATUS_LABEL.get(r.status, r.status),
                "red": r.n_red,
                "amber": r.n_amber,
                "green": r.n_green,
                "expected corrections": round(r.expected_corrections, 2),
                "weakest": r.min_confidence,
                "uploaded": r.uploaded_at,
                "by": r.uploaded_by,
                "batch": r.batch_id,
            }
            for r in view.rows
        ]
    )


def _open(candidate_id: int) -> None:
    st.session_state[CANDIDATE_KEY] = candidate_id
    st.session_state[TABLE_GEN_KEY] = st.session_state.get(TABLE_GEN_KEY, 0) + 1
    st.switch_page("ui/correct.py", query_params={"candidate": str(candidate_id)})


def render() -> None:
    """Filters → queue (most uncertain first) → click a row to correct that CV."""
    require("queue")
    st.title("Review queue")
    try:
        with session_scope() as session:
            view = queue_view(
                session=session, user=current_user(), filters=_filters(), limit=QUEUE_LIMIT
            )
    except SQLAlchemyError:
        st.error("The review queue could not be loaded; please try again in a moment.")
        return
    _metrics(view.metrics)
    _filter_widgets(view)
    if not view.rows:
        st.info("No CVs match these filters. Upload CVs, or widen the filters.")
        return
    first = (
        "the most informative to review first"
        if _filters().order == "information"
        else "the ones likely to need the most corrections first"
    )
    st.caption(
        f"{len(view.rows)} CV{'s' if len(view.rows) != 1 else ''}, {first}. "
        "Select a row to correct that CV."
    )
    if st.button(
        "Review the most uncertain CV", type="primary", shortcut="Alt+N", key="open_first"
    ):
        _open(view.rows[0].candidate_id)
    gen = st.session_state.get(TABLE_GEN_KEY, 0)
    event = st.dataframe(
        _table(view),
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=f"queue-table-{gen}",
        column_config={
            "candidate": st.column_config.NumberColumn("id", width="small"),
            "red": st.column_config.NumberColumn("red", help="Fields below 0.6 confidence."),
            "amber": st.column_config.NumberColumn("amber", help="Fields below auto-accept."),
            "green": st.column_config.NumberColumn("green", help="Fields at auto-accept or above."),
            "expected corrections": st.column_config.NumberColumn(
                "expected corrections",
                help="Sum of (1 − confidence) over the CV's fields: the queue order.",
                format="%.2f",
            ),
            "weakest": st.column_config.ProgressColumn(
                "weakest field", min_value=0.0, max_value=1.0, format="%.2f"
            ),
            "uploaded": st.column_config.DatetimeColumn("uploaded", format="YYYY-MM-DD HH:mm"),
        },
    )
    selected = event.selection.rows if event is not None else []
    if selected:
        _open(view.rows[selected[0]].candidate_id)


render()
