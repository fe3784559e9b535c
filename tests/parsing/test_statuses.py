"""Every failure status through `parse_bytes`: it never raises; a recruiter sees one sentence."""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

import cli
from parsing.model import ParsedCV, Status
from parsing.pipeline import extract_fields, parse_bytes, parse_path
from parsing.readers import read_layout
from settings import Settings

W, H = A4
SETTINGS = Settings(max_file_mb=10.0, max_pages=20)
LIBRARY_WORDS = re.compile(
    r"Traceback|Error\b|Exception|pdfminer|pypdfium|pdfplumber|zipfile|lxml|docx\.|\bline \d+"
)


def _pdf(draw: Callable[[canvas.Canvas], None], **kwargs: object) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, **kwargs)  # type: ignore[arg-type]
    draw(c)
    c.save()
    return buf.getvalue()


def _cv_page(c: canvas.Canvas) -> None:
    c.setFont("Helvetica-Bold", 18)
    c.drawString(50, H - 60, "Amelia Hartley")
    c.setFont("Helvetica", 10)
    c.drawString(50, H - 80, "amelia.hartley@example.com | +44 20 7946 0958 | London, UK")
    c.setFont("Helvetica-Bold", 12)
    c.drawString(50, H - 120, "Experience")
    c.setFont("Helvetica", 10)
    c.drawString(50, H - 140, "Software Engineer, Acme Ltd | Jan 2019 - Present")


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()


def _many_pages(c: canvas.Canvas) -> None:
    for n in range(25):
        c.drawString(50, H - 60, f"Amelia Hartley - page {n + 1}")
        c.showPage()


GOOD_PDF = _pdf(_cv_page)


def assert_one_sentence(parsed: ParsedCV) -> None:
    """A failure carries a single plain sentence, no traceback or library internals."""
    msg = parsed.message
    assert msg, parsed
    assert "\n" not in msg and not LIBRARY_WORDS.search(msg), msg
    assert msg[0].isupper() and msg.endswith("."), msg
    assert len(re.findall(r"[.!?](?:\s|$)", msg)) == 1, msg
    assert len(msg) < 200, msg


def assert_failure(parsed: ParsedCV, status: Status, data: bytes, name: str = "cv.pdf") -> None:
    assert parsed.status == status, (parsed.status, parsed.message)
    assert not parsed.status.usable
    assert_one_sentence(parsed)
    assert parsed.fields.iter_fields() == []
    assert parsed.file == name
    assert parsed.sha256 == hashlib.sha256(data).hexdigest()
    ParsedCV.from_json(parsed.to_json())  # a failed parse is still a valid document


