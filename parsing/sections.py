"""Section segmentation: headings from a multilingual lexicon (fuzzy), typography and position."""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from parsing import lexicon
from parsing.contact import find_phones
from parsing.layout import Layout, Line

BULLET_START = re.compile(r"^\s*[•·▪►◆◦‣∙●○■□➢➤✓✔*+>\-–—]\s")
MAX_HEADING_CHARS = 48
CONTACT_BLOCK_LINES = 20
CONTENT = "content"
CONTACT_RE = re.compile(r"@[\w-]+\.|linkedin\.com|github\.com")
PHONE_HINT_RE = re.compile(r"\d[\d ()./-]{7,}\d")
MAX_HEADING_WORDS = 6
FUZZY_MIN = 88
EMPLOYMENT = "experience"
# A short heading that ends in "experience" names a kind of work history, whatever comes first.
NOT_EMPLOYMENT = frozenset(
    "volunteer technical domain industry functional software tools technology".split()
)
EXPERIENCE_TAIL_RE = re.compile(
    r"[a-z&/ ]{0,40}\b(?:experiences?|employment (?:record|history)|job history)"
)
HEADER = "header"
OTHER = "other"
SECTION_KINDS = lexicon.HEADING_SECTIONS


@dataclass(frozen=True, slots=True)
class Section:
    """Lines [first, last) of the layout under one heading; `heading` None for the header."""

    kind: str
    heading: int | None
    first: int
    last: int
    lang: str | None = None
    score: float = 1.0
    inline_start: int | None = None  # char offset in the heading line where content begins

    def lines(self, layout: Layout) -> tuple[Line, ...]:
        """The content lines of this section."""
        return layout.lines[self.first : self.last]


def fold(text: str) -> str:
    """Lower-case, strip accents and decoration for heading comparison."""
    t = re.sub(r"[^\w&/+ ]+", " ", lexicon.fold(text))
    return re.sub(r"\s+", " ", t).strip()


@lru_cache(maxsize=1)
def _heading_index() -> tuple[dict[str, tuple[str, str]], list[str]]:
    index: dict[str, tuple[str, str]] = {}
    for kind, by_lang in lexicon.headings().items():
        for lang, words in by_lang.items():
            for w in words:
                index.setdefault(fold(w), (kind, lang))
    return index, list(index)


@lru_cache(maxsize=8192)
def match_heading(text: str) -> tuple[str, str, float] | None:
    """(kind, lang, score) when `text` reads as a section heading word, else None."""
    t = fold(text)
    if not t or len(t) > MAX_HEADING_CHARS or len(t.split()) > MAX_HEADING_WORDS:
        return None
    if re.search(r"\d{3,}|@", t):
        return None
    index, keys = _heading_index()
    if t in index:
        kind, lang = index[t]
        return kind, lang, 1.0
    # "Professional Experience & Projects" style compounds: first clause decides
    head = re.split(r" & | and | und | et | y | en |/", t)[0].strip()
    if head in index and head != t and len(t.split()) <= 5:
        kind, lang = index[head]
        return kind, lang, 0.9
    best = process.extractOne(t, keys, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN)
    if best is not None:
        kind, lang = index[best[0]]
        return kind, lang, best[1] / 100 * 0.95
    if EXPERIENCE_TAIL_RE.fullmatch(t) and not set(t.split()) & NOT_EMPLOYMENT:
        # "Teaching Experience", "Career Experience/Job History"; below the 0.9 an inline label
        # needs, so "Technical Experience: Java, SQL" stays where it is
        return EMPLOYMENT, "en", 0.85
    return None


def _body_size(layout: Layout) -> float:
    sizes = [ln.size for ln in layout.lines if ln.size > 0 and len(ln.text) > 20]
    return statistics.median(sizes) if sizes else 0.0


def _styled(line: Line, body: float) -> bool:
    letters = [c for c in line.text if c.isalpha()]
    caps = bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8
    bigger = body > 0 and line.size >= body + 0.8
    return caps or line.bold or bigger


def _inline(line: Line) -> tuple[str, int] | None:
    """'Skills: Python, Java' → ('Skills', offset of content)."""
    m = re.match(r"\s*([^:|]{2,40}?)\s*[:|]\s+(?=\S)", line.text)
    if not m:
        return None
    return m.group(1), m.end()


DOCUMENT_TITLES = frozenset({"resume", "cv"})
TITLE_LINES = 2  # a title is among the first lines, before any heading


