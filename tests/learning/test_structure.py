"""The structure model learns, from recruiters' entry and item rejects, which rule-found list items
and entries of an unseen layout are spurious, wrapped or split, and fixes them on new documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from dbfixtures import recruiter_examples

from corpus.generate import generate
from evaluation import scoring
from evaluation.harness import EvalDoc, load_documents
from learning.bundle import ModelBundle
from learning.extraction import CorrectionModel
from learning.shipped import load_shipped
from learning.structure import _date_key, _gap_kind, _inside
from parsing.model import Field, Fields
from parsing.pipeline import parse_bytes

# two_column wraps list items and entries in its narrow columns: certifications lose their issuer
# onto the next line, degrees run onto the institution's line, roles hang under a company line.
STRUCTURAL = ("certifications", "skills", "education.degree", "experience.title")


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[EvalDoc]]:
    root = tmp_path_factory.mktemp("corpus")
    for name, (n, seed) in {"pool": (16, 501), "test": (10, 502)}.items():
        generate(root / name, n, seed, ("pdf",), ("two_column",))
    return {name: load_documents(root / name) for name in ("pool", "test")}


@pytest.fixture(scope="module")
def examples(docs: dict[str, list[EvalDoc]], tmp_path_factory: pytest.TempPathFactory) -> list:
    """A simulated recruiter's corrections of the pool, saved through the real save path."""
    return recruiter_examples(docs["pool"], tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="module")
def model(examples: list) -> CorrectionModel:
    """Rankers and structure model learned from the pool (fitted once for the module)."""
    return CorrectionModel().fit(examples)


@pytest.fixture(scope="module")
def rankers_only(examples: list) -> CorrectionModel:
    """The same corrections learned without the structure model."""
    return CorrectionModel(structure=False).fit(examples)


def _errors(docs: list[EvalDoc], adapter: CorrectionModel) -> int:
    """Wrong, spurious or missed values of the fields structure errors hit."""
    counts = []
    for d in docs:
        parsed = parse_bytes(d.path.read_bytes(), d.path.name, adapter=adapter)
        counts.append(scoring.score_parsed(parsed, d.gt, d.annotated).counts)
    merged = scoring.merge_counts(counts)
    return sum(merged[f].fp + merged[f].fn for f in STRUCTURAL if f in merged)


def test_learned_structure_cuts_errors_the_rankers_cannot_fix(
    docs: dict[str, list[EvalDoc]], model: CorrectionModel, rankers_only: CorrectionModel
) -> None:
    before, after = _errors(docs["test"], rankers_only), _errors(docs["test"], model)
    assert after < before * 0.8, (before, after)


def test_it_learns_item_rejects_and_entry_merges(model: CorrectionModel) -> None:
    structure = model.structure_
    assert structure is not None
    assert "certifications" in structure.item_models_
    merges = {c for m in structure.entry_models_.values() for c in m.classes_} & {"prev", "next"}
    assert merges, "no rejected entry was recognised as re-added to its neighbour"


def test_structure_off_changes_no_list_or_entry_count(
    docs: dict[str, list[EvalDoc]], rankers_only: CorrectionModel
) -> None:
    for d in docs["test"][:4]:
        rules = parse_bytes(d.path.read_bytes(), d.path.name).fields
        adapted = parse_bytes(d.path.read_bytes(), d.path.name, adapter=rankers_only).fields
        for group in ("experience", "education", "skills", "certifications"):
            assert len(getattr(adapted, group) or []) == len(getattr(rules, group) or [])


def test_bundle_round_trip_with_trusted_types_only(
    docs: dict[str, list[EvalDoc]], model: CorrectionModel, tmp_path: Path
) -> None:
    shipped = load_shipped()
    ModelBundle("s-1", shipped.calibrator, shipped.policy, model).save(tmp_path / "b")
    loaded = ModelBundle.load(tmp_path / "b")
    for d in docs["test"]:
        data = d.path.read_bytes()
        a = parse_bytes(data, d.path.name, adapter=model).fields
        b = parse_bytes(data, d.path.name, adapter=loaded.extraction).fields
        assert a == b
        if a != parse_bytes(data, d.path.name).fields:
            break  # the loaded model made the same fixes to a document it changes
    else:
        pytest.fail("the model changed no test document, so the round trip shows nothing")


class _DropSkills:
    """A 'learned' model that drops every skill (what a bad item model would do)."""

    def adapt(self, fields: Fields, ctx: object = None) -> Fields:
        """Return the fields without skills."""
        out = fields.model_copy(deep=True)
        out.skills = []
        return out


def test_the_gate_sees_dropped_list_items() -> None:
    from support import GENERATED

    from learning.train import extraction_gate

    docs = []
    for path in sorted((GENERATED / "docs").glob("*.txt"))[:4]:
        data = path.read_bytes()
        docs.append((data, path.name, parse_bytes(data, path.name)))
    shipped = load_shipped()
    bad = ModelBundle("bad-2", shipped.calibrator, shipped.policy, _DropSkills())
    metrics, reasons = extraction_gate(docs, bad, shipped)
    assert reasons and metrics["challenger"] < metrics["champion"]


@pytest.mark.parametrize(
    ("between", "kind"),
    [
        ("\n", "ws_break"),
        (" ", "ws"),
        (", ", "comma"),
        (" • ", "bullet"),
        (" — ", "dash"),
        (" – Specialty •\n", "text"),
        (" (", "other"),
    ],
)
def test_gap_kinds(between: str, kind: str) -> None:
    assert _gap_kind(between) == kind


def _date(value: str) -> Field:
    return Field(value=value, normalized=value, confidence=1.0)


@pytest.mark.parametrize(
    ("inner", "outer", "inside"),
    [
        (("2004", "2024"), ("1991", "2024"), True),
        (("2022-01", "2022-09"), ("2022-11", "2023-05"), False),  # same year, earlier months
        (("2019-05", "present"), ("2015-02", "present"), True),
        (("2015", "2020"), ("2015", "2020"), False),  # the same range is not nested
        (("2010", "2016"), ("2012", "2014"), False),
    ],
)
def test_date_ranges_nest(inner: tuple[str, str], outer: tuple[str, str], inside: bool) -> None:
    def rng(pair: tuple[str, str]) -> tuple[str, str]:
        start, end = _date_key(_date(pair[0]), end=False), _date_key(_date(pair[1]), end=True)
        assert start is not None and end is not None
        return start, end

    assert _inside(rng(inner), rng(outer)) is inside
