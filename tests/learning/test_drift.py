"""Drift statistics: p-chart limits, PSI of the input mix, ECE from bins, Wilson intervals."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from evaluation.calibration import expected_calibration_error
from learning.drift import (
    OutcomeBin,
    RateCount,
    ece_from_bins,
    mix_alerts,
    p_chart_limits,
    population_stability_index,
    rate_alerts,
    wilson_interval,
    window_bounds,
)

WINDOW = (datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 12, tzinfo=UTC))


def test_p_chart_limits_are_three_binomial_sigmas() -> None:
    limits = p_chart_limits(0.1, 100)
    assert limits.centre == 0.1
    assert limits.upper == pytest.approx(0.1 + 3 * math.sqrt(0.1 * 0.9 / 100))  # 0.19
    assert limits.lower == pytest.approx(0.01)
    assert p_chart_limits(0.02, 10).lower == 0.0  # clipped, never negative
    with pytest.raises(ValueError):
        p_chart_limits(0.1, 0)


def test_a_simulated_degradation_fires_and_a_steady_field_does_not() -> None:
    reference = {"email": RateCount(400, 40), "name": RateCount(400, 40)}
    current = {"email": RateCount(100, 35), "name": RateCount(100, 12)}  # email: 10 % → 35 %
    alerts = rate_alerts(reference=reference, current=current, window=WINDOW)
    assert [a.subject for a in alerts] == ["email"]
    a = alerts[0]
    assert a.kind == "correction_rate" and a.n == 100
    assert a.observed == pytest.approx(0.35) and a.expected == pytest.approx(0.1)
    assert a.upper == pytest.approx(0.19) and a.detail["direction"] == "above"
    assert (a.window_start, a.window_end) == WINDOW


def test_an_improvement_below_the_lower_limit_is_reported_as_below() -> None:
    alerts = rate_alerts(
        reference={"skills": RateCount(1000, 500)},
        current={"skills": RateCount(100, 20)},
        window=WINDOW,
    )
    assert [(a.subject, a.detail["direction"]) for a in alerts] == [("skills", "below")]


@pytest.mark.parametrize(
    ("reference", "current"),
    [
        (RateCount(50, 5), RateCount(100, 90)),  # reference too small for a centre line
        (RateCount(1000, 100), RateCount(10, 9)),  # too few decisions this window
    ],
)
def test_small_samples_are_not_judged(reference: RateCount, current: RateCount) -> None:
    assert rate_alerts(reference={"x": reference}, current={"x": current}, window=WINDOW) == []


def test_psi_is_zero_for_the_same_mix_and_grows_with_the_shift() -> None:
    ref = {"en": 80, "de": 20}
    assert population_stability_index(ref, {"en": 40, "de": 10}) == pytest.approx(0.0)
    small = population_stability_index(ref, {"en": 75, "de": 25})
    large = population_stability_index(ref, {"en": 20, "de": 80})
    assert 0 < small < 0.25 < large
    # hand-computed: (0.2 - 0.8) ln(0.2/0.8) + (0.8 - 0.2) ln(0.8/0.2) = 1.2 ln 4
    assert large == pytest.approx(1.2 * math.log(4))
    # a category never seen before counts (smoothed, finite)
    assert math.isfinite(population_stability_index(ref, {"en": 50, "fr": 50}))


def test_an_input_mix_shift_fires_for_that_dimension_only() -> None:
    reference = {"language": {"en": 90, "de": 10}, "format": {"pdf": 70, "docx": 30}}
    current = {"language": {"en": 20, "fr": 30}, "format": {"pdf": 36, "docx": 14}}
    alerts = mix_alerts(reference=reference, current=current, window=WINDOW)
    assert [a.subject for a in alerts] == ["language"]
    assert alerts[0].kind == "input_mix" and alerts[0].observed > 0.25
    assert alerts[0].detail["current"] == {"en": 0.4, "fr": 0.6}
    # too few parses on one side: no judgement
    few = {"language": {"fr": 5}}
    assert mix_alerts(reference=reference, current=few, window=WINDOW) == []


def test_ece_from_bins_matches_the_evaluation_ece_on_the_same_values() -> None:
    conf = [0.95, 0.95, 0.95, 0.95, 0.55, 0.55, 0.15]
    correct = [True, True, True, False, True, False, False]
    bins = [OutcomeBin(4, 0.95, 0.75), OutcomeBin(2, 0.55, 0.5), OutcomeBin(1, 0.15, 0.0)]
    assert ece_from_bins(bins) == pytest.approx(expected_calibration_error(conf, correct))
    assert ece_from_bins([]) is None


def test_wilson_interval() -> None:
    lo, hi = wilson_interval(95, 100)
    assert lo == pytest.approx(0.8882, abs=1e-4) and hi == pytest.approx(0.9785, abs=1e-4)
    lo, hi = wilson_interval(10, 10)  # all accepted: the interval still admits error
    assert hi == 1.0 and lo == pytest.approx(0.7225, abs=1e-4)
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(5, 3)


def test_windows_are_aligned_so_every_check_in_a_week_names_the_same_window() -> None:
    monday = datetime(2026, 11, 30, tzinfo=UTC)
    assert window_bounds(monday + timedelta(hours=1)) == (monday, monday + timedelta(days=7))
    assert window_bounds(monday + timedelta(days=6, hours=23)) == window_bounds(monday)
    assert window_bounds(monday - timedelta(seconds=1))[1] == monday
    with pytest.raises(ValueError):
        window_bounds(datetime(2026, 11, 30))
