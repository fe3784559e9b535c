"""Dates and date ranges in the five heading languages: find them in text and normalise them.

Normalised forms are `YYYY-MM`, `YYYY` or `present`, as precise as what is printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from parsing import lexicon

PRESENT = "present"
YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
GLUED_YEAR_RE = re.compile(rf"(?<!\d){YEAR}(?=[A-ZÀ-ÖØ-Þ])")


@dataclass(frozen=True, slots=True)
class DateRange:
    """A start–end range found at text[start_pos:end_pos]; end is None for a lone date."""

    start: str | None
    end: str | None
    start_pos: int
    end_pos: int
    kind: str  # "range" | "since" | "single"


def _fold_char(c: str) -> str:
    """One character folded without changing the text's length (else left as it is)."""
    f = lexicon.fold(c)
    if len(f) == 1:
        return f
    low = c.lower()
    return low if len(low) == 1 else c


@lru_cache(maxsize=1)
def _month_map() -> dict[str, int]:
    out: dict[str, int] = {}
    for word, num in lexicon.months().items():
        out[lexicon.fold(word).rstrip(".")] = num
    for word, num in lexicon.season_months().items():
        out[lexicon.fold(word)] = num
    return out


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True) if w)


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    months = _alt(list(_month_map()))
    present = _alt([lexicon.fold(w) for w in lexicon.present_words()])
    since = _alt([lexicon.fold(w) for w in lexicon.since_words()])
    # One date: month-name year | mm/yyyy | yyyy-mm | dd.mm.yyyy | yyyy
    one = (
        rf"(?:(?:\d{{1,2}}\.?\s*)?(?:{months})\.?,?\s*(?:'|’)?(?:{YEAR}|\d{{2}}\b)"
        rf"|\d{{1,2}}[./]\d{{1,2}}[./]{YEAR}|\d{{1,2}}-\d{{1,2}}-{YEAR}"
        rf"|(?:0?[1-9]|1[0-2])\s*[/.\-]\s*{YEAR}"
        rf"|{YEAR}\s*[/.\-]\s*(?:0[1-9]|1[0-2])\b"
        rf"|{YEAR})"
    )
    end = rf"(?:{one}|{present})"
    words = r"to|till|until|bis|au|à|a|hasta|tot|al|til"
    sep = rf"\s*(?:[-–—−~→>]+|\b(?:{words})\b)\s*"
    rng = re.compile(rf"(?<![\w/.])(?P<a>{one})(?:{sep}(?P<b>{end}))?(?![\w/])", re.I)
    # "from 2015 to 2017" is a range, not "since 2015": a since-date never has an end after it
    since_re = re.compile(
        rf"(?<!\w)(?:{since})\s+(?P<a>{one})(?![\w/])(?!{sep}(?:{end})(?![\w/]))", re.I
    )
    present_re = re.compile(rf"(?<!\w)(?:{present})(?!\w)", re.I)
    return rng, since_re, present_re


def normalize_date(text: str) -> str | None:
    """One printed date → `YYYY-MM`, `YYYY` or `present`; None if it is not a date."""
    t = lexicon.fold(text).strip().strip("().,;")
    if not t:
        return None
    _, _, present_re = _patterns()
    if present_re.fullmatch(t):
        return PRESENT
    if m := re.fullmatch(rf"(\d{{1,2}})(?:[./](\d{{1,2}})[./]|-(\d{{1,2}})-)({YEAR})", t):
        month = int(m.group(2) or m.group(3))
        return f"{m.group(4)}-{month:02d}" if 1 <= month <= 12 else m.group(4)
    if m := re.fullmatch(rf"(\d{{1,2}})\s*[/.\-]\s*({YEAR})", t):
        month = int(m.group(1))
        return f"{m.group(2)}-{month:02d}" if 1 <= month <= 12 else None
    if m := re.fullmatch(rf"({YEAR})\s*[/.\-]\s*(\d{{2}})", t):
        month = int(m.group(2))
        return f"{m.group(1)}-{month:02d}" if 1 <= month <= 12 else None
    if re.fullmatch(YEAR, t):
        return t
    if m := re.fullmatch(r"(?:\d{1,2}\.?\s*)?([^\W\d_]+)\.?,?\s*['’]?(\d{4}|\d{2})", t):
        named = _month_map().get(m.group(1).rstrip("."))
        if named is None:
            return None
        year = m.group(2)
        if len(year) == 2:
            year = ("20" if int(year) < 50 else "19") + year
        if not re.fullmatch(YEAR, year):
            return None
        return f"{year}-{named:02d}"
    return None


def find_date_ranges(text: str) -> list[DateRange]:
    """Every date range, 'since' date and lone date in `text`, left to right, non-overlapping."""
    rng, since_re, _ = _patterns()
    folded = lexicon.fold(text)
    if len(folded) != len(text):  # ligatures, 'İ', ...: fold char by char, keeping offsets
        folded = "".join(_fold_char(c) for c in text)
    # "July 2017MBA" (a cell border lost in the text): the year ends where a capital begins
    for m in GLUED_YEAR_RE.finditer(text):
        folded = folded[: m.end()] + " " + folded[m.end() + 1 :]
    out: list[DateRange] = []
    taken: list[tuple[int, int]] = []
    for m in since_re.finditer(folded):
        start = normalize_date(m.group("a"))
        if start and start != PRESENT:
            out.append(DateRange(start, PRESENT, m.start(), m.end(), "since"))
            taken.append((m.start(), m.end()))
    for m in rng.finditer(folded):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        start = normalize_date(m.group("a"))
        if start is None:
            continue
        end = normalize_date(m.group("b")) if m.group("b") else None
        if m.group("b") and end is None:
            continue
        if end and end != PRESENT and end[:4] < start[:4]:
            continue
        out.append(DateRange(start, end, m.start(), m.end(), "range" if end else "single"))
    out.sort(key=lambda r: r.start_pos)
    return out


def month_index(value: str, today: date, *, end: bool = False) -> int | None:
    """Months since year 0 for a normalised date; a bare year is January (or December if end)."""
    if value == PRESENT:
        return today.year * 12 + today.month - 1
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", value)
    if not m:
        return None
    month = int(m.group(2)) if m.group(2) else (12 if end else 1)
    return int(m.group(1)) * 12 + month - 1


def total_years(ranges: list[tuple[str, str | None]], today: date) -> float:
    """Years covered by the union of (start, end) ranges; open ends count as one month."""
    intervals: list[tuple[int, int]] = []
    for start, end in ranges:
        a = month_index(start, today)
        b = month_index(end, today, end=True) if end else a
        if a is None or b is None or b < a:
            continue
        intervals.append((a, b + 1))
    intervals.sort()
    months = 0
    cur_a, cur_b = None, None
    for a, b in intervals:
        if cur_b is None or a > cur_b:
            if cur_b is not None and cur_a is not None:
                months += cur_b - cur_a
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    if cur_b is not None and cur_a is not None:
        months += cur_b - cur_a
    return round(months / 12, 1)
