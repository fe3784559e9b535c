"""OCR for scanned pages: image-only PDF pages are rendered with pypdfium2 and read by tesseract.

The recognised words become the same `Char` records the text-layer backends produce (one box per
word, split evenly over its letters, in PDF points from the cropbox's top-left), so segmenting,
reading order and provenance boxes work unchanged. Each char carries its word's box and OCR
confidence; the PDF reader turns those into `Line.ocr`, which `confidence.ocr_discount` uses.

pytesseract (a thin wrapper around the tesseract CLI with TSV output) is used rather than calling
the CLI directly: it handles the temporary image file, the TSV parsing, the per-call timeout
(killing the process) and reports a missing binary as its own exception.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import median
from typing import Any

from parsing.readers.pdf import Char, has_text
from settings import Settings, get_settings

OCR_FAILED_WARNING = "ocr: could not recognise page(s) "  # + the page numbers

MIN_PAGE_CHARS = 10  # fewer alphanumerics than this on a page: it has no usable text layer
LINE_SIZE = 1.2  # font size ≈ this × a line's median word height (ascender to baseline-ish)
NOISE_CONF = 0.5  # a word with no letter or digit below this confidence is a speck or stray mark
MIN_DPI = 200  # lowest render resolution for OCR (10 pt text then has a ~14 px x-height)
MAX_PIXELS = 40_000_000  # cap on a rendered page (A4 at 300 dpi is 8.7 million pixels)
MEDIAN = 3  # median filter size (pixels) applied to each rendered page before OCR
BULLET_LOOKALIKES = frozenset("¢«°©®")  # a line's first "word" of one of these is a bullet
JOIN_START = frozenset(".@")  # a word starting with one of these continues the previous one
JOIN_END = frozenset("@/")  # a word ending with one of these continues on the next one
SNAP = 0.3  # lines whose centres differ by less than this × their height share one text row
PACKS = {"de": "deu", "fr": "fra", "es": "spa", "nl": "nld"}  # detected language → tesseract pack
NOT_INSTALLED = (
    "This looks like a scanned document without a text layer; OCR is not installed on this "
    "server, so ask an administrator to install tesseract-ocr, or upload a text PDF or DOCX."
)
OCR_OFF = (
    "This looks like a scanned document without a text layer and OCR is switched off on this "
    "server; ask an administrator to enable it, or upload a text PDF or DOCX."
)
OCR_FAILED = (
    "This looks like a scanned document, but recognising its text failed or took too long; "
    "try again later, or ask the candidate for a text PDF or DOCX."
)
NOTHING_READ = (
    "This looks like a scanned document, but no text could be recognised in it; ask the "
    "candidate for a clearer scan, a text PDF or a DOCX, or enter the details by hand."
)


@dataclass(frozen=True, slots=True)
class OcrConfig:
    """How to OCR: on/off, tesseract languages ("eng+deu"), render DPI, seconds per page."""

    enabled: bool = True
    languages: str = ""  # "" = eng, plus the CV's language pack (PACKS) when installed
    dpi: int = 300  # the most: a scan is rendered at its own resolution up to this (see _dpi)
    page_timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> OcrConfig:
        """The configuration from `Settings` (CVASSIST_OCR, _OCR_LANGUAGES, _OCR_DPI, ...)."""
        s = settings or get_settings()
        return cls(
            enabled=s.ocr != "off",
            languages=s.ocr_languages,
            dpi=s.ocr_dpi,
            page_timeout=s.ocr_page_timeout_s,
        )


@dataclass
class OcrReport:
    """What OCR did to one document. `pages` = 1-based pages recognised; [] = none needed."""

    pages: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)  # timed out or tesseract error
    unavailable: str | None = None  # why scanned pages could not be read, a user sentence
    seconds: float = 0.0
    mean_confidence: float | None = None
    languages: str = ""  # the tesseract packs used

    @property
    def empty_message(self) -> str | None:
        """Why a document whose text could only come from OCR has none (None: not a scan)."""
        if self.unavailable:
            return self.unavailable
        if self.failed:
            return OCR_FAILED
        return NOTHING_READ if self.pages else None

    @property
    def warnings(self) -> list[str]:
        """Warnings for the Layout: pages that could not be recognised."""
        if self.failed:
            return [OCR_FAILED_WARNING + ", ".join(map(str, self.failed))]
        return []


def tesseract_path() -> str | None:
    """Path of the tesseract binary, or None when it is not installed."""
    import pytesseract

    return shutil.which(pytesseract.pytesseract.tesseract_cmd)


@lru_cache(maxsize=4)
def _installed_languages(binary: str) -> frozenset[str]:
    import pytesseract

    try:
        return frozenset(pytesseract.get_languages(config=""))
    except (OSError, RuntimeError, pytesseract.TesseractError):
        return frozenset()


def resolve_languages(requested: str, binary: str) -> str:
    """The tesseract `-l` value: the requested packs that are installed (eng when none are)."""
    installed = _installed_languages(binary)
    langs = [x for x in requested.split("+") if x in installed]
    return "+".join(langs) or "eng"


def language_pack(text: str, binary: str) -> str | None:
    """The installed tesseract pack of the text's language when it is not English, else None."""
    from parsing.language import detect_language

    pack = PACKS.get(detect_language(text) or "")
    return pack if pack in _installed_languages(binary) else None


