"""Field-level scoring of a ParsedCV against ground truth: pure functions, no I/O.

Scalar fields: a match is a TP; a wrong value is both an FP and an FN; a value where the ground
truth is empty is an FP; a missing value where the ground truth has one is an FN. List fields:
one-to-one matching of items. Experience/education entries are aligned one-to-one (Hungarian)
and each component is scored as its own field. Only the `annotated_fields` are scored.

Choices beyond the shared/eval README (matchers in evaluation.matching):
- fuzzy token-set matches need the shorter side to have >= 50% of the longer side's characters;
- company/institution names lose trailing legal forms (Ltd, Pvt, Inc, GmbH, ...) first;
- a location also matches when the first comma-separated parts (the city) match;
- languages: proficiency words are dropped and multi-language GT spans split into words;
- a phone with fewer than 7 digits ("Upon request") counts as empty on either side;
- exact duplicate GT list items are merged; duplicate predicted items are extra (FP);
- an unparseable predicted date is a wrong value, not a missing one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from evaluation import matching as m
from parsing.model import Field, ParsedCV

SCALAR_FIELDS = ("name", "email", "phone", "location")
LIST_FIELDS = ("links", "skills", "languages", "certifications")
ENTRY_COMPONENTS = {
    "experience": ("title", "company", "start", "end"),
    "education": ("degree", "institution", "end"),
}
FIELDS: tuple[str, ...] = (
    *SCALAR_FIELDS,
    *LIST_FIELDS,
    *(f"{g}.{c}" for g, comps in ENTRY_COMPONENTS.items() for c in comps),
)
# Weights of the components when aligning entries; text components dominate, dates break ties.
ALIGN_WEIGHTS = {
    "title": 0.4, "company": 0.5, "degree": 0.4, "institution": 0.5, "start": 0.1, "end": 0.1,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Predicted:
    """A predicted value with the parser's confidence (None = the parser gave none)."""

    value: Any
    confidence: float | None = None


@dataclass(slots=True)
class Counts:
    """True positives, false positives and false negatives of one field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        """Accumulate another field's counts into this one."""
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


@dataclass(frozen=True, slots=True)
class ValueRecord:
    """One predicted value: its field, confidence and whether it matched the ground truth."""

    field: str
    confidence: float
    correct: bool


