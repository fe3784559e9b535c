"""Readers end to end on synthetic documents: PDF layouts, DOCX parts, text encodings, errors."""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from parsing.errors import (
    DocumentLoadError,
    EmptyText,
    EncryptedDocument,
    TooLarge,
    TooManyPages,
    UnsupportedFormat,
)
from parsing.layout import Layout
from parsing.model import Status
from parsing.pipeline import parse_bytes
from parsing.readers import read_layout, sniff_format
from parsing.readers.pdf import read_pdf
from parsing.sections import segment_sections

W, HEIGHT = A4
LEFT = [f"Left column line {k} about Python" for k in range(8)]
RIGHT = [f"Right column line {k} about Rust" for k in range(8)]


def _pdf(draw: Callable[[canvas.Canvas], None], **kwargs: object) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, **kwargs)  # type: ignore[arg-type]
    draw(c)
    c.save()
    return buf.getvalue()


def _text(c: canvas.Canvas, x: float, top: float, s: str, size: float = 10, bold: bool = False):
    c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
    c.drawString(x, HEIGHT - top, s)


def _two_columns(right_first: bool) -> bytes:
    def draw(c: canvas.Canvas) -> None:
        _text(c, 50, 50, "Jane Example", size=20, bold=True)
        cols = [(50, LEFT), (320, RIGHT)]
        for x, lines in cols[::-1] if right_first else cols:
            for k, s in enumerate(lines):
                _text(c, x, 100 + 14 * k + (0 if x == 50 else 5), s)

    return _pdf(draw)


def _sidebar(side: str) -> bytes:
    side_lines = ["CONTACT", "jane@example.com", "+44 20 7946 0958", "SKILLS", "Python", "SQL"]
    main_lines = [f"Main text line {k} describing experience at Acme Ltd" for k in range(12)]

    def draw(c: canvas.Canvas) -> None:
        c.setFillColorRGB(0.9, 0.9, 0.95)
        x_side, x_main = (30, 200) if side == "left" else (430, 40)
        c.rect(x_side - 10, 0, 170, HEIGHT, fill=1, stroke=0)
        c.setFillColorRGB(0, 0, 0)
        for k, s in enumerate(main_lines):
            _text(c, x_main, 80 + 15 * k, s)
        for k, s in enumerate(side_lines):
            _text(c, x_side, 80 + 19 * k, s, size=9)

    return _pdf(draw)


def _table() -> bytes:
    rows = [
        ("2019 - 2021", ["Senior Engineer, Acme", "Built the billing platform", "Led four people"]),
        ("2016 - 2019", ["Engineer, Globex", "Maintained the ETL jobs", "Wrote the docs"]),
    ]

    def draw(c: canvas.Canvas) -> None:
        top = 100.0
        for date, cell in rows:
            _text(c, 50, top, date)
            for k, s in enumerate(cell):
                _text(c, 160, top + 13 * k, s, bold=k == 0)
            c.line(45, HEIGHT - top - 34, 550, HEIGHT - top - 34)
            top += 13 * len(cell) + 14

    return _pdf(draw)


def _grid_table() -> bytes:
    """Bordered sections like the table_grid layout: a heading bar per section, then rows of a
    date/label cell beside a content cell; dates sit a font size or so from the content."""
    sections = [
        (
            "Experience",
            [
                ("2019-03 – 2021-06", ["Senior Engineer, Acme", "- Built billing", "- Led four"]),
                ("2016-01 – 2019-03", ["Engineer, Globex", "- Maintained the ETL jobs"]),
            ],
        ),
        ("Skills", [("", ["- Python   - SQL", "- Rust   - Go", "- Docker   - Terraform"])]),
        ("Languages", [("", ["English — Native", "German — Fluent"])]),
    ]

    def draw(c: canvas.Canvas) -> None:
        top = 80.0
        for heading, rows in sections:
            c.rect(50, HEIGHT - top - 20, 495, 20, stroke=1, fill=0)
            _text(c, 56, top + 14, heading, size=12, bold=True)
            top += 20
            for date, cell in rows:
                height = 13 * len(cell) + 8
                c.rect(50, HEIGHT - top - height, 495, height, stroke=1, fill=0)
                c.line(145, HEIGHT - top, 145, HEIGHT - top - height)
                _text(c, 56, top + 12, date, size=9)
                for k, s in enumerate(cell):
                    _text(c, 152, top + 12 + 13 * k, s, size=9)
                top += height
            top += 8

    return _pdf(draw)


