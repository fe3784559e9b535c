"""Query strategies for active learning: which CVs a recruiter should correct next.

Pure functions `(scores, X, n) -> indices` in the spirit of modAL: `scores` is each candidate's
uncertainty (expected corrections: the sum of 1 - confidence over its fields), `X` its layout
fingerprint (unit rows). Pure uncertainty sampling floods the queue with near-duplicates of one
badly parsed template; `uncertainty_diversity` discounts a CV by how similar its layout is to the
ones already picked (or already corrected), so a batch spreads over the uncertain families.
"""

from __future__ import annotations

import numpy as np

DIVERSITY_WEIGHT = 0.7  # share of a CV's uncertainty lost when an identical layout is picked
NEAR_DUPLICATE = 0.995  # similarity above which a layout counts as the same as one picked


def uncertainty(scores: np.ndarray, X: np.ndarray | None, n: int) -> np.ndarray:
    """The n most uncertain (ties broken by index: deterministic)."""
    s = np.asarray(scores, dtype=float)
    return np.argsort(-s, kind="stable")[: max(0, n)]


def random_sampling(
    scores: np.ndarray, X: np.ndarray | None, n: int, *, seed: int = 0
) -> np.ndarray:
    """n indices uniformly at random (seeded: the same seed picks the same CVs)."""
    k = min(max(0, n), len(scores))
    return np.random.default_rng(seed).choice(len(scores), size=k, replace=False)


def uncertainty_diversity(
    scores: np.ndarray,
    X: np.ndarray,
    n: int,
    *,
    labelled: np.ndarray | None = None,
    weight: float = DIVERSITY_WEIGHT,
) -> np.ndarray:
    """Greedy batch: repeatedly take the CV with the highest uncertainty × (1 − weight × its
    greatest layout similarity to anything picked or `labelled`); near-duplicates of a picked
    layout go last. Deterministic."""
    s = np.asarray(scores, dtype=float)
    X = np.asarray(X, dtype=float)
    k = min(max(0, n), len(s))
    top = float(s.max()) if s.size and s.max() > 0 else 1.0
    u = s / top
    sim = np.zeros(len(s))
    if labelled is not None and len(labelled):
        sim = np.clip((X @ np.asarray(labelled, dtype=float).T).max(axis=1), 0.0, 1.0)
    picked: list[int] = []
    free = np.ones(len(s), dtype=bool)
    for _ in range(k):
        gain = u * (1.0 - weight * sim) - (sim >= NEAR_DUPLICATE)
        gain[~free] = -np.inf
        i = int(np.argmax(gain))
        picked.append(i)
        free[i] = False
        sim = np.maximum(sim, np.clip(X @ X[i], 0.0, 1.0))
    return np.array(picked, dtype=int)


STRATEGIES = ("uncertainty", "random")
