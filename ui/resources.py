"""Process-wide resources (`st.cache_resource`): the migrated database and the parse workers.

Only resources live here: never candidate data (the caches are shared by every user).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor

import streamlit as st

from data.db import init_db
from settings import get_settings

MAX_WORKERS = 2  # parse processes per app; each holds the spaCy pipeline (~150 MB)


@st.cache_resource(show_spinner=False)
def _migrated(url: str) -> str:
    init_db()
    return url


def database() -> None:
    """Bring the configured database to the latest schema, once per process and URL."""
    _migrated(get_settings().effective_database_url)


@st.cache_resource(show_spinner=False)
def _pool(url: str, data_dir: str, workers: int) -> ProcessPoolExecutor:
    # spawn, not fork: a forked child would share the server's database connections and threads
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def parse_pool() -> ProcessPoolExecutor:
    """The background parse workers for the configured database and file store."""
    settings = get_settings()
    workers = max(1, min(MAX_WORKERS, os.cpu_count() or 1))
    return _pool(settings.effective_database_url, str(settings.data_dir), workers)


@st.cache_resource(show_spinner=False)
def _warmed(url: str, data_dir: str, workers: int) -> list[Future[str]]:
    from correction.intake import warm_up

    pool = _pool(url, data_dir, workers)
    return [pool.submit(warm_up) for _ in range(workers)]


def warm_parse_pool() -> None:
    """Start the workers and load the parser in them (once), so the first upload is quick."""
    settings = get_settings()
    workers = max(1, min(MAX_WORKERS, os.cpu_count() or 1))
    _warmed(settings.effective_database_url, str(settings.data_dir), workers)


def reset_parse_pool() -> None:
    """Forget a broken pool (a worker died) so the next submission starts a new one."""
    _pool.clear()
    _warmed.clear()


def submit_jobs(job_ids: list[int]) -> dict[int, Future[str]]:
    """Hand parse jobs to the workers; job id → future (its result is the job's status)."""
    from correction.intake import run_job

    pool = parse_pool()
    return {job_id: pool.submit(run_job, job_id) for job_id in job_ids}
