"""`train`: recruiter outcomes → challenger bundle → frozen-holdout gate → register (and promote).

Outcomes: the first human decision on each parsed value (accept = 1, edit or reject = 0).
Values auto-accepted without a human are never labels. Candidates whose id hashes into the
holdout bucket (a fixed 20 %) are never trained on; their outcomes join the frozen generated-
corpus holdout (`learning/shipped/holdout.json`) on which challenger and champion are compared.
Score: 100 × (1 − Brier) of the calibrated confidences, overall and per field group; the
challenger must be within 0.5 point of the champion overall and 2 points in every group.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from sqlalchemy import and_
from sqlmodel import Session, col, select

from data.models import Candidate, Correction, Document, FieldValue
from data.store import FileStore
from learning.autoaccept import AutoAcceptPolicy
from learning.bundle import ModelBundle
from learning.calibration import GROUPS, FieldCalibrator, field_group, field_type
from learning.features import ENTRY_FIELDS, TOP_FIELDS
from learning.registry import (
    RegistryError,
    champion,
    get_version,
    load_row,
    models_root,
    new_version,
    promote,
    register,
)
from learning.shipped import LabelledValue, corpus_holdout, load_shipped
from learning.structure import LIST_GROUPS
from parsing.adapt import FieldAdapter
from parsing.model import ParsedCV
from parsing.pipeline import parse_bytes

log = logging.getLogger(__name__)
HOLDOUT_SHARE = 0.2
OVERALL_TOLERANCE = 0.5  # points of 100 × (1 − Brier)
GROUP_TOLERANCE = 2.0
MIN_GROUP_VALUES = 30  # a group with fewer holdout values is reported, not gated
PromoteMode = Literal["auto", "never"]
SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One recruiter decision on one parsed value."""

    correction_id: int
    candidate_id: int
    path: str
    confidence: float  # the parser's raw confidence
    accepted: bool


@dataclass(slots=True)
class TrainReport:
    """What a training run did: data used, scores, gate verdict, registered version."""

    version: str | None = None
    n_outcomes: int = 0
    n_train: int = 0
    n_holdout_outcomes: int = 0
    challenger: dict[str, Any] = field(default_factory=dict)
    champion: dict[str, Any] = field(default_factory=dict)
    champion_version: str | None = None
    passed: bool = False
    promoted: bool = False
    reasons: list[str] = field(default_factory=list)
    extraction: str | None = None
    extraction_holdout: dict[str, Any] = field(default_factory=dict)  # {} = no extraction model
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for `cvassist train --json`)."""
        return asdict(self)


def in_holdout(candidate_id: int) -> bool:
    """True for candidates whose outcomes are set aside for the gate (fixed hash, 20 %)."""
    digest = hashlib.sha256(f"holdout:{candidate_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < HOLDOUT_SHARE


def collect_outcomes(*, session: Session) -> list[Outcome]:
    """The first accept/edit/reject of every parsed value that was not auto-accepted."""
    stmt = (
        select(Correction, FieldValue)
        .join(
            FieldValue,
            and_(
                col(FieldValue.parse_result_id) == col(Correction.parse_result_id),
                col(FieldValue.path) == col(Correction.field_path),
            ),
        )
        .where(col(Correction.action).in_(("accept", "edit", "reject")))
        .order_by(col(Correction.id))
    )
    seen: set[tuple[int, str]] = set()
    out: list[Outcome] = []
    for corr, fv in session.exec(stmt):
        key = (corr.parse_result_id, corr.field_path)
        if key in seen or fv.decision == "auto_accept":
            continue
        seen.add(key)
        assert corr.id is not None
        out.append(
            Outcome(
                corr.id, corr.candidate_id, corr.field_path, fv.confidence, corr.action == "accept"
            )
        )
    return out


def brier_scores(bundle: ModelBundle, values: list[LabelledValue]) -> dict[str, Any]:
    """100 × (1 − Brier) of a bundle's calibrated confidences, overall and per field group."""
    if not values:
        return {"overall": None, "groups": {}, "n": 0}
    assert bundle.calibrator is not None
    types = [v.ftype for v in values]
    cal = bundle.calibrator.predict(types, [v.confidence for v in values])
    y = np.asarray([v.correct for v in values], dtype=float)
    sq = (cal - y) ** 2
    groups = np.asarray([field_group(t) for t in types], dtype=object)
    per = {
        g: {
            "score": round(100 * (1 - float(sq[groups == g].mean())), 3),
            "n": int((groups == g).sum()),
        }
        for g in GROUPS
        if (groups == g).any()
    }
    return {"overall": round(100 * (1 - float(sq.mean())), 3), "groups": per, "n": len(values)}


