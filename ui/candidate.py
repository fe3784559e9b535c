"""Candidate page: the current record (corrected values win), its history, the original file."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from correction.bands import auto_accept_threshold
from correction.review import ReviewTask, download_original, open_candidate
from data.db import session_scope
from data.queries import NotFound
from data.record import HUMAN
from ui.bands import band
from ui.editor import display
from ui.nav import require
from ui.user import current_user

CANDIDATE_KEY = "candidate_id"
GROUP_TITLE = {
    "name": "Contact",
    "email": "Contact",
    "phone": "Contact",
    "location": "Contact",
    "headline": "Contact",
    "summary": "Contact",
    "links": "Contact",
    "total_experience_years": "Contact",
    "experience": "Experience",
    "education": "Education",
    "skills": "Skills",
    "languages": "Languages",
    "certifications": "Certifications",
}
ACTION_TEXT = {"accept": "accepted", "edit": "changed", "reject": "rejected", "add": "added"}


def _candidate_id() -> int | None:
    raw = st.query_params.get("candidate")
    if raw is not None:
        try:
            return int(raw)
        except ValueError:
            st.warning("That link does not name a candidate.")
            return None
    cid = st.session_state.get("last_saved_candidate", st.session_state.get(CANDIDATE_KEY))
    return int(cid) if cid is not None else None


def _record_tables(task: ReviewTask) -> None:
    threshold = auto_accept_threshold()
    by_group: dict[str, list[dict]] = {}
    for path, f in task.record.fields.iter_fields():
        group = GROUP_TITLE[path.split("[")[0].split(".")[0]]
        by_group.setdefault(group, []).append(
            {
                "field": path,
                "value": display(f.value),
                "source": "corrected by a recruiter" if f.extractor == HUMAN else "parsed",
                "band": band(f.confidence, threshold),
                "confidence": f.confidence,
                "page": f.source.page if f.source else None,
            }
        )
    for group, rows in by_group.items():
        st.markdown(f"#### {group}")
        st.dataframe(
            pd.DataFrame(rows),
            hide_index=True,
            column_config={
                "value": st.column_config.TextColumn("value", width="large"),
                "confidence": st.column_config.NumberColumn("confidence", format="%.2f"),
            },
        )


def _history(task: ReviewTask) -> None:
    st.markdown("#### History")
    if not task.history:
        st.caption("Nobody has reviewed this CV yet.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "when": c.at,
                    "who": c.username,
                    "field": c.field_path,
                    "action": ACTION_TEXT.get(c.action, c.action),
                    "before": display(c.old_value),
                    "after": display(c.new_value),
                    "seconds on CV": c.seconds_spent,
                }
                for c in reversed(task.history)
            ]
        ),
        hide_index=True,
        column_config={
            "when": st.column_config.DatetimeColumn("when", format="YYYY-MM-DD HH:mm:ss")
        },
    )


def _original(candidate_id: int, user: str) -> bytes:
    """The original file's bytes, fetched (and audited as an export) only when downloaded."""
    with session_scope() as session:
        return download_original(session=session, candidate_id=candidate_id, user=user)[1]


def render() -> None:
    """Pick a candidate (link, last saved, or last opened) → record, history, original file."""
    require("candidate")
    cid = _candidate_id()
    if cid is None:
        st.title("Candidate")
        st.info("Open a CV from the review queue first; its record is shown here.")
        return
    try:
        with session_scope() as session:
            task = open_candidate(session=session, candidate_id=cid, user=current_user())
    except NotFound:
        st.title("Candidate")
        st.warning("This candidate does not exist (any more).")
        return
    except SQLAlchemyError:
        st.error("This candidate could not be loaded; please try again in a moment.")
        return
    c = task.candidate
    st.title(c.display_name or "(no name found)")
    doc = task.document
    st.caption(
        f"Candidate {c.id} · {doc.name} · uploaded {doc.uploaded_at:%Y-%m-%d} by "
        f"{doc.uploaded_by} · status {c.status.replace('_', ' ')} · version {c.version_id}"
    )
    user = current_user()
    st.download_button(
        "Download the original file",
        data=lambda: _original(cid, user),
        file_name=task.document.name,
        mime=task.document.mime,
        key="download_original",
        icon=":material/download:",
        help="The download is recorded in the audit log.",
    )
    _record_tables(task)
    _history(task)


render()
