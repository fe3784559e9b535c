"""Confidence bands (green at or above the auto-accept threshold, amber from 0.6, red below) and
the numbers that order the review queue. `ui/bands.py` can re-export `band` and `AMBER_FROM`.

Confidences are calibrated (learning.runtime). A value the model auto-accepted counts as green
and adds nothing to the expected corrections; a value drawn for the audit sample is never
confirmed by 'accept all green': a human decides it, so auto-accept precision stays measured.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from data.queries import CandidateScores
from learning.autoaccept import decision_of
from parsing.model import Field
from settings import get_settings

Band = Literal["green", "amber", "red"]
AMBER_FROM = 0.6
DECISION_LABELS = {"auto_accept": "auto-accepted", "audit": "audit", "review": "needs review"}


def band(confidence: float, auto_accept: float) -> Band:
    """'green', 'amber' or 'red' for a confidence."""
    if confidence >= auto_accept:
        return "green"
    if confidence >= AMBER_FROM:
        return "amber"
    return "red"


def field_band(f: Field, auto_accept: float) -> Band:
    """The band of a parsed value: auto-accepted values are green, others by confidence."""
    return "green" if decision_of(f) == "auto_accept" else band(f.confidence, auto_accept)


def decision_label(f: Field) -> str | None:
    """'auto-accepted', 'audit' or 'needs review' (None = parsed before auto-accept existed)."""
    made = decision_of(f)
    return DECISION_LABELS[made] if made else None


def auto_accept_threshold() -> float:
    """The configured auto-accept threshold (settings.auto_accept_precision)."""
    return get_settings().auto_accept_precision


def score_fields(fields: Iterable[Field], *, auto_accept: float | None = None) -> CandidateScores:
    """Band counts, expected corrections (sum of 1 − confidence) and the weakest confidence."""
    threshold = auto_accept_threshold() if auto_accept is None else auto_accept
    counts = {"green": 0, "amber": 0, "red": 0}
    expected = 0.0
    weakest: float | None = None
    for f in fields:
        counts[field_band(f, threshold)] += 1
        if decision_of(f) != "auto_accept":
            expected += 1.0 - f.confidence
        weakest = f.confidence if weakest is None else min(weakest, f.confidence)
    return CandidateScores(
        n_fields=sum(counts.values()),
        n_green=counts["green"],
        n_amber=counts["amber"],
        n_red=counts["red"],
        expected_corrections=round(expected, 6),
        min_confidence=weakest,
    )


def green_paths(
    fields: Iterable[tuple[str, Field]], *, auto_accept: float | None = None
) -> list[str]:
    """Paths of the fields 'accept all green' confirms (never the audit sample's)."""
    threshold = auto_accept_threshold() if auto_accept is None else auto_accept
    return [
        path
        for path, f in fields
        if field_band(f, threshold) == "green" and decision_of(f) != "audit"
    ]