def gate(challenger: dict[str, Any], champ: dict[str, Any]) -> list[str]:
    """Reasons the challenger may not replace the champion ([] = it may)."""
    reasons = []
    if challenger["overall"] < champ["overall"] - OVERALL_TOLERANCE:
        reasons.append(
            f"overall score {challenger['overall']:.2f} is more than {OVERALL_TOLERANCE} point "
            f"below the champion's {champ['overall']:.2f}"
        )
    for g, c in champ["groups"].items():
        mine = challenger["groups"].get(g)
        if mine is None or c["n"] < MIN_GROUP_VALUES:
            continue
        if mine["score"] < c["score"] - GROUP_TOLERANCE:
            reasons.append(
                f"{g} score {mine['score']:.2f} is more than {GROUP_TOLERANCE} points below the "
                f"champion's {c['score']:.2f}"
            )
    return reasons


def _extraction_model(session: Session) -> tuple[Any | None, str | None]:
    """Engineer B's correction model fit on the corrections, when that part is installed."""
    try:
        from learning.examples import build_examples  # optional, lazy
        from learning.extraction import CorrectionModel
    except ImportError:
        return None, None
    try:
        examples = outside_holdout(session, build_examples(session=session))
        if not examples:
            return None, "no extraction examples yet"
        model = CorrectionModel().fit(examples)
    except Exception as e:  # the extraction part must not stop calibration training
        log.warning("extraction model training failed: %s", type(e).__name__)
        return None, f"extraction model not trained ({type(e).__name__})"
    return model, f"extraction model trained on {len(examples)} examples"


def outside_holdout(session: Session, examples: list[Any]) -> list[Any]:
    """The examples whose candidate is not in the fixed holdout share (never trained on)."""
    ids = [e.correction_id for e in examples]
    rows = session.exec(
        select(Correction.id, Correction.candidate_id).where(col(Correction.id).in_(ids))
    )
    held = {cid for cid, cand in rows if in_holdout(cand)}
    return [e for e in examples if e.correction_id not in held]


def _holdout_values(outcomes: list[Outcome]) -> list[LabelledValue]:
    held = [
        LabelledValue(field_type(o.path), o.confidence, o.accepted, "outcomes", str(o.candidate_id))
        for o in outcomes
    ]
    return corpus_holdout() + held


EXTRACTION_HOLDOUT_DOCS = 40  # held-out corrected CVs re-parsed per bundle by the gate
# Fewer held-out corrected CVs cannot judge an extraction model: it is not shipped until they
# exist (a model learned from a family's first corrections can damage that family's next CVs
# — the structure model did on flattened job-board exports — and only held-out CVs of the same
# family show it).
MIN_EXTRACTION_HOLDOUT_DOCS = 3


