"""PDF reader: characters (pypdfium2 fast path, pdfplumber fallback) to a `Layout`.

Both backends produce the same `Char` list per page; everything after that (segments, header
and footer removal, reading order, cleanup) is shared, so they give the same lines.
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from itertools import chain, repeat
from typing import Any

from parsing.dates import find_date_ranges
from parsing.errors import DocumentLoadError, EmptyText, EncryptedDocument, TooManyPages
from parsing.layout import Layout, Page
from parsing.readers.cleanup import clean_line, join_hyphenated
from parsing.readers.order import Rule, order_segments
from parsing.readers.wall import rejoin

SEG_GAP = 1.0  # x gap (in font sizes) that ends a segment: a column gutter or a tab stop
CELL_GAP = 2.0  # gap (font sizes) joined as CELL_SEP inside one line; narrower gaps are a space
CELL_SEP = " | "
MARKER_GAP = 4.0  # a lone bullet joins text up to this many segment gaps away
WORD_GAP = 0.18  # gap (font sizes) that is a word space when the PDF has no space char
MARGIN_SHARE = 0.08  # top/bottom share of the page where running headers and footers live
SAME_POS = 4.0  # points of tolerance for "same position" on another page
MIN_TEXT_CHARS = 10  # fewer alphanumerics than this on all pages: no text layer
MIN_RULE_WIDTH = 40.0  # points: narrower drawn paths are icons or bullets, not rules
RULE_THICK = 3.0  # points: a thinner path is one rule; a taller one gives its top and bottom edge
BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demi|extrabold|ultrabold", re.I)
PAGE_NUMBER = re.compile(
    r"(?:page\s*)?\d{1,3}(?:\s*(?:of|/)\s*\d{1,3})?|[-–—]\s*\d{1,3}\s*[-–—]|page\s+\d{1,3}.*",
    re.I,
)
HEADING_LABEL = re.compile(r"[A-Z][A-Z&/ ]{4,40}:?")  # "EDUCATION", "LANGUAGES KNOWN"
EMPTY_MESSAGE = (
    "This PDF has no text layer (probably a scan); ask the candidate for a text PDF or a DOCX."
)
MALFORMED_MESSAGE = "This PDF is damaged or not a valid PDF, so it cannot be read."
ENCRYPTED_MESSAGE = "This PDF is password-protected; ask the candidate for an unprotected copy."


@dataclass(slots=True)
class Char:
    """One glyph in page coordinates (top-left origin, points)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    font: str
    space_before: bool = False
    seq: int = 0  # position in the page's content stream
    ocr: tuple[float, float, float] | None = None  # recognised word: x0, x1, confidence 0..1


@dataclass(slots=True)
class Segment:
    """Characters on one row with no wide gap between them, with their text and xs."""

    chars: list[Char]
    x0: float
    top: float
    x1: float
    bottom: float
    text: str = ""
    xs: tuple[float, ...] = ()


# --------------------------------------------------------------------------- backends


def _too_many(count: int, max_pages: int) -> None:
    if count > max_pages:
        raise TooManyPages(
            f"This document has {count} pages; the limit is {max_pages}, so it was not parsed."
        )


Ink = tuple[list[Page], list[list[Char]], list[list[Rule]]]  # per page: size, glyphs, rules


