"""Auto-accept: a calibrated-confidence threshold per field group for a target precision, and
the decision per value: auto_accept | audit (a random sample still goes to a human) | review.

Thresholds come from labelled outcomes (recruiter decisions, or the generated corpus for the
shipped model). A group's threshold is the lowest confidence at which the values at or above it
keep the target precision with a margin (Wilson lower bound), so the precision holds on values
the threshold was not chosen on. The audit draw is a hash of (document, path): re-rendering or
re-scoring a CV never changes which values are audited.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from learning.calibration import Floats, field_group, field_type
from parsing.model import ParsedCV

Decision = Literal["auto_accept", "audit", "review"]
DECISIONS: tuple[str, ...] = ("auto_accept", "audit", "review")
MARGIN_Z = 1.0  # one-sided z of the Wilson bound the precision must clear
MIN_ACCEPTED = 20  # a group needs this many values above its threshold to auto-accept at all
CURVE_DECIMALS = 3


def wilson_lower(hits: np.ndarray, n: np.ndarray, z: float = MARGIN_Z) -> np.ndarray:
    """Wilson score lower bound of a proportion hits/n."""
    p = hits / n
    centre = p + z * z / (2 * n)
    spread = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n)


@dataclass(slots=True)
class AutoAcceptPolicy:
    """Precision curves per field group: (confidence, values at or above, correct among them)."""

    curves: dict[str, list[tuple[float, int, int]]] = field(default_factory=dict)

    @classmethod
    def fit(
        cls, types: Sequence[str], calibrated: Floats, outcomes: Sequence[bool]
    ) -> AutoAcceptPolicy:
        """Build the curves from calibrated confidences and their outcomes."""
        groups = np.asarray([field_group(field_type(t)) for t in types], dtype=object)
        c = np.round(np.asarray(calibrated, dtype=float), CURVE_DECIMALS)
        y = np.asarray(outcomes, dtype=bool)
        curves: dict[str, list[tuple[float, int, int]]] = {}
        for g in sorted(set(groups.tolist())):
            mask = groups == g
            order = np.argsort(-c[mask], kind="stable")
            cg, yg = c[mask][order], y[mask][order]
            hits = np.cumsum(yg)
            ends = np.flatnonzero(np.append(cg[1:] < cg[:-1], True))
            curves[str(g)] = [(float(cg[i]), int(i + 1), int(hits[i])) for i in ends]
        return cls(curves)

    def threshold(self, group: str, target: float) -> float | None:
        """Lowest confidence auto-accepting at `target` precision in a group (None = never)."""
        curve = self.curves.get(group)
        if not curve:
            return None
        arr = np.asarray(curve, dtype=float)
        lower = wilson_lower(arr[:, 2], arr[:, 1])
        ok = (lower >= target) & (arr[:, 1] >= MIN_ACCEPTED)
        if not ok.any():
            return None
        return float(arr[int(np.flatnonzero(ok).max()), 0])

    def thresholds(self, target: float) -> dict[str, float | None]:
        """Every group's threshold for a target precision."""
        return {g: self.threshold(g, target) for g in self.curves}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (stored in the model bundle)."""
        return {"curves": {g: [list(p) for p in pts] for g, pts in self.curves.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AutoAcceptPolicy:
        """Inverse of to_dict."""
        curves = data.get("curves", {})
        return cls(
            {g: [(float(a), int(b), int(c)) for a, b, c in pts] for g, pts in curves.items()}
        )


def audit_draw(key: str) -> float:
    """A uniform number in [0, 1) fixed by the key (the same value always draws the same)."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") / 2.0**64


def decide(confidence: float, threshold: float | None, *, key: str, audit_rate: float) -> Decision:
    """The decision for one value: below the threshold review; else audit with the given rate."""
    if threshold is None or math.isnan(confidence) or confidence < threshold:
        return "review"
    return "audit" if audit_draw(key) < audit_rate else "auto_accept"


def apply_decisions(
    parsed: ParsedCV, policy: AutoAcceptPolicy, *, target: float, audit_rate: float
) -> ParsedCV:
    """Set `decision` on every value of a parse (in place) and return it."""
    limits = policy.thresholds(target)
    for path, f in parsed.fields.iter_fields():
        group = field_group(field_type(path))
        f.decision = decide(  # type: ignore[attr-defined]  # Field allows extras
            f.confidence, limits.get(group), key=f"{parsed.sha256}:{path}", audit_rate=audit_rate
        )
    return parsed


def decision_of(f: Any) -> str | None:
    """The auto-accept decision recorded on a parsed Field (None = made before auto-accept)."""
    extra = getattr(f, "model_extra", None) or {}
    value = extra.get("decision")
    return str(value) if value in DECISIONS else None
