"""Drift statistics, pure functions: p-chart limits for a field's correction rate, the population
stability index of the input mix, ECE from binned outcomes, Wilson intervals, aligned windows.

Nothing here touches a database: `correction.dashboard` feeds in counts aggregated in SQL and
turns the returned `AlertCandidate`s into throttled `DriftAlert` rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

SIGMAS = 3.0  # Shewhart p-chart: 3-sigma binomial limits
MIN_WINDOW_N = 30  # decisions on a field in the current window before its rate is judged
MIN_REFERENCE_N = 100  # decisions on a field in the reference before it has a centre line
PSI_ALERT = 0.25  # population stability index: > 0.25 is the usual "major shift"
PSI_EPSILON = 1e-4  # share given to a category absent on one side (keeps the log finite)
MIN_MIX_N = 30  # parses on each side before the input mix is compared
WINDOW_DAYS = 7
REFERENCE_WINDOWS = 4  # the reference is the REFERENCE_WINDOWS windows before the current one
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)  # a Monday: weekly windows are ISO weeks
WILSON_Z = 1.96  # 95 %


@dataclass(frozen=True, slots=True)
class RateCount:
    """Decisions on one field in one period, and how many of them changed the parsed value."""

    n: int
    changed: int

    @property
    def rate(self) -> float | None:
        """Correction rate; None when there were no decisions."""
        return self.changed / self.n if self.n else None


@dataclass(frozen=True, slots=True)
class Limits:
    """A p-chart's centre line and its 3-sigma limits for a period with n decisions."""

    centre: float
    lower: float
    upper: float


@dataclass(frozen=True, slots=True)
class AlertCandidate:
    """Something that left its limits in one window; the caller decides whether to raise it."""

    kind: str  # "correction_rate" | "input_mix"
    subject: str  # the field, or the input dimension
    window_start: datetime
    window_end: datetime
    observed: float
    expected: float
    lower: float | None
    upper: float
    n: int
    detail: dict[str, Any] = field(default_factory=dict)


def window_bounds(now: datetime, days: int = WINDOW_DAYS) -> tuple[datetime, datetime]:
    """The aligned window holding `now`: [start, start + days), counted from EPOCH, so every check
    in one window names the same window (what throttling keys on)."""
    if now.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware value")
    span = timedelta(days=days)
    k = (now.astimezone(UTC) - EPOCH) // span
    start = EPOCH + k * span
    return start, start + span


def p_chart_limits(centre: float, n: int, sigmas: float = SIGMAS) -> Limits:
    """Binomial limits around `centre` for a period of n decisions, clipped to [0, 1]."""
    if n <= 0:
        raise ValueError("a period needs at least one decision")
    half = sigmas * math.sqrt(centre * (1.0 - centre) / n)
    return Limits(centre=centre, lower=max(0.0, centre - half), upper=min(1.0, centre + half))


def pooled_rate(counts: Iterable[RateCount]) -> RateCount:
    """The counts of several periods added up (the reference window's centre line)."""
    n = changed = 0
    for c in counts:
        n += c.n
        changed += c.changed
    return RateCount(n, changed)


def rate_alerts(
    *,
    reference: Mapping[str, RateCount],
    current: Mapping[str, RateCount],
    window: tuple[datetime, datetime],
    min_n: int = MIN_WINDOW_N,
    min_reference: int = MIN_REFERENCE_N,
) -> list[AlertCandidate]:
    """Fields whose correction rate in the current window is outside the p-chart limits set by
    the reference window (too few decisions on either side: not judged)."""
    out = []
    for subject in sorted(current):
        cur, ref = current[subject], reference.get(subject)
        if ref is None or ref.n < min_reference or cur.n < min_n:
            continue
        limits = p_chart_limits(ref.changed / ref.n, cur.n)
        observed = cur.changed / cur.n
        if limits.lower <= observed <= limits.upper:
            continue
        out.append(
            AlertCandidate(
                kind="correction_rate",
                subject=subject,
                window_start=window[0],
                window_end=window[1],
                observed=observed,
                expected=limits.centre,
                lower=limits.lower,
                upper=limits.upper,
                n=cur.n,
                detail={
                    "direction": "above" if observed > limits.upper else "below",
                    "changed": cur.changed,
                    "reference_n": ref.n,
                    "reference_changed": ref.changed,
                },
            )
        )
    return out


def population_stability_index(
    reference: Mapping[str, int], current: Mapping[str, int], epsilon: float = PSI_EPSILON
) -> float:
    """PSI = Σ (cur − ref) · ln(cur / ref) over category shares; 0 = the same mix."""
    n_ref, n_cur = sum(reference.values()), sum(current.values())
    if not n_ref or not n_cur:
        raise ValueError("both sides need at least one observation")
    total = 0.0
    for cat in set(reference) | set(current):
        r = max(reference.get(cat, 0) / n_ref, epsilon)
        c = max(current.get(cat, 0) / n_cur, epsilon)
        total += (c - r) * math.log(c / r)
    return total


def mix_alerts(
    *,
    reference: Mapping[str, Mapping[str, int]],
    current: Mapping[str, Mapping[str, int]],
    window: tuple[datetime, datetime],
    threshold: float = PSI_ALERT,
    min_n: int = MIN_MIX_N,
) -> list[AlertCandidate]:
    """Input dimensions (language, format, pages, empty text) whose mix in the current window
    shifted from the reference by more than `threshold` PSI."""
    out = []
    for dim in sorted(current):
        cur, ref = current[dim], reference.get(dim, {})
        n_cur, n_ref = sum(cur.values()), sum(ref.values())
        if n_cur < min_n or n_ref < min_n:
            continue
        psi = population_stability_index(ref, cur)
        if psi <= threshold:
            continue
        out.append(
            AlertCandidate(
                kind="input_mix",
                subject=dim,
                window_start=window[0],
                window_end=window[1],
                observed=psi,
                expected=0.0,
                lower=None,
                upper=threshold,
                n=n_cur,
                detail={
                    "current": _shares(cur),
                    "reference": _shares(ref),
                    "reference_n": n_ref,
                },
            )
        )
    return out


def _shares(counts: Mapping[str, int]) -> dict[str, float]:
    total = sum(counts.values())
    return {k: round(v / total, 4) for k, v in sorted(counts.items())}


@dataclass(frozen=True, slots=True)
class OutcomeBin:
    """One confidence bin of recruiter outcomes: count, mean confidence, share accepted."""

    count: int
    mean_confidence: float
    accuracy: float


def ece_from_bins(bins: Sequence[OutcomeBin]) -> float | None:
    """Expected calibration error from bins aggregated elsewhere (in SQL): the count-weighted
    mean |accuracy − confidence|; None without outcomes. Same definition as
    evaluation.calibration.expected_calibration_error, which needs every row in memory."""
    total = sum(b.count for b in bins)
    if not total:
        return None
    return sum(b.count * abs(b.accuracy - b.mean_confidence) for b in bins) / total


def wilson_interval(successes: int, n: int, z: float = WILSON_Z) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion (sound at small n and near 0 or 1); None when
    n is 0."""
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)
