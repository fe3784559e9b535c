"""Confidence bands (green at or above the auto-accept threshold, amber from 0.6, red below) and
the numbers that order the review queue. `ui/bands.py` can re-export `band` and `AMBER_FROM`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from data.queries import CandidateScores
from parsing.model import Field
from settings import get_settings

Band = Literal["green", "amber", "red"]
AMBER_FROM = 0.6


def band(confidence: float, auto_accept: float) -> Band:
    """'green', 'amber' or 'red' for a confidence."""
    if confidence >= auto_accept:
        return "green"
    if confidence >= AMBER_FROM:
        return "amber"
    return "red"


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
        counts[band(f.confidence, threshold)] += 1
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
    """Paths of the fields 'accept all green' confirms."""
    threshold = auto_accept_threshold() if auto_accept is None else auto_accept
    return [path for path, f in fields if band(f.confidence, threshold) == "green"]