def _pdfium_chars(data: bytes, max_pages: int) -> Ink:
    """Per-character extraction through pdfium's text API (about 5 µs per char)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pr

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == pr.FPDF_ERR_PASSWORD:
            raise EncryptedDocument(ENCRYPTED_MESSAGE) from e
        raise
    try:
        _too_many(len(pdf), max_pages)
        pages: list[Page] = []
        chars: list[list[Char]] = []
        rules: list[list[Rule]] = []
        for n in range(len(pdf)):
            page = pdf[n]
            try:
                left, _, right, top = page.get_cropbox()
                pages.append(Page(number=n + 1, width=right - left, height=page.get_height()))
                textpage = page.get_textpage()
                try:
                    chars.append(_pdfium_page_chars(pr, textpage.raw, left, top))
                finally:
                    textpage.close()
                rules.append(_pdfium_rules(pr, page.raw, left, top))
            finally:
                page.close()
        return pages, chars, rules
    finally:
        pdf.close()


def _pdfium_rules(pr: Any, raw: Any, left: float, top: float) -> list[Rule]:
    """Horizontal edges of the page's wide drawn paths: table borders, rules, heading bars.

    Paths inside form XObjects are not looked at (their bounds are in the form's space)."""
    api = _api(pr)
    page = ctypes.cast(raw, ctypes.c_void_p).value or 0
    x0, y0, x1, y1 = (ctypes.c_float() for _ in range(4))
    refs = [ctypes.addressof(v) for v in (x0, y0, x1, y1)]
    path, get_object, get_type = pr.FPDF_PAGEOBJ_PATH, api.page_object, api.object_type
    out: list[Rule] = []
    for k in range(api.count_objects(page)):
        obj = get_object(page, k)
        if get_type(obj) != path or not api.bounds(obj, *refs):
            continue
        if x1.value - x0.value < MIN_RULE_WIDTH:
            continue
        lo, hi = x0.value - left, x1.value - left
        if y1.value - y0.value <= RULE_THICK:
            out.append((lo, top - (y0.value + y1.value) / 2, hi))
        else:
            out.extend(((lo, top - y1.value, hi), (lo, top - y0.value, hi)))
    return _merge_rules(out)


def _merge_rules(rules: list[Rule]) -> list[Rule]:
    """Collinear rules that touch become one (a row border drawn cell by cell)."""
    out: list[Rule] = []
    for x0, y, x1 in sorted(rules, key=lambda r: (round(r[1]), r[0])):
        if out and abs(out[-1][1] - y) <= 1.0 and x0 <= out[-1][2] + 2.0:
            px0, py, px1 = out[-1]
            out[-1] = (px0, py, max(px1, x1))
        else:
            out.append((x0, y, x1))
    return out


class _Api:
    """pdfium's text and page-object functions re-declared with plain `void*`/int signatures.

    pypdfium2's bindings check typed pointer arguments and wrap pointer results in objects on
    every call; these take and return plain ints, which makes the per-glyph calls (tens of
    thousands per CV) about twice as cheap, and lets handles key caches without a cast."""

    def __init__(self, pr: Any) -> None:
        vp, ci, size_t = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t

        def proto(fn: Any, restype: Any, *argtypes: Any) -> Any:
            return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(fn, vp).value or 0)

        self.text = proto(pr.FPDFText_GetText, ci, vp, ci, ci, vp)
        self.unicode = proto(pr.FPDFText_GetUnicode, ctypes.c_uint, vp, ci)
        self.box = proto(pr.FPDFText_GetLooseCharBox, ci, vp, ci, vp)
        self.object = proto(pr.FPDFText_GetTextObject, vp, vp, ci)
        self.size = proto(pr.FPDFText_GetFontSize, ctypes.c_double, vp, ci)
        self.matrix = proto(pr.FPDFText_GetMatrix, ci, vp, ci, vp)
        self.font = proto(pr.FPDFTextObj_GetFont, vp, vp)
        self.font_name = proto(pr.FPDFFont_GetBaseFontName, size_t, vp, vp, size_t)
        self.font_weight = proto(pr.FPDFFont_GetWeight, ci, vp)
        self.font_flags = proto(pr.FPDFFont_GetFlags, ci, vp)
        self.count_objects = proto(pr.FPDFPage_CountObjects, ci, vp)
        self.page_object = proto(pr.FPDFPage_GetObject, vp, vp, ci)
        self.object_type = proto(pr.FPDFPageObj_GetType, ci, vp)
        self.bounds = proto(pr.FPDFPageObj_GetBounds, ci, vp, vp, vp, vp, vp)


