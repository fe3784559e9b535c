"""Privacy page (admins): erase a candidate, subject-access export, retention purge."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from correction.privacy import REASONS, erase_candidate, purge_expired, subject_access
from data.db import session_scope
from data.queries import NotFound
from settings import get_settings
from ui.nav import require
from ui.user import current_user

FLASH_KEY = "privacy_flash"


def _flash() -> None:
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        (st.error if flash[0] == "error" else st.success)(flash[1])


def _erase() -> None:
    st.subheader("Erase a candidate")
    st.caption(
        "Deletes the file, every record, correction and derived data about the candidate. "
        "Models trained on their corrections are flagged for retraining. The audit log keeps "
        "that it happened, without personal data. This cannot be undone."
    )
    with st.form("erase", clear_on_submit=True):
        c1, c2 = st.columns([1, 2])
        cid = c1.number_input("Candidate number", min_value=1, step=1, value=None, key="erase_id")
        reason = c2.selectbox("Reason", list(REASONS), format_func=REASONS.get, key="erase_reason")
        confirm = st.checkbox("I understand this deletes the candidate for good", key="erase_ok")
        if not st.form_submit_button("Erase", type="primary"):
            return
    if cid is None or not confirm:
        st.session_state[FLASH_KEY] = ("error", "Enter the candidate number and tick the box.")
        st.rerun()
    try:
        with session_scope() as session:
            report = erase_candidate(
                session=session, user=current_user(), candidate_id=int(cid), reason=reason
            )
    except NotFound:
        st.session_state[FLASH_KEY] = ("error", f"There is no candidate {int(cid)}.")
    except SQLAlchemyError:
        st.session_state[FLASH_KEY] = ("error", "Nothing was erased; please try again.")
    else:
        flagged = (
            f" {len(report.models_flagged)} model(s) need retraining."
            if report.models_flagged
            else ""
        )
        st.session_state[FLASH_KEY] = (
            "success",
            f"Candidate {report.candidate_id} was erased: {sum(report.rows.values())} records "
            f"and {report.files_deleted} file(s) deleted.{flagged}",
        )
    st.rerun()


def _subject_access() -> None:
    st.subheader("Subject-access export")
    st.caption(
        "A ZIP with the original file, the corrected record, every stored row and the "
        "audit events about one candidate. The download is recorded in the audit log."
    )
    cid = st.number_input("Candidate number", min_value=1, step=1, value=None, key="sar_id")
    if cid is None:
        return
    user = current_user()

    def build() -> bytes:
        with session_scope() as session:
            return subject_access(session=session, user=user, candidate_id=int(cid))

    st.download_button(
        "Download everything held",
        data=build,
        file_name=f"candidate-{int(cid)}-subject-access.zip",
        mime="application/zip",
        key="sar_download",
        icon=":material/download:",
    )


def _purge() -> None:
    days = get_settings().retention_days
    st.subheader("Retention")
    st.caption(
        f"Candidates with no activity for {days} days are deleted automatically once a "
        "day (CVASSIST_RETENTION_DAYS)."
    )
    try:
        with session_scope() as session:
            preview = purge_expired(session=session, user=current_user(), dry_run=True)
    except SQLAlchemyError:
        st.error("The retention status could not be loaded; please try again in a moment.")
        return
    st.write(
        f"Due now: **{preview.candidates}** candidates and **{preview.documents}** files "
        f"that never parsed (inactive since {preview.cutoff:%Y-%m-%d})."
    )
    if st.button("Purge now", key="purge", disabled=not (preview.candidates or preview.documents)):
        with session_scope() as session:
            done = purge_expired(session=session, user=current_user())
        st.session_state[FLASH_KEY] = (
            "success",
            f"Purged {done.candidates} candidates and {done.documents} files.",
        )
        st.rerun()


def render() -> None:
    """Erasure, subject access and retention, each a separate section."""
    require("privacy")
    st.title("Privacy")
    _flash()
    _erase()
    st.divider()
    _subject_access()
    st.divider()
    _purge()


render()
