"""Geometry of a read document: pages and lines in reading order, with char offsets into `text`.

Every reader (PDF, DOCX, TXT) returns the same `Layout`; everything downstream works on it and
derives provenance (page, bbox, char span) from it through `Layout.source`.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from parsing.model import Source

BBox = tuple[float, float, float, float]


SAME_ROW = 2.0  # points between the tops of two lines on one visual row


# A text with more than FLAT_SHARE of its characters on lines longer than FLAT_LINE_CHARS has
# lost its line breaks (the text reader re-cuts it; extraction doubts what it reads from lines).
FLAT_LINE_CHARS = 250
FLAT_SHARE = 0.5


def is_flat(text: str) -> bool:
    """More than FLAT_SHARE of the text sits on lines longer than FLAT_LINE_CHARS."""
    long = sum(len(ln) for ln in text.split("\n") if len(ln) > FLAT_LINE_CHARS)
    return long > FLAT_SHARE * len(text)


@dataclass(frozen=True, slots=True)
class Page:
    """One page; width/height in PDF points (0 for flowing formats like TXT)."""

    number: int
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Line:
    """One visual line in reading order.

    `xs` holds the left x of every character plus the right x of the last one (len(text) + 1
    entries) when the reader knows character geometry; it lets a sub-span get its own box.
    `block` numbers the reading-order region (column, sidebar, table cell) the line belongs to.
    `ocr` is None when the line came from a text layer, else its recognised words' x ranges and
    tesseract confidences.
    """

    text: str
    page: int
    bbox: BBox
    start: int
    size: float = 0.0
    bold: bool = False
    block: int = 0
    font: str = ""
    xs: tuple[float, ...] | None = None
    gap_before: float = 0.0
    ocr: tuple[tuple[float, float, float], ...] | None = None  # OCR words: x0, x1, conf 0..1

    @property
    def end(self) -> int:
        """Char offset just past this line in Layout.text."""
        return self.start + len(self.text)

    def beside(self, other: Line) -> bool:
        """`other` sits on this line's row (tops within 2 pt) to its right, on the same page: a
        right-aligned date or the next cell of a table row that the reader cut off (PDF only)."""
        return (
            other.page == self.page
            and self.bbox[2] > 0
            and abs(other.bbox[1] - self.bbox[1]) <= SAME_ROW
            and other.bbox[0] > self.bbox[2]
        )

    def sub_bbox(self, lo: int, hi: int) -> BBox:
        """Box of characters [lo, hi) of this line (line-relative offsets)."""
        _, top, _, bottom = self.bbox
        if self.xs is None or not self.text:
            return self.bbox
        lo = max(0, min(lo, len(self.text)))
        hi = max(lo, min(hi, len(self.text)))
        return (self.xs[lo], top, self.xs[hi] if hi > lo else self.xs[lo], bottom)


@dataclass(frozen=True, slots=True)
class Layout:
    """A document as lines in reading order; `text` is the lines joined with newlines."""

    kind: str
    pages: tuple[Page, ...]
    lines: tuple[Line, ...]
    warnings: tuple[str, ...] = ()
    meta: dict[str, object] = field(default_factory=dict)
    text: str = ""
    _starts: tuple[int, ...] = ()

    @classmethod
    def build(
        cls,
        kind: str,
        pages: list[Page],
        raw_lines: list[dict[str, object]],
        warnings: list[str] | None = None,
        meta: dict[str, object] | None = None,
    ) -> Layout:
        """Assemble a Layout from per-line dicts (keys of Line except `start`), in reading order."""
        lines: list[Line] = []
        parts: list[str] = []
        pos = 0
        for raw in raw_lines:
            text = str(raw["text"])
            line = Line(start=pos, **raw)  # type: ignore[arg-type]
            lines.append(line)
            parts.append(text)
            pos += len(text) + 1
        return cls(
            kind=kind,
            pages=tuple(pages),
            lines=tuple(lines),
            warnings=tuple(warnings or ()),
            meta=dict(meta or {}),
            text="\n".join(parts),
            _starts=tuple(line.start for line in lines),
        )

    @property
    def page_count(self) -> int:
        """Number of pages (1 for flowing text)."""
        return len(self.pages)

    def line_at(self, offset: int) -> int:
        """Index of the line containing char `offset` of `text`."""
        return max(0, bisect_right(self._starts, offset) - 1)

    def source(self, start: int, end: int) -> Source:
        """Provenance of text[start:end]: first page touched, union box on that page, the text."""
        if not self.lines:
            return Source(start=start, end=end, text=self.text[start:end])
        first = self.line_at(start)
        last = self.line_at(max(start, end - 1))
        page = self.lines[first].page
        boxes = []
        for i in range(first, last + 1):
            line = self.lines[i]
            if line.page != page:
                continue
            lo = max(start, line.start) - line.start
            hi = min(end, line.end) - line.start
            if hi <= lo and i != first:
                continue
            boxes.append(line.sub_bbox(lo, hi))
        bbox: BBox | None = None
        if boxes and any(b != (0.0, 0.0, 0.0, 0.0) for b in boxes):
            bbox = (
                round(min(b[0] for b in boxes), 1),
                round(min(b[1] for b in boxes), 1),
                round(max(b[2] for b in boxes), 1),
                round(max(b[3] for b in boxes), 1),
            )
        return Source(page=page, bbox=bbox, start=start, end=end, text=self.text[start:end])