def _label_column() -> bytes:
    """Europass-like: right-aligned headings and dates in a label column, no borders; a
    two-line date cell, entries of a title and bullets."""

    def draw(c: canvas.Canvas) -> None:
        top = 80.0
        for heading, entries in [
            (
                "Experience",
                [
                    ("2020 - present", ["Engineer, Acme", "- Built the billing"]),
                    ("2018 -", ["Intern, Globex", "- Wrote the docs", "- Ran tests"]),
                ],
            ),
            ("Skills", [("", ["Python, SQL, Rust, Go, Docker, Terraform, Kubernetes"])]),
            ("Languages", [("", ["English — Native", "German — Fluent"])]),
        ]:
            c.setFont("Helvetica-Bold", 11)
            c.drawRightString(160, HEIGHT - top, heading)
            top += 18
            for date, cell in entries:
                c.setFont("Helvetica", 9)
                c.drawRightString(160, HEIGHT - top, date)
                if date == "2018 -":
                    c.drawRightString(160, HEIGHT - top - 11, "2020")
                for k, s in enumerate(cell):
                    _text(c, 180, top + 13 * k, s, bold=k == 0 and bool(date))
                top += 13 * len(cell) + 8
            top += 6

    return _pdf(draw)


def _right_dates() -> bytes:
    def draw(c: canvas.Canvas) -> None:
        top = 80.0
        for title, date in [("Senior Engineer, Acme", "Jan 2018 - Present"), ("Intern", "2017")]:
            _text(c, 50, top, title, bold=True)
            c.drawRightString(545, HEIGHT - top, date)
            _text(c, 50, top + 14, "Worked on many different things across the whole company.")
            _text(c, 50, top + 28, "Improved the reliability of the platform for all customers.")
            top += 50

    return _pdf(draw)


def _running_header(page_number_style: str = "Page {n} of 2") -> bytes:
    def draw(c: canvas.Canvas) -> None:
        for n in (1, 2):
            _text(c, 50, 30, "Jane Example - Curriculum Vitae", size=8)
            for k in range(5):
                _text(c, 50, 100 + 14 * k, f"Body text {n}.{k} about the work done")
            _text(c, 280, HEIGHT - 30, page_number_style.format(n=n), size=8)
            c.showPage()

    return _pdf(draw)


def _hyphenated() -> bytes:
    def draw(c: canvas.Canvas) -> None:
        _text(c, 50, 100, "Responsible for the develop-")
        _text(c, 50, 114, "ment of internal tooling and ser-")
        _text(c, 50, 128, "vices used by a highly self-")
        _text(c, 50, 142, "motivated team of five engineers.")

    return _pdf(draw)


def _texts(layout: Layout) -> list[str]:
    return [ln.text for ln in layout.lines]


@pytest.mark.parametrize("right_first", [False, True])
def test_two_columns_are_not_read_across(right_first: bool) -> None:
    texts = _texts(read_pdf(_two_columns(right_first)))
    assert texts == ["Jane Example", *LEFT, *RIGHT]


@pytest.mark.parametrize("side", ["left", "right"])
def test_sidebar_is_its_own_block(side: str) -> None:
    layout = read_pdf(_sidebar(side))
    texts = _texts(layout)
    contact = texts.index("CONTACT")
    assert texts[contact : contact + 6] == [
        "CONTACT",
        "jane@example.com",
        "+44 20 7946 0958",
        "SKILLS",
        "Python",
        "SQL",
    ]
    assert (contact == 0) == (side == "left")
    blocks = {ln.block for ln in layout.lines if ln.text == "CONTACT"}
    main = {ln.block for ln in layout.lines if ln.text.startswith("Main text")}
    assert len(main) == 1 and blocks.isdisjoint(main)


def test_table_row_keeps_date_with_its_title() -> None:
    texts = _texts(read_pdf(_table()))
    assert texts[0] == "2019 - 2021 | Senior Engineer, Acme"
    assert texts[1:3] == ["Built the billing platform", "Led four people"]
    assert texts[3] == "2016 - 2019 | Engineer, Globex"


def test_bordered_table_reads_section_by_section_row_by_row() -> None:
    layout = read_pdf(_grid_table())
    assert _texts(layout) == [
        "Experience",
        "2019-03 – 2021-06 | Senior Engineer, Acme",
        "• Built billing",
        "• Led four",
        "2016-01 – 2019-03 | Engineer, Globex",
        "• Maintained the ETL jobs",
        "Skills",
        "• Python - SQL",
        "• Rust - Go",
        "• Docker - Terraform",
        "Languages",
        "English — Native",
        "German — Fluent",
    ]
    assert len({ln.block for ln in layout.lines}) == 1


def test_label_column_headings_and_wrapped_dates() -> None:
    assert _texts(read_pdf(_label_column())) == [
        "Experience",
        "2020 - present | Engineer, Acme",
        "• Built the billing",
        "2018 - 2020 | Intern, Globex",
        "• Wrote the docs",
        "• Ran tests",
        "Skills",
        "Python, SQL, Rust, Go, Docker, Terraform, Kubernetes",
        "Languages",
        "English — Native",
        "German — Fluent",
    ]


