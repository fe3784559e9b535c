"""Query strategies: deterministic, most uncertain first, no near-duplicate layouts in a batch."""

from __future__ import annotations

import numpy as np

from learning.active import random_sampling, uncertainty, uncertainty_diversity


def _unit(rows: list[list[float]]) -> np.ndarray:
    x = np.asarray(rows, dtype=float)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


# Three copies of one badly parsed template (A), then two other layouts (B, C).
X = _unit([[1, 0, 0], [1, 0, 0], [1, 0.001, 0], [0, 1, 0], [0, 0.2, 1]])
SCORES = np.array([9.0, 8.5, 8.0, 5.0, 4.0])


def test_uncertainty_picks_the_most_uncertain_first() -> None:
    assert uncertainty(SCORES, X, 2).tolist() == [0, 1]
    assert uncertainty(np.array([1.0, 3.0, 2.0]), None, 3).tolist() == [1, 2, 0]


def test_diversity_does_not_pick_near_duplicates_when_alternatives_exist() -> None:
    picked = uncertainty_diversity(SCORES, X, 3).tolist()
    assert picked[0] == 0  # the most uncertain CV still comes first
    assert sorted(picked) == [0, 3, 4]  # then the other layouts, not A's copies


def test_diversity_falls_back_to_duplicates_once_layouts_run_out() -> None:
    picked = uncertainty_diversity(SCORES, X, 5).tolist()
    assert sorted(picked) == [0, 1, 2, 3, 4]
    assert picked[:3] == [0, 3, 4]


def test_already_corrected_layouts_count_as_picked() -> None:
    picked = uncertainty_diversity(SCORES, X, 1, labelled=X[:1]).tolist()
    assert picked == [3]  # template A is known already: the next family comes first


def test_strategies_are_deterministic() -> None:
    a = uncertainty_diversity(SCORES, X, 4)
    b = uncertainty_diversity(SCORES.copy(), X.copy(), 4)
    assert a.tolist() == b.tolist()
    r1 = random_sampling(SCORES, X, 3, seed=7).tolist()
    assert r1 == random_sampling(SCORES, X, 3, seed=7).tolist()
    assert len(set(r1)) == 3
    assert any(random_sampling(SCORES, X, 3, seed=s).tolist() != r1 for s in range(8, 12))


def test_n_larger_than_pool_returns_every_index_once() -> None:
    assert sorted(uncertainty_diversity(SCORES, X, 10).tolist()) == [0, 1, 2, 3, 4]
    assert sorted(random_sampling(SCORES, X, 10).tolist()) == [0, 1, 2, 3, 4]
    assert uncertainty(SCORES, X, 0).tolist() == []
