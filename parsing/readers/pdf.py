"""PDF reader: characters (pypdfium2 fast path, pdfplumber fallback) to a `Layout`.

Both backends produce the same `Char` list per page; everything after that (segments, header
and footer removal, reading order, cleanup) is shared, so they give the same lines.
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from parsing.dates import find_date_ranges
from parsing.errors import DocumentLoadError, EmptyText, EncryptedDocument, TooManyPages
from parsing.layout import Layout, Page
from parsing.readers.cleanup import clean_line, join_hyphenated
from parsing.readers.order import Rule, order_segments

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
    x0, y0, x1, y1 = (ctypes.c_float() for _ in range(4))
    refs = [ctypes.byref(v) for v in (x0, y0, x1, y1)]
    path = pr.FPDF_PAGEOBJ_PATH
    out: list[Rule] = []
    for k in range(pr.FPDFPage_CountObjects(raw)):
        obj = pr.FPDFPage_GetObject(raw, k)
        if pr.FPDFPageObj_GetType(obj) != path or not pr.FPDFPageObj_GetBounds(obj, *refs):
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


def _pdfium_page_chars(pr: Any, raw: Any, left: float, top: float) -> list[Char]:
    count = pr.FPDFText_CountChars(raw)
    get_uni = pr.FPDFText_GetUnicode
    get_box = pr.FPDFText_GetLooseCharBox
    # Text-object handle as a plain int (a c_void_p prototype of the same C function), so it can
    # key a cache: font name, weight and scale are looked up once per text object, not per char.
    get_obj = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(
        ctypes.cast(pr.FPDFText_GetTextObject, ctypes.c_void_p).value or 0
    )
    raw_ptr = ctypes.cast(raw, ctypes.c_void_p)
    rect = pr.FS_RECTF()
    prect = ctypes.byref(rect)
    objects: dict[int | None, tuple[str, bool, float]] = {}
    fonts: dict[int | None, tuple[str, bool]] = {}  # many PDFs draw each glyph as its own object
    out: list[Char] = []
    pending_space = False
    for i in range(count):
        code = get_uni(raw, i)
        if code in (32, 9, 10, 13, 0xA0, 0) or code > 0x10FFFF:
            if code in (32, 9, 0xA0):  # explicit or pdfium-generated word space
                pending_space = True
            continue
        if code == 2:  # pdfium reports a hyphen at a line end as U+0002
            code = 0x2D
        get_box(raw, i, prect)
        obj = get_obj(raw_ptr, i)
        info = objects.get(obj)
        if info is None:
            info = objects[obj] = _pdfium_object(pr, raw, i, obj, fonts)
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


def _pdfium_object(
    pr: Any, raw: Any, i: int, obj: int | None, fonts: dict[int | None, tuple[str, bool]]
) -> tuple[str, bool, float]:
    """(base font name without subset tag, bold, size in points) of char i's text object;
    `fonts` caches name and weight per font handle across the page's objects."""
    matrix = pr.FS_MATRIX()
    size = pr.FPDFText_GetFontSize(raw, i)
    if pr.FPDFText_GetMatrix(raw, i, ctypes.byref(matrix)):
        # FPDFText_GetFontSize ignores the text matrix (Tf 1 with a scaling Tm is common)
        size *= abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
    if not obj:
        return "", False, size
    font = pr.FPDFTextObj_GetFont(ctypes.cast(obj, pr.FPDF_PAGEOBJECT))
    if not font:
        return "", False, size
    key = ctypes.cast(font, ctypes.c_void_p).value
    known = fonts.get(key)
    if known is None:
        buf = ctypes.create_string_buffer(128)
        pr.FPDFFont_GetBaseFontName(font, buf, 128)
        name = buf.value.decode("latin-1").split("+", 1)[-1]
        weight = pr.FPDFFont_GetWeight(font)
        flags = pr.FPDFFont_GetFlags(font)
        bold = bool(BOLD_NAME.search(name)) or weight >= 600 or bool(flags & (1 << 18))
        known = fonts[key] = (name, bold)
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
    for c in chars:
        if cur:
            p = cur[-1]
            gap = c.x0 - p.x1
            lim = SEG_GAP * max(p.size, c.size, 4.0)
            if abs(c.bottom - p.bottom) < 0.5 and abs(c.top - p.top) < 0.5 and -lim / 2 < gap < lim:
                cur.append(c)
                continue
            runs.append(cur)
        cur = [c]
    if cur:
        runs.append(cur)
    return runs


def _segments(chars: list[Char]) -> list[Segment]:
    """Rows of characters cut at wide x gaps; robust to any content-stream order."""
    rows: list[list[list[Char]]] = []
    bands: list[tuple[float, float]] = []
    runs = _runs(chars)
    runs.sort(key=lambda r: (r[0].top + r[0].bottom, r[0].x0))
    for run in runs:
        top, bottom = min(c.top for c in run), max(c.bottom for c in run)
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
    chars.sort(key=lambda c: c.x0)
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
        min(c.x0 for c in chars),
        min(c.top for c in chars),
        max(c.x1 for c in chars),
        max(c.bottom for c in chars),
    )
    parts: list[str] = []
    xs: list[float] = []
    prev: Char | None = None
    for c in chars:
        if prev is not None and (
            c.space_before or c.x0 - prev.x1 > WORD_GAP * max(min(prev.size, c.size), 4.0)
        ):
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


def _is_marker(text: str) -> bool:
    """A lone bullet, dash or icon glyph (list marker before a tab stop)."""
    t = text.strip()
    return (len(t) <= 2 and not any(ch.isalnum() for ch in t)) or t in ("o", "O")


def _dominant(chars: list[Char]) -> tuple[float, bool, str]:
    sizes = Counter(round(c.size, 1) for c in chars)
    fonts = Counter(c.font for c in chars)
    bold = sum(c.bold for c in chars) * 2 > len(chars)
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
                    "xs": tuple(round(x, 2) for x in clean_xs),
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
    if sum(ch.text.isalnum() for page in chars for ch in page) < MIN_TEXT_CHARS:
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
    joins = join_hyphenated(raw)
    meta: dict[str, object] = {
        "backend": backend,
        "removed_header_lines": removed,
        "hyphen_joins": joins,
    }
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