def test_right_aligned_date_is_one_line() -> None:
    layout = read_pdf(_right_dates())
    assert _texts(layout)[0] == "Senior Engineer, Acme | Jan 2018 - Present"
    assert layout.lines[0].bold
    assert len(layout.lines) == 6


def test_running_header_and_page_numbers_removed() -> None:
    layout = read_pdf(_running_header())
    texts = _texts(layout)
    assert not any("Curriculum Vitae" in t or t.startswith("Page") for t in texts)
    assert len(texts) == 10
    assert layout.meta["removed_header_lines"] == 4
    assert [ln.page for ln in layout.lines] == [1] * 5 + [2] * 5


def test_hyphenation_joined() -> None:
    texts = _texts(read_pdf(_hyphenated()))
    assert texts == [
        "Responsible for the development",
        "of internal tooling and services",
        "used by a highly self-motivated",
        "team of five engineers.",
    ]


@pytest.mark.parametrize("make", [_hyphenated, _table, lambda: _pdf(lambda c: c.showPage())])
def test_bulk_page_text_gives_each_char_its_own_code(make: Callable[[], bytes]) -> None:
    """The reader takes a page's codes in one FPDFText_GetText call; they must be exactly what
    FPDFText_GetUnicode reports char by char, including the line-end hyphen (U+0002, which
    the bulk text writes as U+FFFE) and a page with no text."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pr

    from parsing.readers.pdf import _api, _page_codes

    pdf = pdfium.PdfDocument(make())
    textpage = pdf[0].get_textpage()
    raw = textpage.raw
    count = pr.FPDFText_CountChars(raw)
    per_char = [pr.FPDFText_GetUnicode(raw, i) for i in range(count)]
    assert make is not _hyphenated or 2 in per_char
    handle = ctypes.cast(raw, ctypes.c_void_p).value or 0
    assert _page_codes(_api(pr), handle, count) == per_char
    textpage.close()
    pdf.close()


def test_char_boxes_point_at_the_word() -> None:
    layout = read_pdf(_right_dates())
    line = layout.lines[0]
    start = line.text.index("Jan")
    x0, top, x1, _ = line.sub_bbox(start, start + 3)
    assert 450 < x0 < x1 < 546
    assert abs(top - 70) < 8  # drawn with its baseline 80 pt from the top


@pytest.mark.parametrize(
    "make",
    [
        lambda: _two_columns(True),
        lambda: _sidebar("left"),
        _table,
        _right_dates,
        _hyphenated,
        _grid_table,
        _label_column,
    ],
)
def test_both_backends_agree(make: Callable[[], bytes]) -> None:
    data = make()
    fast, slow = read_pdf(data), read_pdf(data, backend="pdfplumber")

    def norm(layout: Layout) -> list[str]:
        return [re.sub(r"\s+", " ", t) for t in _texts(layout)]

    assert norm(fast) == norm(slow)
    assert [ln.bold for ln in fast.lines] == [ln.bold for ln in slow.lines]
    for a, b in zip(fast.lines, slow.lines, strict=True):
        assert abs(a.size - b.size) < 0.5
        assert abs(a.bbox[0] - b.bbox[0]) < 2 and abs(a.bbox[2] - b.bbox[2]) < 2


# --------------------------------------------------------------------------- errors


def test_empty_input() -> None:
    with pytest.raises(DocumentLoadError) as err:
        read_layout(b"")
    assert err.value.status == Status.MALFORMED


def test_too_many_pages() -> None:
    def draw(c: canvas.Canvas) -> None:
        for n in range(5):
            _text(c, 50, 100, f"Page body {n}")
            c.showPage()

    with pytest.raises(TooManyPages) as err:
        read_layout(_pdf(draw), max_pages=3)
    assert err.value.status == Status.TOO_MANY_PAGES


def test_encrypted_pdf() -> None:
    data = _pdf(lambda c: _text(c, 50, 100, "Secret CV text here"), encrypt="foo")
    with pytest.raises(EncryptedDocument):
        read_layout(data)


def test_scan_without_text_layer() -> None:
    data = _pdf(lambda c: c.rect(50, 50, 300, 300, fill=1))
    with pytest.raises(EmptyText) as err:
        read_layout(data)
    assert "no text layer" in str(err.value)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer <<>>\n%%EOF",
        _two_columns(False)[:400],
    ],
)
def test_malformed_pdf(data: bytes) -> None:
    with pytest.raises(DocumentLoadError) as err:
        read_layout(data)
    assert err.value.status in (Status.MALFORMED, Status.EMPTY_TEXT)
    assert "Traceback" not in str(err.value)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.4\n...", "pdf"),
        (b"\x00\x01junk before the header %PDF-1.4", "pdf"),
        (b"Jane Example\nPython developer\n", "txt"),
        ("\ufeffJosé Müller\n".encode(), "txt"),
        ("José Müller, Zürich\n".encode("utf-16"), "txt"),
        ("José Müller, Zürich\n".encode("cp1252"), "txt"),
    ],
)
def test_sniff_format(data: bytes, kind: str) -> None:
    assert sniff_format(data) == kind


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        b"\xff\xd8\xff\xe0" + b"\x00" * 64,
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
        bytes(range(256)) * 4,
    ],
)
def test_unsupported(data: bytes) -> None:
    with pytest.raises(UnsupportedFormat):
        read_layout(data)


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()


def test_zip_that_is_not_docx() -> None:
    with pytest.raises(UnsupportedFormat):
        read_layout(_zip({"hello.txt": b"hi"}))


def test_docx_zip_bomb_rejected_before_parsing() -> None:
    bomb = _zip({"word/document.xml": b"<w:document/>", "word/media/big.bin": b"\0" * 6_000_000})
    with pytest.raises(TooLarge):
        read_layout(bomb)


def test_docx_entity_declaration_rejected() -> None:
    xml = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><w:document/>'
    with pytest.raises(DocumentLoadError):
        read_layout(_zip({"word/document.xml": xml, "[Content_Types].xml": b"<Types/>"}))


# --------------------------------------------------------------------------- DOCX


def _docx() -> bytes:
    from docx import Document
    from docx.oxml import parse_xml

    doc = Document()
    doc.sections[0].header.paragraphs[0].text = "Jane Example - CV"
    doc.sections[0].footer.paragraphs[0].text = "References on request"
    doc.add_heading("Jane Example", level=1)
    p = doc.add_paragraph()
    p.add_run("Python developer").bold = True
    doc.add_paragraph("Led the migration to ﬁve services", style="List Bullet")
    t = doc.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "2019 - 2021", "Senior Engineer, Acme"
    t.cell(1, 0).text = "Skills"
    t.cell(1, 1).text = "A long description of many things. " * 4
    box = doc.add_paragraph("Anchor")
    box._p.append(
        parse_xml(
            '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
            ' xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            "<wps:txbx><w:txbxContent><w:p><w:r><w:t>Text box: jane@example.com</w:t></w:r>"
            "</w:p></w:txbxContent></wps:txbx></w:r>"
        )
    )
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_docx_reads_everything_in_order() -> None:
    layout = read_layout(_docx())
    texts = _texts(layout)
    assert layout.kind == "docx"
    assert texts[0] == "Jane Example - CV"
    assert texts[-1] == "References on request"
    body = texts[1:-1]
    assert body[:3] == ["Jane Example", "Python developer", "• Led the migration to five services"]
    assert "2019 - 2021 | Senior Engineer, Acme" in body
    assert "Skills" in body and "Text box: jane@example.com" in body
    assert body.index("Skills") < body.index("Anchor") < body.index("Text box: jane@example.com")
    heading = layout.lines[1]
    assert heading.bold and heading.size > 11
    assert layout.lines[2].bold and not layout.lines[3].bold
    assert all(ln.xs is None and ln.page == 1 for ln in layout.lines)


# --------------------------------------------------------------------------- text


# A CV copied out of a job board: one line, punctuation stripped, a dropped dash left as two
# spaces ("Ltd  Pune"); the structure survives only in its headings and dates.
FLAT_TEXT = (
    "Chennai Tamil Nadu Cloud security professional with three years of experience designing "
    "layered network security for banks Work Experience Cloud Security Engineer Teccorps Ltd  "
    "Pune Maharashtra October 2018 to Present Performed risk analyses to identify security "
    "countermeasures Worked with risk teams presenting recommendations to management Network "
    "Engineer Arohan Systems  Pune Maharashtra July 2016 to September 2018 Configured routers "
    "and firewalls for corporate clients Education Bachelor of Engineering in Computer Science "
    "Pune University  Pune Maharashtra 2012 to 2016 Skills HTML CSS Networking SQL Kubernetes "
    "Languages English Hindi Marathi"
)


def test_a_flattened_text_is_cut_at_its_headings_and_entry_dates() -> None:
    texts = _texts(read_layout(FLAT_TEXT.encode()))
    assert texts[1:5] == [
        "Work Experience",
        "Cloud Security Engineer Teccorps Ltd Pune Maharashtra October 2018 to Present",
        "Performed risk analyses to identify security countermeasures Worked with risk teams "
        "presenting recommendations to management",
        "Network Engineer Arohan Systems Pune Maharashtra July 2016 to September 2018",
    ]
    assert "Education" in texts and "Skills HTML CSS Networking SQL Kubernetes" not in texts
    assert texts[-2:] == ["Languages", "English Hindi Marathi"]
    parsed = parse_bytes(FLAT_TEXT.encode(), "cv.txt")
    assert parsed.status == Status.PARTIAL  # the breaks are guesses, and the recruiter is told
    f = parsed.fields
    jobs = [(e.start.normalized, e.end.normalized) for e in f.experience or [] if e.start and e.end]
    assert jobs[:2] == [("2018-10", "present"), ("2016-07", "2018-09")]
    # the header lost the punctuation between title, employer and place: its title words and
    # the trailing city and region still tell them apart
    heads = [(e.title and e.title.value, e.company and e.company.value) for e in f.experience or []]
    assert heads[:2] == [
        ("Cloud Security Engineer", "Teccorps Ltd"),
        ("Network Engineer", "Arohan Systems"),
    ]
    assert {lang.language.normalized for lang in f.languages or [] if lang.language} >= {"English"}


def test_runs_of_spaces_are_line_breaks_only_where_punctuation_survived() -> None:
    """A flattened export keeps its line breaks as runs of spaces; a text stripped of its
    punctuation has two spaces where a dash was, which is no line break."""
    lines = [
        "Jane Example, Software Developer",
        "Freelance Software Developer, San Mateo, CA, January 2016 to Present",
        "Working as a freelance developer on small business web projects.",
    ]
    kept = "  ".join(lines * 6)
    assert _texts(read_layout(kept.encode()))[:3] == lines
    stripped = re.sub(r"[,.]", "", kept)
    assert len(read_layout(stripped.encode()).lines) == 1


def _printout(text: str, width: float = 430.0, size: float = 10.0) -> bytes:
    """`text` as a text-to-PDF converter prints it: one font, wrapped at `width` points, runs
    of spaces kept inside a printed line and dropped where it wraps."""
    printed: list[str] = []
    cur = ""
    for spaces, word in re.findall(r"( *)(\S+)", text):
        longer = f"{cur}{spaces}{word}" if cur else word
        if cur and stringWidth(longer, "Helvetica", size) > width:
            printed.append(cur)
            cur = word
        else:
            cur = longer
    printed.append(cur)

    def draw(c: canvas.Canvas) -> None:
        for k, s in enumerate(printed):
            if k and k % 50 == 0:
                c.showPage()
            _text(c, 60, 60 + 14 * (k % 50), s, size=size)

    return _pdf(draw)


# A flattened export that kept its punctuation: two spaces for each lost line break.
SPACED_TEXT = "  ".join(
    [
        "Priya Raman",
        "Data Analyst, Pune, Maharashtra",
        "priya.raman@example.com",
        "Work Experience",
        "Data Analyst",
        "Teccorps Ltd, Pune, Maharashtra",
        "October 2018 to Present",
        "Built the monthly sales dashboards in Tableau for the regional teams.",
        "Cut the reporting time of the finance team from five days to two.",
        "Junior Analyst",
        "Arohan Systems, Mumbai, Maharashtra",
        "July 2016 to September 2018",
        "Cleaned and joined customer data from three billing systems in SQL.",
        "Automated the weekly churn report that the sales leads read every Monday morning.",
        "Education",
        "Bachelor of Science in Statistics",
        "Fergusson College, Pune",
        "2013 to 2016",
        "Skills",
        "SQL, Python, Tableau, Excel, Power BI",
    ]
)


@pytest.mark.parametrize(
    ("text", "width"),
    [(FLAT_TEXT, 430.0), (SPACED_TEXT, 440.0), (SPACED_TEXT, 468.0)],
    ids=["stripped", "spaced-heading-at-a-wrap", "spaced-two-spaces-at-a-wrap"],
)
def test_a_printout_of_a_flattened_text_is_cut_like_the_text(text: str, width: float) -> None:
    """Printed to PDF, a flattened text is a wall of lines wrapped at the margin; it is read
    back as the text it was printed from (a line joins the next when the next one's first word
    would not have fitted) and cut into the same lines, each still placed on its page.

    The spaces of a line break dropped at a wrap are inferred where one space would have left
    room for the next word (468 pt), or where a heading begins right after the wrap (440 pt);
    a break hidden where not even one space would have fitted is lost (not at these widths)."""
    pdf = read_layout(_printout(text, width))
    assert len(pdf.lines) > 1 and pdf.meta.get("line_breaks_restored")
    assert _texts(pdf) == _texts(read_layout(text.encode()))
    for ln in pdf.lines:
        assert ln.page == 1 and 60 - 0.5 <= ln.bbox[0] < ln.bbox[2] <= 60 + width + 0.5
    on_one_printed_line = [ln for ln in pdf.lines if ln.xs is not None]
    assert on_one_printed_line
    assert all(len(ln.xs or ()) == len(ln.text) + 1 for ln in on_one_printed_line)
    parsed = parse_bytes(_printout(text, width), "cv.pdf")
    assert parsed.status == Status.PARTIAL and "line breaks" in (parsed.message or "")
    jobs = [(e.start.normalized, e.end.normalized) for e in parsed.fields.experience or []]
    assert jobs[:2] == [("2018-10", "present"), ("2016-07", "2018-09")]


@pytest.mark.parametrize("text", [FLAT_TEXT, SPACED_TEXT], ids=["stripped", "spaced"])
def test_a_flattened_text_pasted_into_word_is_cut_like_the_text(text: str) -> None:
    """The same flattened CV as one Word paragraph reads like the TXT: its runs of spaces are
    taken from the paragraph before cleaning squeezes them."""
    import docx

    doc = docx.Document()
    doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    layout = read_layout(buf.getvalue())
    assert layout.meta.get("line_breaks_restored")
    assert _texts(layout) == _texts(read_layout(text.encode()))
    assert parse_bytes(buf.getvalue(), "cv.docx").status == Status.PARTIAL


def test_a_printout_of_a_text_with_its_line_breaks_is_left_as_printed() -> None:
    """A plain one-font PDF whose lines end where the text's lines end is no wall."""
    text = SPACED_TEXT.replace("  ", "\n")
    pdf = read_layout(_printout(text.replace("\n", " " * 200)))  # each line printed alone
    assert _texts(pdf) == text.split("\n") and not pdf.meta.get("line_breaks_restored")


