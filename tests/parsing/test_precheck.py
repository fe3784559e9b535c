"""Cheap pre-checks, one per hostile class, on synthetic files (no heavy parser runs)."""

from __future__ import annotations

import io
import random
import time
import zipfile
import zlib

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from support import GENERATED

from parsing.errors import DocumentLoadError
from parsing.model import Status
from parsing.precheck import declared_pages, inflated_size, precheck
from settings import Settings

SETTINGS = Settings(max_file_mb=10.0, max_pages=20)
MB = 1024 * 1024
DOCUMENT_XML = b'<?xml version="1.0"?><w:document xmlns:w="x"><w:body/></w:document>'


def _status(data: bytes, settings: Settings = SETTINGS) -> tuple[Status, str]:
    with pytest.raises(DocumentLoadError) as info:
        precheck(data, settings=settings)
    return info.value.status, str(info.value)


def _zeros_deflated(n_mb: int, layers: int = 1) -> bytes:
    comp = zlib.compressobj(9)
    chunk = bytes(MB)
    out = b"".join(comp.compress(chunk) for _ in range(n_mb)) + comp.flush()
    for _ in range(layers - 1):
        out = zlib.compress(out, 9)
    return out


def _pdf_with_stream(stream: bytes, filters: str = "/FlateDecode") -> bytes:
    head = (
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>\nendobj\n"
    )
    dictionary = f"4 0 obj\n<< /Length {len(stream)} /Filter [{filters}] >>\nstream\n".encode()
    tail = b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    return head + dictionary + stream + tail


def _pdf_pages(n: int, outline_entries: int = 0) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for i in range(n):
        c.drawString(72, 720, f"Amelia Hartley page {i + 1}")
        c.bookmarkPage(f"p{i}")
        c.showPage()
    for i in range(outline_entries):
        c.addOutlineEntry(f"Section {i}", f"p{i % n}", level=0)
    c.save()
    return buf.getvalue()


def _zip(files: dict[str, bytes], n_extra: int = 0) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
        for i in range(n_extra):
            zf.writestr(f"word/media/x{i}.txt", b"x")
    return buf.getvalue()


def test_a_real_cv_passes_in_about_a_millisecond() -> None:
    for path in sorted((GENERATED / "docs").glob("gen_2024_0000*__*")):
        if path.suffix in (".pdf", ".docx", ".txt"):
            started = time.perf_counter()
            assert precheck(path.read_bytes(), settings=SETTINGS) == path.suffix[1:]
            assert time.perf_counter() - started < 0.05, path.name


def test_oversized_upload_is_too_large_before_anything_else() -> None:
    status, message = _status(b"\x89PNG" + bytes(2 * MB), Settings(max_file_mb=1.0))
    assert status is Status.TOO_LARGE and "1 MB" in message


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        (b"", Status.MALFORMED, "empty"),
        (b"   \n\t ", Status.MALFORMED, "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), Status.UNSUPPORTED, "image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), Status.UNSUPPORTED, ".doc"),
        (b"{\\rtf1\\ansi hello}", Status.UNSUPPORTED, "not a PDF"),
        (bytes(range(256)) * 4, Status.UNSUPPORTED, "not a PDF"),
        (b"PK\x03\x04 not really a zip", Status.MALFORMED, "damaged"),
    ],
)
def test_content_decides_the_type_not_the_name(data: bytes, status: Status, words: str) -> None:
    got, message = _status(data)
    assert got is status and words in message


def test_page_count_is_read_from_the_page_tree() -> None:
    assert declared_pages(_pdf_pages(3)) == 3
    status, message = _status(_pdf_pages(25))
    assert status is Status.TOO_MANY_PAGES and "25 pages" in message


def test_outline_counts_are_not_page_counts() -> None:
    data = _pdf_pages(2, outline_entries=30)
    assert declared_pages(data) == 2
    assert precheck(data, settings=SETTINGS) == "pdf"


def test_flate_bomb_is_too_large() -> None:
    status, message = _status(_pdf_with_stream(_zeros_deflated(300)))
    assert status is Status.TOO_LARGE and "expands" in message


def test_nested_flate_bomb_is_too_large() -> None:
    inner = _zeros_deflated(300, layers=2)
    assert len(inner) < 50_000  # small on disk
    status, _ = _status(_pdf_with_stream(inner, "/FlateDecode /FlateDecode"))
    assert status is Status.TOO_LARGE


def test_ordinary_compressed_stream_passes_and_is_measured() -> None:
    body = _zeros_deflated(3)
    assert inflated_size(body, cap=100 * MB) == 3 * MB
    assert precheck(_pdf_with_stream(body), settings=SETTINGS) == "pdf"


def test_damaged_stream_counts_what_inflated() -> None:
    body = zlib.compress(random.Random(7).randbytes(2 * MB))
    damaged = body[: len(body) // 2] + b"garbage" * 100
    assert 0.3 * MB < inflated_size(damaged, cap=100 * MB) <= 2 * MB


def test_docx_zip_bomb_is_too_large() -> None:
    data = _zip({"word/document.xml": DOCUMENT_XML, "word/media/big.bin": bytes(60 * MB)})
    status, message = _status(data)
    assert status is Status.TOO_LARGE and "unsafe size" in message


def test_docx_with_too_many_entries_is_too_large() -> None:
    status, message = _status(_zip({"word/document.xml": DOCUMENT_XML}, n_extra=1000))
    assert status is Status.TOO_LARGE and "too many parts" in message


def test_docx_entity_declarations_are_refused() -> None:
    evil = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><w:document>&a;</w:document>'
    status, message = _status(_zip({"word/document.xml": evil}))
    assert status is Status.MALFORMED and "unsafe XML" in message


def test_zip_that_is_not_a_word_file_is_unsupported() -> None:
    status, _ = _status(_zip({"notes.txt": b"hello"}))
    assert status is Status.UNSUPPORTED