@dataclass(slots=True)
class DocScore:
    """Per-field counts of one document and the correctness record of every predicted value."""

    counts: dict[str, Counts] = field(default_factory=dict)
    records: list[ValueRecord] = field(default_factory=list)

    def bump(self, name: str, *, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        """Add to one field's counts."""
        self.counts.setdefault(name, Counts()).add(Counts(tp, fp, fn))

    def record(self, name: str, pred: Predicted, correct: bool) -> None:
        """Keep (confidence, correct) for calibration when the prediction carries a confidence."""
        if pred.confidence is not None:
            self.records.append(ValueRecord(name, float(pred.confidence), correct))


# ---------------------------------------------------------------- prediction -> GT shape


def _text(f: Field | None) -> Any:
    """The displayed value of a Field (its normalized form if the value is not a string)."""
    if f is None:
        return None
    if isinstance(f.value, str) or f.normalized is None:
        return f.value
    return f.normalized


def _location(f: Field | None) -> Any:
    """Location as a string: the value, else the normalized {city, region, countryCode} joined."""
    if f is None:
        return None
    if isinstance(f.value, str) and f.value.strip():
        return f.value
    n = f.normalized
    if isinstance(n, Mapping):
        parts = [n.get(k) for k in ("city", "region", "countryCode", "country")]
        return ", ".join(str(p) for p in parts if p) or None
    return n


def _url(f: Field | None) -> Any:
    """The normalized {"url"} of a link, else its value."""
    if f is None:
        return None
    n = f.normalized
    if isinstance(n, Mapping) and n.get("url"):
        return n["url"]
    return n if isinstance(n, str) and n else f.value


def _normalized_first(f: Field | None) -> Any:
    """The normalized form (E.164 phone, YYYY-MM date, English language name) or the value."""
    if f is None:
        return None
    return f.normalized if f.normalized not in (None, "", {}) else f.value


def _pred(f: Field | None, get: Callable[[Field | None], Any]) -> Predicted | None:
    """Wrap a Field's comparison value with its confidence; None when empty."""
    if f is None:
        return None
    v = get(f)
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    return Predicted(v, f.confidence)


def _degree(entry: Any) -> Predicted | None:
    """'degree in field' when both are given (GT style), else whichever exists."""
    deg, fos = _pred(entry.degree, _text), _pred(entry.field, _text)
    if deg and fos and m.normalize_text(fos.value) not in m.normalize_text(deg.value):
        return Predicted(f"{deg.value} in {fos.value}", deg.confidence)
    return deg or fos


def predicted_values(parsed: ParsedCV) -> dict[str, Any]:
    """The ParsedCV in ground-truth shape, each value a `Predicted` carrying its confidence."""
    f = parsed.fields
    return {
        "name": _pred(f.name, _text),
        "email": _pred(f.email, _text),
        "phone": _pred(f.phone, _normalized_first),
        "location": _pred(f.location, _location),
        "links": [p for x in f.links or [] if (p := _pred(x, _url))],
        "skills": [p for x in f.skills or [] if (p := _pred(x, _text))],
        "languages": [p for x in f.languages or [] if (p := _pred(x.language, _normalized_first))],
        "certifications": [p for x in f.certifications or [] if (p := _pred(x, _text))],
        "experience": [
            {
                "title": _pred(e.title, _text),
                "company": _pred(e.company, _text),
                "start": _pred(e.start, _normalized_first),
                "end": _pred(e.end, _normalized_first),
            }
            for e in f.experience or []
        ],
        "education": [
            {
                "degree": _degree(e),
                "institution": _pred(e.institution, _text),
                "end": _pred(e.end, _normalized_first),
            }
            for e in f.education or []
        ],
    }


def _strip(v: Any) -> Any:
    """Predicted -> plain value, recursively."""
    if isinstance(v, Predicted):
        return v.value
    if isinstance(v, list):
        return [_strip(x) for x in v]
    if isinstance(v, dict):
        return {k: _strip(x) for k, x in v.items()}
    return v


def prediction_to_gt(parsed: ParsedCV) -> dict[str, Any]:
    """Map a ParsedCV to the ground-truth dict shape (plain values, no confidences)."""
    return _strip(predicted_values(parsed))


# ---------------------------------------------------------------- matching per field


def _field_kind(name: str) -> str:
    """The matching rule of a field (or of an entry component) by its name."""
    leaf = name.rsplit(".", 1)[-1]
    if leaf in ("start", "end"):
        return "date"
    if leaf in ("company", "institution"):
        return "org"
    return {"email": "email", "phone": "phone", "links": "url", "location": "location"}.get(
        leaf, "text"
    )


NORMALIZERS: dict[str, Callable[[object], str]] = {
    "text": m.normalize_text,
    "org": m.normalize_org,
    "location": m.normalize_text,
    "email": m.normalize_email,
    "phone": m.normalize_phone,
    "url": m.normalize_url,
}


def _key(kind: str, value: Any) -> Any:
    """Comparable key of a value under a rule; '' or None when empty."""
    if kind == "date":
        return m.parse_date(value)
    return NORMALIZERS[kind](value)


def match_matrix(kind: str, preds: list[Any], gts: list[Any]) -> np.ndarray:
    """Similarity in [0, 1] of every predicted vs GT value; >= MATCH means they match."""
    if kind in ("text", "org"):
        pk = [_key(kind, p) for p in preds]
        gk = [_key(kind, g) for g in gts]
        return m.fuzzy_scores(pk, gk) / 100.0
    out = np.zeros((len(preds), len(gts)))
    for i, p in enumerate(preds):
        for j, g in enumerate(gts):
            out[i, j] = float(values_match(kind, p, g))
    return out


MATCH = m.FUZZY_THRESHOLD / 100.0


def values_match(kind: str, pred: Any, gt: Any) -> bool:
    """Whether one predicted value matches one GT value under the field's rule."""
    if kind == "date":
        return m.dates_match(pred, gt)
    if kind == "location":
        return m.location_match(str(pred), str(gt))
    if kind in ("text", "org"):
        return m.fuzzy_match(str(pred), str(gt), NORMALIZERS[kind])
    a, b = _key(kind, pred), _key(kind, gt)
    return bool(a) and a == b


def _is_empty(kind: str, value: Any) -> bool:
    """True when a value has nothing comparable (None, blank, a phone without digits).

    An unparseable predicted date is not empty: it is a wrong value.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    return kind != "date" and not _key(kind, value)


def score_scalar(doc: DocScore, name: str, pred: Predicted | None, gt: Any) -> None:
    """TP on a match; FP+FN on a wrong value; FP when GT is empty; FN when the value is missing."""
    kind = _field_kind(name)
    p_empty = pred is None or _is_empty(kind, pred.value)
    g_empty = _is_empty(kind, gt)
    if p_empty:
        if not g_empty:
            doc.bump(name, fn=1)
        return
    assert pred is not None
    ok = not g_empty and values_match(kind, pred.value, gt)
    doc.bump(name, tp=int(ok), fp=int(not ok), fn=int(not ok and not g_empty))
    doc.record(name, pred, ok)


def _expand_languages(values: list[Any]) -> list[Any]:
    """One item per language name; proficiency words dropped."""
    return [lang for v in values for lang in m.split_languages(v)]


def _dedupe(kind: str, values: list[Any]) -> list[Any]:
    """GT items without exact duplicates after normalisation (annotation artefacts)."""
    seen: set[Any] = set()
    out = []
    for v in values:
        k = _key(kind, v)
        if k and k not in seen:
            seen.add(k)
            out.append(v)
    return out


def score_list(doc: DocScore, name: str, preds: list[Predicted], gts: list[Any]) -> None:
    """One-to-one matching of predicted items to GT items (maximum number of matches)."""
    kind = _field_kind(name)
    if name == "languages":
        preds = [Predicted(x, p.confidence) for p in preds for x in m.split_languages(p.value)]
        gts = _expand_languages(gts)
    preds = [p for p in preds if not _is_empty(kind, p.value)]
    gts = _dedupe(kind, [g for g in gts if not _is_empty(kind, g)])
    matched = np.zeros(len(preds), dtype=bool)
    if preds and gts:
        ok = match_matrix(kind, [p.value for p in preds], gts) >= MATCH
        rows, cols = linear_sum_assignment(ok.astype(float), maximize=True)
        for r, c in zip(rows, cols, strict=True):
            matched[r] = bool(ok[r, c])
    tp = int(matched.sum())
    doc.bump(name, tp=tp, fp=len(preds) - tp, fn=len(gts) - tp)
    for p, ok_ in zip(preds, matched, strict=True):
        doc.record(name, p, bool(ok_))


def _entry_similarity(group: str, pred: Mapping[str, Any], gt: Mapping[str, Any]) -> float:
    """Weighted similarity of two entries over the components both sides have."""
    total = 0.0
    for comp in ENTRY_COMPONENTS[group]:
        p, g = pred.get(comp), gt.get(comp)
        pv = p.value if isinstance(p, Predicted) else p
        kind = _field_kind(comp)
        if pv is None or g is None or _is_empty(kind, pv) or _is_empty(kind, g):
            continue
        if kind == "date":
            s = float(m.dates_match(pv, g))
        else:
            raw = float(match_matrix(kind, [pv], [g])[0, 0])
            s = max(0.0, (raw - 0.5) / 0.5)  # unrelated strings score ~0.3-0.5: map them to 0
        total += ALIGN_WEIGHTS[comp] * s
    return total


def align_entries(
    group: str, preds: list[Mapping[str, Any]], gts: list[Mapping[str, Any]]
) -> list[tuple[int, int]]:
    """Pairs (pred index, GT index) of a one-to-one alignment with positive similarity."""
    if not preds or not gts:
        return []
    sim = np.array([[_entry_similarity(group, p, g) for g in gts] for p in preds])
    rows, cols = linear_sum_assignment(sim, maximize=True)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if sim[r, c] > 0]


def score_entries(
    doc: DocScore,
    group: str,
    preds: list[Mapping[str, Any]],
    gts: list[Mapping[str, Any]],
    annotated: set[str],
) -> None:
    """Align entries, then score each annotated component as a scalar field."""
    comps = [c for c in ENTRY_COMPONENTS[group] if f"{group}.{c}" in annotated]
    if not comps:
        return
    pairs = align_entries(group, preds, gts)
    used_p = {p for p, _ in pairs}
    used_g = {g for _, g in pairs}
    for pi, gi in pairs:
        for c in comps:
            score_scalar(doc, f"{group}.{c}", _as_pred(preds[pi].get(c)), gts[gi].get(c))
    for pi, pe in enumerate(preds):
        if pi not in used_p:
            for c in comps:
                score_scalar(doc, f"{group}.{c}", _as_pred(pe.get(c)), None)
    for gi, ge in enumerate(gts):
        if gi not in used_g:
            for c in comps:
                score_scalar(doc, f"{group}.{c}", None, ge.get(c))


def _as_pred(v: Any) -> Predicted | None:
    """Accept plain values as predictions without confidence (handy for tests and GT-vs-GT)."""
    if v is None or isinstance(v, Predicted):
        return v
    return Predicted(v)


def score_document(
    pred: Mapping[str, Any], gt: Mapping[str, Any], annotated_fields: Iterable[str]
) -> DocScore:
    """Score a prediction (GT-shaped; values plain or `Predicted`) on the annotated fields only."""
    annotated = set(annotated_fields)
    doc = DocScore()
    for name in SCALAR_FIELDS:
        if name in annotated:
            score_scalar(doc, name, _as_pred(pred.get(name)), gt.get(name))
    for name in LIST_FIELDS:
        if name in annotated:
            preds = [p for x in pred.get(name) or [] if (p := _as_pred(x)) is not None]
            score_list(doc, name, preds, list(gt.get(name) or []))
    for group in ENTRY_COMPONENTS:
        score_entries(doc, group, list(pred.get(group) or []), list(gt.get(group) or []), annotated)
    for name in FIELDS:
        if name in annotated:
            doc.counts.setdefault(name, Counts())
    return doc


def score_parsed(
    parsed: ParsedCV, gt: Mapping[str, Any], annotated_fields: Iterable[str]
) -> DocScore:
    """Score a ParsedCV; an unusable parse (failed, empty text, ...) predicts nothing."""
    pred = predicted_values(parsed) if parsed.status.usable else {}
    return score_document(pred, gt, annotated_fields)


# ---------------------------------------------------------------- aggregation


def merge_counts(scores: Iterable[Mapping[str, Counts]]) -> dict[str, Counts]:
    """Sum per-field counts over documents (a field appears if any document annotated it)."""
    total: dict[str, Counts] = {}
    for counts in scores:
        for name, c in counts.items():
            total.setdefault(name, Counts()).add(c)
    return {name: total[name] for name in FIELDS if name in total}


def field_metrics(c: Counts) -> dict[str, Any]:
    """Precision, recall, F1 and support of one field (None where undefined)."""
    precision = c.tp / (c.tp + c.fp) if c.tp + c.fp else None
    recall = c.tp / (c.tp + c.fn) if c.tp + c.fn else None
    denom = 2 * c.tp + c.fp + c.fn
    f1 = 2 * c.tp / denom if denom else None
    return {
        "tp": c.tp, "fp": c.fp, "fn": c.fn, "support": c.tp + c.fn,
        "precision": precision, "recall": recall, "f1": f1,
    }  # fmt: skip


def macro_f1(counts: Mapping[str, Counts]) -> float | None:
    """Mean F1 over the fields with ground-truth support (None when no field has any)."""
    f1s = [field_metrics(c)["f1"] for c in counts.values() if c.tp + c.fn > 0]
    return sum(f1s) / len(f1s) if f1s else None
