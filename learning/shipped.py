"""The calibrator that ships with the app (before any recruiter correction exists).

It is fit on the generated, labelled corpus (`cvassist corpus`, fixed seeds): every value the
parser extracts is labelled correct or not by the evaluation matcher (evaluation.scoring), the
same judgement `cvassist eval` uses. A second seed gives the frozen holdout the training gate
compares models on (`holdout.json`, raw confidences and labels only, no CV text).
Rebuild with `scripts/fit_shipped_calibrator.py` after a parser change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.calibration import coverage_at_precision, expected_calibration_error
from learning.autoaccept import AutoAcceptPolicy
from learning.bundle import ModelBundle
from learning.calibration import GROUPS, FieldCalibrator, field_group, scoring_type
from parsing.model import ParsedCV

SHIPPED_DIR = Path(__file__).parent / "shipped"
BUNDLE_DIR = SHIPPED_DIR / "bundle"
HOLDOUT_FILE = SHIPPED_DIR / "holdout.json"
SHIPPED_VERSION = "shipped-1"
FIT_SEED = 5151
HOLDOUT_SEED = 6262


@dataclass(frozen=True, slots=True)
class LabelledValue:
    """One extracted value: field type, confidence, whether it was right, and its document."""

    ftype: str
    confidence: float
    correct: bool
    dataset: str = ""
    doc_id: str = ""


def labelled_values(
    root: Path, *, parse: Callable[[Path], ParsedCV], limit: int = 0
) -> list[LabelledValue]:
    """Parse a labelled directory (shared/eval format) and label every scored value."""
    from evaluation import harness, scoring  # only the fitting script needs it

    docs = harness.stratified_limit(harness.load_documents(root), limit)
    out: list[LabelledValue] = []
    for d in docs:
        parsed = parse(d.path)
        for rec in scoring.score_parsed(parsed, d.gt, d.annotated).records:
            out.append(
                LabelledValue(
                    scoring_type(rec.field), rec.confidence, rec.correct, d.dataset, d.doc_id
                )
            )
    return out


def fit_bundle(values: list[LabelledValue], *, version: str = SHIPPED_VERSION) -> ModelBundle:
    """The calibrator on every corpus value, and an empty auto-accept policy.

    Nothing is auto-accepted before recruiters' outcomes exist: the generated corpus is far
    easier than real CVs (measured: thresholds chosen on it kept 60 % precision on real ones),
    so only outcomes on the deployment's own CVs may choose thresholds.
    """
    calibrator = FieldCalibrator().fit(
        [v.ftype for v in values], [v.confidence for v in values], [v.correct for v in values]
    )
    meta = {"trained_on": {"corpus_seed": FIT_SEED, "n_values": len(values), "corrections": []}}
    return ModelBundle(version, calibrator, AutoAcceptPolicy(), None, meta)


def load_shipped() -> ModelBundle:
    """The shipped bundle (file hashes verified against its manifest)."""
    return ModelBundle.load(BUNDLE_DIR)


def write_holdout(values: Iterable[LabelledValue], path: Path = HOLDOUT_FILE) -> None:
    """Store holdout values compactly: per field type, [confidence x 1000, correct] pairs."""
    by_type: dict[str, list[list[int]]] = {}
    for v in values:
        by_type.setdefault(v.ftype, []).append([round(v.confidence * 1000), int(v.correct)])
    path.write_text(
        json.dumps({"seed": HOLDOUT_SEED, "values": by_type}, sort_keys=True), encoding="utf-8"
    )


def corpus_holdout(path: Path = HOLDOUT_FILE) -> list[LabelledValue]:
    """The frozen generated-corpus holdout values."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        LabelledValue(ftype, conf / 1000.0, bool(ok), "generated-holdout")
        for ftype, pairs in data["values"].items()
        for conf, ok in pairs
    ]


def calibration_report(
    types: list[str], conf: np.ndarray, correct: list[bool], *, target: float = 0.95
) -> dict[str, Any]:
    """ECE overall and per field group, and the share auto-acceptable at `target` precision."""
    groups = np.asarray([field_group(t) for t in types], dtype=object)
    y = np.asarray(correct, dtype=bool)
    coverage, threshold = coverage_at_precision(conf.tolist(), y.tolist(), target)
    report: dict[str, Any] = {
        "n": len(types),
        "accuracy": float(y.mean()) if len(y) else None,
        "ece": expected_calibration_error(conf.tolist(), y.tolist()),
        f"coverage_at_{round(target * 100)}": coverage,
        "threshold": threshold,
        "groups": {},
    }
    for g in GROUPS:
        mask = groups == g
        if mask.any():
            report["groups"][g] = {
                "n": int(mask.sum()),
                "ece": expected_calibration_error(conf[mask].tolist(), y[mask].tolist()),
            }
    return report