CASES: list[tuple[str, bytes, Status, str]] = [
    ("empty", b"", Status.MALFORMED, "empty"),
    ("whitespace only", b"  \n\t \n", Status.MALFORMED, "empty"),
    ("png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, Status.UNSUPPORTED, "image"),
    ("jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 64, Status.UNSUPPORTED, "image"),
    (
        "legacy doc",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
        Status.UNSUPPORTED,
        ".docx",
    ),
    ("byte ramp", bytes(range(256)) * 4, Status.UNSUPPORTED, "not a PDF"),
    *[
        (f"random junk {seed}", random.Random(seed).randbytes(4096), Status.UNSUPPORTED, "")
        for seed in range(3)
    ],
    ("truncated pdf", GOOD_PDF[: len(GOOD_PDF) // 3], Status.MALFORMED, "PDF"),
    ("pdf header only", b"%PDF-1.7\n%%EOF", Status.MALFORMED, ""),
    ("encrypted pdf", _pdf(_cv_page, encrypt="pw"), Status.ENCRYPTED, "password"),
    ("25 pages", _pdf(_many_pages), Status.TOO_MANY_PAGES, "25 pages"),
    ("scan without text", _pdf(lambda c: c.rect(50, 50, 300, 300, fill=1)), Status.EMPTY_TEXT, ""),
    (
        "zip without word/document.xml",
        _zip({"[Content_Types].xml": b"<Types/>", "word/styles.xml": b"<w:styles/>"}),
        Status.UNSUPPORTED,
        "Word (.docx)",
    ),
    ("damaged zip", b"PK\x03\x04" + b"\x00" * 200, Status.MALFORMED, "damaged"),
    (
        "docx with broken xml",
        _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document"}),
        Status.MALFORMED,
        "damaged",
    ),
]


@pytest.mark.parametrize(
    ("data", "status", "phrase"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_failure_status(data: bytes, status: Status, phrase: str) -> None:
    parsed = parse_bytes(data, "uploads/cv.pdf", settings=SETTINGS)
    assert_failure(parsed, status, data)
    assert phrase in (parsed.message or "")


def test_too_large_bytes() -> None:
    data = b"Amelia Hartley\namelia@example.com\n" * 100
    parsed = parse_bytes(data, "cv.txt", settings=Settings(max_file_mb=0.001))
    assert_failure(parsed, Status.TOO_LARGE, data, "cv.txt")
    assert "0.001 MB" in (parsed.message or "")


def test_too_large_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    data = b"Amelia Hartley\n" * 200
    path.write_bytes(data)
    parsed = parse_path(path, settings=Settings(max_file_mb=0.001))
    assert_failure(parsed, Status.TOO_LARGE, data, "big.txt")


def test_missing_file_is_a_failed_parse(tmp_path: Path) -> None:
    parsed = parse_path(tmp_path / "gone.pdf")
    assert parsed.status == Status.FAILED
    assert_one_sentence(parsed)


def test_page_limit_comes_from_settings() -> None:
    data = _pdf(_many_pages)
    assert parse_bytes(data, "cv.pdf", settings=Settings(max_pages=30)).status.usable


def test_valid_cv_is_ok() -> None:
    parsed = parse_bytes(GOOD_PDF, "cv.pdf", settings=SETTINGS)
    assert parsed.status == Status.OK and parsed.message is None
    f = parsed.fields
    assert f.name is not None and f.name.value == "Amelia Hartley"
    assert f.email is not None and f.email.normalized == "amelia.hartley@example.com"
    assert f.phone is not None and f.phone.normalized == "+442079460958"
    assert parsed.pages == 1


CV_LINES = [
    "Chennai Tamil Nadu",
    "Cloud security professional with three years of experience in cloud computing",
    "Work Experience",
    "Cloud Security Engineer Teccorps Ltd October 2018 to Present",
    "Performed risk analyses to identify appropriate security countermeasures",
    "Worked with risk and information security teams presenting recommendations to management",
    "Implemented and executed the cloud information security strategy of the bank",
    "Education",
    "Bachelor of Arts in Psychology Magadh University August 2014 to June 2017",
    "Skills",
    "HTML CSS Networking SQL Kubernetes Terraform AWS Azure",
]


def test_a_cv_without_its_line_breaks_is_partial_and_says_why() -> None:
    """Flattened text (copied from a web page, a lossy export) gives a thin or jumbled profile;
    the recruiter is told why, in the status and one sentence, instead of an empty 'ok'."""
    parsed = parse_bytes(" ".join(CV_LINES).encode(), "cv.txt", settings=SETTINGS)
    assert parsed.status == Status.PARTIAL
    assert parsed.message is not None and "line breaks" in parsed.message
    assert_one_sentence(parsed)
    assert any(w.startswith("flattened") for w in parsed.warnings)
    assert parsed.fields.skills  # what can be read is still read
    same_cv = parse_bytes("\n".join(CV_LINES).encode(), "cv.txt", settings=SETTINGS)
    assert same_cv.status == Status.OK and same_cv.message is None and not same_cv.warnings


def test_long_paragraphs_under_headings_are_not_a_flattened_cv() -> None:
    """A CV telling each job in one long paragraph kept its structure: no warning, and its
    values carry no 'flattened' doubt."""
    story = " ".join(CV_LINES[4:7]) + ", " + " and ".join(CV_LINES[4:7]).lower()
    lines = [*CV_LINES[:4], story, story.replace("bank", "insurer"), *CV_LINES[7:]]
    lines[9] = "Skills"
    data = "\n".join(lines).encode()
    parsed = parse_bytes(data, "cv.txt", settings=SETTINGS)
    assert min(len(story), len(lines[5])) > 250
    assert parsed.status == Status.OK and not parsed.warnings
    assert not extract_fields(read_layout(data))[1].flattened  # no value carries its doubt


def test_batch_continues_past_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names = ["a_good.pdf", "b_scan.pdf", "c_image.png.pdf", "d_good.txt"]
    contents = [
        GOOD_PDF,
        _pdf(lambda c: c.rect(50, 50, 300, 300, fill=1)),
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        b"Amelia Hartley\namelia@example.com\n\nSkills\nPython, SQL\n",
    ]
    for name, data in zip(names, contents, strict=True):
        (tmp_path / name).write_bytes(data)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["parse", *(str(tmp_path / n) for n in names)])
    out = capsys.readouterr()
    docs = [json.loads(line) for line in out.out.splitlines()]
    assert [(d["file"], d["status"]) for d in docs] == [
        ("a_good.pdf", "ok"),
        ("b_scan.pdf", "empty_text"),
        ("c_image.png.pdf", "unsupported"),
        ("d_good.txt", "ok"),
    ]
    assert docs[0]["fields"]["email"]["value"] == "amelia.hartley@example.com"
    assert exit_.value.code == 1
    assert "Traceback" not in out.out + out.err
