"""The document's lines, for picking a missing value from the text with its provenance.

The parse's layout is not stored, so the lines are read again from the stored file (any format,
through `parsing.readers.read_layout`); `Source.start/end` then index the same text the parser's
spans do. When the file cannot be read, the texts of the parsed values' sources stand in.
"""

from __future__ import annotations

import logging

from sqlmodel import Session

from correction.access import authorize
from data.models import Document
from data.queries import NotFound
from data.store import FileStore, default_store
from parsing.errors import DocumentLoadError
from parsing.model import ParsedCV, Source
from parsing.readers import read_layout
from settings import get_settings

log = logging.getLogger(__name__)


def document_lines(
    *,
    session: Session,
    user: str,
    document_id: int,
    record: ParsedCV | None = None,
    store: FileStore | None = None,
) -> list[Source]:
    """One Source (page, line box, char span, text) per non-blank line of a stored document.

    record: the parse whose values' source texts are offered when the file cannot be read
    (None = offer nothing then). [] = nothing to pick from.
    """
    authorize(session=session, user=user, permission="review.correct")
    doc = session.get(Document, document_id)
    session.rollback()  # a read: hold no snapshot or lock
    if doc is None:
        raise NotFound(f"no document {document_id}")
    try:
        data = (store or default_store()).get(doc.sha256)
        layout = read_layout(data, max_pages=get_settings().max_pages)
    except (OSError, DocumentLoadError):
        return _value_sources(record)
    except Exception as e:  # the reader boundary: a bad file means no lines, not a crash
        log.warning("reading lines of document %s failed: %s", document_id, type(e).__name__)
        return _value_sources(record)
    return [
        Source(
            page=line.page or None,
            bbox=_box(line.bbox),
            start=line.start,
            end=line.end,
            text=line.text,
        )
        for line in layout.lines
        if line.text.strip()
    ]


def _box(bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float] | None:
    return None if bbox == (0.0, 0.0, 0.0, 0.0) else bbox  # text formats have no geometry


def _value_sources(record: ParsedCV | None) -> list[Source]:
    if record is None:
        return []
    seen: dict[str, Source] = {}
    for _, f in record.fields.iter_fields():
        if f.source is not None and f.source.text and f.source.text.strip():
            seen.setdefault(f.source.text, f.source)
    return list(seen.values())


def pick_source(line: Source, text: str) -> Source:
    """The provenance of `text` picked from `line`: narrowed to the substring when it is one."""
    text = text.strip()
    at = (line.text or "").find(text) if text else -1
    if at < 0 or line.start is None:
        return line.model_copy(update={"text": text})
    start = line.start + at
    return line.model_copy(update={"start": start, "end": start + len(text), "text": text})
