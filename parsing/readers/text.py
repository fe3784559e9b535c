"""Plain-text and Markdown reader: decoded lines to a `Layout` (no geometry)."""

from __future__ import annotations

import codecs
import re
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate

from parsing import lexicon
from parsing.dates import find_date_ranges
from parsing.errors import UnsupportedFormat
from parsing.layout import FLAT_LINE_CHARS, Layout, Page, is_flat
from parsing.readers.cleanup import clean_line
from parsing.sections import match_heading

MAX_CONTROL_SHARE = 0.02  # share of control characters above which the bytes are not text
LINE_HEIGHT = 12.0  # gap_before per blank line, in points, to mirror the PDF reader
BODY_SIZE = 11.0
HEADING_SIZES = {1: 18.0, 2: 15.0, 3: 13.0}
NOT_TEXT = "This file is not readable text, so it cannot be parsed."

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_RULE = re.compile(r"^\s{0,3}([-*_=])(\s*\1){2,}\s*$")
_MD_LIST = re.compile(r"^\s*(?:[-*+]|\d{1,2}[.)])\s+(?=\S)")
_MD_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_EM = re.compile(r"(?<![\w*])([*_])(?=\S)([^*_]+?)(?<=\S)\1(?![\w*])")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]+)[^)]*\)")
_MD_CODE = re.compile(r"`([^`]+)`")
_MD_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def decode_text(data: bytes) -> str | None:
    """Decode UTF-8 (BOM or not), UTF-16 with a BOM, else cp1252/latin-1; None if binary."""
    if data.startswith(codecs.BOM_UTF8):
        text = data[3:].decode("utf-8", errors="replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data:
        return None
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
    if "\x00" in text:
        return None
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if control > MAX_CONTROL_SHARE * max(len(text), 1):
        return None
    return text


def _markdown(line: str) -> tuple[str, float, bool] | None:
    """Strip Markdown syntax from one line: (text, size, bold), or None for a rule/separator."""
    if _MD_RULE.match(line) or _MD_TABLE_SEP.match(line):
        return None
    size, bold = BODY_SIZE, False
    m = _MD_HEADING.match(line)
    if m:
        level = len(m.group(1))
        line, size, bold = m.group(2), HEADING_SIZES.get(level, BODY_SIZE), True
    if _MD_LIST.match(line):
        line = "• " + _MD_LIST.sub("", line, count=1)
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 2:
        line = " | ".join(c.strip() for c in stripped.strip("|").split("|") if c.strip())
    whole = _MD_BOLD.fullmatch(line.strip())
    if whole:
        bold = True
    line = _MD_LINK.sub(lambda mm: f"{mm.group(1)} {mm.group(2)}".strip(), line)
    line = _MD_BOLD.sub(r"\2", line)
    line = _MD_EM.sub(r"\2", line)
    line = _MD_CODE.sub(r"\1", line)
    return line, size, bold


FLAT_MIN_CHARS = 600  # a text this long on so few lines has lost its line breaks
FLAT_MAX_LINES = 3
_FLAT_BREAK = re.compile(r" {2,}")
_BLOCK_BREAK = re.compile(r" {4,}")  # a flattened layout's block breaks are longer runs
_PUNCTUATION = re.compile(r"[,.;:]")
ESCAPED_UTF8 = re.compile(r"(?:\\x[0-9a-fA-F]{2})+")


def unescape_utf8(text: str) -> str:
    """Literal '\\xe2\\x80\\xa2' sequences (UTF-8 bytes written as escapes) back to '•'."""
    return ESCAPED_UTF8.sub(decoded_escape, text)


def decoded_escape(m: re.Match[str]) -> str:
    """The text of one run of UTF-8 escapes, or the run itself when it is not UTF-8."""
    raw = bytes(int(h, 16) for h in re.findall(r"\\x([0-9a-fA-F]{2})", m.group(0)))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return m.group(0)


def unflatten(text: str) -> str:
    """Restore line breaks of a CV flattened to one line, where runs of spaces mark them."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) > FLAT_MAX_LINES or len(text) < FLAT_MIN_CHARS:
        return text
    if not _spaces_are_breaks(text):
        return text
    return "\n".join(part for ln in lines for part in _split_at_spaces(ln))


def _split_at_spaces(line: str) -> list[str]:
    return _FLAT_BREAK.split(line.strip().strip('"'))


# Inline headings a flattened text is cut at: the lexicon's headings as written (Title Case) or
# in capitals, in any heading language. Single words that also head ordinary sentences or name
# things ("Details", "Research", "Employment", "Profile") are left out.
INLINE_HEADING_KINDS = ("experience", "education", "skills", "languages", "certifications")
_SENTENCE_WORDS = frozenset(
    {"Details", "Research", "Employment", "Profile", "Expertise", "Studies", "Language",
     "Qualifications", "Competencies", "Training", "Formation", "Ausbildung", "Opleiding"}
)  # fmt: skip
_ENTRY_KINDS = ("experience", "education")


@lru_cache(maxsize=1)
def _inline_heading_re() -> re.Pattern[str]:
    phrases = {
        form
        for kind in INLINE_HEADING_KINDS
        for words in lexicon.headings()[kind].values()
        for w in words
        if w not in _SENTENCE_WORDS and w[:1].isupper()
        for form in (w, w.upper())
    }
    alts = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<= )(?:{alts})(?= +[A-Z0-9])")


def heading_or_dates_between(before: str, after: str) -> bool:
    """Whether a section or an entry visibly ends or begins where `before` meets `after`: an
    inline heading ends or begins right there, or a date range (an entry header's end) ends
    `before`. Where a flattened text's line break was lost, these say it was there."""
    head, tail = before[-60:], after[:60]
    for m in _inline_heading_re().finditer(f"{head} {tail}"):
        if len(head) in (m.start() - 1, m.end()):
            return True
    end = before[-40:]
    return any(
        r.end_pos == len(end) and r.kind in ("range", "since") for r in find_date_ranges(end)
    )


def resegment(line: str) -> list[str]:
    """A flattened CV's one long line cut back into lines: before and after each inline
    section heading (the first of each kind, so a skills word inside a sentence later on is
    left alone), and after each date range of a job or school, which ends its entry's header
    ("… Cloud Security Engineer Teccorps Ltd October 2018 to Present / Performed …")."""
    cuts: list[tuple[int, int, str]] = []  # (start, end, kind) of each heading
    for m in _inline_heading_re().finditer(line):
        found = match_heading(m.group(0))
        if found is not None and found[0] not in {kind for _, _, kind in cuts}:
            cuts.append((m.start(), m.end(), found[0]))
    if not cuts:
        return [line]
    out = [line[: cuts[0][0]]]
    for n, (a, b, kind) in enumerate(cuts):
        body = line[b : cuts[n + 1][0] if n + 1 < len(cuts) else len(line)]
        out.append(line[a:b])
        if kind not in _ENTRY_KINDS:
            out.append(body)
            continue
        at = 0
        for r in find_date_ranges(body):
            if r.kind in ("range", "since"):
                head = _header_start(body, at, r.start_pos)
                out.extend((body[at:head], body[head : r.end_pos]))
                at = r.end_pos
        out.append(body[at:])
    return [part.strip() for part in out if part.strip()]


_CONNECTORS = frozenset({"of", "and", "in", "at", "for", "the", "&", "de", "la", "du", "und"})


def _header_start(text: str, lo: int, hi: int) -> int:
    """Where the entry header before a date at `hi` begins: the run of capitalised words
    (with connectors like 'of', 'in') back from the date, since the description before it
    is written in sentences ("… to management | Network Engineer Arohan Systems July 2016")."""
    words = list(re.finditer(r"\S+", text[lo:hi]))
    start = hi
    for n in range(len(words) - 1, -1, -1):
        w = words[n].group(0)
        if w[:1].isupper() or w[:1].isdigit():
            start = lo + words[n].start()
        elif w not in _CONNECTORS:
            break
    # "… Career Level 3 Work Experience Cloud Engineer Infosys …": a section heading of two or
    # more words (a later one of a kind already cut) and what leads up to it are not the
    # entry's ("Education Coordinator" may well be a title)
    headings = [
        m for m in _inline_heading_re().finditer(" " + text[start:hi], 1) if " " in m.group(0)
    ]
    return start + headings[-1].end() - 1 if headings else start


def _relined(line: str) -> list[str]:
    """A long line of a flattened text cut at its inline headings, else at its runs of spaces
    (read as line breaks only when nothing better is there)."""
    parts = resegment(line.strip())
    if len(parts) > 1 or not _spaces_are_breaks(line):
        return parts
    return _split_at_spaces(line)


def _spaces_are_breaks(text: str) -> bool:
    """Runs of spaces in a flattened text stand for its line breaks: there are enough of them,
    and either some are long (block breaks) or the text kept its punctuation; without it, two
    spaces are a dropped dash ("Ltd  Pune"), not a break."""
    if len(_FLAT_BREAK.findall(text)) < len(text) / 400:
        return False
    return bool(_BLOCK_BREAK.search(text)) or len(_PUNCTUATION.findall(text)) >= len(text) / 1000


def restore_breaks(text: str) -> str:
    """A text that lost its line breaks with them restored where its runs of spaces or its
    inline headings and date ranges mark them; any other text unchanged. Every line of the
    result is a substring of `text` (stripped), in order."""
    text = unflatten(text)
    lines = text.split("\n")
    if is_flat(text):  # still flat: cut the long lines at inline headings
        text = "\n".join(
            part for ln in lines for part in (_relined(ln) if len(ln) > FLAT_LINE_CHARS else [ln])
        )
    return text


RAW = "raw"  # key of a raw line's text before cleaning (runs of spaces kept), when it differs


def restored_spans(text: str) -> list[tuple[int, int]] | None:
    """Where in `text` each line of `restore_breaks(text)` lies (start, end), blank ones left
    out; None when nothing was restored (or a line is, unexpectedly, no substring)."""
    restored = restore_breaks(text)
    if restored == text:
        return None
    spans: list[tuple[int, int]] = []
    pos = 0
    for part in restored.split("\n"):
        if not part.strip():
            continue
        at = text.find(part, pos)
        if at < 0:
            return None
        pos = at + len(part)
        spans.append((at, pos))
    return spans


def recut_lines(raw: list[dict[str, object]]) -> list[dict[str, object]] | None:
    """Raw lines without char geometry (DOCX paragraphs) with the line breaks their text lost
    restored as `restore_breaks` restores them, read from each line's RAW text where it has
    one; each new line is cleaned and keeps its paragraph's style. None when nothing was
    restored."""
    texts = [str(ln.get(RAW, ln["text"])) for ln in raw]
    joined = "\n".join(texts)
    spans = restored_spans(joined)
    if spans is None:
        return None
    starts = list(accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
    out: list[dict[str, object]] = []
    for a, b in spans:
        clean, _ = clean_line(joined[a:b])
        if clean:
            out.append({**raw[bisect_right(starts, a) - 1], "text": clean})
    return out


def read_text(data: bytes) -> Layout:
    """Read TXT or Markdown bytes into a Layout (one Line per non-empty line, page 1)."""
    text = decode_text(data)
    if text is None:
        raise UnsupportedFormat(NOT_TEXT)
    kept = unescape_utf8(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = restore_breaks(kept)
    # the line breaks were guessed from runs of spaces or headings: entries read from lines
    # are less sure
    meta: dict[str, object] = {"line_breaks_restored": True} if text != kept else {}
    raw: list[dict[str, object]] = []
    blank = 0
    for source in text.split("\n"):
        md = _markdown(source.replace("\t", " | ") if "\t" in source.strip() else source)
        if md is None:
            continue
        line, size, bold = md
        clean, _ = clean_line(line.strip(" |"))
        if not clean:
            blank += 1
            continue
        raw.append(
            {
                "text": clean,
                "page": 1,
                "bbox": (0.0, 0.0, 0.0, 0.0),
                "size": size,
                "bold": bold,
                "block": 0,
                "font": "",
                "xs": None,
                "gap_before": LINE_HEIGHT * blank if raw else 0.0,
            }
        )
        blank = 0
    return Layout.build("txt", [Page(number=1, width=0.0, height=0.0)], raw, [], meta)
