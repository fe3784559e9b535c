"""Process-wide resources (`st.cache_resource`): the migrated database and the parse workers.

Only resources live here: never candidate data (the caches are shared by every user).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from data.db import init_db
from settings import get_settings

if TYPE_CHECKING:
    from correction.worker import EmbeddedWorkers


@st.cache_resource(show_spinner=False)
def _migrated(url: str) -> str:
    from correction.worker import resume_parsing

    init_db()
    resume_parsing(workers=parse_workers())  # jobs left queued or running by an earlier run
    return url


def database() -> None:
    """Bring the configured database to the latest schema, once per process and URL."""
    _migrated(get_settings().effective_database_url)


@st.cache_resource(show_spinner=False)
def _workers(url: str, data_dir: str, n: int) -> EmbeddedWorkers:
    from correction.worker import EmbeddedWorkers

    return EmbeddedWorkers(n)


def parse_workers() -> EmbeddedWorkers:
    """The app's embedded parse workers (CVASSIST_EMBEDDED_WORKERS; 0 = external workers only)."""
    settings = get_settings()
    return _workers(
        settings.effective_database_url, str(settings.data_dir), settings.embedded_workers
    )


PURGE_CHECK_SECONDS = 3600  # how often one app process asks whether the daily purge is due


@st.cache_resource(show_spinner=False, ttl=PURGE_CHECK_SECONDS)
def _purge_checked(url: str, data_dir: str) -> bool:
    import logging

    from sqlalchemy.exc import SQLAlchemyError

    from correction.privacy import purge_if_due
    from data.db import session_scope

    try:
        with session_scope() as session:
            report = purge_if_due(session=session)
    except (SQLAlchemyError, OSError) as e:  # never block the app; the next check retries
        logging.getLogger(__name__).warning("retention purge failed: %s", type(e).__name__)
        return False
    return report is not None


def daily_purge() -> None:
    """Run the retention purge when due: checked hourly per process, run once a day per
    database (the last run is recorded in the database)."""
    settings = get_settings()
    _purge_checked(settings.effective_database_url, str(settings.data_dir))