@cache
def _api(pr: Any) -> _Api:
    """The prototypes, built once per process (pr: the pypdfium2.raw module)."""
    return _Api(pr)


def _page_codes(api: _Api, tp: int, count: int) -> list[int]:
    """The unicode code of every char of a text page: one bulk FPDFText_GetText call, or one
    FPDFText_GetUnicode call per char when the bulk text does not line up with the chars (a
    code beyond the BMP is two UTF-16 units there; control chars may be left out).

    The bulk text writes U+FFFE where the char reports the line-end hyphen U+0002; those few
    are asked again (on 3,057 pages of real and hostile PDFs it was the only difference)."""
    buf = (ctypes.c_ushort * (count + 1))()
    n = api.text(tp, 0, count, ctypes.addressof(buf)) - 1  # the count includes the NUL
    codes = buf[:count]
    if n != count or any(0xD800 <= c <= 0xDFFF for c in codes):
        return [api.unicode(tp, i) for i in range(count)]
    for i, c in enumerate(codes):
        if c == 0xFFFE:
            codes[i] = api.unicode(tp, i)
    return codes


def _pdfium_page_chars(pr: Any, raw: Any, left: float, top: float) -> list[Char]:
    api = _api(pr)
    tp = ctypes.cast(raw, ctypes.c_void_p).value or 0
    count = pr.FPDFText_CountChars(raw)
    get_box, get_obj = api.box, api.object
    rect = pr.FS_RECTF()
    prect = ctypes.addressof(rect)
    # Font name, weight and size are looked up once per text object, not per char; `fonts`
    # caches name and weight per font handle (many PDFs draw each glyph as its own object).
    objects: dict[int | None, tuple[str, bool, float]] = {}
    fonts: dict[int, tuple[str, bool]] = {}
    out: list[Char] = []
    pending_space = False
    for i, code in enumerate(_page_codes(api, tp, count)):
        if code in (32, 9, 10, 13, 0xA0, 0) or code > 0x10FFFF:
            if code in (32, 9, 0xA0):  # explicit or pdfium-generated word space
                pending_space = True
            continue
        if code == 2:  # pdfium reports a hyphen at a line end as U+0002
            code = 0x2D
        get_box(tp, i, prect)
        obj = get_obj(tp, i)
        info = objects.get(obj)
        if info is None:
            info = objects[obj] = _pdfium_object(api, tp, i, obj, fonts)
        out.append(
            Char(
                chr(code),
                rect.left - left,
                rect.right - left,
                top - rect.top,
                top - rect.bottom,
                info[2],
                info[1],
                info[0],
                pending_space,
                len(out),
            )
        )
        pending_space = False
    return out


_MATRIX = ctypes.c_float * 6  # FS_MATRIX: a, b, c, d, e, f


def _pdfium_object(
    api: _Api, tp: int, i: int, obj: int | None, fonts: dict[int, tuple[str, bool]]
) -> tuple[str, bool, float]:
    """(base font name without subset tag, bold, size in points) of char i's text object;
    `fonts` caches name and weight per font handle across the page's objects."""
    size = api.size(tp, i)
    m = _MATRIX()
    if api.matrix(tp, i, ctypes.addressof(m)):
        # FPDFText_GetFontSize ignores the text matrix (Tf 1 with a scaling Tm is common)
        size *= abs(m[0] * m[3] - m[1] * m[2]) ** 0.5
    if not obj:
        return "", False, size
    font = api.font(obj)
    if not font:
        return "", False, size
    known = fonts.get(font)
    if known is None:
        buf = ctypes.create_string_buffer(128)
        api.font_name(font, ctypes.addressof(buf), 128)
        name = buf.value.decode("latin-1").split("+", 1)[-1]
        weight = api.font_weight(font)
        flags = api.font_flags(font)
        bold = bool(BOLD_NAME.search(name)) or weight >= 600 or bool(flags & (1 << 18))
        known = fonts[font] = (name, bold)
    return known[0], known[1], round(size, 2)


