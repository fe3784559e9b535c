"""bytes → ParsedCV: read, segment, extract, score. `parse_bytes` never raises."""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import date
from pathlib import Path

from parsing import nlp
from parsing.adapt import ADAPTER_FAILED, FieldAdapter, apply_adapter
from parsing.confidence import discount_ocr_fields
from parsing.errors import DocumentLoadError
from parsing.extractors.base import Context
from parsing.extractors.contact import (
    extract_email,
    extract_headline,
    extract_links,
    extract_location,
    extract_name,
    extract_phone,
    extract_summary,
)
from parsing.extractors.education import extract_education
from parsing.extractors.experience import extract_experience, total_experience
from parsing.extractors.lists import extract_certifications, extract_languages, extract_skills
from parsing.language import detect_language
from parsing.layout import Layout
from parsing.model import Fields, ParsedCV, Status
from parsing.readers import read_layout
from parsing.readers.ocr import OCR_FAILED_WARNING
from parsing.sections import section_language, segment_sections
from settings import Settings, get_settings

log = logging.getLogger(__name__)
PARSER_VERSION = "0.1.0"
MESSAGES = {
    Status.TOO_LARGE: "The file is larger than the {mb:g} MB limit; please upload a smaller file.",
    Status.FAILED: "The parser hit an unexpected problem with this file; it has been kept so "
    "it can be retried.",
    Status.EMPTY_TEXT: "No text was found in this document (it is probably a scan); ask for a "
    "text-based PDF or DOCX, or enter the details by hand.",
}
NOTHING_FOUND = "No CV details were recognised in this document; please check it by hand."
FLATTENED = (
    "The text of this CV runs on without its line breaks, so its sections and entries were "
    "guessed; check the work history and education against the document."
)
FLATTENED_WARNING = "flattened: line breaks lost, sections and entries guessed"
# One sentence per parse warning for the recruiter who checks the values (the status message
# already says why a parse is partial: lost line breaks, nothing found).
WARNING_NOTES = {
    nlp.DEGRADED_WARNING: (
        "This CV was parsed without the language model (rules only), so names, employers "
        "and places are less sure than usual."
    ),
    ADAPTER_FAILED: (
        "What was learned from earlier corrections could not be applied to this CV; these "
        "are the rule-based values."
    ),
}
OCR_NOTE = (
    "This CV is a scan read by OCR: values may hold misread characters, so check them "
    "against the page."
)
OCR_FAILED_NOTE = "Some pages could not be read by OCR ({pages}); check them in the document."
OUT_OF_MEMORY = (
    "This file needs more memory to read than is safe, so it was stopped; please ask for a "
    "simpler PDF or DOCX version."
)


def printable_name(filename: str) -> str:
    """The file's base name as valid text (undecodable bytes in names become U+FFFD)."""
    base = Path(filename).name
    return base.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def model_version() -> str:
    """Identifies the extraction rules and models behind the confidences."""
    return f"rules-{PARSER_VERSION}+{'rules-only' if nlp.degraded() else 'en_core_web_sm-3.8.0'}"


def extract_fields(layout: Layout, *, today: date | None = None) -> tuple[Fields, Context]:
    """All fields of one read document, with the context (language, warnings) they came from."""
    sections = segment_sections(layout)
    heading_lang = section_language(sections)
    lang = detect_language(layout.text, hint=heading_lang)
    ctx = Context(
        layout=layout,
        sections=sections,
        lang=lang,
        today=today or date.today(),
        degraded=nlp.degraded(),
    )
    fields = Fields()
    fields.email = extract_email(ctx)
    fields.name = extract_name(ctx)
    fields.location = extract_location(ctx, name=fields.name)
    fields.phone = extract_phone(ctx)
    fields.links = extract_links(ctx)
    fields.headline = extract_headline(ctx, fields.name)
    fields.summary = extract_summary(ctx)
    fields.experience = extract_experience(ctx)
    if fields.experience:
        fields.total_experience_years = total_experience(ctx, fields.experience)
    fields.education = extract_education(ctx)
    fields.skills = extract_skills(ctx)
    fields.languages = extract_languages(ctx)
    fields.certifications = extract_certifications(ctx)
    return fields, ctx


def warning_notes(warnings: list[str]) -> list[str]:
    """The parse warnings a recruiter should know about, each as one sentence."""
    notes: list[str] = []
    for w in warnings:
        if w in WARNING_NOTES:
            notes.append(WARNING_NOTES[w])
        elif w.startswith(OCR_FAILED_WARNING):
            notes.append(OCR_FAILED_NOTE.format(pages=w.removeprefix(OCR_FAILED_WARNING)))
        elif w.startswith("ocr: "):
            notes.append(OCR_NOTE)
    return notes


