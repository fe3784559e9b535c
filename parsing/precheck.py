"""Cheap checks on raw bytes before any heavy parser runs (and before the sandbox forks).

Pure Python, bounded time and memory: size, format by content (magic bytes), the PDF's declared
page count, the inflated size of its Flate streams (decompression bombs), and a DOCX's declared
sizes, compression ratio, entry count and XML entity declarations. Each failure is a
DocumentLoadError subclass whose message a recruiter can act on.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from parsing.errors import DocumentLoadError, TooLarge, TooManyPages, UnsupportedFormat
from parsing.readers import sniff_format
from settings import Settings, get_settings

MB = 1024 * 1024
MAX_DOCX_UNCOMPRESSED = 50 * MB
MAX_DOCX_RATIO = 100
MAX_DOCX_ENTRIES = 1000
MAX_STREAM_INFLATED = 128 * MB  # one PDF stream: a 600 dpi A4 colour page is ~100 MB
MAX_TOTAL_INFLATED = 256 * MB  # all streams: also bounds the time this check can take
MAX_FILTER_DEPTH = 3  # /Filter [/FlateDecode /FlateDecode ...] chains looked through
KEEP_FOR_NESTING = 16 * MB  # inflated bytes kept to look for a nested zlib stream
CHUNK = 1 * MB  # inflated bytes per step
PIECE = 16 * 1024  # compressed bytes per step
MAX_COUNT_MATCHES = 10_000

EMPTY = "The file is empty."
TOO_BIG = "The file is larger than the {mb:g} MB limit; please upload a smaller file."
PAGES = "This document has {n} pages; the limit is {limit}, so it was not parsed."
PDF_BOMB = "This PDF expands to an unsafe size when opened, so it was not parsed."
DOCX_MALFORMED = "This Word file is damaged and cannot be read."
DOCX_ENTRIES = "This Word file has too many parts to be a CV; it was not opened."
DOCX_BOMB = "This Word file expands to an unsafe size; it was not opened."
DOCX_NOT_WORD = "This zip file is not a Word (.docx) document."
DOCX_ENTITY = "This Word file contains unsafe XML declarations; it was not opened."

ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, RuntimeError)
STREAM = re.compile(rb"(?<!end)stream\r?\n")
COUNT = re.compile(rb"/Count\s+(\d{1,9})")
PAGES_TYPE = re.compile(rb"/Type\s*/Pages\b")
ENTITY = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)


def precheck(data: bytes, *, settings: Settings | None = None) -> str:
    """The sniffed format ('pdf', 'docx', 'txt'); raises DocumentLoadError when unsafe or bad."""
    settings = settings or get_settings()
    if len(data) > settings.max_file_bytes:
        raise TooLarge(TOO_BIG.format(mb=settings.max_file_mb))
    if not data or not data.strip():
        raise DocumentLoadError(EMPTY)
    kind = sniff_format(data)
    if kind == "pdf":
        check_pdf(data, max_pages=settings.max_pages)
    elif kind == "docx":
        check_docx_zip(data)
    return kind


def check_pdf(data: bytes, *, max_pages: int) -> None:
    """Declared page count and Flate-stream expansion, from the raw bytes only."""
    pages = declared_pages(data)
    if pages is not None and pages > max_pages:
        raise TooManyPages(PAGES.format(n=pages, limit=max_pages))
    if inflated_total(data) > MAX_TOTAL_INFLATED:
        raise TooLarge(PDF_BOMB)


def declared_pages(data: bytes) -> int | None:
    """The largest /Count of a page-tree node; None = no readable page tree (compressed)."""
    best: int | None = None
    for n, m in enumerate(COUNT.finditer(data)):
        if n >= MAX_COUNT_MATCHES:
            break
        start = data.rfind(b" obj", 0, m.start())
        end = data.find(b"endobj", m.end())
        body = data[max(start, 0) : end if end >= 0 else len(data)]
        if PAGES_TYPE.search(body) and b"/Kids" in body:
            best = max(best or 0, int(m.group(1)))
    return best


def inflated_total(data: bytes) -> int:
    """Bytes all zlib streams inflate to, counted without keeping them; stops past the limit."""
    view = memoryview(data)
    total = 0
    for m in STREAM.finditer(data):
        end = data.find(b"endstream", m.end())
        raw = view[m.end() : end if end >= 0 else len(data)]
        if _is_zlib(raw):
            size = inflated_size(raw, cap=MAX_STREAM_INFLATED)
            if size > MAX_STREAM_INFLATED:
                return MAX_TOTAL_INFLATED + 1
            total += size
            if total > MAX_TOTAL_INFLATED:
                break
    return total


def inflated_size(raw: bytes | memoryview, *, cap: int, depth: int = 0) -> int:
    """Inflated size of one zlib stream (through nested Flate layers), at most about cap + 1 MB."""
    d = zlib.decompressobj()
    size = 0
    kept: list[bytes] = []
    view = memoryview(raw)
    try:  # small input pieces: damage loses only the last piece's output, not the count so far
        for at in range(0, len(view), PIECE):
            buf: bytes | memoryview = view[at : at + PIECE]
            while buf and size <= cap and not d.eof:
                out = d.decompress(buf, CHUNK)
                buf = d.unconsumed_tail
                size += len(out)
                if size <= KEEP_FOR_NESTING:
                    kept.append(out)
            if size > cap or d.eof:
                break
    except zlib.error:  # damaged data: count what inflated before the damage
        pass
    if depth + 1 < MAX_FILTER_DEPTH and size <= KEEP_FOR_NESTING:
        inner = b"".join(kept)
        if _is_zlib(inner):
            return max(size, inflated_size(inner, cap=cap, depth=depth + 1))
    return size


def _is_zlib(raw: bytes | memoryview) -> bool:
    if len(raw) < 2:
        return False
    cmf, flg = raw[0], raw[1]
    return cmf & 0x0F == 8 and cmf >> 4 <= 7 and (cmf << 8 | flg) % 31 == 0


def check_docx_zip(data: bytes) -> None:
    """Reject zip bombs and non-DOCX zips from the central directory alone."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS as e:
        raise DocumentLoadError(DOCX_MALFORMED) from e
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_DOCX_ENTRIES:
            raise TooLarge(DOCX_ENTRIES)
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos)
        if total > MAX_DOCX_UNCOMPRESSED or total > MAX_DOCX_RATIO * max(packed, 1):
            raise TooLarge(DOCX_BOMB)
        if "word/document.xml" not in {i.filename for i in infos}:
            raise UnsupportedFormat(DOCX_NOT_WORD)
        for info in infos:
            if info.filename.endswith(".xml") and info.filename.startswith("word/"):
                try:
                    with zf.open(info) as fh:
                        head = fh.read(4096)
                except ZIP_ERRORS as e:
                    raise DocumentLoadError(DOCX_MALFORMED) from e
                if ENTITY.search(head):
                    raise DocumentLoadError(DOCX_ENTITY)
