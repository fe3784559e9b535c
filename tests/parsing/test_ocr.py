"""OCR of scanned CVs: generated scans parse with OCR, mixed documents OCR only the image pages,
and without tesseract a recruiter gets `empty_text` with a sentence saying what to do."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pypdfium2 as pdfium
import pytest
from PIL import Image
from support import GENERATED

from corpus.scan import CLEAN, scan_pdf
from parsing import confidence
from parsing.errors import EmptyText
from parsing.layout import Layout, Page
from parsing.model import ParsedCV, Status
from parsing.pipeline import parse_bytes
from parsing.readers import ocr, read_layout
from settings import get_settings

HAS_TESSERACT = ocr.tesseract_path() is not None
needs_tesseract = pytest.mark.skipif(
    not HAS_TESSERACT, reason="tesseract-ocr is not installed (make install adds it with apt)"
)
GERMAN = "gen_2024_00002"  # one page, two columns, "Juliane Preiß"
ENGLISH = "gen_2024_00000"  # two pages, classic layout


def _doc(doc_id: str) -> tuple[bytes, dict]:
    path = next((GENERATED / "docs").glob(f"{doc_id}__*.pdf"))
    truth = json.loads((GENERATED / "docs" / f"{doc_id}.json").read_text(encoding="utf-8"))
    return path.read_bytes(), truth


def _blank_scan() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (1240, 1754), 255).save(buf, format="PDF", resolution=150)
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def german() -> tuple[ParsedCV, ParsedCV, dict]:
    """(text-PDF parse, noisy-scan parse, ground truth) of the same CV."""
    text, truth = _doc(GERMAN)
    scan = scan_pdf(text, seed=3)
    return parse_bytes(text, "cv.pdf"), parse_bytes(scan, "cv-scan.pdf"), truth


@needs_tesseract
def test_scan_parses_with_ocr_to_the_right_contact_details(german) -> None:
    text, scan, truth = german
    assert scan.status is Status.OK, scan.message
    assert "ocr: 1 page recognised" in scan.warnings
    f = scan.fields
    assert f.name is not None and f.name.value == truth["name"]  # "ß" needs the deu pack
    assert f.email is not None and f.email.normalized == truth["email"]
    assert f.name.extractor.endswith("+ocr") and f.email.extractor.endswith("+ocr")
    assert all(not fl.extractor.endswith("+ocr") for _, fl in text.fields.iter_fields())


@needs_tesseract
def test_ocr_boxes_land_on_the_words_in_the_page_image(german) -> None:
    text, scan, _ = german
    for name in ("name", "email"):
        t, s = getattr(text.fields, name), getattr(scan.fields, name)
        assert s.source is not None and s.source.page == 1 and s.source.bbox is not None
        assert t.source is not None and t.source.bbox is not None
        # the scan is skewed by up to 0.8° and blurred: a few points off, never elsewhere
        for a, b in zip(s.source.bbox, t.source.bbox, strict=True):
            assert abs(a - b) < 6.0, (name, s.source.bbox, t.source.bbox)


@needs_tesseract
def test_ocr_lowers_confidence_against_the_text_version(german) -> None:
    text, scan, _ = german
    for name in ("name", "email"):
        t, s = getattr(text.fields, name), getattr(scan.fields, name)
        assert s.confidence < t.confidence, name


@needs_tesseract
def test_mixed_document_ocrs_only_the_image_page() -> None:
    text = _doc(ENGLISH)[0]
    scanned = pdfium.PdfDocument(scan_pdf(text, seed=5, noise=CLEAN))
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(pdfium.PdfDocument(text), [0])
    mixed.import_pages(scanned, [1])
    buf = io.BytesIO()
    mixed.save(buf)
    layout = read_layout(buf.getvalue())
    plain = read_layout(text)
    assert layout.meta["ocr_pages"] == [2]
    page1 = [ln for ln in layout.lines if ln.page == 1]
    page2 = [ln for ln in layout.lines if ln.page == 2]
    assert page1 and all(ln.ocr is None for ln in page1)
    assert page2 and all(ln.ocr for ln in page2)
    assert [ln.text for ln in page1] == [ln.text for ln in plain.lines if ln.page == 1]
    words = {w for ln in plain.lines if ln.page == 2 for w in ln.text.split() if w.isalpha()}
    read = {w for ln in page2 for w in ln.text.split()}
    assert len(words & read) >= 0.9 * len(words)  # page 2 was read by OCR, nearly word-perfect


def test_without_tesseract_a_scan_is_empty_text_saying_what_to_do(monkeypatch) -> None:
    monkeypatch.setattr(ocr, "tesseract_path", lambda: None)
    scan = scan_pdf(_doc(GERMAN)[0], seed=3)
    parsed = parse_bytes(scan, "scan.pdf")
    assert parsed.status is Status.EMPTY_TEXT
    assert parsed.message == ocr.NOT_INSTALLED
    assert "tesseract-ocr" in parsed.message and "text PDF or DOCX" in parsed.message


def test_ocr_switched_off_in_settings(monkeypatch) -> None:
    monkeypatch.setenv("CVASSIST_OCR", "off")
    get_settings.cache_clear()
    with pytest.raises(EmptyText) as err:
        read_layout(_blank_scan())
    assert str(err.value) == ocr.OCR_OFF


@needs_tesseract
def test_blank_scan_says_nothing_could_be_recognised() -> None:
    parsed = parse_bytes(_blank_scan(), "blank.pdf")
    assert parsed.status is Status.EMPTY_TEXT and parsed.message == ocr.NOTHING_READ


@needs_tesseract
def test_page_over_the_time_limit_is_reported_not_hung(monkeypatch) -> None:
    monkeypatch.setenv("CVASSIST_OCR_PAGE_TIMEOUT_S", "0.01")
    get_settings.cache_clear()
    parsed = parse_bytes(scan_pdf(_doc(GERMAN)[0], seed=3), "slow.pdf")
    assert parsed.status is Status.EMPTY_TEXT and parsed.message == ocr.OCR_FAILED


def test_text_pdf_is_not_ocred() -> None:
    layout = read_layout(_doc(ENGLISH)[0])
    assert "ocr_pages" not in layout.meta and all(ln.ocr is None for ln in layout.lines)


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ((0, 5), 0.9),  # "Alice": the first word only
        ((6, 11), 0.5),  # "Smith"
        ((0, 11), 0.5),  # both words: the weakest counts
        ((12, 22), None),  # a text-layer line
    ],
)
def test_span_ocr_confidence_is_its_weakest_word(span, expected) -> None:
    raw = [
        {"text": "Alice Smith", "page": 1, "bbox": (0.0, 0.0, 110.0, 10.0),
         "xs": tuple(float(10 * i) for i in range(12)),
         "ocr": ((0.0, 50.0, 0.9), (60.0, 110.0, 0.5))},
        {"text": "Text layer", "page": 1, "bbox": (0.0, 20.0, 100.0, 30.0)},
    ]  # fmt: skip
    layout = Layout.build("pdf", [Page(1, 600, 800)], raw)
    assert confidence.span_ocr_confidence(layout, *span) == expected


@pytest.mark.parametrize(
    ("conf", "ocr_conf", "expected"),
    [(0.9, None, 0.9), (0.9, 1.0, 0.9), (0.9, 0.5, 0.45), (0.99, 0.0, 0.01)],
)
def test_ocr_discount(conf, ocr_conf, expected) -> None:
    assert confidence.ocr_discount(conf, ocr_conf) == expected


def test_scans_are_image_only_and_deterministic() -> None:
    text = _doc(GERMAN)[0]
    a, b = scan_pdf(text, seed=1), scan_pdf(text, seed=1)
    assert a == b and a != scan_pdf(text, seed=2)
    pdf = pdfium.PdfDocument(a)
    assert len(pdf) == 1 and pdf[0].get_textpage().count_chars() == 0
    assert [round(v) for v in pdf[0].get_size()] == [
        round(v) for v in pdfium.PdfDocument(text)[0].get_size()
    ]


@pytest.mark.parametrize(("scan_dpi", "rendered"), [(100, 200), (200, 200), (300, 299), (600, 300)])
def test_pages_are_rendered_at_the_scans_own_resolution_within_limits(scan_dpi, rendered) -> None:
    buf = io.BytesIO()
    size = (int(8.27 * scan_dpi), int(11.69 * scan_dpi))  # A4
    Image.new("L", size, 255).save(buf, format="PDF", resolution=scan_dpi)
    assert ocr._dpi(pdfium.PdfDocument(buf.getvalue())[0], 300) == rendered