def _plumber_chars(data: bytes, max_pages: int) -> Ink:
    """Per-character extraction through pdfminer (slow; the fallback backend)."""
    import io

    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PDFPasswordIncorrect as e:
        raise EncryptedDocument(ENCRYPTED_MESSAGE) from e
    with pdf:
        _too_many(len(pdf.pages), max_pages)
        pages: list[Page] = []
        chars: list[list[Char]] = []
        rules: list[list[Rule]] = []
        for page in pdf.pages:
            pages.append(Page(number=page.page_number, width=page.width, height=page.height))
            page_rules: list[Rule] = []
            for obj in [*page.rects, *page.lines]:
                if obj["x1"] - obj["x0"] < MIN_RULE_WIDTH:
                    continue
                if obj["bottom"] - obj["top"] <= RULE_THICK:
                    page_rules.append((obj["x0"], (obj["top"] + obj["bottom"]) / 2, obj["x1"]))
                else:
                    page_rules.append((obj["x0"], obj["top"], obj["x1"]))
                    page_rules.append((obj["x0"], obj["bottom"], obj["x1"]))
            rules.append(_merge_rules(page_rules))
            out: list[Char] = []
            pending_space = False
            for c in page.chars:
                t = c["text"]
                if not t or t.isspace() or not c.get("upright", True):
                    pending_space = pending_space or t in (" ", "\t", "\xa0")
                    continue
                name = str(c.get("fontname", "")).split("+", 1)[-1]
                out.append(
                    Char(
                        t,
                        c["x0"],
                        c["x1"],
                        c["top"],
                        c["bottom"],
                        c["size"],
                        bool(BOLD_NAME.search(name)),
                        name,
                        pending_space,
                        len(out),
                    )
                )
                pending_space = False
            chars.append(out)
            page.close()
        return pages, chars, rules


BACKENDS: dict[str, Callable[[bytes, int], Ink]] = {
    "pypdfium2": _pdfium_chars,
    "pdfplumber": _plumber_chars,
}


# --------------------------------------------------------------------------- geometry


def _runs(chars: list[Char]) -> list[list[Char]]:
    """Consecutive chars (content-stream order) on the same baseline, moving rightwards."""
    runs: list[list[Char]] = []
    cur: list[Char] = []
    p: Char | None = None
    for c in chars:  # the hottest loop of PDF reading: plain comparisons, no max()
        if p is not None:
            if abs(c.bottom - p.bottom) < 0.5 and abs(c.top - p.top) < 0.5:
                size = p.size if p.size >= c.size else c.size
                lim = SEG_GAP * (size if size >= 4.0 else 4.0)
                if -lim / 2 < c.x0 - p.x1 < lim:
                    cur.append(c)
                    p = c
                    continue
            runs.append(cur)
        cur = [c]
        p = c
    if cur:
        runs.append(cur)
    return runs


def _x0(c: Char) -> float:
    return c.x0


def _segments(chars: list[Char]) -> list[Segment]:
    """Rows of characters cut at wide x gaps; robust to any content-stream order."""
    rows: list[list[list[Char]]] = []
    bands: list[tuple[float, float]] = []
    runs = _runs(chars)
    runs.sort(key=lambda r: (r[0].top + r[0].bottom, r[0].x0))
    for run in runs:
        top, bottom = min([c.top for c in run]), max([c.bottom for c in run])
        h = bottom - top
        for r in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            btop, bbottom = bands[r]
            inter = min(bbottom, bottom) - max(btop, top)
            if h > 0 and inter >= 0.5 * min(h, bbottom - btop):
                rows[r].append(run)
                break
        else:
            rows.append([run])
            bands.append((top, bottom))
    segs: list[Segment] = []
    for row in rows:
        row.sort(key=lambda r: r[0].x0)
        cur = list(row[0])
        for run in row[1:]:
            prev, c = cur[-1], run[0]
            limit = SEG_GAP * max(prev.size, c.size, 4.0)
            if len(cur) == 1 and _is_marker(cur[0].text):
                limit *= MARKER_GAP  # a bullet glyph belongs to the text after its tab stop
            if c.x0 - prev.x1 > limit:
                segs.append(_segment(cur))
                cur = list(run)
            else:
                cur.extend(run)
        segs.append(_segment(cur))
    return segs


