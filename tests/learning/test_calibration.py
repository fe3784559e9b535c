"""Calibration: isotonic vs sigmoid by outcome count, fallbacks, and better ECE on held-out data."""

from __future__ import annotations

import numpy as np
import pytest

from evaluation.calibration import expected_calibration_error
from learning.calibration import FieldCalibrator, field_group, field_type
from learning.shipped import corpus_holdout, load_shipped
from parsing.model import Field, Fields


def _overconfident(n: int, seed: int, ftype: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Raw confidences that overstate the truth: P(correct | raw x) = x**3."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.05, 0.99, n)
    y = rng.uniform(size=n) < x**3
    return [ftype] * n, x, y


@pytest.mark.parametrize(
    ("path", "ftype", "group"),
    [
        ("name", "name", "contact"),
        ("links[2]", "links", "contact"),
        ("experience[3].title", "experience.title", "experience"),
        ("education[0].end", "education.end", "education"),
        ("skills[10]", "skills", "skills"),
        ("languages[1].fluency", "languages.fluency", "languages"),
        ("certifications[0]", "certifications", "certifications"),
        ("total_experience_years", "total_experience_years", "experience"),
    ],
)
def test_field_types_and_groups(path: str, ftype: str, group: str) -> None:
    assert field_type(path) == ftype
    assert field_group(ftype) == group


def test_method_switches_from_sigmoid_to_isotonic_with_outcome_count() -> None:
    t1, x1, y1 = _overconfident(1500, 1, "skills")
    t2, x2, y2 = _overconfident(200, 2, "experience.title")
    t3, x3, y3 = _overconfident(10, 3, "experience.company")
    cal = FieldCalibrator().fit(
        t1 + t2 + t3, np.concatenate([x1, x2, x3]), np.concatenate([y1, y2, y3])
    )
    assert cal.method_for("skills") == "isotonic"
    assert cal.method_for("experience.title") == "sigmoid"
    # too few outcomes of its own: the experience group's map calibrates it
    assert cal.key_for("experience.company") == "group:experience"
    # a type never seen falls back to the map over everything
    assert cal.key_for("name") == "*"


@pytest.mark.parametrize("n", [200, 3000])
def test_calibration_improves_ece_on_held_out_data(n: int) -> None:
    types, x, y = _overconfident(n, 10, "experience.title")
    cal = FieldCalibrator().fit(types, x, y)
    t_test, x_test, y_test = _overconfident(5000, 11, "experience.title")
    before = expected_calibration_error(x_test.tolist(), y_test.tolist())
    after = expected_calibration_error(cal.predict(t_test, x_test).tolist(), y_test.tolist())
    assert before is not None and after is not None
    assert before > 0.15
    assert after < 0.05


def test_a_prior_is_adjusted_not_replaced_by_a_few_outcomes() -> None:
    types, x, y = _overconfident(3000, 20, "skills")
    prior = FieldCalibrator().fit(types, x, y)
    few_t, few_x, few_y = _overconfident(40, 21, "skills")
    refit = FieldCalibrator(prior=prior).fit(few_t, few_x, few_y)
    grid = np.linspace(0.1, 0.95, 9)
    assert (
        np.abs(refit.predict(["skills"] * 9, grid) - prior.predict(["skills"] * 9, grid)).max()
        < 0.1
    )


def test_a_prior_that_does_not_transfer_gives_way_to_a_few_hundred_outcomes() -> None:
    """The shipped prior comes from generated CVs, where raw scores are nearly right; real CVs
    overstate them (here P(correct) = x**3). 300 of the deployment's own outcomes must pull the
    calibration to the deployment's truth, not stay near the prior."""
    rng = np.random.default_rng(40)
    x = rng.uniform(0.05, 0.99, 3000)
    prior = FieldCalibrator().fit(["skills"] * 3000, x, rng.uniform(size=3000) < x)
    t, xs, ys = _overconfident(300, 41, "skills")
    refit = FieldCalibrator(prior=prior).fit(t, xs, ys)
    t_test, x_test, y_test = _overconfident(5000, 42, "skills")
    stays = expected_calibration_error(prior.predict(t_test, x_test).tolist(), y_test.tolist())
    moved = expected_calibration_error(refit.predict(t_test, x_test).tolist(), y_test.tolist())
    assert stays is not None and moved is not None
    assert stays > 0.15
    assert moved < 0.05


def test_calibrating_fields_keeps_the_raw_confidence_and_is_idempotent() -> None:
    types, x, y = _overconfident(2000, 30, "name")
    cal = FieldCalibrator().fit(types, x, y)
    fields = Fields(name=Field(value="Ann Example", confidence=0.9))
    once = cal.calibrate_fields(fields)
    assert once.name is not None
    assert once.name.model_extra == {"raw_confidence": 0.9}
    assert once.name.confidence < 0.85  # 0.9 ** 3 ≈ 0.73 really
    twice = cal.calibrate_fields(once)
    assert twice.name is not None and twice.name.confidence == once.name.confidence


def test_shipped_calibrator_improves_ece_on_the_frozen_corpus_holdout() -> None:
    bundle = load_shipped()
    assert bundle.calibrator is not None
    values = corpus_holdout()
    raw = [v.confidence for v in values]
    correct = [v.correct for v in values]
    cal = bundle.calibrator.predict([v.ftype for v in values], raw)
    before = expected_calibration_error(raw, correct)
    after = expected_calibration_error(cal.tolist(), correct)
    assert before is not None and after is not None
    assert after < before
    assert after < 0.05
