"""Auto-accept: per-group thresholds that keep the target precision on held-out values, and a
deterministic audit sample of about the configured rate."""

from __future__ import annotations

import numpy as np
import pytest

from correction.bands import decision_label, green_paths, score_fields
from learning.autoaccept import AutoAcceptPolicy, apply_decisions, audit_draw, decide, decision_of
from parsing.model import Field, Fields, ParsedCV, Status


def _calibrated(n: int, seed: int, ftype: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Calibrated confidences skewed high (as a good parser's are) with matching outcomes."""
    rng = np.random.default_rng(seed)
    c = rng.beta(8, 1.2, n)
    y = rng.uniform(size=n) < c
    return [ftype] * n, c, y


@pytest.mark.parametrize("target", [0.95, 0.98])
def test_threshold_meets_the_target_precision_on_held_out_values(target: float) -> None:
    types, c, y = _calibrated(6000, 1, "skills")
    policy = AutoAcceptPolicy.fit(types, c, y)
    threshold = policy.threshold("skills", target)
    assert threshold is not None
    _, c_test, y_test = _calibrated(20000, 2, "skills")
    accepted = c_test >= threshold
    assert accepted.mean() > 0.1  # it auto-accepts a real share, not nothing
    assert y_test[accepted].mean() >= target - 0.005


def test_a_group_that_never_reaches_the_target_is_never_auto_accepted() -> None:
    rng = np.random.default_rng(3)
    c = rng.uniform(0.0, 0.7, 2000)
    y = rng.uniform(size=2000) < c
    policy = AutoAcceptPolicy.fit(["education.degree"] * 2000, c, y)
    assert policy.threshold("education", 0.98) is None
    assert decide(0.69, None, key="x", audit_rate=0.05) == "review"


def test_audit_sample_is_about_the_rate_and_stable() -> None:
    keys = [f"{i:064x}:skills[{i % 7}]" for i in range(20000)]
    decisions = [decide(0.99, 0.9, key=k, audit_rate=0.05) for k in keys]
    share = decisions.count("audit") / len(decisions)
    assert 0.045 <= share <= 0.055
    assert decisions == [decide(0.99, 0.9, key=k, audit_rate=0.05) for k in keys]
    assert all(0.0 <= audit_draw(k) < 1.0 for k in keys[:100])


def test_decisions_are_recorded_on_every_value_of_a_parse() -> None:
    types, c, y = _calibrated(3000, 4, "name")
    policy = AutoAcceptPolicy.fit(types, c, y)
    limit = policy.threshold("contact", 0.98)
    assert limit is not None
    parsed = ParsedCV(
        file="cv.txt",
        sha256="a" * 64,
        status=Status.OK,
        fields=Fields(
            name=Field(value="Ann", confidence=min(0.999, limit + 0.001)),
            email=Field(value="ann@example.com", confidence=0.3),
        ),
    )
    apply_decisions(parsed, policy, target=0.98, audit_rate=0.0)
    assert decision_of(parsed.fields.name) == "auto_accept"
    assert decision_of(parsed.fields.email) == "review"
    again = ParsedCV.from_json(parsed.to_json())  # the decision survives storage as JSON
    assert decision_of(again.fields.name) == "auto_accept"


def test_auto_accepted_values_leave_the_queue_and_audit_values_need_a_human() -> None:
    """Band counts and expected corrections (the queue order) follow the decisions."""
    auto = Field(value="Ann", confidence=0.9, decision="auto_accept")
    audit = Field(value="ann@example.com", confidence=0.99, decision="audit")
    review = Field(value="Paris", confidence=0.7, decision="review")
    scores = score_fields([auto, audit, review], auto_accept=0.98)
    assert (scores.n_green, scores.n_amber, scores.n_red) == (2, 1, 0)
    assert scores.expected_corrections == pytest.approx(0.01 + 0.3)
    paths = green_paths([("name", auto), ("email", audit), ("location", review)], auto_accept=0.98)
    assert paths == ["name"]
    assert [decision_label(f) for f in (auto, audit, review)] == [
        "auto-accepted",
        "audit",
        "needs review",
    ]