def _segment(chars: list[Char]) -> Segment:
    chars.sort(key=_x0)
    kept = [chars[0]]
    for c in chars[1:]:
        k = kept[-1]
        if (
            c.text == k.text
            and abs(c.x0 - k.x0) < min(1.0, 0.3 * (k.x1 - k.x0))
            and abs(c.top - k.top) < 2
            and abs(c.seq - k.seq) > 1  # a ligature split into two chars is adjacent
        ):
            continue  # fake bold: the same glyph drawn twice at (almost) the same spot
        kept.append(c)
    chars = kept
    seg = Segment(
        chars,
        chars[0].x0,  # sorted by x0
        min([c.top for c in chars]),
        max([c.x1 for c in chars]),
        max([c.bottom for c in chars]),
    )
    parts: list[str] = []
    xs: list[float] = []
    prev: Char | None = None
    for c in chars:
        if prev is not None:
            size = prev.size if prev.size <= c.size else c.size
            if c.space_before or c.x0 - prev.x1 > WORD_GAP * (size if size >= 4.0 else 4.0):
                parts.append(" ")
                xs.append(prev.x1)
        parts.append(c.text)
        if len(c.text) == 1:
            xs.append(c.x0)
        else:
            step = (c.x1 - c.x0) / len(c.text)
            xs.extend(c.x0 + k * step for k in range(len(c.text)))
        prev = c
    xs.append(seg.x1)
    seg.text, seg.xs = "".join(parts), tuple(xs)
    return seg


def _norm_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text.lower()))


def _drop_running_lines(pages: list[Page], segs: list[list[Segment]]) -> int:
    """Remove headers/footers repeated on several pages and bare page numbers; return count."""
    texts = [[s.text for s in page_segs] for page_segs in segs]
    margin: list[list[tuple[int, str]]] = []
    for page, page_segs, page_texts in zip(pages, segs, texts, strict=True):
        band = MARGIN_SHARE * page.height
        margin.append(
            [
                (i, _norm_key(t))
                for i, (s, t) in enumerate(zip(page_segs, page_texts, strict=True))
                if s.bottom <= band or s.top >= page.height - band
            ]
        )
    drop: list[set[int]] = [set() for _ in segs]
    for p, items in enumerate(margin):
        for i, key in items:
            s = segs[p][i]
            if s.top >= pages[p].height - MARGIN_SHARE * pages[p].height or s.bottom <= (
                MARGIN_SHARE * pages[p].height
            ):
                if PAGE_NUMBER.fullmatch(texts[p][i].strip()):
                    drop[p].add(i)
                    continue
            for q, other in enumerate(margin):
                if q == p:
                    continue
                for j, key2 in other:
                    o = segs[q][j]
                    if (
                        key2 == key
                        and abs(o.top - s.top) <= SAME_POS
                        and (abs(o.x0 - s.x0) <= SAME_POS or abs(o.x1 - s.x1) <= SAME_POS)
                    ):
                        drop[p].add(i)
                        break
    removed = 0
    for p, d in enumerate(drop):
        if d:
            segs[p] = [s for i, s in enumerate(segs[p]) if i not in d]
            removed += len(d)
    return removed


def _split_labels(rows: tuple[tuple[int, ...], ...], segs: list[Segment]) -> list[tuple[int, ...]]:
    """A capitalised heading in a label column ("EDUCATION | M.Sc ...") becomes its own line."""
    out: list[tuple[int, ...]] = []
    for row in rows:
        if len(row) > 1 and HEADING_LABEL.fullmatch(segs[row[0]].text):
            out.append(row[:1])
            out.append(row[1:])
        else:
            out.append(row)
    return out


