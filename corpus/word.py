"""DOCX rendering of a `Document` with python-docx: a heading-styles layout and a table layout.

python-docx stamps the current time into the zip; `_normalise_zip` rewrites the archive with fixed
timestamps so the same document always gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Any

from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from corpus.document import Block, Document, Section, contact_texts, plain

FIXED_TIME = datetime(2025, 1, 1)
WORD_FONTS = {
    "helvetica": "Arial",
    "times": "Times New Roman",
    "courier": "Courier New",
    "dejavu": "DejaVu Sans",
    "dejavuserif": "DejaVu Serif",
    "dejavucond": "DejaVu Sans Condensed",
    "dejavumono": "DejaVu Sans Mono",
}


def _runs(par: Any, line: list[tuple[str, str]]) -> None:
    for text, weight in line:
        run = par.add_run(text)
        run.bold = weight == "b"
        run.italic = weight == "i"


def _bullets(d: Any, items: list[str], char: str) -> None:
    for item in items:
        if char == "•":
            d.add_paragraph(item, style="List Bullet")
        else:
            d.add_paragraph(f"{char} {item}")


def _section_body(d: Any, doc: Document, sec: Section) -> None:
    st = doc.style
    if sec.key == "skills":
        if st.skill_style == "grouped":
            for label, items in sec.groups:
                _runs(d.add_paragraph(), [(f"{label}: ", "b"), (", ".join(items), "r")])
        elif st.skill_style in ("bullets", "columns"):
            _bullets(d, sec.items, st.bullet)
        else:
            d.add_paragraph((" | " if st.skill_style == "pipe" else ", ").join(sec.items))
    elif sec.text:
        d.add_paragraph(sec.text)
    elif sec.key == "interests":
        d.add_paragraph(", ".join(sec.items))
    else:
        _bullets(d, sec.items, st.bullet)


def _block(d: Any, doc: Document, block: Block) -> None:
    first = d.add_paragraph()
    _runs(first, block.lines[0])
    if block.dates is not None:
        first.add_run("\t" + block.dates).italic = True
    for line in block.lines[1:]:
        _runs(d.add_paragraph(), line)
    _bullets(d, block.bullets, doc.style.bullet)


def _header(d: Any, doc: Document, color: RGBColor) -> None:
    title = d.add_paragraph()
    run = title.add_run(doc.name)
    run.bold = True
    run.font.size = Pt(22)
    sub = d.add_paragraph()
    sub.add_run(doc.headline).font.color.rgb = color
    contacts = contact_texts(doc)
    if doc.style.contact_style == "row":
        d.add_paragraph(" | ".join(contacts))
    else:
        for c in contacts:
            d.add_paragraph(c)


def _paragraph_layout(d: Any, doc: Document) -> None:
    for sec in doc.sections:
        d.add_heading(sec.heading, level=1)
        if sec.blocks:
            for block in sec.blocks:
                _block(d, doc, block)
        else:
            _section_body(d, doc, sec)


def _table_layout(d: Any, doc: Document) -> None:
    for sec in doc.sections:
        table = d.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        head = table.add_row().cells
        merged = head[0].merge(head[1])
        merged.paragraphs[0].add_run(sec.heading).bold = True
        rows: list[Block | None] = list(sec.blocks) or [None]
        for block in rows:
            left, right = table.add_row().cells
            if block is None:
                right.paragraphs[0].text = ""
                _section_body(right, doc, sec)
                continue
            left.paragraphs[0].text = block.dates or ""
            _runs(right.paragraphs[0], block.lines[0])
            for line in block.lines[1:]:
                _runs(right.add_paragraph(), line)
            for b in block.bullets:
                right.add_paragraph(f"{doc.style.bullet} {b}")
        d.add_paragraph()


def _normalise_zip(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def render_docx(doc: Document, kind: str) -> bytes:
    """The document as DOCX: kind "paragraphs" (heading styles, bullets) or "table"."""
    d = new_docx()
    props = d.core_properties
    props.author = "cvassist corpus"
    props.title = ""
    props.created = props.modified = FIXED_TIME
    props.last_modified_by = "cvassist corpus"
    props.revision = 1
    normal = d.styles["Normal"]
    normal.font.name = WORD_FONTS.get(doc.style.font, "Calibri")
    normal.font.size = Pt(doc.style.size + 0.5)
    color = RGBColor(*(int(c * 255) for c in doc.style.accent))
    _header(d, doc, color)
    if kind == "table":
        _table_layout(d, doc)
    else:
        _paragraph_layout(d, doc)
    d.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT
    buf = io.BytesIO()
    d.save(buf)
    return _normalise_zip(buf.getvalue())


__all__ = ["plain", "render_docx"]
