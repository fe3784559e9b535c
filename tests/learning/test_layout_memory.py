"""Layout fingerprints: same template → near-identical, different template → apart."""

from __future__ import annotations

import numpy as np
import pytest

from corpus.generate import generate
from evaluation.harness import load_documents
from learning.layout_memory import MIN_SIMILARITY, assign_families, fingerprint, nearest_family
from parsing.readers import read_layout


@pytest.fixture(scope="module")
def prints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    root = tmp_path_factory.mktemp("fp")
    out = {}
    for layout, seed in (("two_column", 601), ("classic", 602), ("sidebar_left", 603)):
        generate(root / layout, 4, seed, ("pdf",), (layout,))
        docs = load_documents(root / layout)
        out[layout] = np.array([fingerprint(read_layout(d.path.read_bytes())) for d in docs])
    return out


def test_fingerprints_are_unit_vectors_independent_of_content(
    prints: dict[str, np.ndarray],
) -> None:
    for fps in prints.values():
        assert np.allclose(np.linalg.norm(fps, axis=1), 1.0)


def test_same_template_is_closer_than_another_template(prints: dict[str, np.ndarray]) -> None:
    two, classic = prints["two_column"], prints["classic"]
    within = (two @ two.T)[np.triu_indices(len(two), 1)]
    across = two @ classic.T
    assert within.min() > across.max()
    assert np.median(within) >= MIN_SIMILARITY


def test_nearest_family_refuses_unfamiliar_layouts(prints: dict[str, np.ndarray]) -> None:
    memory = prints["two_column"][:3]
    families = assign_families(memory)
    fam, sim = nearest_family(
        prints["two_column"][3], memory, families, min_similarity=MIN_SIMILARITY
    )
    assert fam is not None and sim >= MIN_SIMILARITY
    for other in ("classic", "sidebar_left"):
        fam, _ = nearest_family(prints[other][0], memory, families, min_similarity=MIN_SIMILARITY)
        assert fam is None
    assert nearest_family(
        prints["classic"][0], np.zeros((0, 1)), np.zeros(0), min_similarity=0.5
    ) == (None, 0.0)


def test_families_group_templates(prints: dict[str, np.ndarray]) -> None:
    fps = np.vstack([prints["two_column"], prints["classic"]])
    labels = assign_families(fps)
    assert set(labels[:4]).isdisjoint(set(labels[4:]))
