"""Analyst export page: filters, format, pseudonymise (on by default), a live count, a download.

"Prepare export" writes the file on the server (streamed, audited) into the data directory; the
download button then serves that file, read only when it is clicked. Pseudonymised is the default
for everyone: the analyst switches it off only when names and contact details are needed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from correction.access import AccessDenied
from correction.export import (
    FORMATS,
    MEDIA,
    ExportError,
    ExportPreview,
    PreparedExport,
    export_preview,
    prepare_download,
)
from data.db import session_scope
from data.export import ExportFilters
from data.models import CANDIDATE_STATUSES
from ui.nav import require
from ui.user import current_user

FORMAT_LABEL = {"csv": "CSV", "xlsx": "Excel (XLSX)", "json": "JSON", "jsonresume": "JSON Resume"}
FORMAT_HELP = {
    "csv": "One row per candidate; lists joined with “; ”.",
    "xlsx": "A sheet per entity: candidates, experience, education, skills, languages.",
    "json": "An array with one object per candidate, its entries nested.",
    "jsonresume": "An array of jsonresume.org v1 documents.",
}
STATUS_LABEL = {"new": "new", "in_review": "in review", "reviewed": "reviewed"}
DATE_LABEL = {"uploaded": "upload date", "activity": "last review activity"}
ANY = "any"
PREPARED_KEY = "export_prepared"
ERROR_KEY = "export_error"


def _split(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _filters() -> ExportFilters:
    """The filters as the widgets last reported them (defaults on the first run)."""
    s = st.session_state
    days = s.get("x_dates") or ()
    batch = s.get("x_batch", ANY)
    return ExportFilters(
        since=_midnight(days[0]) if len(days) > 0 else None,
        until=_midnight(days[1]) + timedelta(days=1) if len(days) > 1 else None,
        date_field=s.get("x_date_field", "uploaded"),
        batch_id=None if batch == ANY else int(batch),
        statuses=tuple(s.get("x_status", [])),
        reviewed_only=bool(s.get("x_reviewed")),
        skills=_split(s.get("x_skills", "")),
        skill_mode="all" if s.get("x_all_skills") else "any",
        languages=_split(s.get("x_languages", "")),
        min_years=s.get("x_min_years"),
        max_years=s.get("x_max_years"),
    )


def _filter_widgets(preview: ExportPreview) -> None:
    c1, c2, c3 = st.columns([3, 2, 3])
    c1.date_input("Between (both days included)", value=(), key="x_dates", format="YYYY-MM-DD")
    c2.radio("Date of", list(DATE_LABEL), format_func=DATE_LABEL.get, key="x_date_field")
    batches = {str(b.id): b for b in preview.batches}
    c3.selectbox(
        "Upload batch",
        [ANY, *batches],
        format_func=lambda k: (
            "all batches"
            if k == ANY
            else f"batch {k} · {batches[k].created_at:%d %b %Y} · {batches[k].label or ''}"
        ),
        key="x_batch",
    )
    c1, c2, c3 = st.columns([3, 2, 3])
    c1.multiselect("Status", list(CANDIDATE_STATUSES), format_func=STATUS_LABEL.get, key="x_status")
    c2.checkbox("Reviewed only", key="x_reviewed", help="Only CVs a recruiter finished reviewing.")
    c3.text_input("Languages (comma-separated, all required)", key="x_languages")
    c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
    c1.text_input("Skills (comma-separated)", key="x_skills")
    c2.toggle("Require every skill", key="x_all_skills")
    c3.number_input("Min. years of experience", min_value=0.0, value=None, key="x_min_years")
    c4.number_input("Max. years of experience", min_value=0.0, value=None, key="x_max_years")


def _prepare() -> None:
    """Write the export on the server (the workflow audits it); remember it for the download."""
    s = st.session_state
    old: PreparedExport | None = s.get(PREPARED_KEY)
    try:
        with session_scope() as session:
            s[PREPARED_KEY] = prepare_download(
                session=session,
                user=current_user(),
                fmt=s["x_format"],
                filters=_filters(),
                pseudonymise=s["x_pseudonymise"],
                replaces=old.path if old else None,
            )
    except (AccessDenied, ExportError) as e:
        s[ERROR_KEY] = str(e)
    except (SQLAlchemyError, OSError):
        s[ERROR_KEY] = "The export could not be written; please try again in a moment."


def _download(prepared: PreparedExport) -> None:
    r = prepared.report
    path: Path = prepared.path
    kind = "pseudonymised " if r.pseudonymised else ""
    st.success(
        f"Exported {r.count:,} candidates as {kind}{FORMAT_LABEL[r.fmt]} in {r.seconds:.1f} s."
    )
    if not path.exists():
        st.info("That file has expired; prepare the export again.")
        return
    st.download_button(
        f"Download {r.file_name}",
        data=path.read_bytes,  # read only when clicked
        file_name=r.file_name,
        mime=MEDIA[r.fmt],
        icon=":material/download:",
        type="primary",
        on_click="ignore",
    )


def render() -> None:
    """Filters → one workflow call (the count) → format, pseudonymise, prepare, download."""
    require("export")
    st.title("Export")
    filters = _filters()
    try:
        with session_scope() as session:
            preview = export_preview(session=session, user=current_user(), filters=filters)
    except AccessDenied as e:
        st.error(str(e))
        return
    except SQLAlchemyError:
        st.error("The candidates could not be counted; please try again in a moment.")
        return
    _filter_widgets(preview)
    st.metric("Candidates matching", f"{preview.count:,}")
    c1, c2 = st.columns([2, 3])
    fmt = c1.selectbox("Format", FORMATS, format_func=FORMAT_LABEL.get, key="x_format")
    c1.caption(FORMAT_HELP[fmt])
    c2.toggle(
        "Pseudonymise",
        value=True,
        key="x_pseudonymise",
        help="No name, e-mail, phone, links, file name, street address, summary or job "
        "descriptions; a stable candidate key instead of the id.",
    )
    st.button(
        "Prepare export",
        on_click=_prepare,
        disabled=preview.count == 0,
        icon=":material/file_export:",
    )
    if error := st.session_state.pop(ERROR_KEY, None):
        st.error(error)
    if prepared := st.session_state.get(PREPARED_KEY):
        _download(prepared)


render()