def _merge_wrapped_dates(segs: list[Segment]) -> list[Segment]:
    """A date range wrapped in a narrow column ("September 2015 - July" over "2017", a
    right-aligned "September 1998 –" over "Dezember 2000") becomes one segment before the
    reading order is cut, so the cell lines up with its entry's first row like any one-line
    date. It joins when the second piece sits right under the first (left or right edges
    aligned) and only the two together make a range: geometry alone cannot tell a wrapped date
    from two table rows; the text can. The merged box keeps the first line's height."""
    out: list[Segment | None] = list(segs)
    used: set[int] = set()  # segments already part of a merge
    for n, a in enumerate(segs):
        if n in used or not any(ch.isdigit() for ch in a.text):
            continue  # the first piece always carries a year
        if any(r.kind == "range" for r in find_date_ranges(a.text)):
            continue
        height = a.bottom - a.top
        for m, b in enumerate(segs):
            if m == n or m in used or not 0 <= b.top - a.bottom <= height:
                continue
            if abs(a.x0 - b.x0) > SAME_POS and abs(a.x1 - b.x1) > SAME_POS:
                continue
            joined = f"{a.text} {b.text}"
            if any(
                r.kind == "range" and r.end_pos >= len(joined) - 1 and r.start_pos < len(a.text)
                for r in find_date_ranges(joined)
            ):
                xs = (*a.xs[:-1], a.x1, *b.xs)
                box = (min(a.x0, b.x0), a.top, max(a.x1, b.x1), a.bottom)
                out[n] = Segment(a.chars + b.chars, *box, joined, xs)
                out[m] = None
                used.update((n, m))
                break
    return [sg for sg in out if sg is not None]


def has_text(chars: Iterable[Char], n: int) -> bool:
    """At least n of the chars are letters or digits (counting stops there)."""
    k = 0
    for c in chars:
        if c.text.isalnum():
            k += 1
            if k >= n:
                return True
    return False


def _is_marker(text: str) -> bool:
    """A lone bullet, dash or icon glyph (list marker before a tab stop)."""
    t = text.strip()
    return (len(t) <= 2 and not any(ch.isalnum() for ch in t)) or t in ("o", "O")


def _dominant(chars: list[Char]) -> tuple[float, bool, str]:
    """The most common size (to 0.1 pt) and font of a line's chars, and whether most are bold.

    Sizes are counted first and rounded per distinct size (a line has a handful), in the order
    they first appear, so ties go to the same size as counting rounded values would give."""
    sizes: Counter[float] = Counter()
    for size, n in Counter([c.size for c in chars]).items():
        sizes[round(size, 1)] += n
    fonts = Counter([c.font for c in chars])
    bold = sum([c.bold for c in chars]) * 2 > len(chars)
    return sizes.most_common(1)[0][0], bold, fonts.most_common(1)[0][0]


