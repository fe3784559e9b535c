"""Candidate spans for one field of one entry, and the features a ranker scores them on.

A candidate is a character span of the document text near the entry the rule parser found: a whole
line, a separator-delimited segment, the part before or after a connector word ("at", "bei", ",",
"—"), and any of those that ends a line continued by the next line (a value wrapped in a narrow
column). Features describe the span itself (typography, shape, lexicon hits), where it sits
relative to the entry (line offset, date line) and how it relates to what the rules picked.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from parsing import lexicon
from parsing.extractors.base import BULLET_RE, SPLIT_RE, Context
from parsing.extractors.education import degree_match
from parsing.layout import Layout, Line
from parsing.model import Field

# The entry components and top-level values a ranker is trained for (dates are normalised values
# a span cannot express; lists are left to the rules).
ENTRY_FIELDS: dict[str, tuple[str, ...]] = {
    "experience": ("title", "company", "location"),
    "education": ("degree", "field", "institution"),
}
TOP_FIELDS = ("name", "headline", "location")
LEARNED_FIELDS: tuple[str, ...] = (
    *TOP_FIELDS,
    *(f"{g}.{c}" for g, comps in ENTRY_FIELDS.items() for c in comps),
)
DATE_COMPONENTS = ("start", "end")
WINDOW_BEFORE = 1  # lines above the entry's first rule value that may hold a component
WINDOW_AFTER = 2  # lines below its last one
TOP_LINES = 12  # name/headline/location candidates come from the first lines of the document
MAX_CANDIDATE_CHARS = 160
CONNECTOR_RE = re.compile(
    r"\s+(?:at|@|bei|chez|à|en|bij|in|an der|am|der)(?:\s+|$)|\s*,\s+|\s+[—–-]\s+|\s*\|\s*",
    re.I,
)
# A value ending in one of these words was cut at a line break ("Bachelor of Science in ... and").
DANGLING = frozenset(
    (*"at @ bei chez à en bij in an am der of and und et y e van von de du la le für".split(),
     *"for & - – —".split())
)  # fmt: skip
CONNECTOR_WORDS = frozenset("at @ bei chez à bij".split())
DATE_HINT_RE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One span [start, end) of layout.text proposed for a field; `kind` says how it was cut."""

    start: int
    end: int
    kind: str

    def text(self, layout: Layout) -> str:
        """The candidate's value as a recruiter would type it (line breaks become spaces)."""
        return " ".join(layout.text[self.start : self.end].split())


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    """Shrink [a, b) to exclude surrounding whitespace and trailing punctuation."""
    while a < b and (text[a].isspace() or text[a] in "•·▪►-–—|,;:"):
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in ",;:|–—-"):
        b -= 1
    return a, b


def _line_parts(line: Line) -> list[tuple[int, int, str]]:
    """(start, end, kind) of the cuts of one line: whole, segments, connector heads/tails/parts."""
    body, off = line.text, 0
    m = BULLET_RE.match(body)
    if m:
        off = m.end()
    base = line.start + off
    content = body[off:]
    out = [(base, base + len(content), "line")]
    for a, b in _segments(content, base):
        seg = content[a - base : b - base]
        if (a, b) != (base, base + len(content)):
            out.append((a, b, "segment"))
        cuts = list(CONNECTOR_RE.finditer(seg))
        if not cuts:
            continue
        out.append((a, a + cuts[0].start(), "head"))
        out.append((a + cuts[-1].end(), b, "tail"))
        for left, right in itertools.pairwise(cuts):
            out.append((a + left.end(), a + right.start(), "mid"))
    return out


