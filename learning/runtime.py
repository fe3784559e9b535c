"""`parse_with_champion`: the parser the intake and the workers call.

It parses with the champion bundle (the shipped one until a model is promoted), decides
auto-accept per value and records the full model version (parser + bundle) in the ParsedCV.
The bundle is cached per process and reloaded when the champion changes; its SHA-256 is checked
on every (re)load. A champion that fails verification is not used: the shipped bundle is, and
the parse's model_version says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from data.db import get_engine, new_session
from data.models import ModelEvent, ModelVersion
from parsing.model import ParsedCV
from parsing.pipeline import parse_bytes
from settings import get_settings

if TYPE_CHECKING:  # the model libraries (skops, scikit-learn) load with the first parse
    from learning.bundle import ModelBundle

log = logging.getLogger(__name__)
_cache: dict[tuple[str, str, str], ModelBundle] = {}


def _champion_key() -> tuple[str, str, str] | None:
    """(database URL, version, manifest SHA-256) of the champion, or None without one."""
    settings = get_settings()
    url = settings.effective_database_url
    try:
        with new_session(get_engine(url)) as session:
            row = _champion_row(session)
    except SQLAlchemyError as e:  # no database (plain CLI parse) or not migrated yet
        log.debug("no model registry available: %s", type(e).__name__)
        return None
    return None if row is None else (url, row.version, row.sha256)


def _champion_row(session: Session) -> ModelVersion | None:
    """The champion's row in one query (what learning.registry.champion answers)."""
    stmt = (
        select(ModelVersion)
        .join(ModelEvent, col(ModelEvent.version) == col(ModelVersion.version))
        .order_by(col(ModelEvent.id).desc())
        .limit(1)
    )
    return session.exec(stmt).first()


def current_bundle() -> ModelBundle | None:
    """The champion bundle (verified, cached per process), else the shipped one (None when
    even that is missing or fails verification: the rules' raw confidences are used)."""
    key = _champion_key()
    if key is None:
        return _shipped()
    from learning.bundle import BundleError  # heavy: loaded on first use
    from learning.registry import load_row, models_root

    if key not in _cache:
        try:
            with new_session(get_engine(key[0])) as session:
                row = _champion_row(session)
                assert row is not None
                bundle = load_row(row, root=models_root())
        except (BundleError, OSError, AssertionError) as e:
            log.error("champion model %s refused: %s", key[1], e)
            return _shipped()
        _cache.clear()
        _cache[key] = bundle
    return _cache[key]


def _shipped() -> ModelBundle | None:
    from learning.bundle import BundleError  # heavy: loaded on first use
    from learning.shipped import load_shipped

    key = ("", "shipped", str(Path(__file__).parent))
    if key not in _cache:
        try:
            _cache[key] = load_shipped()
        except BundleError as e:
            log.error("shipped model refused: %s", e)
            return None
    return _cache[key]


def parse_with(bundle: ModelBundle | None, data: bytes, filename: str) -> ParsedCV:
    """Parse with a given bundle (None = the rules' raw confidences); no database access."""
    settings = get_settings()
    if bundle is None:
        return parse_bytes(data, filename, settings=settings)
    parsed = parse_bytes(data, filename, settings=settings, adapter=bundle.adapter())
    return bundle.finish(
        parsed, target=settings.auto_accept_precision, audit_rate=settings.audit_sample_rate
    )


def champion_parser() -> Callable[[bytes, str], ParsedCV]:
    """A parser bound to the champion as of now: the registry is read here, in the caller, so a
    parse in a forked sandbox child never touches the parent's database connections."""
    return partial(parse_with, current_bundle())


def parse_with_champion(data: bytes, filename: str) -> ParsedCV:
    """Parse with the champion bundle; the ParsedCV records parser and bundle versions."""
    return parse_with(current_bundle(), data, filename)
