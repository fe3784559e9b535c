"""Per-field-type calibration of the parser's raw confidence into P(value accepted unchanged).

A `FieldCalibrator` follows the scikit-learn estimator API: `fit(types, confidences, outcomes)`
learns one monotone map per field type (`experience.title`, `skills`, ...), one per field group
(contact, experience, ...) as the fallback for rare types, and one over everything. A key with
at least `isotonic_from` outcomes gets isotonic regression; below that, Platt scaling on the
log-odds of the raw confidence (isotonic overfits small samples).

With a `prior` calibrator (the shipped one, fit on the generated corpus), sigmoid maps are fit on
top of the prior's output and pulled towards the identity by an L2 penalty of `prior_strength`:
a few recruiter outcomes adjust the prior, a consistent body of them moves it. A key with enough
outcomes for isotonic regression maps the raw scores itself (the prior's steps would hide the
ranking the raw score still has).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from parsing.model import Field, Fields

ISOTONIC_FROM = 1000  # outcomes per key before isotonic replaces sigmoid
MIN_OUTCOMES = 30  # fewer outcomes (or only one class) for a key: use the next fallback
# L2 pull of a refit sigmoid towards the prior (no change): a Gaussian prior of sd 0.7 log-odds
# on its offset. 10 (sd 0.22) trusted the shipped calibrator, fit on generated CVs, far more than
# its transfer to real ones earns: on ../shared/eval, out of fold, certifications 0.19 -> 0.11
# ECE; learning from 816 outcomes 0.112 -> 0.100 on unseen documents; no group got worse.
PRIOR_STRENGTH = 1.0
FLOOR, CEIL = 0.01, 0.99  # calibrated confidences stay inside the parser's own range
GROUPS: tuple[str, ...] = (
    "contact",
    "experience",
    "education",
    "skills",
    "languages",
    "certifications",
)
GLOBAL = "*"
Floats = Sequence[float] | np.ndarray  # confidences as a list or an array
_INDEX = re.compile(r"\[\d+\]")
# Field names of evaluation.scoring that are not field types of the parsed record.
_SCORING_TYPES = {"languages": "languages.language"}


def field_type(path: str) -> str:
    """The field type of a value path: 'experience[2].title' → 'experience.title'."""
    return _INDEX.sub("", path)


def scoring_type(name: str) -> str:
    """The field type behind a field name of evaluation.scoring ('languages' → its language)."""
    return _SCORING_TYPES.get(name, name)


def field_group(ftype: str) -> str:
    """The field group a field type belongs to (contact, experience, education, ...)."""
    head = ftype.split(".", 1)[0].split("[", 1)[0]
    if head == "total_experience_years":
        return "experience"
    return head if head in GROUPS else "contact"


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.asarray(np.log(p / (1 - p)), dtype=float)


def fit_sigmoid(z: np.ndarray, y: np.ndarray, strength: float) -> tuple[float, float]:
    """Platt scaling p = σ(a·z + b) by maximum likelihood, L2-pulled towards a=1, b=0."""
    from scipy.optimize import minimize  # only training needs scipy's optimiser

    t = y.astype(float)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = w[0] * z + w[1]
        p = 1.0 / (1.0 + np.exp(-s))
        nll = float(np.sum(np.logaddexp(0.0, s) - t * s))
        pen = strength * ((w[0] - 1.0) ** 2 + w[1] ** 2)
        g = np.array([np.sum((p - t) * z), np.sum(p - t)])
        g += 2 * strength * np.array([w[0] - 1.0, w[1]])
        return nll + pen, g

    res = minimize(loss, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B")
    return float(res.x[0]), float(res.x[1])


class FieldCalibrator:
    """Monotone raw → calibrated confidence maps per field type, group and overall."""

    def __init__(
        self,
        *,
        isotonic_from: int = ISOTONIC_FROM,
        min_outcomes: int = MIN_OUTCOMES,
        prior: FieldCalibrator | None = None,
        prior_strength: float = PRIOR_STRENGTH,
    ):
        self.isotonic_from = isotonic_from
        self.min_outcomes = min_outcomes
        self.prior = prior
        self.prior_strength = prior_strength

    def _base(self, types: np.ndarray, x: np.ndarray) -> np.ndarray:
        """The prior's calibration of raw confidences (the raw values without a prior)."""
        return x if self.prior is None else self.prior.predict(types.tolist(), x)

    def fit(
        self, types: Sequence[str], confidences: Floats, outcomes: Sequence[bool]
    ) -> FieldCalibrator:
        """Fit one map per key with enough outcomes of both kinds; returns self."""
        t = np.asarray(types, dtype=object)
        x = np.asarray(confidences, dtype=float)
        y = np.asarray(outcomes, dtype=bool)
        if not (len(t) == len(x) == len(y)):
            raise ValueError("types, confidences and outcomes must have the same length")
        base = self._base(t, x)
        groups = np.asarray([field_group(str(v)) for v in t], dtype=object)
        self.models_: dict[str, Any] = {}
        self.methods_: dict[str, str] = {}
        self.counts_: dict[str, int] = {}
        keys = [(GLOBAL, np.ones(len(t), dtype=bool))]
        keys += [(f"group:{g}", groups == g) for g in sorted(set(groups))]
        keys += [(str(k), t == k) for k in sorted(set(t))]
        for key, mask in keys:
            n = int(mask.sum())
            self.counts_[key] = n
            if n < self.min_outcomes or y[mask].all() or not y[mask].any():
                continue
            method = "isotonic" if n >= self.isotonic_from else "sigmoid"
            # enough outcomes stand on their own (raw scores); fewer adjust the prior's output
            inputs = x if method == "isotonic" else base
            self.models_[key] = self._fit_one(method, inputs[mask], y[mask])
            self.methods_[key] = method
        return self

    def _fit_one(self, method: str, x: np.ndarray, y: np.ndarray) -> Any:
        if method == "isotonic":
            from sklearn.isotonic import IsotonicRegression  # training only

            return IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x, y)
        strength = self.prior_strength if self.prior is not None else 1e-3
        return fit_sigmoid(_logit(x), y, strength)

    def key_for(self, ftype: str) -> str | None:
        """The key whose map calibrates `ftype` (None = no map of its own: the prior's output)."""
        for key in (ftype, f"group:{field_group(ftype)}", GLOBAL):
            if key in getattr(self, "models_", {}):
                return key
        return None

    def method_for(self, ftype: str) -> str | None:
        """'isotonic', 'sigmoid' or None (uncalibrated) for a field type."""
        key = self.key_for(ftype)
        return self.methods_[key] if key else None

    def predict(self, types: Sequence[str], confidences: Floats) -> np.ndarray:
        """Calibrated confidences, one per (type, raw confidence)."""
        t = np.asarray(types, dtype=object)
        raw = np.asarray(confidences, dtype=float)
        x = self._base(t, raw)
        out = x.copy()
        for ftype in set(t.tolist()):
            key = self.key_for(str(ftype))
            if key is None:
                continue
            mask = t == ftype
            model = self.models_[key]
            if self.methods_[key] == "isotonic":
                out[mask] = model.predict(raw[mask])
            else:
                a, b = model
                out[mask] = 1.0 / (1.0 + np.exp(-(a * _logit(x[mask]) + b)))
        return np.clip(out, FLOOR, CEIL)

    def calibrate_fields(self, fields: Fields) -> Fields:
        """Set every value's confidence to its calibrated one, keeping the raw as raw_confidence.

        Idempotent: a value that already has raw_confidence is recalibrated from that.
        """
        items = fields.iter_fields()
        if not items:
            return fields
        raws = [raw_confidence(f) for _, f in items]
        cal = self.predict([field_type(p) for p, _ in items], raws)
        for (_, f), raw, c in zip(items, raws, cal, strict=True):
            f.raw_confidence = raw  # type: ignore[attr-defined]  # Field allows extras
            f.confidence = round(float(c), 4)
        return fields


def raw_confidence(f: Field) -> float:
    """The parser's own confidence of a value (before any calibration)."""
    extra = f.model_extra or {}
    raw = extra.get("raw_confidence")
    return float(raw) if raw is not None else float(f.confidence)


def outcome_arrays(
    rows: Iterable[tuple[str, float, bool]],
) -> tuple[list[str], list[float], list[bool]]:
    """(field types, raw confidences, outcomes) from (path or type, raw, accepted) rows."""
    types, confs, ys = [], [], []
    for path, conf, ok in rows:
        types.append(field_type(path))
        confs.append(float(conf))
        ys.append(bool(ok))
    return types, confs, ys
