"""PDF rendering of a `Document` with reportlab: fonts, flowables and the page geometries.

Layout functions (in `corpus.layouts`) combine the builders here; this module knows nothing about
ground truth. PDFs are byte-deterministic (`invariant=1`).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    HRFlowable,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from corpus.document import Block, Document, Section, contact_texts

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
STANDARD = {
    "helvetica": ("Helvetica", "Helvetica-Bold", "Helvetica-Oblique"),
    "times": ("Times-Roman", "Times-Bold", "Times-Italic"),
    "courier": ("Courier", "Courier-Bold", "Courier-Oblique"),
}
DEJAVU = {
    "dejavu": ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"),
    "dejavuserif": ("DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSerif-Italic"),
    "dejavucond": (
        "DejaVuSansCondensed",
        "DejaVuSansCondensed-Bold",
        "DejaVuSansCondensed-Oblique",
    ),
    "dejavumono": ("DejaVuSansMono", "DejaVuSansMono-Bold", "DejaVuSansMono-Oblique"),
}
DEJAVU_FALLBACK = {
    "dejavu": "helvetica",
    "dejavuserif": "times",
    "dejavucond": "helvetica",
    "dejavumono": "courier",
}
CJK_FONT = {"ja": "HeiseiKakuGo-W5", "zh": "STSong-Light"}
_CJK = re.compile(r"([\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]+)")
GREY = colors.Color(0.35, 0.35, 0.35)


@lru_cache(maxsize=1)
def dejavu_available() -> bool:
    """True when the DejaVu TTFs are installed (they are needed for non-Latin scripts)."""
    return all((FONT_DIR / f"{name}.ttf").exists() for fam in DEJAVU.values() for name in fam)


@cache
def font_family(key: str) -> tuple[str, str, str]:
    """(regular, bold, italic) font names for a style key, registering TTFs on first use."""
    if key in STANDARD:
        return STANDARD[key]
    if not dejavu_available():
        return STANDARD[DEJAVU_FALLBACK[key]]
    names = DEJAVU[key]
    for name in names:
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"{name}.ttf")))
    pdfmetrics.registerFontFamily(
        names[0], normal=names[0], bold=names[1], italic=names[2], boldItalic=names[1]
    )
    return names


@cache
def _cid(script: str) -> str:
    name = CJK_FONT[script]
    pdfmetrics.registerFont(UnicodeCIDFont(name))
    return name


@dataclass(slots=True)
class Ctx:
    """Paragraph styles and helpers for one rendering."""

    doc: Document
    fonts: tuple[str, str, str]
    size: float
    accent: colors.Color
    body: ParagraphStyle
    small: ParagraphStyle
    right: ParagraphStyle
    head: ParagraphStyle
    name: ParagraphStyle
    bullet: ParagraphStyle

    def mk(self, text: str) -> str:
        """Escape for Paragraph markup; CJK runs get a CID font."""
        out = escape(text)
        if self.doc.script in CJK_FONT:
            face = _cid(self.doc.script)
            out = _CJK.sub(lambda m: f'<font face="{face}">{m.group(1)}</font>', out)
        return out

    def para(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph of plain text."""
        return Paragraph(self.mk(text), style or self.body)

    def runs(self, line: list[tuple[str, str]], style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph of bold / italic / regular runs."""
        parts = []
        for text, weight in line:
            t = self.mk(text)
            parts.append(f"<b>{t}</b>" if weight == "b" else f"<i>{t}</i>" if weight == "i" else t)
        return Paragraph("".join(parts), style or self.body)


def _winansi(doc: Document) -> bool:
    """True when every printed character exists in the standard PDF fonts (cp1252)."""
    parts = [doc.name, doc.headline, doc.style.bullet, *(t for _, t in doc.contact)]
    for sec in doc.sections:
        parts += [sec.heading, sec.text, *sec.items]
        for b in sec.blocks:
            parts += [t for line in b.lines for t, _ in line] + b.bullets + [b.dates or ""]
    try:
        "".join(parts).encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def make_ctx(doc: Document, font_key: str | None = None, size: float | None = None) -> Ctx:
    """Styles for a document (font and size from its Style unless overridden)."""
    key = font_key or doc.style.font
    if key in STANDARD and not _winansi(doc):
        key = {"times": "dejavuserif", "courier": "dejavumono"}.get(key, "dejavu")
    fonts = font_family(key)
    sz = size or doc.style.size
    accent = colors.Color(*doc.style.accent)
    body = ParagraphStyle(
        "body", fontName=fonts[0], fontSize=sz, leading=sz * 1.3, alignment=TA_LEFT
    )
    return Ctx(
        doc=doc,
        fonts=fonts,
        size=sz,
        accent=accent,
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=sz * 0.9, leading=sz * 1.15),
        right=ParagraphStyle("right", parent=body, alignment=TA_RIGHT, textColor=GREY),
        head=ParagraphStyle(
            "head",
            parent=body,
            fontName=fonts[1],
            fontSize=sz * 1.3,
            leading=sz * 1.6,
            textColor=accent,
            spaceBefore=sz * 0.9,
            spaceAfter=sz * 0.3,
        ),
        name=ParagraphStyle(
            "name", parent=body, fontName=fonts[1], fontSize=sz * 2.3, leading=sz * 2.7
        ),
        bullet=ParagraphStyle(
            "bullet", parent=body, leftIndent=sz * 1.4, bulletIndent=sz * 0.3, spaceBefore=1
        ),
    )


def heading(ctx: Ctx, sec: Section, kind: str = "rule", width: float = 0) -> list[Flowable]:
    """A section heading: "rule" (text + line), "plain", "bar" (filled band), "center"."""
    if kind == "bar":
        t = Table(
            [
                [
                    ctx.para(
                        sec.heading, ParagraphStyle("hb", parent=ctx.head, textColor=colors.white)
                    )
                ]
            ],
            colWidths=[width] if width else None,
        )
        t.setStyle(
            TableStyle(
                [("BACKGROUND", (0, 0), (-1, -1), ctx.accent), ("LEFTPADDING", (0, 0), (-1, -1), 4)]
            )
        )
        return [Spacer(1, ctx.size * 0.6), t, Spacer(1, ctx.size * 0.3)]
    if kind == "center":
        style = ParagraphStyle("hc", parent=ctx.head, alignment=TA_CENTER)
        return [ctx.para(sec.heading, style)]
    out: list[Flowable] = [CondPageBreak(ctx.size * 6), ctx.para(sec.heading, ctx.head)]
    if kind == "rule":
        out.append(HRFlowable(width="100%", thickness=0.6, color=ctx.accent, spaceAfter=3))
    return out


def bullets(ctx: Ctx, items: list[str]) -> list[Flowable]:
    """Bulleted paragraphs with the style's bullet character."""
    char = ctx.doc.style.bullet
    return [Paragraph(ctx.mk(t), ctx.bullet, bulletText=char) for t in items]


def block_flow(ctx: Ctx, block: Block, width: float, date_col: float = 0) -> list[Flowable]:
    """One entry: header lines, dates (right-aligned cell or a left column) and bullets."""
    lines = [ctx.runs(line) for line in block.lines]
    body: list[Flowable] = []
    dates = block.dates
    place = ctx.doc.style.date_place
    if dates is not None and place == "right":
        t = Table([[lines[0], ctx.para(dates, ctx.right)]], colWidths=[width * 0.7, width * 0.3])
        t.setStyle(_tight())
        body.append(t)
        body += lines[1:]
    else:
        body += lines
    body += bullets(ctx, block.bullets)
    if dates is not None and place == "left":
        dc = date_col or width * 0.24
        t = Table([[ctx.para(dates, ctx.small), body]], colWidths=[dc, width - dc])
        t.setStyle(_tight())
        out: list[Flowable] = [t]
    else:
        out = body
    if block.indent:
        t = Table([[out]], colWidths=[width - 12])
        t.setStyle(_tight(left=12))
        out = [t]
    return [KeepTogether([*out, Spacer(1, ctx.size * 0.45)])]


def _tight(left: float = 0) -> TableStyle:
    return TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ("LEFTPADDING", (0, 0), (0, -1), left),
        ]
    )