def test_markdown_is_stripped() -> None:
    md = b"# Jane Example\n\n**Python** developer\n\n## Experience\n- Built [APIs](https://x.io)\n---\n"
    layout = read_layout(md)
    assert _texts(layout) == [
        "Jane Example",
        "Python developer",
        "Experience",
        "• Built APIs https://x.io",
    ]
    assert layout.lines[0].bold and layout.lines[0].size > layout.lines[1].size
    assert layout.lines[1].gap_before > 0


def test_text_encodings_round_trip() -> None:
    for data in ("José Müller\n".encode("utf-16"), "José Müller\n".encode("cp1252")):
        assert _texts(read_layout(data)) == ["José Müller"]


def _timeline_grid() -> bytes:
    """A narrow date column whose ranges wrap ("September 2015 - July" / "2017"), each entry a
    short grid of two rows: the degree, then the school."""

    def draw(c: canvas.Canvas) -> None:
        _text(c, 50, 80, "Education", size=12, bold=True)
        top = 100.0
        for first, second, degree, school in [
            ("September 2015 - July", "2017", "MBA", "Indian Institute of Technology Nadiad"),
            ("September 2011 -", "December 2015", "B.Com", "National Institute of Technology"),
            ("octobre 1995 –", "juillet 1998", "BTS Management", ""),
        ]:
            _text(c, 50, top, first, size=8.5)
            _text(c, 50, top + 11, second, size=8.5)
            _text(c, 146, top, degree)
            if school:
                _text(c, 146, top + 12, school)
            top += 44

    return _pdf(draw)


