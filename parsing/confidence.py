"""Evidence → confidence: a per-field prior moved in log-odds by each piece of evidence.

These raw scores are monotone in the evidence; `learning/` calibrates them per field type
against recruiter outcomes. The evidence names are recorded so the calibrator and the UI can
show why a value scored as it did.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from parsing.layout import Layout
    from parsing.model import Fields

# Prior log-odds per field kind (what a value of that kind is worth with no evidence at all).
PRIORS: dict[str, float] = {
    "name": 0.0,
    "email": 2.5,
    "phone": 1.5,
    "location": 0.0,
    "headline": -0.3,
    "summary": 0.5,
    "link": 1.5,
    "title": 0.6,
    "company": 0.6,
    "date": 1.0,
    "entry_location": -0.2,
    "description": 0.5,
    "degree": 0.3,
    "field": -0.2,
    "institution": 0.2,
    "grade": 0.0,
    "skill": 0.5,
    "language": 1.0,
    "fluency": 0.8,
    "certification": 1.2,
    "total_experience_years": 0.5,
}

# Log-odds contributed by each piece of evidence (positive supports, negative undermines).
WEIGHTS: dict[str, float] = {
    "valid": 1.5,
    "invalid": -2.0,
    "in_header": 0.8,
    "in_section": 0.9,
    "outside_section": -1.0,
    "largest_font": 1.2,
    "first_line": 0.8,
    "ner_agrees": 0.9,
    "ner_disagrees": -0.6,
    "lexicon": 1.0,
    "lexicon_fuzzy": 0.4,
    "unknown": -0.6,
    "labelled": 1.2,
    "typography": 0.5,
    "separator": 0.6,
    "pattern_consistent": 0.8,
    "pattern_guess": -0.5,
    "prefix_guess": -2.5,
    "ambiguous": -1.0,
    "from_text": -2.6,
    "inherited": -0.4,
    "precise": 0.4,
    "long": -0.8,
    "phrase": -1.0,
    "lowercase": -0.7,
    "fragment": -1.0,
    "other_kind": -1.2,
    "known_neighbours": 0.8,
    "short_neighbours": 0.8,
    "duplicate": -0.5,
    "region_guessed": -0.4,
    "region_conflict": -2.0,
    "country": 0.7,
    "gazetteer": 0.9,
    "degraded": -0.3,
    "flattened": -2.0,
    "single_candidate": 0.5,
    "competing": -0.7,
}


def score(kind: str, evidence: Mapping[str, float] | list[str]) -> float:
    """Confidence in [0.01, 0.99] for a value of `kind` given named evidence (name → strength)."""
    items = dict.fromkeys(evidence, 1.0) if isinstance(evidence, list) else dict(evidence)
    z = PRIORS.get(kind, 0.0)
    for name, strength in items.items():
        z += WEIGHTS.get(name, 0.0) * strength
    p = 1.0 / (1.0 + math.exp(-z))
    return round(min(0.99, max(0.01, p)), 3)


def ocr_discount(confidence: float, ocr: float | None) -> float:
    """A value's confidence times the chance OCR read its words right (None: not OCR'd)."""
    if ocr is None:
        return confidence
    return round(min(0.99, max(0.01, confidence * max(0.0, min(1.0, ocr)))), 3)


def span_ocr_confidence(layout: Layout, start: int, end: int) -> float | None:
    """Lowest tesseract confidence of the recognised words text[start:end] touches.

    None = the span came from a text layer (or has no position)."""
    if not layout.lines or end <= start:
        return None
    confs: list[float] = []
    for i in range(layout.line_at(start), layout.line_at(end - 1) + 1):
        line = layout.lines[i]
        if line.ocr is None:
            continue
        x0, _, x1, _ = line.sub_bbox(max(start, line.start) - line.start, end - line.start)
        confs.extend(c for w0, w1, c in line.ocr if w1 > x0 and w0 < x1)
    return min(confs) if confs else None


def discount_ocr_fields(fields: Fields, layout: Layout) -> int:
    """Lower every OCR-read field's confidence by its words' OCR confidence; mark its extractor.

    Returns how many fields came from OCR."""
    if not any(line.ocr for line in layout.lines):
        return 0
    seen: set[int] = set()
    count = 0
    for _, f in fields.iter_fields():
        src = f.source
        if id(f) in seen or src is None or src.start is None or src.end is None:
            continue
        seen.add(id(f))
        ocr = span_ocr_confidence(layout, src.start, src.end)
        if ocr is not None:
            f.confidence = ocr_discount(f.confidence, ocr)
            f.extractor = f"{f.extractor}+ocr"
            count += 1
    return count