def skills_flow(ctx: Ctx, sec: Section, width: float, style: str | None = None) -> list[Flowable]:
    """The skills list in the style's form: comma, bullets, grouped, pipe or columns."""
    kind = style or ctx.doc.style.skill_style
    if kind == "comma":
        return [ctx.para(", ".join(sec.items))]
    if kind == "pipe":
        return [ctx.para(" | ".join(sec.items))]
    if kind == "grouped":
        return [
            ctx.runs([(f"{label}: ", "b"), (", ".join(items), "r")]) for label, items in sec.groups
        ]
    if kind == "columns" and width > 250:
        ncol = 3
        rows = [sec.items[i : i + ncol] for i in range(0, len(sec.items), ncol)]
        cells = [
            [Paragraph(ctx.mk(s), ctx.body, bulletText=ctx.doc.style.bullet) for s in row]
            + [""] * (ncol - len(row))
            for row in rows
        ]
        t = Table(cells, colWidths=[width / ncol] * ncol)
        t.setStyle(_tight(left=8))
        return [t]
    return bullets(ctx, sec.items)


def section_flow(
    ctx: Ctx, sec: Section, width: float, head: str = "rule", date_col: float = 0
) -> list[Flowable]:
    """Heading plus content of any section."""
    out = heading(ctx, sec, head, width)
    if sec.key == "skills":
        out += skills_flow(ctx, sec, width)
    elif sec.text:
        out.append(ctx.para(sec.text))
    elif sec.blocks:
        for block in sec.blocks:
            out += block_flow(ctx, block, width, date_col)
    elif sec.key == "interests":
        out.append(ctx.para(", ".join(sec.items)))
    else:
        out += (
            bullets(ctx, sec.items)
            if ctx.doc.style.bullet != "*"
            else [ctx.para(t) for t in sec.items]
        )
    return out