def test_a_date_range_wrapped_in_its_column_reads_whole() -> None:
    assert _texts(read_pdf(_timeline_grid())) == [
        "Education",
        "September 2015 - July 2017 | MBA",
        "Indian Institute of Technology Nadiad",
        "September 2011 - December 2015 | B.Com",
        "National Institute of Technology",
        "octobre 1995 – juillet 1998 | BTS Management",
    ]


def _wrapped_headings() -> bytes:
    """A narrow label column whose headings wrap: 'Beruflicher' / 'Hintergrund', 'Educational' /
    'Background', each over an entry."""

    def draw(c: canvas.Canvas) -> None:
        _text(c, 50, 60, "Jana Example", size=18, bold=True)
        _text(c, 50, 80, "jana@example.com")
        top = 120.0
        for words, date, entry in [
            (("Beruflicher", "Hintergrund"), "seit 10/2023", "Pflegefachkraft, Klinikum Nord GmbH"),
            (("Educational", "Background"), "2015-06", "PhD in Bioinformatics, Carmenfurt Poly"),
        ]:  # fmt: skip
            for k, w in enumerate(words):
                c.setFont("Helvetica-Bold", 11)
                c.drawRightString(150, HEIGHT - top - 17 * k, w)
            top += 40
            c.setFont("Helvetica", 10)
            c.drawRightString(150, HEIGHT - top, date)
            _text(c, 170, top, entry)
            top += 40

    return _pdf(draw)


