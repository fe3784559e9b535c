"""Training: recruiter outcomes → challenger → frozen-holdout gate. A clean batch of corrections
is promoted; a poisoned one (30 % deliberately wrong) is refused; auto-accepted values are never
labels (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from sqlmodel import Session, select

from data.models import Candidate, Correction, FieldValue
from learning import registry
from learning.calibration import field_type
from learning.shipped import load_shipped
from learning.train import collect_outcomes, in_holdout, train

PATHS = (
    "name",
    "email",
    "location",
    "skills[0]",
    "skills[1]",
    "skills[2]",
    "experience[0].title",
    "experience[0].company",
    "education[0].degree",
    "education[0].institution",
)


def _corrections(
    session: Session,
    ingested: Callable[..., int],
    *,
    n: int,
    poison: float,
    seed: int,
) -> int:
    """About n recruiter decisions on synthetic CVs; labels follow the shipped calibration
    (an honest recruiter), and a `poison` share of them is flipped. Returns the count."""
    rng = np.random.default_rng(seed)
    calibrator = load_shipped().calibrator
    assert calibrator is not None
    made, doc = 0, 0
    while made < n:
        doc += 1
        raws = {p: float(rng.uniform(0.3, 0.99)) for p in PATHS}
        cand_id = ingested(raws, f"cv {seed} {doc}".encode())
        cand = session.get(Candidate, cand_id)
        assert cand is not None
        truth = calibrator.predict([field_type(p) for p in PATHS], list(raws.values()))
        for path, p_ok in zip(PATHS, truth, strict=True):
            ok = bool(rng.uniform() < p_ok)
            if rng.uniform() < poison:
                ok = not ok
            session.add(
                Correction(
                    candidate_id=cand_id,
                    parse_result_id=cand.parse_result_id,
                    username="ann",
                    field_path=path,
                    action="accept" if ok else "edit",
                    new_value=None if ok else "something else",
                    model_version="synthetic-1",
                    candidate_version=2,
                )
            )
            made += 0 if in_holdout(cand_id) else 1
    session.commit()
    return made


def test_clean_corrections_are_promoted(
    session: Session, ingested: Callable[..., int], tmp_path: Path
) -> None:
    made = _corrections(session, ingested, n=100, poison=0.0, seed=1)
    report = train(session=session, user="lead", root=tmp_path, extraction=False)
    session.commit()
    assert report.n_train == made >= 100
    assert report.passed, report.reasons
    assert report.promoted
    champion = registry.champion(session=session)
    assert champion is not None and champion.version == report.version
    assert champion.n_corrections == report.n_train
    # the shipped model is kept in the history, so one rollback returns to it
    registry.rollback(session=session, user="lead")
    session.commit()
    assert registry.champion(session=session).version == load_shipped().version


def test_a_poisoned_batch_is_refused_by_the_holdout_gate(
    session: Session, ingested: Callable[..., int], tmp_path: Path
) -> None:
    _corrections(session, ingested, n=100, poison=0.3, seed=1)
    report = train(session=session, user="lead", root=tmp_path, extraction=False)
    session.commit()
    assert not report.passed
    assert not report.promoted
    assert report.reasons and "below the champion" in report.reasons[0]
    assert registry.champion(session=session) is None  # still the shipped model
    row = registry.get_version(session=session, version=report.version or "")
    assert row.status == "rejected"


def test_nothing_to_learn_is_reported_not_registered(session: Session, tmp_path: Path) -> None:
    report = train(session=session, user="lead", root=tmp_path, extraction=False)
    assert report.version is None
    assert report.reasons == ["there are no recruiter corrections to learn from yet"]


def test_auto_accepted_values_are_never_labels(
    session: Session, ingested: Callable[..., int]
) -> None:
    _corrections(session, ingested, n=10, poison=0.0, seed=2)
    before = collect_outcomes(session=session)
    assert before
    first = before[0]
    corr = session.get(Correction, first.correction_id)
    assert corr is not None
    fv = session.exec(
        select(FieldValue).where(
            FieldValue.parse_result_id == corr.parse_result_id, FieldValue.path == first.path
        )
    ).first()
    assert fv is not None
    fv.decision = "auto_accept"
    session.add(fv)
    session.commit()
    after = collect_outcomes(session=session)
    assert len(after) == len(before) - 1
    assert all(o.correction_id != first.correction_id for o in after)


def test_holdout_is_a_fixed_fifth_of_the_candidates() -> None:
    members = [in_holdout(i) for i in range(1, 5001)]
    assert 0.18 < sum(members) / len(members) < 0.22
    assert members == [in_holdout(i) for i in range(1, 5001)]


def test_the_extraction_model_never_trains_on_holdout_candidates(
    session: Session, ingested: Callable[..., int]
) -> None:
    from types import SimpleNamespace

    from learning.train import outside_holdout

    # candidate ids depend on the database's sequences (not reset between tests), so add CVs
    # until both held-out and training candidates exist
    for seed in range(3, 23):
        _corrections(session, ingested, n=30, poison=0.0, seed=seed)
        rows = session.exec(select(Correction.id, Correction.candidate_id)).all()
        held = {cid for cid, cand in rows if in_holdout(cand)}
        if held and len(held) < len(rows):
            break
    assert held and len(held) < len(rows)
    examples = [SimpleNamespace(correction_id=cid) for cid, _ in rows]
    kept = {e.correction_id for e in outside_holdout(session, examples)}
    assert kept == {cid for cid, _ in rows} - held


class _Swap:
    """A 'learned' extraction model that writes the company into the title (a bad model)."""

    def adapt(self, fields, ctx=None):  # type: ignore[no-untyped-def]
        fields = fields.model_copy(deep=True)
        for entry in fields.experience or []:
            if entry.title and entry.company:
                entry.title = entry.company
        return fields


def test_the_gate_refuses_an_extraction_model_that_damages_held_out_cvs() -> None:
    from support import GENERATED

    from learning.bundle import ModelBundle
    from learning.train import extraction_gate
    from parsing.pipeline import parse_bytes

    docs = []
    for path in sorted((GENERATED / "docs").glob("*.txt"))[:4]:
        data = path.read_bytes()
        docs.append((data, path.name, parse_bytes(data, path.name)))  # what recruiters kept
    shipped = load_shipped()
    bad = ModelBundle("bad-1", shipped.calibrator, shipped.policy, _Swap())
    assert docs
    metrics, reasons = extraction_gate(docs, bad, shipped)
    assert metrics["champion"] > metrics["challenger"] + 5
    assert reasons and "extraction accuracy" in reasons[0]
    good = ModelBundle("good-1", shipped.calibrator, shipped.policy, _Identity())
    assert extraction_gate(docs, good, shipped)[1] == []


class _Identity:
    version = "identity"

    def adapt(self, fields, ctx=None):  # type: ignore[no-untyped-def]
        return fields


def test_an_extraction_model_is_not_shipped_before_held_out_cvs_can_judge_it() -> None:
    """With fewer than MIN_EXTRACTION_HOLDOUT_DOCS held-out corrected CVs the gate cannot tell
    a helpful model from a damaging one: it refuses, so `train` keeps the champion's model."""
    from support import GENERATED

    from learning.bundle import ModelBundle
    from learning.train import MIN_EXTRACTION_HOLDOUT_DOCS, extraction_gate, extraction_verdict
    from parsing.pipeline import parse_bytes

    docs = []
    for path in sorted((GENERATED / "docs").glob("*.txt"))[:MIN_EXTRACTION_HOLDOUT_DOCS]:
        data = path.read_bytes()
        docs.append((data, path.name, parse_bytes(data, path.name)))
    thin = docs[: MIN_EXTRACTION_HOLDOUT_DOCS - 1]
    metrics, reasons = extraction_verdict(thin, _Identity(), None)
    assert metrics == {"n_docs": len(thin)} and reasons and "held-out" in reasons[0]
    assert extraction_verdict(docs, _Identity(), None)[1] == []  # enough: judged, and equal
    shipped = load_shipped()
    good = ModelBundle("good-1", shipped.calibrator, shipped.policy, _Identity())
    assert extraction_gate([], good, shipped)[1]  # none at all: not judged either
