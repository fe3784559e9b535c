"""Readers: bytes of a PDF, DOCX or text file to one `Layout`, with typed load errors.

`read_layout` is the single entry point; it sniffs the format from the bytes (never the file
name), runs cheap pre-checks, and maps any library failure on bad input to a DocumentLoadError.
"""

from __future__ import annotations

import io
import zipfile

from parsing.errors import DocumentLoadError, UnsupportedFormat
from parsing.layout import Layout

__all__ = ["read_layout", "sniff_format"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IMAGE_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"II*\x00",
    b"MM\x00*",
    b"BM",
    b"RIFF",
    b"\x00\x00\x00\x0cjP",
)
PDF_HEADER_WINDOW = 1024  # PDF readers accept junk before %PDF- within the first KB

NOT_SUPPORTED = "This file is not a PDF, Word (.docx) or text document, so it cannot be read."
LEGACY_DOC = "This is an old Word (.doc) file; please save it as .docx or PDF and upload it again."
IMAGE = "This file is an image; upload a PDF, Word (.docx) or text version of the CV instead."
EMPTY = "The file is empty."


def sniff_format(data: bytes) -> str:
    """'pdf', 'docx' or 'txt' from the content; raises UnsupportedFormat for anything else."""
    head = data[:PDF_HEADER_WINDOW]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(OLE_MAGIC):
        raise UnsupportedFormat(LEGACY_DOC)
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
            raise DocumentLoadError(
                "This file is a damaged zip or Word archive and cannot be opened."
            ) from e
        if "word/document.xml" in names:
            return "docx"
        raise UnsupportedFormat(NOT_SUPPORTED)
    if data.startswith(IMAGE_MAGIC) or data[4:12] in (b"ftypheic", b"ftypmif1", b"ftypavif"):
        raise UnsupportedFormat(IMAGE)
    if data.lstrip().startswith(b"{\\rtf"):
        raise UnsupportedFormat(NOT_SUPPORTED)
    from parsing.readers.text import decode_text

    if decode_text(data) is None:
        raise UnsupportedFormat(NOT_SUPPORTED)
    return "txt"


def read_layout(data: bytes, *, max_pages: int = 20) -> Layout:
    """Read a CV into a Layout; raises DocumentLoadError (user-facing status) on bad input."""
    if not data or not data.strip():
        raise DocumentLoadError(EMPTY)
    kind = sniff_format(data)
    if kind == "pdf":
        from parsing.readers.pdf import read_pdf_safely

        return read_pdf_safely(data, max_pages=max_pages)
    if kind == "docx":
        from parsing.readers.docx import read_docx

        return read_docx(data)
    from parsing.readers.text import read_text

    return read_text(data)