def _page_lines(
    page_no: int, segs: list[Segment], rules: list[Rule], block_base: int
) -> list[dict[str, object]]:
    """Raw line dicts for one page in reading order; block ids start at `block_base`."""
    values = frozenset(k for k, s in enumerate(segs) if s.text.startswith(":"))
    blocks = order_segments([(s.x0, s.top, s.x1, s.bottom) for s in segs], rules, values)
    lines: list[dict[str, object]] = []
    for b, block in enumerate(blocks):
        prev_bottom: float | None = None
        for row in _split_labels(block.rows, segs):
            parts: list[str] = []
            xs: list[float] = []
            chars: list[Char] = []
            for pos, k in enumerate(row):
                seg = segs[k]
                text, cxs = seg.text, seg.xs
                if pos:
                    prev = segs[row[pos - 1]]
                    gap = seg.x0 - prev.x1
                    # A table column boundary makes a cell however narrow the gap, except
                    # before the colon of "Place : Chennai" (one cell set with a tab stop).
                    wide = gap > CELL_GAP * max(seg.chars[0].size, 4.0) or (
                        not seg.text.startswith(":")
                        and any(
                            prev.x1 <= g[0] + 0.01 and seg.x0 >= g[1] - 0.01 for g in block.gutters
                        )
                    )
                    sep = CELL_SEP if wide and not _is_marker(prev.text) else " "
                    parts.append(sep)
                    step = max(gap, 0.0) / len(sep)
                    xs.extend(prev.x1 + n * step for n in range(len(sep)))
                parts.append(text)
                xs.extend(cxs[:-1])
                chars.extend(seg.chars)
            xs.append(segs[row[-1]].x1)
            text, clean_xs = clean_line("".join(parts), xs)
            if not text or clean_xs is None:
                continue
            size, bold, font = _dominant(chars)
            top = min(segs[k].top for k in row)
            bottom = max(segs[k].bottom for k in row)
            gap = 0.0 if prev_bottom is None else max(0.0, round(top - prev_bottom, 2))
            lines.append(
                {
                    "text": text,
                    "page": page_no,
                    "bbox": (
                        round(clean_xs[0], 2),
                        round(top, 2),
                        round(clean_xs[-1], 2),
                        round(bottom, 2),
                    ),
                    "size": size,
                    "bold": bold,
                    "block": block_base + b,
                    "font": font,
                    "xs": tuple(map(round, clean_xs, repeat(2, len(clean_xs)))),
                    "gap_before": gap,
                    "ocr": tuple(dict.fromkeys(c.ocr for c in chars if c.ocr)) or None,
                }
            )
            prev_bottom = bottom
    return lines


def read_pdf(data: bytes, *, backend: str = "pypdfium2", max_pages: int = 20) -> Layout:
    """Read a PDF into a Layout; raises DocumentLoadError subclasses on unreadable input.

    Image-only pages are OCR'd (readers/ocr.py) when pdfium can render them."""
    from parsing.readers.ocr import OcrReport, recognise

    pages, chars, rules = BACKENDS[backend](data, max_pages)
    scan = recognise(data, chars) if backend == "pypdfium2" else OcrReport()
    if not has_text(chain.from_iterable(chars), MIN_TEXT_CHARS):
        raise EmptyText(scan.empty_message or EMPTY_MESSAGE)
    segs = [
        _merge_wrapped_dates(_segments(page_chars)) if page_chars else [] for page_chars in chars
    ]
    removed = _drop_running_lines(pages, segs) if len(pages) > 1 else 0
    raw: list[dict[str, object]] = []
    block_base = 0
    for page, page_segs, page_rules in zip(pages, segs, rules, strict=True):
        page_lines = _page_lines(page.number, page_segs, page_rules, block_base)
        raw.extend(page_lines)
        if page_lines:
            block_base = max(int(str(ln["block"])) for ln in page_lines) + 1
    meta: dict[str, object] = {"backend": backend, "removed_header_lines": removed}
    walled = rejoin(raw)
    if walled is not None:  # a rendering of text that had lost its line breaks
        raw = walled
        meta["line_breaks_restored"] = True
    meta["hyphen_joins"] = join_hyphenated(raw)
    if scan.pages or scan.failed:
        meta.update(ocr_pages=scan.pages, ocr_seconds=scan.seconds, ocr_conf=scan.mean_confidence)
        meta["ocr_languages"] = scan.languages
    return Layout.build("pdf", pages, raw, scan.warnings, meta)


def read_pdf_safely(data: bytes, *, max_pages: int = 20) -> Layout:
    """`read_pdf` with pdfplumber as fallback and every library failure mapped to a status.

    pdfium and pdfminer raise almost any exception type on malformed input, so this boundary
    (and only this one) catches broadly.
    """
    try:
        return read_pdf(data, max_pages=max_pages)
    except DocumentLoadError:
        raise
    except Exception:  # pdfium could not open it: pdfminer sometimes can
        try:
            return read_pdf(data, backend="pdfplumber", max_pages=max_pages)
        except DocumentLoadError:
            raise
        except Exception as e:
            raise DocumentLoadError(MALFORMED_MESSAGE) from e