def scanned_pages(data: bytes, chars: list[list[Char]]) -> list[int]:
    """0-based pages with (almost) no text layer that draw an image: candidates for OCR."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pr

    bare = [i for i, page in enumerate(chars) if not has_text(page, MIN_PAGE_CHARS)]
    if not bare:
        return []
    pdf = pdfium.PdfDocument(data)
    try:
        out = []
        for i in bare:
            page = pdf[i]
            try:
                if next(page.get_objects(filter=(pr.FPDF_PAGEOBJ_IMAGE,)), None) is not None:
                    out.append(i)
            finally:
                page.close()
        return out
    finally:
        pdf.close()


def recognise(data: bytes, chars: list[list[Char]], config: OcrConfig | None = None) -> OcrReport:
    """OCR the image-only pages of a PDF, replacing their (empty) char lists in place."""
    config = config or OcrConfig.from_settings()
    report = OcrReport()
    todo = scanned_pages(data, chars)
    if not todo:
        return report
    binary = tesseract_path()
    if not config.enabled or binary is None:
        report.unavailable = NOT_INSTALLED if binary is None else OCR_OFF
        return report
    # One tesseract thread per call: a server parses several documents at once, and OpenMP
    # threads fighting over the same cores made recognition slower, not faster.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    t0 = time.perf_counter()
    _recognise_pages(data, todo, chars, config, binary, report)
    report.seconds = round(time.perf_counter() - t0, 2)
    confs = [w[2] for p in report.pages for w in dict.fromkeys(c.ocr for c in chars[p - 1]) if w]
    if confs:
        report.mean_confidence = round(sum(confs) / len(confs), 3)
    return report


def _recognise_pages(
    data: bytes,
    todo: list[int],
    chars: list[list[Char]],
    config: OcrConfig,
    binary: str,
    report: OcrReport,
) -> None:
    """OCR pages `todo` into `chars`. With no configured languages the first page is read as
    English, and read again with English plus its language's pack when it is not English (one
    extra pass beats running all five packs on every page: that took 2.2× as long)."""
    import pypdfium2 as pdfium

    auto = not config.languages
    lang = "eng" if auto else resolve_languages(config.languages, binary)
    pdf = pdfium.PdfDocument(data)
    try:
        for i in todo:
            words = _recognise_page(pdf, i, lang, config)
            if auto and words:
                auto = False
                pack = language_pack(" ".join(w[0] for w in words), binary)
                if pack:
                    lang = f"{pack}+eng"  # the first pack leads: umlauts and accents survive
                    words = _recognise_page(pdf, i, lang, config) or words
            if words is None:
                report.failed.append(i + 1)
                continue
            chars[i] = _to_chars(words)
            report.pages.append(i + 1)
    finally:
        pdf.close()
    report.languages = lang


# text, x0, x1, top, bottom, conf (0..1), first of its tesseract line
Word = tuple[str, float, float, float, float, float, bool]


def _recognise_page(pdf: Any, index: int, lang: str, config: OcrConfig) -> list[Word] | None:
    """Words of one page in PDF points, or None when tesseract failed or timed out."""
    import pytesseract
    from PIL import ImageFilter

    page = pdf[index]
    try:
        width, height = page.get_size()
        # an oversized page (a hostile 200-inch MediaBox) is rendered at a lower resolution
        scale = min(_dpi(page, config.dpi) / 72.0, (MAX_PIXELS / max(1.0, width * height)) ** 0.5)
        image = page.render(scale=scale, grayscale=True).to_pil()
    finally:
        page.close()
    # A 3×3 median removes scanner specks that tesseract would read as dots, bullets and
    # letters (on the noisy test scans it halved the junk words) and costs ~50 ms per page.
    image = image.filter(ImageFilter.MedianFilter(MEDIAN))
    try:
        table = pytesseract.image_to_data(
            image,
            lang=lang,
            config=f"--psm 3 --dpi {round(scale * 72)}",
            output_type=pytesseract.Output.DICT,
            timeout=config.page_timeout,
        )
    except (RuntimeError, OSError, pytesseract.TesseractError):
        return None  # timeout ("Tesseract process timeout"), a crash, or the binary vanished
    return _words(table, scale)


def _dpi(page: Any, most: int) -> int:
    """Render resolution: the scan's own (its largest image's pixels per inch on the page),
    within [MIN_DPI, most]. Rendering a 200-dpi scan at 300 dpi cost 39% more tesseract time
    for the same field F1; a low-resolution photo is enlarged to MIN_DPI, which tesseract needs."""
    import pypdfium2.raw as pr

    native = 0.0
    for obj in page.get_objects(filter=(pr.FPDF_PAGEOBJ_IMAGE,)):
        left, _, right, _ = obj.get_bounds()
        if right - left > 1.0:
            native = max(native, obj.get_px_size()[0] * 72.0 / (right - left))
    return int(min(most, max(MIN_DPI, native)))


def _words(table: dict[str, list[Any]], scale: float) -> list[Word]:
    """Tesseract TSV rows → words in points. All words of a tesseract line share one band (the
    line's median centre ± its median word height), so a skewed line stays one text row."""
    lines: dict[tuple[int, int, int], list[int]] = {}
    for k, text in enumerate(table["text"]):
        word, conf = str(text).strip(), float(table["conf"][k]) / 100.0
        if not word or conf < 0 or (conf < NOISE_CONF and not any(c.isalnum() for c in word)):
            continue  # layout rows (-1) and unsure non-letters: specks, stray bullets
        key = (table["block_num"][k], table["par_num"][k], table["line_num"][k])
        lines.setdefault(key, []).append(k)
    bands = [
        (
            median(table["top"][k] + table["height"][k] / 2 for k in rows) / scale,
            median(table["height"][k] for k in rows) / scale,
        )
        for rows in lines.values()
    ]
    out: list[Word] = []
    for rows, (centre, height) in zip(lines.values(), _snap(bands), strict=True):
        top, bottom = centre - height / 2, centre + height / 2
        words = [
            (
                str(table["text"][k]).strip(),
                table["left"][k] / scale,
                (table["left"][k] + table["width"][k]) / scale,
                min(1.0, float(table["conf"][k]) / 100.0),
            )
            for k in rows
        ]
        tidy = _tidy(words)
        out.extend((t, x0, x1, top, bottom, c, n == 0) for n, (t, x0, x1, c) in enumerate(tidy))
    return out


def _snap(bands: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """(centre, height) of each line, with lines on one visual row (tesseract reads a date column
    and the title beside it as separate blocks) moved to the row's median centre, as a text
    layer's shared baseline would have them; the row logic then joins them like typeset text."""
    order = sorted(range(len(bands)), key=lambda i: bands[i][0])
    out = list(bands)
    group: list[int] = []
    for i in [*order, -1]:
        if i >= 0 and group:
            first = bands[group[0]]
            if abs(bands[i][0] - first[0]) < SNAP * min(first[1], bands[i][1]):
                group.append(i)
                continue
        if len(group) > 1:
            centre = median(bands[g][0] for g in group)
            for g in group:
                out[g] = (centre, bands[g][1])
        group = [i]
    return out


def _tidy(words: list[tuple[str, float, float, float]]) -> list[tuple[str, float, float, float]]:
    """Rejoin e-mail addresses and URLs tesseract split ("name", "@", "domain"; "jane", ".doe@x";
    "github.com/j", "ane") and clip boxes that overlap the next word (the first box of a split
    address often stretches over the rest); a bullet misread as "¢" or "©" becomes "•"."""
    out: list[tuple[str, float, float, float]] = []
    for text, x0, x1, conf in words:
        if not out and text in BULLET_LOOKALIKES:
            text = "•"  # tesseract's reading of a round bullet; the extractors know "•"
        if out and (
            text[0] in JOIN_START or out[-1][0][-1] in JOIN_END or out[-1][0].endswith("www.")
        ):
            pt, px0, px1, pc = out[-1]
            out[-1] = (pt + text, px0, max(px1, x1), min(pc, conf))
            continue
        if out and out[-1][2] > x0 > out[-1][1]:
            pt, px0, _, pc = out[-1]
            out[-1] = (pt, px0, x0, pc)
        out.append((text, x0, x1, conf))
    return out


def _to_chars(words: list[Word]) -> list[Char]:
    """Words → per-letter Chars (the word box split evenly), each carrying its word's OCR box."""
    out: list[Char] = []
    for text, x0, x1, top, bottom, conf, first in words:
        size = float(round(LINE_SIZE * (bottom - top)))  # whole points: a name set in one size
        step = (x1 - x0) / len(text)
        box = (round(x0, 2), round(x1, 2), round(conf, 3))
        for n, letter in enumerate(text):
            out.append(
                Char(
                    letter,
                    x0 + n * step,
                    x0 + (n + 1) * step,
                    top,
                    bottom,
                    size,
                    False,
                    "ocr",
                    # tesseract's word breaks inside a line are spaces (its boxes can overlap);
                    # between lines on one row the reader's gap rule decides ("Ex" "perience")
                    n == 0 and not first,
                    len(out),
                    box,
                )
            )
    return out
