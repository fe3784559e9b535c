"""PDF renderings of flattened text ("walls"): the wrapped lines joined back into the text that
was rendered, and its line breaks restored the way the text reader restores them.

A CV copied out of a job board loses its line breaks; printed to PDF it becomes a wall of
lines wrapped at the page margin, in one font and size, whose breaks say nothing about its
structure. The rendering keeps what the text kept: runs of spaces (two for a lost line break,
four for a block) are still there as wider gaps between words. So the wall is read back as
that text — a line is joined to the next when the next line's first word would not have fitted
after it — and handed to `restore_breaks`. Each restored line keeps its place in the PDF: its
page, the union of the boxes it covers there, and per-char xs when it sits on one printed line.
"""

from __future__ import annotations

from math import floor
from statistics import median

from parsing.layout import BBox, is_flat
from parsing.readers.cleanup import clean_line
from parsing.readers.text import (
    ESCAPED_UTF8,
    decoded_escape,
    heading_or_dates_between,
    restored_spans,
)

MIN_LINES = 4  # fewer printed lines are no wall
MAX_SPACES = 8  # a wider gap is a tab stop or a column, not a run of spaces

Owner = tuple[int, int] | None  # (printed line, char offset in it); None for a joining space


def _plain(raw: list[dict[str, object]]) -> bool:
    """One size, no bold, text layer with char geometry, one region per page: a rendering of
    plain text, not a designed CV."""
    size = raw[0]["size"]
    blocks: dict[object, object] = {}
    for ln in raw:
        if ln["size"] != size or ln["bold"] or ln["xs"] is None or ln.get("ocr"):
            return False
        if blocks.setdefault(ln["page"], ln["block"]) != ln["block"]:
            return False
    return True


def _space_width(raw: list[dict[str, object]]) -> float:
    """The width of one space: the median gap at the spaces of all lines."""
    gaps: list[float] = []
    for ln in raw:
        xs, text = ln["xs"], str(ln["text"])
        if isinstance(xs, tuple):
            gaps.extend(xs[k + 1] - xs[k] for k, ch in enumerate(text) if ch == " ")
    return median(gaps) if gaps else 0.0


def _first_word_width(text: str, xs: tuple[float, ...]) -> float:
    end = text.find(" ")
    return xs[end if end > 0 else len(text)] - xs[0]


def _joined(raw: list[dict[str, object]], space: float) -> tuple[str, list[Owner]]:
    """The text the wall was rendered from, with an owner for each of its chars."""
    right = max(float(ln["bbox"][2]) for ln in raw)  # type: ignore[index]
    chars: list[str] = []
    owners: list[Owner] = []
    for i, ln in enumerate(raw):
        text, xs = str(ln["text"]), ln["xs"]
        assert isinstance(xs, tuple)
        for k, ch in enumerate(text):
            n = 1
            if ch == " ":
                n = min(MAX_SPACES, max(1, round((xs[k + 1] - xs[k]) / space)))
            chars.extend(ch * n)
            owners.extend([(i, k)] * n)
        if i + 1 == len(raw):
            break
        nxt = raw[i + 1]
        ntext, nxs = str(nxt["text"]), nxt["xs"]
        assert isinstance(nxs, tuple)
        # The printed line ended because the next word did not fit after the spaces that
        # followed it (dropped at the wrap): so at least `n` spaces were there; more room
        # than MAX_SPACES could fill means a line break of the text.
        room = right - xs[-1] - _first_word_width(ntext, nxs)
        n = max(1, floor(room / space) + 1)
        if n == 1 and heading_or_dates_between(text, ntext):
            n = 2  # the spaces left no trace, but a heading or an entry's dates did
        if n > MAX_SPACES:
            chars.append("\n")
            owners.append(None)
        elif n > 1 or not (text.endswith("-") and text[-2:-1].isalpha()):  # "deal-" "closing"
            chars.extend(" " * n)
            owners.extend([None] * n)
    return "".join(chars), owners


def _unescaped(text: str, owners: list[Owner]) -> tuple[str, list[Owner]]:
    """Literal UTF-8 escapes ("\\xe2\\x80\\x98") decoded as the text reader decodes them;
    each decoded char is owned by its escape's first char."""
    parts: list[str] = []
    out: list[Owner] = []
    at = 0
    for m in ESCAPED_UTF8.finditer(text):
        rep = decoded_escape(m)
        parts.extend((text[at : m.start()], rep))
        out.extend(owners[at : m.start()])
        out.extend([owners[m.start()]] * len(rep))
        at = m.end()
    parts.append(text[at:])
    out.extend(owners[at:])
    return "".join(parts), out


def _placed(
    raw: list[dict[str, object]], part: str, owners: list[Owner]
) -> dict[str, object] | None:
    """A raw line for `part` (chars owned by `owners`): page, box and style of its first
    printed line; per-char xs only when it lies on one printed line. None when cleaning
    leaves nothing."""
    # cleaned as the text reader cleans its lines (one space per run, bullets, icons), with
    # each kept char's position in `part` carried through as its "x"
    part, pos = clean_line(part, [float(n) for n in range(len(part) + 1)])
    if pos is not None:
        owners = [owners[int(p)] for p in pos[:-1]]
    # else Unicode normalisation changed the length: the part's span on the page is known,
    # not which char is where (so no per-char xs)
    owned = [o for o in owners if o is not None]
    if not part or not owned:  # nothing left once cleaned (an icon alone)
        return None
    first = raw[owned[0][0]]
    page = first["page"]
    spans: dict[int, tuple[int, int]] = {}
    for i, k in owned:
        if raw[i]["page"] == page:
            lo, hi = spans.get(i, (k, k))
            spans[i] = (min(lo, k), max(hi, k))
    boxes: list[BBox] = []
    for i, (lo, hi) in spans.items():
        xs = raw[i]["xs"]
        bbox = raw[i]["bbox"]
        assert isinstance(xs, tuple) and isinstance(bbox, tuple)
        boxes.append((xs[lo], bbox[1], xs[hi + 1], bbox[3]))
    xs_part: tuple[float, ...] | None = None
    if pos is not None and len(spans) == 1 and len(owned) == len(owners):
        ((i, (_, hi)),) = spans.items()
        line_xs = raw[i]["xs"]
        assert isinstance(line_xs, tuple)
        xs_part = (*(line_xs[k] for _, k in owned), line_xs[hi + 1])
    return {
        "text": part,
        "page": page,
        "bbox": (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        ),
        "size": first["size"],
        "bold": False,
        "block": first["block"],
        "font": first["font"],
        "xs": xs_part,
        "gap_before": 0.0,
        "ocr": None,
    }


def rejoin(raw: list[dict[str, object]]) -> list[dict[str, object]] | None:
    """The raw lines of a wall re-cut where the rendered text's line breaks were lost; None
    when `raw` is not a wall or restoring its breaks changes nothing."""
    if len(raw) < MIN_LINES or not _plain(raw):
        return None
    space = _space_width(raw)
    if space <= 0:
        return None
    text, owners = _unescaped(*_joined(raw, space))
    if not is_flat(text):
        return None
    spans = restored_spans(text)
    if spans is None:
        return None
    out: list[dict[str, object]] = []
    for a, b in spans:
        line = _placed(raw, text[a:b], owners[a:b])
        if line is not None:
            out.append(line)
    return out