def failed_parse(
    name: str, digest: str, status: Status, message: str, t0: float | None = None
) -> ParsedCV:
    """A parse that yielded no fields: its status and one-sentence message (t0: when the parse
    started, for parse_ms; None = not timed)."""
    return ParsedCV(
        file=name,
        sha256=digest,
        status=status,
        message=message,
        parse_ms=None if t0 is None else round((time.perf_counter() - t0) * 1000, 1),
        model_version=model_version(),
    )


def parse_bytes(
    data: bytes,
    filename: str,
    *,
    settings: Settings | None = None,
    today: date | None = None,
    adapter: FieldAdapter | None = None,
) -> ParsedCV:
    """Parse one document. Every failure becomes a status and a one-sentence message.

    adapter: learned corrections applied after the rules (None = rules only); if it fails, the
    rule result is kept with a warning.
    """
    t0 = time.perf_counter()
    settings = settings or get_settings()
    name = printable_name(filename)
    digest = hashlib.sha256(data).hexdigest()
    if len(data) > settings.max_file_bytes:
        msg = MESSAGES[Status.TOO_LARGE].format(mb=settings.max_file_mb)
        return failed_parse(name, digest, Status.TOO_LARGE, msg, t0)
    try:
        layout = read_layout(data, max_pages=settings.max_pages)
    except DocumentLoadError as e:
        if isinstance(e.__cause__, MemoryError):  # a reader boundary wrapped an out-of-memory
            return failed_parse(name, digest, Status.TOO_LARGE, OUT_OF_MEMORY, t0)
        return failed_parse(name, digest, e.status, str(e), t0)
    except MemoryError:  # a decompression bomb under the sandbox's RLIMIT_AS
        return failed_parse(name, digest, Status.TOO_LARGE, OUT_OF_MEMORY, t0)
    except Exception as e:  # the reader boundary: any other library error is a bad document
        log.warning("reader failed on %s: %s", digest[:12], type(e).__name__)
        return failed_parse(
            name, digest, Status.MALFORMED, "This file could not be read; it may be damaged.", t0
        )
    try:
        fields, ctx = extract_fields(layout, today=today)
    except MemoryError:
        return failed_parse(name, digest, Status.TOO_LARGE, OUT_OF_MEMORY, t0)
    except Exception as e:  # a bug in extraction must not stop a batch
        log.exception("extraction failed on %s: %s", digest[:12], type(e).__name__)
        return failed_parse(name, digest, Status.FAILED, MESSAGES[Status.FAILED], t0)
    warnings = list(layout.warnings)
    if ctx.degraded:
        warnings.append(nlp.DEGRADED_WARNING)
    version = model_version()
    if adapter is not None:
        fields, adapted = apply_adapter(adapter, fields, ctx)
        version = f"{version}+{adapter.version}" if adapted else version
        if not adapted:
            warnings.append(ADAPTER_FAILED)
    ocr_pages = layout.meta.get("ocr_pages")
    if isinstance(ocr_pages, list) and ocr_pages:  # a scan: OCR doubt lowers each confidence
        discount_ocr_fields(fields, layout)
        warnings.append(f"ocr: {len(ocr_pages)} page{'s' if len(ocr_pages) > 1 else ''} recognised")
    status = Status.PARTIAL if layout.warnings else Status.OK
    message = None
    if not fields.iter_fields():
        status, message = Status.PARTIAL, NOTHING_FOUND
        warnings.append("no fields recognised")
    elif ctx.breaks_lost:
        # the profile may look thin or jumbled: say why, never silently
        status, message = Status.PARTIAL, FLATTENED
        warnings.append(FLATTENED_WARNING)
    return ParsedCV(
        file=name,
        sha256=digest,
        status=status,
        message=message,
        warnings=warnings,
        pages=layout.page_count,
        language=ctx.lang,
        parse_ms=round((time.perf_counter() - t0) * 1000, 1),
        model_version=version,
        fields=fields,
    )


def parse_path(path: Path, *, settings: Settings | None = None, isolated: bool = False) -> ParsedCV:
    """Parse a file on disk; an unreadable path is a failed parse, not an exception.

    isolated: parse in a limited child process (parsing/sandbox.py), as the CLI and uploads do.
    """
    settings = settings or get_settings()
    t0 = time.perf_counter()
    try:
        if path.stat().st_size > settings.max_file_bytes:
            with path.open("rb") as fh:
                digest = hashlib.file_digest(fh, "sha256").hexdigest()
            msg = MESSAGES[Status.TOO_LARGE].format(mb=settings.max_file_mb)
            return failed_parse(printable_name(path.name), digest, Status.TOO_LARGE, msg, t0)
        data = path.read_bytes()
    except OSError:
        digest = hashlib.sha256(b"").hexdigest()
        msg = "The file could not be opened."
        return failed_parse(printable_name(path.name), digest, Status.FAILED, msg, t0)
    if isolated:
        from parsing.sandbox import parse_isolated  # the sandbox imports this module

        return parse_isolated(data, path.name, settings=settings)
    return parse_bytes(data, path.name, settings=settings)
