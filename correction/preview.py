"""The document as the correction page shows it: PDF pages as images, DOCX/TXT as their text.

Boxes (PDF) and character spans (DOCX, TXT) of the extracted values refer to these: a `Source.bbox`
is in PDF points (pixel = point * scale), `Source.start/end` index the reader's `Layout.text`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlmodel import Session

from correction.access import authorize
from data.models import Document
from data.queries import NotFound
from data.store import FileStore, default_store
from parsing.errors import DocumentLoadError
from parsing.readers import read_layout
from parsing.readers.render import PageImage, render_pdf_pages
from settings import get_settings

__all__ = ["DocumentPreview", "PageImage", "document_preview"]

log = logging.getLogger(__name__)
MISSING = "The original file is missing from the file store, so it cannot be shown."
UNREADABLE = "This document could not be shown; its extracted values are listed on the right."


@dataclass(frozen=True, slots=True)
class DocumentPreview:
    """pages: PDF page images ([] for DOCX/TXT); text: the extracted text (None for PDF);
    message: why nothing can be shown (None = something can)."""

    document_id: int
    format: str
    pages: list[PageImage] = field(default_factory=list)
    text: str | None = None
    message: str | None = None


def document_preview(
    *,
    session: Session,
    user: str,
    document_id: int,
    scale: float = 1.5,
    store: FileStore | None = None,
) -> DocumentPreview:
    """Render a stored document for review; a bad or missing file gives a message, not an error."""
    authorize(session=session, user=user, permission="review.view")
    doc = session.get(Document, document_id)
    session.rollback()  # a read: end the transaction so it holds no snapshot or lock
    if doc is None:
        raise NotFound(f"no document {document_id}")
    try:
        data = (store or default_store()).get(doc.sha256)
    except OSError:
        return DocumentPreview(document_id, doc.format, message=MISSING)
    max_pages = get_settings().max_pages
    try:
        if doc.format == "pdf":
            pages = render_pdf_pages(data, scale=scale, max_pages=max_pages)
            return DocumentPreview(document_id, doc.format, pages=pages)
        text = read_layout(data, max_pages=max_pages).text
    except DocumentLoadError as e:
        return DocumentPreview(document_id, doc.format, message=str(e) or UNREADABLE)
    except Exception as e:  # the reader boundary, as in the parser: a bad file is a message
        log.warning("preview failed for document %s: %s", document_id, type(e).__name__)
        return DocumentPreview(document_id, doc.format, message=UNREADABLE)
    return DocumentPreview(document_id, doc.format, text=text)
