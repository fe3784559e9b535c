"""Fit the calibrator that ships in learning/shipped/ and write the frozen training holdout.

    .venv/bin/python scripts/fit_shipped_calibrator.py                  # generate + fit + write
    .venv/bin/python scripts/fit_shipped_calibrator.py --measure ../shared/eval --limit 400

Deterministic: the corpus seeds are fixed (learning.shipped.FIT_SEED / HOLDOUT_SEED). --measure
only reads a labelled directory and prints ECE before/after; nothing derived from it is written
into the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus.generate import FORMATS, LAYOUTS, generate
from learning import shipped
from learning.autoaccept import AutoAcceptPolicy
from learning.bundle import ModelBundle
from learning.calibration import FieldCalibrator
from parsing.pipeline import parse_path

FIT_PEOPLE = 330  # 30 per layout, every format
HOLDOUT_PEOPLE = 66


def _values(root: Path, cache: Path | None, limit: int = 0) -> list[shipped.LabelledValue]:
    if cache is not None and cache.is_file():
        return [shipped.LabelledValue(**v) for v in json.loads(cache.read_text())]
    values = shipped.labelled_values(root, parse=parse_path, limit=limit)
    if cache is not None:
        cache.write_text(json.dumps([asdict(v) for v in values]))
    return values


def _corpus(seed: int, n: int, given: str | None, tmp: Path) -> Path:
    if given:
        return Path(given)
    out = tmp / f"corpus_{seed}"
    generate(out, n, seed, FORMATS, tuple(LAYOUTS))
    return out


def measure(bundle: ModelBundle, values: list[shipped.LabelledValue]) -> dict[str, object]:
    """ECE and auto-acceptable share before and after calibration on labelled values."""
    assert bundle.calibrator is not None
    types = [v.ftype for v in values]
    raw = np.asarray([v.confidence for v in values])
    cal = bundle.calibrator.predict(types, raw)
    correct = [v.correct for v in values]
    limits = bundle.policy.thresholds(0.98)
    accepted = np.asarray(
        [
            (t := limits.get(shipped.field_group(ft))) is not None and c >= t
            for ft, c in zip(types, cal, strict=True)
        ]
    )
    y = np.asarray(correct)
    return {
        "before": shipped.calibration_report(types, raw, correct),
        "after": shipped.calibration_report(types, cal, correct),
        "auto_accept_098": {
            "thresholds": limits,
            "share": float(accepted.mean()),
            "precision": float(y[accepted].mean()) if accepted.any() else None,
        },
    }


def _split(doc_id: str) -> float:
    return int(hashlib.sha256(doc_id.encode()).hexdigest()[:8], 16) / 16**8


def recalibrated(bundle: ModelBundle, values: list[shipped.LabelledValue]) -> dict[str, object]:
    """Simulated recruiter outcomes: documents split 50/25/25 by id hash into outcomes the
    calibrator learns from, outcomes choosing auto-accept thresholds, and the test part."""
    fit = [v for v in values if _split(v.doc_id) < 0.5]
    pol = [v for v in values if 0.5 <= _split(v.doc_id) < 0.75]
    test = [v for v in values if _split(v.doc_id) >= 0.75]
    cal = FieldCalibrator(prior=bundle.calibrator).fit(
        [v.ftype for v in fit], [v.confidence for v in fit], [v.correct for v in fit]
    )
    policy = AutoAcceptPolicy.fit(
        [v.ftype for v in pol],
        cal.predict([v.ftype for v in pol], [v.confidence for v in pol]),
        [v.correct for v in pol],
    )
    types = [v.ftype for v in test]
    c = cal.predict(types, [v.confidence for v in test])
    y = np.asarray([v.correct for v in test])
    out: dict[str, object] = {
        "n_outcomes": len(fit),
        "n_policy": len(pol),
        "test": shipped.calibration_report(types, c, y.tolist()),
    }
    for target in (0.95, 0.98):
        limits = policy.thresholds(target)
        acc = np.asarray(
            [
                (t := limits.get(shipped.field_group(ft))) is not None and ci >= t
                for ft, ci in zip(types, c, strict=True)
            ]
        )
        out[f"policy_{target}"] = {
            "thresholds": limits,
            "share": float(acc.mean()),
            "precision": float(y[acc].mean()) if acc.any() else None,
        }
    return out


def crossfit(bundle: ModelBundle, values: list[shipped.LabelledValue], k: int = 4) -> object:
    """Out-of-fold calibration: k folds by document, each calibrated by outcomes of the others;
    ECE and coverage over every value's out-of-fold confidence."""
    types = [v.ftype for v in values]
    folds = np.asarray([int(_split(v.doc_id) * k) for v in values])
    oof = np.zeros(len(values))
    for fold in range(k):
        train = np.flatnonzero(folds != fold)
        test = np.flatnonzero(folds == fold)
        cal = FieldCalibrator(prior=bundle.calibrator).fit(
            [types[i] for i in train],
            [values[i].confidence for i in train],
            [values[i].correct for i in train],
        )
        oof[test] = cal.predict([types[i] for i in test], [values[i].confidence for i in test])
    return shipped.calibration_report(types, oof, [v.correct for v in values])


def main() -> int:
    """Fit, save and (optionally) measure; prints a JSON summary."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", help="an existing corpus generated with the fit seed")
    ap.add_argument("--holdout-corpus", help="an existing corpus generated with the holdout seed")
    ap.add_argument("--measure", help="a labelled directory to measure ECE on (read only)")
    ap.add_argument("--limit", type=int, default=400, help="documents measured (stratified)")
    ap.add_argument("--cache", help="directory for parsed-value caches between runs")
    ns = ap.parse_args()
    cache = Path(ns.cache) if ns.cache else None
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        fit_dir = _corpus(shipped.FIT_SEED, FIT_PEOPLE, ns.corpus, Path(tmp))
        values = _values(fit_dir, cache / "fit.json" if cache else None)
        hold_dir = _corpus(shipped.HOLDOUT_SEED, HOLDOUT_PEOPLE, ns.holdout_corpus, Path(tmp))
        holdout = _values(hold_dir, cache / "holdout.json" if cache else None)
    bundle = shipped.fit_bundle(values)
    shutil.rmtree(shipped.BUNDLE_DIR, ignore_errors=True)
    bundle.save(shipped.BUNDLE_DIR)
    shipped.write_holdout(holdout)
    bundle = shipped.load_shipped()
    summary: dict[str, object] = {
        "fit_values": len(values),
        "methods": bundle.calibrator.methods_ if bundle.calibrator else {},
        "corpus_holdout": measure(bundle, holdout),
    }
    if ns.measure:
        ev = _values(Path(ns.measure), cache / "eval.json" if cache else None, ns.limit)
        summary["eval"] = measure(bundle, ev)
        summary["eval_recalibrated"] = recalibrated(bundle, ev)
        summary["eval_crossfit"] = crossfit(bundle, ev)
    summary["seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(summary, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