def header_flow(
    ctx: Ctx, align: int = TA_LEFT, sep: str = " | ", with_headline: bool = True
) -> list[Flowable]:
    """Name, headline and contact details (one row or stacked, per the style)."""
    name_style = ParagraphStyle("n2", parent=ctx.name, alignment=align)
    small = ParagraphStyle("c2", parent=ctx.body, alignment=align)
    out: list[Flowable] = [ctx.para(ctx.doc.name, name_style)]
    if with_headline:
        out.append(
            ctx.para(
                ctx.doc.headline,
                ParagraphStyle(
                    "hl",
                    parent=small,
                    fontSize=ctx.size * 1.2,
                    leading=ctx.size * 1.6,
                    textColor=ctx.accent,
                ),
            )
        )
    items = contact_texts(ctx.doc)
    if ctx.doc.style.contact_style == "row":
        out.append(ctx.para(sep.join(items), small))
    else:
        out += [ctx.para(t, small) for t in items]
    out.append(Spacer(1, ctx.size * 0.8))
    return out


def contact_flow(ctx: Ctx) -> list[Flowable]:
    """Contact details stacked one per line (sidebars)."""
    return [ctx.para(t, ctx.small) for t in contact_texts(ctx.doc)]


def build_pdf(
    pagesize: tuple[float, float],
    templates: list[PageTemplate],
    story: list[Flowable],
    title: str,
) -> bytes:
    """Render the story with the page templates; deterministic bytes."""
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=pagesize,
        pageTemplates=templates,
        invariant=1,
        title=title,
        author="cvassist corpus",
        creator="cvassist corpus",
        leftMargin=0,
        rightMargin=0,
        topMargin=0,
        bottomMargin=0,
    )
    doc.build(story)
    return buf.getvalue()


def page_size(doc: Document) -> tuple[float, float]:
    """US letter for some English CVs, A4 for everyone else."""
    return LETTER if doc.lang == "en" and doc.style.size >= 10.5 else A4


MARGIN = 18 * mm
