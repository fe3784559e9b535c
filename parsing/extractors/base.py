"""What every extractor shares: the document context and how a value becomes a `Field`."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

from parsing.confidence import score
from parsing.layout import FLAT_LINE_CHARS, FLAT_SHARE, Layout, Line
from parsing.model import Field
from parsing.sections import HEADER, Section

WALL_LINE_CHARS = 60  # a full line of body text
WALL_SHARE = 0.8
WALL_MIN_LINES = 10
WALL_MAX_HEADINGS = 2  # more headings than this: sections were found, the text is not flat
PATTERN_KINDS = frozenset({"email", "phone", "link"})
# Lost line breaks hurt what is read from lines (entries, names), not self-validating patterns
# or lexicon skills.
FLAT_EXEMPT_KINDS = PATTERN_KINDS | {"skill"}
BULLET_RE = re.compile(r"^\s*(?:[•·▪►◆◦‣∙●○■□➢➤✓✔\-–—*+>]|\d{1,2}[.)])\s+")
LINE_BREAK_RE = re.compile(r"[ \t]*\n\s*")
SPLIT_RE = re.compile(r"\s*(?:\||•|·|▪|◆|♦|\t|\s{3,}|;)\s*")


@dataclass
class Context:
    """One document being extracted: its layout, sections, language, date and warnings."""

    layout: Layout
    sections: list[Section]
    lang: str | None
    today: date
    warnings: list[str] = field(default_factory=list)
    degraded: bool = False
    country: str | None = None
    memo: dict[str, object] = field(default_factory=dict)  # per-document results reused

    @property
    def breaks_lost(self) -> bool:
        """The text lost its line breaks: it is flattened still, or the reader restored them
        (a guess; punctuation that told parts apart is usually gone too)."""
        return self.flattened or bool(self.layout.meta.get("line_breaks_restored"))

    @property
    def flattened(self) -> bool:
        """Most text sits on very long lines: line breaks were lost, so sections and entries
        found from lines are guesses (self-validating patterns like e-mails are not affected)."""
        cached = self.memo.get("flattened")
        if isinstance(cached, bool):
            return cached
        lines = self.layout.lines
        total = sum(len(ln.text) for ln in lines) or 1
        long = sum(len(ln.text) for ln in lines if len(ln.text) > FLAT_LINE_CHARS)
        # the same text rendered to a page wraps into a wall of full lines with no headings
        full = sum(len(ln.text) for ln in lines if len(ln.text) >= WALL_LINE_CHARS)
        headings = sum(s.heading is not None for s in self.sections)
        wall = len(lines) >= WALL_MIN_LINES and full / total > WALL_SHARE
        # Either way, headings found on their own lines mean the structure survived: a CV
        # that tells each job in one long paragraph is not a flattened one.
        flat = (long / total > FLAT_SHARE or wall) and headings <= WALL_MAX_HEADINGS
        self.memo["flattened"] = flat
        return flat

    def make(
        self,
        start: int,
        end: int,
        kind: str,
        evidence: Mapping[str, float] | list[str],
        extractor: str,
        value: object = None,
        normalized: object = None,
    ) -> Field:
        """A Field for text[start:end] (value defaults to that text) scored from its evidence."""
        ev = dict.fromkeys(evidence, 1.0) if isinstance(evidence, list) else dict(evidence)
        if self.degraded:
            ev["degraded"] = 1.0
        if self.flattened and kind not in FLAT_EXEMPT_KINDS:
            ev["flattened"] = 1.0
        text = self.layout.text[start:end]
        return Field(
            # a value joined back across a line break reads as one line
            value=LINE_BREAK_RE.sub(" ", text.strip()) if value is None else value,
            normalized=normalized,
            confidence=score(kind, ev),
            source=self.layout.source(start, end),
            extractor=extractor,
        )

    def of_kind(self, *kinds: str) -> list[Section]:
        """Sections of the given kinds, in document order."""
        return [s for s in self.sections if s.kind in kinds]

    def header(self) -> Section | None:
        """The text before the first heading, if any."""
        for s in self.sections:
            if s.kind == HEADER:
                return s
        return None

    def section_of_line(self, index: int) -> Section | None:
        """The section a line index falls in."""
        for s in self.sections:
            if s.first <= index < s.last or s.heading == index:
                return s
        return None


def content_lines(ctx: Context, section: Section) -> Iterator[tuple[int, Line, int]]:
    """(line index, line, char offset in the line where content starts) for a section."""
    for i in range(section.first, section.last):
        line = ctx.layout.lines[i]
        offset = section.inline_start if (i == section.heading and section.inline_start) else 0
        if line.text[offset:].strip():
            yield i, line, offset


def strip_bullet(text: str) -> tuple[str, int]:
    """Text without its leading bullet, and how many characters were removed."""
    m = BULLET_RE.match(text)
    if not m:
        return text, 0
    return text[m.end() :], m.end()


def segments(text: str, base: int) -> list[tuple[int, int]]:
    """Absolute (start, end) of the separator-delimited parts of a line (|, •, tabs, ;)."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in SPLIT_RE.finditer(text):
        if m.start() > pos:
            out.append((base + pos, base + m.start()))
        pos = m.end()
    if pos < len(text):
        out.append((base + pos, base + len(text)))
    return [(a, b) for a, b in out if text[a - base : b - base].strip()]
