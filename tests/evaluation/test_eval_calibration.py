"""Calibration metrics: ECE on calibrated and over-confident toy sets, coverage at precision."""

from __future__ import annotations

import numpy as np
import pytest

from evaluation.calibration import (
    calibration_summary,
    coverage_at_precision,
    expected_calibration_error,
    reliability_bins,
)


def _calibrated(n_per_bin: int = 1000) -> tuple[list[float], list[bool]]:
    """Values at confidence 0.05, 0.15, ... 0.95, each bin correct at exactly that rate."""
    conf, correct = [], []
    for b in range(10):
        p = b / 10 + 0.05
        k = round(p * n_per_bin)
        conf += [p] * n_per_bin
        correct += [True] * k + [False] * (n_per_bin - k)
    return conf, correct


def test_ece_of_a_perfectly_calibrated_set_is_near_zero():
    conf, correct = _calibrated()
    assert expected_calibration_error(conf, correct) == pytest.approx(0.0, abs=1e-3)


def test_ece_of_an_over_confident_set_is_large():
    conf = [0.95] * 100
    correct = [True] * 60 + [False] * 40
    assert expected_calibration_error(conf, correct) == pytest.approx(0.35)


def test_ece_is_weighted_by_bin_count():
    # 90 values at 0.9 all correct (gap 0.1), 10 at 0.1 all correct (gap 0.9)
    conf = [0.9] * 90 + [0.1] * 10
    correct = [True] * 100
    assert expected_calibration_error(conf, correct) == pytest.approx(0.9 * 0.1 + 0.1 * 0.9)


def test_ece_without_values_is_none():
    assert expected_calibration_error([], []) is None


def test_reliability_bins_put_one_in_the_last_bin():
    bins = reliability_bins([0.0, 0.05, 1.0, 0.999], [True, False, True, True])
    assert len(bins) == 10
    assert bins[0].count == 2 and bins[0].accuracy == 0.5
    assert bins[9].count == 2 and bins[9].accuracy == 1.0
    assert sum(b.count for b in bins) == 4


def test_coverage_at_precision_takes_the_largest_precise_prefix():
    conf = [0.99, 0.98, 0.97, 0.96, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05]
    correct = [True, True, True, True, True, False, False, True, False, False]
    coverage, threshold = coverage_at_precision(conf, correct, target=0.95)
    assert coverage == pytest.approx(0.5)
    assert threshold == pytest.approx(0.5)
    coverage80, threshold80 = coverage_at_precision(conf, correct, target=0.8)
    assert coverage80 == pytest.approx(0.6) and threshold80 == pytest.approx(0.4)


def test_coverage_is_zero_when_even_the_most_confident_value_is_wrong():
    assert coverage_at_precision([0.9, 0.8], [False, True], target=0.95) == (0.0, None)


def test_coverage_keeps_ties_together():
    # the four 0.9 values are 3 right / 1 wrong: a threshold cannot keep only the right ones
    conf = [0.9, 0.9, 0.9, 0.9, 0.5]
    correct = [True, True, True, False, True]
    assert coverage_at_precision(conf, correct, target=0.95) == (0.0, None)
    assert coverage_at_precision(conf, correct, target=0.75)[0] == pytest.approx(1.0)


def test_a_constant_confidence_has_all_or_nothing_coverage():
    rng = np.random.default_rng(0)
    correct = list(rng.random(200) < 0.97)
    coverage, threshold = coverage_at_precision([0.5] * 200, correct, target=0.95)
    assert coverage == 1.0 and threshold == 0.5


def test_summary_reports_every_number():
    conf, correct = _calibrated(100)
    s = calibration_summary(conf, correct)
    assert s["n"] == 1000 and len(s["bins"]) == 10
    assert s["ece"] == pytest.approx(0.0, abs=1e-2)
    assert s["accuracy"] == pytest.approx(0.5, abs=1e-2)


def test_mismatched_lengths_are_rejected():
    with pytest.raises(ValueError):
        expected_calibration_error([0.5, 0.6], [True])
