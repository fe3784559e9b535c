"""Calibration of per-value confidences: ECE, coverage at a target precision, reliability bins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

N_BINS = 10
TARGET_PRECISION = 0.95


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    """One equal-width confidence bin: its range, count, mean confidence and accuracy."""

    lo: float
    hi: float
    count: int
    mean_confidence: float | None
    accuracy: float | None


def _arrays(conf: Sequence[float], correct: Sequence[bool]) -> tuple[np.ndarray, np.ndarray]:
    """Validated float/bool arrays of equal length."""
    c = np.asarray(conf, dtype=float)
    y = np.asarray(correct, dtype=bool)
    if c.shape != y.shape:
        raise ValueError("conf and correct must have the same length")
    return np.clip(c, 0.0, 1.0), y


def reliability_bins(
    conf: Sequence[float], correct: Sequence[bool], n_bins: int = N_BINS
) -> list[ReliabilityBin]:
    """Equal-width bins over [0, 1]; the last bin includes 1.0."""
    c, y = _arrays(conf, correct)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.clip(np.digitize(c, edges[1:-1], right=False), 0, n_bins - 1)
    out = []
    for b in range(n_bins):
        mask = idx == b
        n = int(mask.sum())
        out.append(
            ReliabilityBin(
                lo=float(edges[b]),
                hi=float(edges[b + 1]),
                count=n,
                mean_confidence=float(c[mask].mean()) if n else None,
                accuracy=float(y[mask].mean()) if n else None,
            )
        )
    return out


def expected_calibration_error(
    conf: Sequence[float], correct: Sequence[bool], n_bins: int = N_BINS
) -> float | None:
    """Count-weighted mean |accuracy - confidence| over equal-width bins (None without data)."""
    bins = reliability_bins(conf, correct, n_bins)
    total = sum(b.count for b in bins)
    if not total:
        return None
    return (
        sum(
            b.count * abs((b.accuracy or 0.0) - (b.mean_confidence or 0.0)) for b in bins if b.count
        )
        / total
    )


def coverage_at_precision(
    conf: Sequence[float], correct: Sequence[bool], target: float = TARGET_PRECISION
) -> tuple[float, float | None]:
    """Largest share of values whose top-confidence subset has precision >= target.

    Returns (coverage, threshold): accepting every value with confidence >= threshold keeps
    precision at or above target. Ties are kept together (a threshold cannot split them);
    (0.0, None) when no threshold reaches the target.
    """
    c, y = _arrays(conf, correct)
    if not len(c):
        return 0.0, None
    order = np.argsort(-c, kind="stable")
    c, y = c[order], y[order]
    hits = np.cumsum(y)
    n = np.arange(1, len(c) + 1)
    # Only cut where the next confidence is strictly lower (end of a tie group).
    ends = np.flatnonzero(np.append(c[1:] < c[:-1], True))
    ok = ends[hits[ends] / n[ends] >= target]
    if not len(ok):
        return 0.0, None
    last = int(ok.max())
    return float(n[last] / len(c)), float(c[last])


def calibration_summary(
    conf: Sequence[float], correct: Sequence[bool], target: float = TARGET_PRECISION
) -> dict[str, Any]:
    """ECE, coverage/threshold at the target precision, accuracy, count and reliability bins."""
    coverage, threshold = coverage_at_precision(conf, correct, target)
    return {
        "n": len(conf),
        "accuracy": float(np.mean(correct)) if len(correct) else None,
        "mean_confidence": float(np.mean(conf)) if len(conf) else None,
        "ece": expected_calibration_error(conf, correct),
        "target_precision": target,
        "coverage": coverage,
        "threshold": threshold,
        "bins": [asdict(b) for b in reliability_bins(conf, correct)],
    }