def segment_sections(layout: Layout) -> list[Section]:
    """Split the layout's lines into sections; text before any heading is the header."""
    body = _body_size(layout)
    lines = layout.lines
    marks: list[tuple[int, str, str | None, float, int | None]] = []
    two_line: set[int] = set()  # headings wrapped onto the next line ("Educational" / "Background")
    for i, line in enumerate(lines):
        if i - 1 in two_line:
            continue
        bullet = BULLET_START.match(line.text)
        if bullet and not (line.bold or (body > 0 and line.size >= body + 0.8)):
            continue
        text = _heading_text(line.text[bullet.end() if bullet else 0 :])
        hit = match_heading(text)
        wrapped = _wrapped_heading(lines, i, text, hit, body)
        if wrapped is not None:
            hit = wrapped
            two_line.add(i)
        if hit is not None and not marks and i <= TITLE_LINES and fold(text) in DOCUMENT_TITLES:
            continue  # "RESUME" over the name titles the document; "Résumé" further down is French
        if hit is not None and _table_header_cell(lines, i):
            continue  # "COURSE" beside "INSTITUTE | BOARD | YEAR | %": a table's column name
        if hit is not None:
            kind, lang, score = hit
            styled = _styled(line, body) or (layout.kind == "txt" and len(text.split()) <= 4)
            if score < 1.0 and not styled:
                continue
            if not styled and len(text.split()) > 3:
                continue
            marks.append((i, kind, lang, score if styled else score * 0.85, None))
            continue
        inline = _inline(line)
        if inline is not None:
            label, offset = inline
            hit = match_heading(label)
            if hit is not None and hit[2] >= 0.9 and _inline_ok(hit[0], marks):
                marks.append((i, hit[0], hit[1], hit[2] * 0.9, offset))
    marks = sorted(marks + _contact_blocks(layout, marks))
    sections: list[Section] = []
    first_mark = marks[0][0] if marks else len(lines)
    if first_mark > 0:
        sections.append(Section(HEADER, None, 0, first_mark))
    for n, (i, kind, hlang, score, content_at) in enumerate(marks):
        end = marks[n + 1][0] if n + 1 < len(marks) else len(lines)
        if kind == "contact" and hlang == CONTENT:  # assigned by content, no heading line
            sections.append(Section(kind, None, i, end, None, score))
            continue
        first = i if content_at is not None else i + 1 + (i in two_line)
        sections.append(Section(kind, i, first, end, hlang, score, content_at))
    return sections


def _table_header_cell(lines: Sequence[Line], i: int) -> bool:
    """The first cell of a bold table header row: the next line of its region sits on the same
    baseline to its right and is itself bold column names ("INSTITUTE | BOARD | YEAR")."""
    if i + 1 >= len(lines):
        return False
    line, nxt = lines[i], lines[i + 1]
    return (
        line.beside(nxt)
        and nxt.block == line.block
        and line.bold
        and nxt.bold
        and _column_names(nxt.text)
    )


def _column_names(text: str) -> bool:
    """'INSTITUTE | BOARD | YEAR | %': three or more short cells without figures (a bold entry
    line such as 'M.Sc Mathematics, 2016 | 75.25%' is no header row)."""
    cells = text.split(" | ")
    return len(cells) >= 3 and all(len(c.split()) <= 3 and not re.search(r"\d", c) for c in cells)


def _wrapped_heading(
    lines: Sequence[Line], i: int, text: str, hit: tuple[str, str, float] | None, body: float
) -> tuple[str, str, float] | None:
    """The heading read over two short lines set alike (a narrow label column wraps
    'Educational Background'), when the two together name a section better than the first."""
    if (hit is not None and hit[2] >= 1.0) or i + 1 >= len(lines) or len(text.split()) > 2:
        return None  # an exact heading on its own, or no short line to continue
    line, nxt = lines[i], lines[i + 1]
    nxt_text = _heading_text(nxt.text)
    if (
        not nxt_text
        or len(nxt_text.split()) > 2
        or nxt.page != line.page
        or nxt.bold != line.bold
        or abs(nxt.size - line.size) > 0.5
        or not _styled(line, body)
    ):
        return None
    if (own := match_heading(nxt_text)) is not None and own[2] >= 1.0:
        return None  # the next line is a heading of its own
    joined = match_heading(f"{text} {nxt_text}")
    return joined if joined is not None and joined[2] >= 1.0 else None


def _heading_text(text: str) -> str:
    """A line's words as a heading is matched: without a trailing colon or dash."""
    return text.strip().rstrip(":-–").strip()


def _has_contact(text: str) -> bool:
    if CONTACT_RE.search(text):
        return True
    return bool(PHONE_HINT_RE.search(text)) and any(m.valid for m in find_phones(text, None))


def _contact_blocks(
    layout: Layout, marks: list[tuple[int, str, str | None, float, int | None]]
) -> list[tuple[int, str, str | None, float, int | None]]:
    """A region (sidebar, box) that starts without a heading and holds contact details is a
    contact section, whatever section reading order put before it."""
    lines = layout.lines
    heads = {m[0] for m in marks}
    out: list[tuple[int, str, str | None, float, int | None]] = []
    for i in range(1, len(lines)):
        if i in heads or (
            lines[i].block == lines[i - 1].block and lines[i].page == lines[i - 1].page
        ):
            continue
        nxt = min((h for h in heads if h > i), default=len(lines))
        if nxt - i > CONTACT_BLOCK_LINES:
            continue
        if any(_has_contact(lines[j].text) for j in range(i, nxt)):
            out.append((i, "contact", CONTENT, 0.8, None))
    return out


def _inline_ok(kind: str, marks: list[tuple[int, str, str | None, float, int | None]]) -> bool:
    """An inline label opens a section unless it is a sub-label inside skills ('Languages: ...')."""
    if not marks:
        return True
    current = marks[-1][1]
    return not (current == "skills" and kind in ("languages", "skills", "certifications"))


def section_language(sections: list[Section]) -> str | None:
    """The language most headings are written in."""
    langs = [s.lang for s in sections if s.lang]
    if not langs:
        return None
    return max(set(langs), key=langs.count)