def test_a_heading_wrapped_over_two_lines_opens_its_section() -> None:
    layout = read_pdf(_wrapped_headings())
    kinds = [(s.kind, layout.lines[s.first].text) for s in segment_sections(layout)[1:]]
    assert kinds == [
        ("experience", "seit 10/2023 Pflegefachkraft, Klinikum Nord GmbH"),
        ("education", "2015-06 PhD in Bioinformatics, Carmenfurt Poly"),
    ]


def _hanging_education(long_summary: bool) -> bytes:
    """'date | degree, school' rows whose value wraps under its own column (x of the text after
    '|'), then a short dated row over an indented degree line that is no wrap (its first word
    would have fitted on the row)."""

    def draw(c: canvas.Canvas) -> None:
        _text(c, 43, 60, "Amal Example", size=18, bold=True)
        _text(c, 43, 80, "amal@example.com")
        label = "2004 - 2011 | "
        value_x = 43 + stringWidth(label, "Helvetica", 10)
        row = (
            label
            + "Bachelor of Engineering in Electrical, Electronic and Communication, Alexandria"
        )
        if long_summary:  # a line a little wider: still no room for "University" on the row
            _text(c, 43, 100, row + " and")
        _text(c, 43, 130, "EDUCATION", size=12, bold=True)
        _text(c, 43, 150, row)
        _text(c, value_x, 162, "University")
        _text(c, 43, 180, "1999 - 2004 | Technische Universiteit Gonrieux")
        _text(c, value_x, 192, "PhD Informatica")

    return _pdf(draw)