def _segments(content: str, base: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = 0
    for m in SPLIT_RE.finditer(content):
        if m.start() > pos:
            out.append((base + pos, base + m.start()))
        pos = m.end()
    if pos < len(content):
        out.append((base + pos, base + len(content)))
    return [(a, b) for a, b in out if content[a - base : b - base].strip()]


def line_candidates(layout: Layout, first: int, last: int) -> list[Candidate]:
    """Every candidate cut of lines [first, last), plus cuts that run on into the next line."""
    text = layout.text
    seen: dict[tuple[int, int], Candidate] = {}
    for i in range(max(0, first), min(last, len(layout.lines))):
        line = layout.lines[i]
        parts = _line_parts(line)
        nxt = layout.lines[i + 1] if i + 1 < min(last, len(layout.lines)) else None
        for a, b, kind in parts:
            _add(seen, text, a, b, kind)
            if nxt is not None and b >= line.end - 1 and kind in ("line", "tail", "segment"):
                for na, nb, nkind in _line_parts(nxt):
                    if nkind in ("line", "head", "segment") and na <= nxt.start + 2:
                        _add(seen, text, a, nb, f"{kind}+{nkind}")
    return list(seen.values())


def _add(seen: dict[tuple[int, int], Candidate], text: str, a: int, b: int, kind: str) -> None:
    a, b = _trim(text, a, b)
    if b - a < 2 or b - a > MAX_CANDIDATE_CHARS or (a, b) in seen:
        return
    seen[(a, b)] = Candidate(a, b, kind)


def entry_window(ctx: Context, components: Iterable[Field | None]) -> tuple[int, int] | None:
    """Line range [first, last) around an entry's rule values, inside its section; None = no
    component has a source to anchor on."""
    spans = [s for f in components if (s := span_of(f)) is not None]
    if not spans:
        return None
    layout = ctx.layout
    lo = layout.line_at(min(a for a, _ in spans))
    hi = layout.line_at(max(max(a, b - 1) for a, b in spans))
    first, last = lo - WINDOW_BEFORE, hi + 1 + WINDOW_AFTER
    section = ctx.section_of_line(lo)
    if section is not None:
        top = section.first if section.heading is None else section.heading + 1
        first, last = max(first, top), min(last, section.last)
    return max(0, first), max(first + 1, last)


def span_of(f: Field | None) -> tuple[int, int] | None:
    """The (start, end) a Field was read from; None = no character source."""
    if f is None or f.source is None or f.source.start is None or f.source.end is None:
        return None
    return f.source.start, f.source.end


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return max(0.0, inter) / max(1, max(a[1], b[1]) - min(a[0], b[0]))


def _relation(cand: tuple[int, int], rule: tuple[int, int] | None) -> str:
    """How a candidate span relates to a rule value's span."""
    if rule is None:
        return "none"
    if cand == rule:
        return "same"
    if cand[0] <= rule[0] and rule[1] <= cand[1]:
        return "contains"
    if rule[0] <= cand[0] and cand[1] <= rule[1]:
        return "inside"
    return "overlaps" if _overlap(cand, rule) > 0 else "apart"


def _bucket(value: float, edges: tuple[float, ...]) -> int:
    return sum(value >= e for e in edges)


def _shape(value: str) -> dict[str, float]:
    """Token-shape and lexicon features of a candidate's text."""
    words = value.split()
    letters = [c for c in value if c.isalpha()]
    caps = sum(w[:1].isupper() for w in words) / max(1, len(words))
    folded = lexicon.normalise(value)
    tokens = set(folded.split())
    feats: dict[str, float] = {
        f"ntok={min(len(words), 8)}": 1.0,
        f"caps={_bucket(caps, (0.34, 0.67, 0.99))}": 1.0,
        "upper": float(bool(letters) and all(c.isupper() for c in letters)),
        "digit": float(any(c.isdigit() for c in value)),
        "year": float(bool(DATE_HINT_RE.search(value))),
        "paren": float("(" in value or ")" in value),
        "end_punct": float(value[-1:] in ".;:"),
        "degree": float(degree_match(value) is not None),
        "inst_word": float(bool(tokens & lexicon.institution_words())),
        "company_suffix": float(bool(tokens & lexicon.company_suffixes())),
        "title_word": float(bool(tokens & lexicon.title_words())),
        "job_title": float(folded in lexicon.job_titles()),
        "field_of_study": float(folded in lexicon.fields_of_study()),
        "first_lower": float(value[:1].islower()),
    }
    return feats


def candidate_features(
    ctx: Context,
    cand: Candidate,
    *,
    rule: tuple[int, int] | None,
    others: Mapping[str, tuple[int, int] | None],
    anchor_line: int,
    date_line: int | None,
) -> dict[str, float]:
    """Features of one candidate for one field (`others`: the entry's other rule spans)."""
    layout = ctx.layout
    span = (cand.start, cand.end)
    li = layout.line_at(cand.start)
    line = layout.lines[li]
    value = cand.text(layout)
    feats = _shape(value)
    rel = _relation(span, rule)
    words = value.lower().split()
    feats["dangling_end"] = float(bool(words) and words[-1] in DANGLING)
    feats["dangling_start"] = float(bool(words) and words[0] in DANGLING)
    feats["inner_connector"] = float(any(w in CONNECTOR_WORDS for w in words[1:-1]))
    feats["inner_institution"] = float(
        any(_is_institution(value[m.end() :]) for m in CONNECTOR_RE.finditer(value))
    )
    end_line = layout.lines[layout.line_at(max(cand.start, cand.end - 1))]
    rest = layout.text[cand.end : end_line.end]
    after = CONNECTOR_RE.match(rest)
    feats["before_institution"] = float(after is not None and _is_institution(rest[after.end() :]))
    if rule is not None:
        rule_words = layout.text[rule[0] : rule[1]].lower().split()
        if rule_words and rule_words[-1] in DANGLING:
            feats[f"rule_dangling|rule={rel}"] = 1.0
    feats[f"rule={rel}"] = 1.0
    feats[f"kind={cand.kind}"] = 1.0
    feats[f"kind={cand.kind}|rule={rel}"] = 1.0
    feats[f"line_rel={max(-2, min(4, li - anchor_line))}"] = 1.0
    if date_line is not None:
        feats[f"date_rel={max(-2, min(3, li - date_line))}"] = 1.0
    feats["multi_line"] = float(layout.line_at(max(cand.start, cand.end - 1)) != li)
    feats["bold"] = float(line.bold)
    body = _body_size(ctx)
    if body > 0 and line.size > 0:
        feats[f"size={_bucket(line.size / body, (0.92, 1.08, 1.3))}"] = 1.0
    feats["whole_line"] = float(cand.kind == "line")
    starts = cand.start <= line.start + 2
    feats["line_start"] = float(starts)
    if starts and li > 0:
        prev = layout.lines[li - 1]
        # the line above breaks off after a connector ("BSc Law at Port"): this line continues it
        feats["after_dangling"] = float(bool(CONNECTOR_RE.search(prev.text)))
        feats["prev_short_gap"] = float(prev.block == line.block and line.gap_before < line.size)
    feats["line_end"] = float(cand.end >= end_line.end - 1)
    if feats["multi_line"]:
        feats["next_line_rule"] = float(rule is not None and rule[0] >= end_line.start)
    for name, other in others.items():
        orel = _relation(span, other)
        if orel != "none" and orel != "apart":
            feats[f"{name}={orel}"] = 1.0
    return feats


def learned_field(
    ctx: Context, start: int, end: int, *, field: str, confidence: float, extractor: str
) -> Field:
    """A learned value read from layout.text[start:end] as a recruiter would type it, with its
    source and confidence; a degree is normalised to its level like the rules do."""
    value = " ".join(ctx.layout.text[start:end].split())
    normalized = None
    if field == "education.degree":
        hit = degree_match(value)
        normalized = hit[2] if hit else "other"
    return Field(
        value=value,
        normalized=normalized,
        confidence=round(confidence, 3),
        source=ctx.layout.source(start, end),
        extractor=extractor,
    )


def _is_institution(text: str) -> bool:
    """True when a piece of text names a school or university (a lexicon word in it)."""
    return bool(set(lexicon.normalise(text).split()) & lexicon.institution_words())


def _body_size(ctx: Context) -> float:
    cached = ctx.memo.get("learned.body_size")
    if isinstance(cached, float):
        return cached
    sizes = sorted(ln.size for ln in ctx.layout.lines if ln.size > 0)
    body = float(sizes[len(sizes) // 2]) if sizes else 0.0
    ctx.memo["learned.body_size"] = body
    return body


def same_value(a: str, b: str) -> bool:
    """True when two values are the same text up to case, accents, spaces and punctuation."""
    return _norm(a) == _norm(b) and bool(_norm(a))


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", lexicon.fold(text)).split())