def extraction_holdout(
    session: Session, store: FileStore | None = None
) -> list[tuple[bytes, str, ParsedCV]]:
    """Held-out candidates a recruiter corrected: (bytes, file name, corrected record)."""
    from data.queries import current_record
    from data.store import default_store

    stmt = (
        select(Correction.candidate_id, Document.sha256, Document.name)
        .join(Candidate, col(Candidate.id) == col(Correction.candidate_id))
        .join(Document, col(Document.id) == col(Candidate.document_id))
        .where(col(Correction.action).in_(("edit", "add", "reject")))
        .distinct()
        .order_by(col(Correction.candidate_id))
    )
    store = store or default_store()
    out: list[tuple[bytes, str, ParsedCV]] = []
    for cand_id, sha, name in session.exec(stmt):
        if not in_holdout(cand_id) or len(out) >= EXTRACTION_HOLDOUT_DOCS:
            continue
        try:
            data = store.get(sha)
        except OSError:  # erased or missing bytes: not part of the holdout
            continue
        out.append((data, name, current_record(session=session, candidate_id=cand_id)))
    return out


def _learned_values(parsed: ParsedCV) -> dict[str, str]:
    """The values the extraction model may change, by path; list items (which it may drop or
    join) by their text, so a removed item does not shift the ones after it."""
    fields = {*TOP_FIELDS, *(f"{g}.{c}" for g, comps in ENTRY_FIELDS.items() for c in comps)}
    out: dict[str, str] = {}
    for path, f in parsed.fields.iter_fields():
        if f.value in (None, ""):
            continue
        value, kind = " ".join(str(f.value).split()).casefold(), field_type(path)
        if kind in fields:
            out[path] = value
        elif kind in LIST_GROUPS:
            out[f"{kind}={value}"] = value
    return out


def extraction_scores(
    adapter: FieldAdapter | None, docs: list[tuple[bytes, str, ParsedCV]]
) -> dict[str, Any]:
    """Share (in %) of the learned fields' values a parse with `adapter` (a bundle's, or a bare
    extraction model; None = rules only) gets exactly as recruiters left them, over the union
    of values either side has: overall and per field group, in the shape `gate` compares."""
    hits: dict[str, int] = {}
    total: dict[str, int] = {}
    for data, name, truth in docs:
        want = _learned_values(truth)
        got = _learned_values(parse_bytes(data, name, adapter=adapter))
        for key in want.keys() | got.keys():
            g = field_group(field_type(key.split("=", 1)[0]))
            total[g] = total.get(g, 0) + 1
            hits[g] = hits.get(g, 0) + int(key in want and got.get(key) == want[key])
    n = sum(total.values())
    return {
        "overall": round(100 * sum(hits.values()) / n, 3) if n else 100.0,
        "groups": {g: {"score": round(100 * hits[g] / t, 3), "n": t} for g, t in total.items()},
        "n": n,
    }


def extraction_gate(
    docs: list[tuple[bytes, str, ParsedCV]], challenger: ModelBundle, champ: ModelBundle
) -> tuple[dict[str, Any], list[str]]:
    """Challenger vs champion extraction accuracy on held-out corrected CVs; reasons to refuse."""
    if challenger.extraction is None:
        return {"n_docs": len(docs)}, []
    return extraction_verdict(docs, challenger.adapter(), champ.adapter())


def extraction_verdict(
    docs: list[tuple[bytes, str, ParsedCV]],
    challenger: FieldAdapter | None,
    champ: FieldAdapter | None,
) -> tuple[dict[str, Any], list[str]]:
    """The extraction gate between two parse-time adapters (None = rules only): metrics, and
    the reasons to refuse the challenger — the tolerances of the calibration gate, overall and
    per field group, or too few held-out corrected CVs to judge at all."""
    if len(docs) < MIN_EXTRACTION_HOLDOUT_DOCS:
        return {"n_docs": len(docs)}, [
            f"only {len(docs)} held-out corrected CV(s) to judge the extraction model "
            f"(it needs {MIN_EXTRACTION_HOLDOUT_DOCS})"
        ]
    mine, theirs = extraction_scores(challenger, docs), extraction_scores(champ, docs)
    metrics = {
        "n_docs": len(docs),
        "challenger": mine["overall"],
        "champion": theirs["overall"],
        "groups": {g: (mine["groups"].get(g), v) for g, v in theirs["groups"].items()},
    }
    where = f"extraction accuracy on {len(docs)} held-out corrected CVs: "
    return metrics, [where + r for r in gate(mine, theirs)]