@pytest.mark.parametrize("long_summary", [False, True])
def test_a_value_wrapped_under_its_own_column_is_one_education_line(long_summary: bool) -> None:
    parsed = parse_bytes(_hanging_education(long_summary), "cv.pdf")
    rows = [
        (e.degree and e.degree.value, e.institution and e.institution.value)
        for e in parsed.fields.education or []
    ]
    assert rows == [
        (
            "Bachelor of Engineering in Electrical, Electronic and Communication",
            "Alexandria University",
        ),
        ("PhD Informatica", "Technische Universiteit Gonrieux"),
    ]


def _dates_on_the_schools_row() -> bytes:
    """School, then its dates right-aligned on the same baseline, then the degree: the reader
    gives the dates a line of their own."""

    def draw(c: canvas.Canvas) -> None:
        _text(c, 54, 60, "Ivan Example", size=18, bold=True)
        _text(c, 54, 80, "ivan@example.com")
        _text(c, 54, 110, "EDUCATION", size=12, bold=True)
        top = 130.0
        for school, dates, degree in [
            (
                "TRANSPORT AND TELECOMMUNICATION INSTITUTE",
                "2013 – 2017",
                "Bachelor of Computer Science",
            ),
            ("TRANSPORT AND TELECOMMUNICATION INSTITUTE", "2008 – 2010", "Bachelor of Economics"),
        ]:
            _text(c, 54, top, school)
            c.drawRightString(542, HEIGHT - top, dates)
            _text(c, 54, top + 13, degree)
            top += 33

    return _pdf(draw)


def test_dates_right_aligned_on_the_schools_row_belong_to_that_school() -> None:
    parsed = parse_bytes(_dates_on_the_schools_row(), "cv.pdf")
    rows = [
        (e.degree and e.degree.value, e.end and e.end.normalized)
        for e in parsed.fields.education or []
    ]
    assert rows == [("Bachelor of Computer Science", "2017"), ("Bachelor of Economics", "2010")]


def _education_table() -> bytes:
    """An education table whose bold header row starts with a heading word ("COURSE")."""

    def draw(c: canvas.Canvas) -> None:
        _text(c, 72, 60, "Ravi Example", size=18, bold=True)
        _text(c, 72, 80, "ravi@example.com")
        _text(c, 72, 110, "EDUCATION QUALIFICATION", size=12, bold=True)
        _text(c, 87, 130, "COURSE", bold=True)
        _text(c, 216, 130, "INSTITUTE | BOARD | YEAR | %", bold=True)
        _text(c, 87, 146, "BE | Annamalai University | 2011-2015 | 72%")
        _text(c, 72, 180, "SKILLS", size=12, bold=True)
        _text(c, 72, 196, "AutoCAD, Typing")

    return _pdf(draw)


def test_the_first_cell_of_a_table_header_row_is_no_section_heading() -> None:
    sections = segment_sections(read_pdf(_education_table()))
    assert [s.kind for s in sections] == ["header", "education", "skills"]


