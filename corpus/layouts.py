"""The visually distinct CV layouts: page geometry and section placement per layout.

Each layout fixes some style choices (passed to `build_document`) and draws the document with
the builders in `corpus.pdf`. `LAYOUTS` is the registry used by the generator and the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Frame,
    FrameBreak,
    HRFlowable,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from corpus.document import Document, Section, contact_texts
from corpus.pdf import (
    MARGIN,
    Ctx,
    build_pdf,
    bullets,
    contact_flow,
    dejavu_available,
    header_flow,
    heading,
    make_ctx,
    page_size,
    section_flow,
    skills_flow,
)

SIDEBAR_KEYS = ("skills", "languages", "interests")
RIGHT_COLUMN_KEYS = (
    "education",
    "skills",
    "languages",
    "certifications",
    "awards",
    "interests",
    "references",
)


@dataclass(frozen=True, slots=True)
class Layout:
    """A named layout: what it looks like, the style it fixes, how it draws, its DOCX form."""

    name: str
    description: str
    fixed: dict[str, Any]
    draw: Callable[[Document], bytes]
    docx: str  # "paragraphs" or "table"


def _frame(x: float, y: float, w: float, h: float, fid: str) -> Frame:
    return Frame(x, y, w, h, id=fid, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)


def _single(doc: Document, ctx: Ctx, story: list[Flowable]) -> bytes:
    width, height = page_size(doc)
    frame = _frame(MARGIN, MARGIN, width - 2 * MARGIN, height - 2 * MARGIN, "main")
    return build_pdf((width, height), [PageTemplate("page", [frame])], story, doc.name)


def draw_classic(doc: Document) -> bytes:
    """Centered header, ruled headings, one column."""
    ctx = make_ctx(doc)
    w = page_size(doc)[0] - 2 * MARGIN
    story = header_flow(ctx, TA_CENTER, " | ")
    for sec in doc.sections:
        story += section_flow(ctx, sec, w, "rule")
    return _single(doc, ctx, story)


def draw_modern(doc: Document) -> bytes:
    """Left-aligned header, headings on coloured bars, dates on their own line."""
    ctx = make_ctx(doc)
    w = page_size(doc)[0] - 2 * MARGIN
    story = header_flow(ctx, sep="  ·  ")
    for sec in doc.sections:
        story += section_flow(ctx, sec, w, "bar")
    return _single(doc, ctx, story)


def draw_academic(doc: Document) -> bytes:
    """Serif, centered headings, education first."""
    ctx = make_ctx(doc)
    w = page_size(doc)[0] - 2 * MARGIN
    story = header_flow(ctx, TA_CENTER, " · ", with_headline=False)
    for sec in doc.sections:
        story += section_flow(ctx, sec, w, "center")
    return _single(doc, ctx, story)


def draw_compact(doc: Document) -> bytes:
    """Monospace, dense, plain headings, dates inline in parentheses."""
    ctx = make_ctx(doc)
    w = page_size(doc)[0] - 2 * MARGIN
    story = header_flow(ctx, sep=" / ")
    for sec in doc.sections:
        story += section_flow(ctx, sec, w, "plain")
    return _single(doc, ctx, story)


def draw_header_bar(doc: Document) -> bytes:
    """Full-width coloured banner with name and contact row (icons), one column below."""
    ctx = make_ctx(doc)
    w = page_size(doc)[0] - 2 * MARGIN
    white = ParagraphStyle("w", parent=ctx.name, textColor=colors.white)
    row = ParagraphStyle("wr", parent=ctx.small, textColor=colors.white)
    icons = {"email": "✉ ", "phone": "☎ ", "address": "⌂ ", "link": "↗ "}
    if not dejavu_available() or ctx.fonts[0] in ("Helvetica", "Times-Roman", "Courier"):
        icons = {k: "" for k in icons}
    parts = [
        f"{icons[kind]}{text}"
        for (kind, _), text in zip(doc.contact, contact_texts(doc), strict=True)
    ]
    banner = Table(
        [
            [ctx.para(doc.name, white)],
            [ctx.para(doc.headline, row)],
            [ctx.para("   |   ".join(parts), row)],
        ],
        colWidths=[w],
    )
    banner.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), ctx.accent),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (0, 0), 10),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 10),
            ]
        )
    )
    story: list[Flowable] = [banner, Spacer(1, 8)]
    for sec in doc.sections:
        story += section_flow(ctx, sec, w, "rule")
    return _single(doc, ctx, story)


def draw_two_column(doc: Document) -> bytes:
    """Header across the top, then two equal columns (experience left, the rest right)."""
    ctx = make_ctx(doc)
    width, height = page_size(doc)
    gap = 8 * mm
    col = (width - 2 * MARGIN - gap) / 2
    head_h = 34 * mm
    body_h = height - 2 * MARGIN - head_h
    first = [
        _frame(MARGIN, height - MARGIN - head_h, width - 2 * MARGIN, head_h, "head"),
        _frame(MARGIN, MARGIN, col, body_h, "left"),
        _frame(MARGIN + col + gap, MARGIN, col, body_h, "right"),
    ]
    later = [
        _frame(MARGIN, MARGIN, col, height - 2 * MARGIN, "left2"),
        _frame(MARGIN + col + gap, MARGIN, col, height - 2 * MARGIN, "right2"),
    ]
    story: list[Flowable] = [NextPageTemplate("later"), *header_flow(ctx, sep=" | "), FrameBreak()]
    left = [s for s in doc.sections if s.key not in RIGHT_COLUMN_KEYS]
    right = [s for s in doc.sections if s.key in RIGHT_COLUMN_KEYS]
    for sec in left:
        story += section_flow(ctx, sec, col, "rule")
    story.append(FrameBreak())
    for sec in right:
        story += section_flow(ctx, sec, col, "rule")
    templates = [PageTemplate("first", first), PageTemplate("later", later)]
    return build_pdf((width, height), templates, story, doc.name)


def _sidebar(doc: Document, side: str) -> bytes:
    ctx = make_ctx(doc)
    width, height = page_size(doc)
    bar_w = 62 * mm
    pad = 7 * mm
    main_w = width - bar_w - MARGIN - pad * 2
    if side == "left":
        bar_x, main_x = 0.0, bar_w + pad
    else:
        bar_x, main_x = width - bar_w, MARGIN
    tint = colors.Color(*[0.9 + 0.1 * c for c in doc.style.accent])

    def paint(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(tint)
        canvas.rect(bar_x, 0, bar_w, height, stroke=0, fill=1)
        canvas.restoreState()

    first = [
        _frame(bar_x + pad, MARGIN, bar_w - 2 * pad, height - 2 * MARGIN, "sidebar"),
        _frame(main_x, MARGIN, main_w, height - 2 * MARGIN, "main"),
    ]
    later = [_frame(MARGIN, MARGIN, width - 2 * MARGIN, height - 2 * MARGIN, "full")]
    side_style = ParagraphStyle("sh", parent=ctx.head, fontSize=ctx.size * 1.1)
    story: list[Flowable] = [NextPageTemplate("later")]
    story.append(
        Paragraph(
            ctx.mk(doc.name),
            ParagraphStyle("sn", parent=ctx.name, fontSize=ctx.size * 1.8, leading=ctx.size * 2.2),
        )
    )
    story += contact_flow(ctx)
    for sec in doc.sections:
        if sec.key in SIDEBAR_KEYS:
            story.append(Paragraph(ctx.mk(sec.heading), side_style))
            if sec.key == "skills":
                story += skills_flow(
                    ctx, sec, bar_w - 2 * pad, "bullets" if len(sec.items) < 16 else "comma"
                )
            elif sec.key == "interests":
                story.append(ctx.para(", ".join(sec.items), ctx.small))
            else:
                story += [ctx.para(t, ctx.small) for t in sec.items]
    story.append(FrameBreak())
    story.append(ctx.para(doc.headline, ParagraphStyle("hl", parent=ctx.head, spaceBefore=0)))
    for sec in doc.sections:
        if sec.key not in SIDEBAR_KEYS:
            story += section_flow(ctx, sec, main_w, "rule")
    templates = [PageTemplate("first", first, onPage=paint), PageTemplate("later", later)]
    return build_pdf((width, height), templates, story, doc.name)


def draw_sidebar_left(doc: Document) -> bytes:
    """Tinted left sidebar (name, contact, skills, languages, interests) beside the main column."""
    return _sidebar(doc, "left")


def draw_sidebar_right(doc: Document) -> bytes:
    """Main column left, tinted sidebar on the right."""
    return _sidebar(doc, "right")


def _section_rows(
    ctx: Ctx, sec: Section, w: float, date_style: ParagraphStyle | None = None
) -> list[list[Any]]:
    """[left cell, right cell] rows of one section (dates left, content right)."""
    if sec.blocks:
        return [
            [
                ctx.para(b.dates or "", date_style or ctx.small),
                [ctx.runs(line) for line in b.lines] + bullets(ctx, b.bullets),
            ]
            for b in sec.blocks
        ]
    if sec.key == "skills":
        return [["", skills_flow(ctx, sec, w)]]
    if sec.text:
        return [["", ctx.para(sec.text)]]
    return [["", [ctx.para(t) for t in sec.items]]]


def draw_table_grid(doc: Document) -> bytes:
    """Every section is a bordered table: heading row, then date column | content rows."""
    ctx = make_ctx(doc)
    w = page_size(doc)[0] - 2 * MARGIN
    dc = 32 * mm
    story = header_flow(ctx, sep=" | ")
    head = ParagraphStyle("th", parent=ctx.head, spaceBefore=0, spaceAfter=0)
    for sec in doc.sections:
        rows = [[Paragraph(ctx.mk(sec.heading), head), ""], *_section_rows(ctx, sec, w - dc)]
        t = Table(rows, colWidths=[dc, w - dc], repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("SPAN", (0, 0), (1, 0)),
                    ("BACKGROUND", (0, 0), (1, 0), colors.Color(0.92, 0.92, 0.92)),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story += [t, Spacer(1, 6)]
    return _single(doc, ctx, story)


def draw_europass(doc: Document) -> bytes:
    """Label column on the left: section headings and dates right-aligned, content right."""
    ctx = make_ctx(doc)
    w = page_size(doc)[0] - 2 * MARGIN
    dc = 45 * mm
    label = ParagraphStyle(
        "lab", parent=ctx.head, alignment=TA_RIGHT, fontSize=ctx.size * 1.05, spaceBefore=0
    )
    right_small = ParagraphStyle("rs", parent=ctx.small, alignment=TA_RIGHT)
    story = header_flow(ctx, sep="  ")
    for sec in doc.sections:
        rows: list[list[Any]] = [
            [
                Paragraph(ctx.mk(sec.heading), label),
                HRFlowable(width="100%", color=ctx.accent, thickness=0.8),
            ]
        ]
        rows += _section_rows(ctx, sec, w - dc, right_small)
        t = Table(rows, colWidths=[dc, w - dc])
        t.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("RIGHTPADDING", (0, 0), (0, -1), 10),
                    ("VALIGN", (1, 0), (1, 0), "MIDDLE"),
                ]
            )
        )
        story += [t, Spacer(1, 4)]
    return _single(doc, ctx, story)


def draw_timeline(doc: Document) -> bytes:
    """Dates left of a vertical accent line, entries to its right."""
    ctx = make_ctx(doc)
    w = page_size(doc)[0] - 2 * MARGIN
    dc = 30 * mm
    story = header_flow(ctx, sep=" • ")
    for sec in doc.sections:
        story += heading(ctx, sec, "plain")
        t = Table(_section_rows(ctx, sec, w - dc - 10), colWidths=[dc, w - dc])
        t.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBEFORE", (1, 0), (1, -1), 1.5, ctx.accent),
                    ("LEFTPADDING", (1, 0), (1, -1), 10),
                    ("LEFTPADDING", (0, 0), (0, -1), 0),
                ]
            )
        )
        story.append(t)
    return _single(doc, ctx, story)


LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in (
        Layout(
            "classic",
            "single column, centered header, ruled headings, dates right-aligned",
            {
                "date_place": "right",
                "contact_style": "row",
                "font": ["helvetica", "times", "dejavuserif"],
                "entry_line": ["stacked", "title_comma", "company_stacked"],
            },
            draw_classic,
            "paragraphs",
        ),
        Layout(
            "modern",
            "single column, headings on coloured bars, 'Company — Title', dates on "
            "their own line, ▪/► bullets",
            {
                "date_place": "own_line",
                "entry_line": "company_dash",
                "font": ["dejavu", "dejavucond"],
                "bullet": ["▪", "►", "•"],
            },
            draw_modern,
            "paragraphs",
        ),
        Layout(
            "two_column",
            "header band, then two equal columns (experience left, the rest right)",
            {
                "date_place": "own_line",
                "contact_style": "row",
                "size": [8.5, 9.0],
                "entry_line": ["title_at", "stacked"],
                "skill_style": ["bullets", "comma"],
            },
            draw_two_column,
            "paragraphs",
        ),
        Layout(
            "sidebar_left",
            "tinted left sidebar with contact, skills, languages, interests",
            {
                "entry_line": ["company_dash", "stacked", "title_comma"],
                "date_place": ["right", "own_line"],
                "size": [9.0, 9.5, 10.0],
            },
            draw_sidebar_left,
            "paragraphs",
        ),
        Layout(
            "sidebar_right",
            "main column left, tinted sidebar on the right; title bold, company next line",
            {
                "entry_line": "stacked",
                "date_place": "own_line",
                "bullet": ["►", "▪", "–"],
                "font": ["dejavu", "dejavuserif", "helvetica"],
                "size": [9.0, 9.5, 10.0],
            },
            draw_sidebar_right,
            "paragraphs",
        ),
        Layout(
            "table_grid",
            "every section a bordered table: date column | content",
            {
                "date_place": "left",
                "entry_line": ["title_comma", "stacked", "company_dash"],
                "skill_style": ["comma", "grouped", "columns"],
            },
            draw_table_grid,
            "table",
        ),
        Layout(
            "europass",
            "label column: headings and dates right-aligned on the left",
            {
                "date_place": "left",
                "entry_line": ["stacked", "title_comma"],
                "heading_case": "as_is",
                "contact_style": ["stack", "labels"],
            },
            draw_europass,
            "table",
        ),
        Layout(
            "timeline",
            "dates left of a vertical accent line, entries right",
            {"date_place": "left", "entry_line": ["stacked", "company_stacked", "title_at"]},
            draw_timeline,
            "table",
        ),
        Layout(
            "header_bar",
            "coloured banner with name and an icon contact row; "
            "'Title | Company | dates' lines, * bullets",
            {
                "entry_line": "pipe",
                "date_place": "pipe",
                "bullet": ["*", "•", "–"],
                "contact_style": "row",
            },
            draw_header_bar,
            "paragraphs",
        ),
        Layout(
            "compact",
            "monospace, dense, plain upper-case headings, dates inline in parentheses",
            {
                "font": ["courier", "dejavumono"],
                "size": [8.5, 9.0],
                "date_place": "inline",
                "entry_line": ["company_dash", "title_comma", "title_at"],
                "heading_case": "upper",
                "skill_style": ["comma", "pipe"],
                "bullet": "-",
            },
            draw_compact,
            "paragraphs",
        ),
        Layout(
            "academic",
            "serif, centered headings, education first, title and company on one line",
            {
                "font": ["times", "dejavuserif"],
                "entry_line": ["title_comma", "stacked"],
                "date_place": ["right", "inline"],
                "contact_style": "row",
                "section_order": (
                    "summary",
                    "education",
                    "experience",
                    "certifications",
                    "skills",
                    "languages",
                    "awards",
                    "projects",
                    "volunteer",
                    "interests",
                    "references",
                ),
            },
            draw_academic,
            "paragraphs",
        ),
    )
}
