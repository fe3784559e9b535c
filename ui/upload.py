"""Upload page: store many files (or a folder) as one batch, parse them in background workers,
and follow each file's status; failed files can be retried, duplicates are reported.

The workers claim the stored jobs from the job table (correction.worker): the app's embedded
workers, or `cvassist worker` processes elsewhere; progress is read back from that table."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from correction.intake import IngestResult, intake_batch, retry_parse
from correction.worker import resume_parsing
from data.db import session_scope
from data.queries import JobProgress, job_progress
from ui.nav import require
from ui.resources import parse_workers
from ui.user import current_user

POLL_SECONDS = 1.0
BATCHES_KEY = "upload_batches"
UPLOADER_GEN_KEY = "uploader_gen"
DB_ERROR = "The database could not be reached; nothing was stored. Please try again."
STATUS_TEXT = {
    "queued": "waiting",
    "running": "parsing",
    "done": "parsed",
    "failed": "failed",
    "duplicate": "duplicate",
    "error": "not stored",
}


@dataclass
class UploadBatch:
    """One upload on this page: the stored results and any retries."""

    batch_id: int
    results: list[IngestResult]
    retried: dict[int, IngestResult] = field(default_factory=dict)  # position → retry result
    polling: bool = True


def _batches() -> list[UploadBatch]:
    return st.session_state.setdefault(BATCHES_KEY, [])


def _store(files: list) -> None:
    """Store the selected files as one batch; the workers pick their parse jobs up."""
    try:
        with session_scope() as session:
            intake = intake_batch(
                session=session, files=[(f.name, f.getvalue()) for f in files], user=current_user()
            )
    except SQLAlchemyError:
        st.error(DB_ERROR)
        return
    parse_workers().ensure()
    _batches().insert(0, UploadBatch(intake.batch_id, intake.results))
    st.session_state[UPLOADER_GEN_KEY] = st.session_state.get(UPLOADER_GEN_KEY, 0) + 1


def _rows(batch: UploadBatch, jobs: dict[int, JobProgress]) -> list[dict]:
    rows = []
    for i, r in enumerate(batch.results):
        r = batch.retried.get(i, r)
        status, message, cand = r.status, r.message, r.candidate_id
        job = jobs.get(r.job_id) if r.job_id is not None else None
        if job is not None:
            status, message, cand = job.status, job.last_error, job.candidate_id
        rows.append(
            {
                "file": r.name,
                "status": STATUS_TEXT.get(status, status),
                "message": message or "",
                "review": f"correct?candidate={cand}" if cand else None,
                "_pos": i,
                "_document": r.document_id,
            }
        )
    return rows


def _retry(batch: UploadBatch, pos: int, document_id: int) -> None:
    try:
        with session_scope() as session:
            batch.retried[pos] = retry_parse(
                session=session, document_id=document_id, user=current_user()
            )
    except SQLAlchemyError:
        st.error(DB_ERROR)


def _progress(batch: UploadBatch, *, latest: bool) -> None:
    """Progress bar, per-file table and retry buttons of one batch (polled while parsing)."""
    results = [batch.retried.get(i, r) for i, r in enumerate(batch.results)]
    job_ids = [r.job_id for r in results if r.job_id is not None]
    try:
        with session_scope() as session:
            jobs = {j.job_id: j for j in job_progress(session=session, job_ids=job_ids)}
    except SQLAlchemyError:
        st.warning("The parse status could not be read just now; it will refresh shortly.")
        return
    rows = _rows(batch, jobs)
    pending = sum(r["status"] in ("waiting", "parsing") for r in rows)
    total = len(rows)
    st.progress(
        (total - pending) / total if total else 1.0, text=f"{total - pending} of {total} files done"
    )
    counts = pd.Series([r["status"] for r in rows]).value_counts().to_dict() if rows else {}
    st.caption(" · ".join(f"{n} {s}" for s, n in counts.items()))
    st.dataframe(
        pd.DataFrame(rows).drop(columns=["_pos", "_document"]),
        hide_index=True,
        column_config={
            "file": st.column_config.TextColumn("File"),
            "status": st.column_config.TextColumn("Status", width="small"),
            "message": st.column_config.TextColumn("Message", width="large"),
            "review": st.column_config.LinkColumn("Review", display_text="Open"),
        },
        key=f"upload-table-{batch.batch_id}",
    )
    for r in rows:
        if r["status"] == "failed" and r["_document"] is not None:
            if st.button(f"Retry {r['file']}", key=f"retry-{batch.batch_id}-{r['_pos']}"):
                _retry(batch, r["_pos"], r["_document"])
                st.rerun(scope="fragment")
    if pending == 0 and batch.polling:
        batch.polling = False
        st.rerun(scope="app")  # stop polling: the next full run draws this without run_every
    if latest and pending == 0 and any(r["review"] for r in rows):
        st.page_link("ui/queue.py", label="Go to the review queue", icon=":material/checklist:")


def render() -> None:
    """Pick files → store them as a batch → follow the parse of each file."""
    require("upload")
    workers = parse_workers()
    external = workers.concurrency <= 0
    resume_parsing(workers=workers)  # jobs an earlier run of the app left unfinished
    st.title("Upload CVs")
    st.caption(
        "PDF, Word (.docx) or text files, many at once or a whole folder. Every file is stored "
        "first, then parsed in the background; the same file uploaded again is reported as a "
        "duplicate and not parsed twice."
        + (" Parsing is done by separate worker processes (`cvassist worker`)." if external else "")
    )
    folder = st.toggle("Upload a whole folder", key="upload_folder")
    gen = st.session_state.get(UPLOADER_GEN_KEY, 0)
    files = st.file_uploader(
        "CV files",
        accept_multiple_files="directory" if folder else True,
        key=f"uploader-{gen}-{int(folder)}",
    )
    if st.button(
        f"Store and parse {len(files)} file{'s' if len(files) != 1 else ''}"
        if files
        else "Store and parse",
        type="primary",
        disabled=not files,
        key="store",
    ):
        _store(list(files))
        st.rerun()
    for n, batch in enumerate(_batches()):
        n_files = len(batch.results)
        title = f"Batch {batch.batch_id} · {n_files} file{'s' if n_files != 1 else ''}"
        with st.expander(title, expanded=n == 0):
            run_every = POLL_SECONDS if batch.polling else None
            st.fragment(run_every=run_every, key=f"progress-{batch.batch_id}")(_progress)(
                batch, latest=n == 0
            )


render()