def _label_column_bold_entries() -> bytes:
    """A label column whose heading shares its row with the first entry, in bold."""

    def draw(c: canvas.Canvas) -> None:
        _text(c, 81, 60, "Jenni Example", size=18, bold=True)
        _text(c, 81, 80, "jenni@example.com")
        _text(c, 81, 110, "EDUCATION", size=11, bold=True)
        _text(c, 236, 110, "M.Sc Mathematics, 2016 | 75.25%", size=11, bold=True)
        _text(c, 238, 126, "Stella Maris College, Chennai", size=14)
        _text(c, 81, 160, "SKILLS", size=11, bold=True)
        _text(c, 236, 160, "Teaching, MATLAB", size=14)

    return _pdf(draw)


def test_a_label_beside_a_bold_entry_line_is_still_a_heading() -> None:
    sections = segment_sections(read_pdf(_label_column_bold_entries()))
    assert [s.kind for s in sections] == ["header", "education", "skills"]


def _name_in_a_right_sidebar() -> bytes:
    """A right sidebar whose large name wraps after its particle ('Victoria van' /
    'Rousselet'), over the contact details; the main column starts with the job title."""

    def draw(c: canvas.Canvas) -> None:
        _text(c, 51, 54, "Verpleegkundige", size=13, bold=True)
        _text(c, 51, 82, "OVER MIJ", size=13, bold=True)
        _text(c, 51, 104, "Gedreven professional met 7 jaar ervaring binnen de ICT.")
        _text(c, 51, 127, "WERKERVARING", size=13, bold=True)
        for k in range(24):  # a main column long enough to be read before the sidebar
            _text(c, 54, 149 + 13 * k, f"• Zorgplan {k} opgesteld en met het team geëvalueerd")
        _text(c, 439, 55, "Victoria van", size=18, bold=True)
        _text(c, 439, 77, "Rousselet", size=18, bold=True)
        _text(c, 439, 97, "E-mail: victoria@example.nl", size=9)
        _text(c, 439, 109, "Telefoon: +31 20 600 8397", size=9)

    return _pdf(draw)


def test_a_name_wrapped_after_its_particle_is_one_name() -> None:
    name = parse_bytes(_name_in_a_right_sidebar(), "cv.pdf").fields.name
    assert name is not None and name.value == "Victoria van Rousselet"


_WALL_WORDS = [
    "Work", "Experience", "Education", "Skills", "Languages", "Engineer", "Analyst", "Acme",
    "Ltd,", "Pune", "Maharashtra", "2016", "to", "Present", "July", "built", "the", "data",
    "platform.", "SQL", "Python", "and", "for", "banks;", "University", "Bachelor", "of",
]  # fmt: skip


@settings(max_examples=int(os.environ.get("CVASSIST_WALL_EXAMPLES", "12")), deadline=None)
@given(
    st.lists(
        # one space between words, two or three for a lost line break (wider runs that line
        # up over several printed lines read as a table's gutter, as they would in a table)
        st.tuples(st.sampled_from(_WALL_WORDS), st.integers(min_value=1, max_value=3)),
        min_size=120,
        max_size=260,
    ),
    st.sampled_from([300.0, 380.0, 460.0]),
)
def test_a_wall_is_re_cut_without_losing_or_inventing_a_word(
    words: list[tuple[str, int]], width: float
) -> None:
    """Whatever a printed wall holds, re-cutting it only moves line breaks: the words read back
    are the words printed, in order, and every line stays inside the printed text's box."""
    text = "".join(w + " " * n for w, n in words).strip()
    layout = read_layout(_printout(text, width))
    assert layout.meta.get("line_breaks_restored")  # a wall, and it was re-cut
    assert " ".join(_texts(layout)).split() == text.split()
    for ln in layout.lines:
        assert 60 - 0.5 <= ln.bbox[0] <= ln.bbox[2] <= 60 + width + 0.5
        assert ln.xs is None or len(ln.xs) == len(ln.text) + 1


def test_a_later_section_heading_is_not_part_of_the_next_entry_header() -> None:
    """'… Career Level 3 Work Experience Cloud Engineer Infosys March 2019 to Present': a
    heading of a kind already cut (an earlier 'Experience' line) and the words before it do not
    lead the entry's header."""
    text = (
        "Ravi Kumar Pune Maharashtra Experience Level Senior Personal Details Highest Career "
        "Level 3 Work Experience Cloud Engineer Infosys Pune Maharashtra March 2019 to Present "
        "Migrated the payment services to Azure and automated the deployments of forty "
        "services with Terraform Education Bachelor of Engineering Pune University 2012 to "
        "2016 Skills Azure Terraform Kubernetes Python Linux Networking Cloud Security"
    ) + " Azure Terraform Kubernetes" * 12
    texts = _texts(read_layout(text.encode()))
    assert "Cloud Engineer Infosys Pune Maharashtra March 2019 to Present" in texts
