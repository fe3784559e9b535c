"""Drawing the evidence: value boxes on PDF page images, highlighted spans in extracted text."""

from __future__ import annotations

import html
import io
from dataclasses import dataclass

from PIL import Image, ImageDraw

from correction.preview import PageImage

BAND_RGB = {"green": (46, 125, 50), "amber": (230, 138, 0), "red": (198, 40, 40)}
BAND_MARK = {"green": "#c8e6c9", "amber": "#ffe0b2", "red": "#ffcdd2"}
SELECTED_RGBA = (255, 214, 0, 90)  # translucent yellow fill behind the selected value
LINE = 2  # px outline of a box
SELECTED_LINE = 5
PAD = 2  # px around a box so the outline does not cover the glyphs
TEXT_HEIGHT_PX = 640


@dataclass(frozen=True, slots=True)
class Mark:
    """Where one value is: page + bbox (PDF points) and/or a char span; its band."""

    path: str
    band: str
    page: int | None
    bbox: tuple[float, float, float, float] | None
    start: int | None
    end: int | None


def draw_boxes(page: PageImage, marks: list[Mark], selected: str | None) -> bytes:
    """The page PNG with a box per value on it (band colour; the selected one thick, filled)."""
    image = Image.open(io.BytesIO(page.png)).convert("RGB")
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    ordered = sorted(marks, key=lambda m: m.path == selected)  # the selected one on top
    for m in ordered:
        if m.page != page.number or m.bbox is None:
            continue
        x0, y0, x1, y1 = (v * page.scale for v in m.bbox)
        box = (x0 - PAD, y0 - PAD, x1 + PAD, y1 + PAD)
        rgb = BAND_RGB.get(m.band, (90, 90, 90))
        if m.path == selected:
            draw.rectangle(box, fill=SELECTED_RGBA, outline=(*rgb, 255), width=SELECTED_LINE)
        else:
            draw.rectangle(box, outline=(*rgb, 230), width=LINE)
    image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def highlight_html(text: str, marks: list[Mark], selected: str | None) -> str:
    """The text as escaped HTML with each value's span in a <mark> (band colour, selected bold).

    Overlapping spans keep the earlier one; everything from the document is escaped.
    """
    spans = sorted(
        (m for m in marks if m.start is not None and m.end is not None and m.end > m.start),
        key=lambda m: (m.start, m.path != selected),
    )
    parts: list[str] = []
    pos = 0
    for m in spans:
        assert m.start is not None and m.end is not None
        if m.start < pos or m.end > len(text):
            continue
        parts.append(html.escape(text[pos : m.start]))
        colour = BAND_MARK.get(m.band, "#e0e0e0")
        style = f"background:{colour};padding:0 1px;border-radius:2px"
        if m.path == selected:
            style += ";outline:3px solid #f9a825;font-weight:600"
        title = html.escape(m.path, quote=True)
        body = html.escape(text[m.start : m.end])
        parts.append(f'<mark title="{title}" style="{style}">{body}</mark>')
        pos = m.end
    parts.append(html.escape(text[pos:]))
    return (
        f'<div style="white-space:pre-wrap;font-family:monospace;font-size:0.85rem;'
        f'max-height:{TEXT_HEIGHT_PX}px;overflow:auto;border:1px solid #ddd;padding:0.5rem">'
        f"{''.join(parts)}</div>"
    )


def snippet_html(text: str, mark: Mark, context: int = 120) -> str | None:
    """The selected value in its surrounding text (escaped), or None without a span."""
    if mark.start is None or mark.end is None or mark.end > len(text):
        return None
    lo, hi = max(0, mark.start - context), min(len(text), mark.end + context)
    colour = BAND_MARK.get(mark.band, "#e0e0e0")
    before, value, after = (
        html.escape(text[lo : mark.start]),
        html.escape(text[mark.start : mark.end]),
        html.escape(text[mark.end : hi]),
    )
    return (
        f'<div style="white-space:pre-wrap;font-size:0.9rem">…{before}'
        f'<mark style="background:{colour};outline:3px solid #f9a825">{value}</mark>{after}…</div>'
    )