def _register_shipped(*, session: Session, root: Path, shipped: ModelBundle) -> None:
    """Record the shipped bundle as the first champion (by the system user)."""
    try:
        get_version(session=session, version=shipped.version)
    except RegistryError:
        register(session=session, bundle=shipped, root=root, user=SYSTEM, note="shipped")
    promote(session=session, version=shipped.version, user=SYSTEM)


def train(
    *,
    session: Session,
    user: str,
    root: Path | None = None,
    promote_mode: PromoteMode = "auto",
    extraction: bool = True,
) -> TrainReport:
    """Fit a challenger on recruiter outcomes, gate it on the frozen holdout, register it and
    promote it when it passes (unless promote_mode is 'never')."""
    t0 = time.perf_counter()
    root = root or models_root()
    report = TrainReport()
    outcomes = collect_outcomes(session=session)
    train_set = [o for o in outcomes if not in_holdout(o.candidate_id)]
    held = [o for o in outcomes if in_holdout(o.candidate_id)]
    report.n_outcomes, report.n_train, report.n_holdout_outcomes = (
        len(outcomes),
        len(train_set),
        len(held),
    )
    shipped = load_shipped()
    current = champion(session=session)
    champ_bundle = load_row(current, root=root) if current else shipped
    report.champion_version = current.version if current else shipped.version
    if not train_set:
        report.reasons.append("there are no recruiter corrections to learn from yet")
        report.seconds = round(time.perf_counter() - t0, 3)
        return report
    calibrator = FieldCalibrator(prior=shipped.calibrator).fit(
        [field_type(o.path) for o in train_set],
        [o.confidence for o in train_set],
        [o.accepted for o in train_set],
    )
    holdout = _holdout_values(held)
    # Thresholds only from recruiters' held-out outcomes (never trained on): the generated
    # corpus is too easy to say what precision a threshold keeps on real CVs.
    types = [field_type(o.path) for o in held]
    policy = AutoAcceptPolicy.fit(
        types,
        calibrator.predict(types, [o.confidence for o in held]),
        [o.accepted for o in held],
    )
    model, report.extraction = _extraction_model(session) if extraction else (None, None)
    bundle = ModelBundle(new_version(), calibrator, policy, model)
    report.challenger = brier_scores(bundle, holdout)
    report.champion = brier_scores(champ_bundle, holdout)
    report.reasons = gate(report.challenger, report.champion)
    docs = extraction_holdout(session) if model is not None else []
    report.extraction_holdout, more = extraction_gate(docs, bundle, champ_bundle)
    if more and len(docs) < MIN_EXTRACTION_HOLDOUT_DOCS:
        # not judged yet: the bundle keeps the champion's extraction model, calibration learns
        bundle = ModelBundle(bundle.version, calibrator, policy, champ_bundle.extraction)
        report.extraction = f"{report.extraction}; not shipped: {more[0]}"
    else:
        report.reasons += more
    report.passed = not report.reasons
    row = register(
        session=session,
        bundle=bundle,
        root=root,
        user=user,
        metrics={
            "holdout": report.challenger,
            "champion_holdout": report.champion,
            "extraction_holdout": report.extraction_holdout,
        },
        correction_ids=[o.correction_id for o in train_set],
        candidate_ids=[o.candidate_id for o in train_set],
        status="candidate" if report.passed else "rejected",
        note=None if report.passed else "; ".join(report.reasons)[:500],
    )
    report.version = row.version
    if report.passed and promote_mode == "auto":
        if current is None:  # keep the shipped model in the history so rollback can return to it
            _register_shipped(session=session, root=root, shipped=shipped)
        promote(session=session, version=row.version, user=user)
        report.promoted = True
    report.seconds = round(time.perf_counter() - t0, 3)
    return report
