"""`cvassist simulate`: learning curves from a simulated recruiter correcting CVs.

Both directories are in the `../shared/eval` format (index.jsonl + ground truth). The pool is
ingested into a temporary SQLite database through `correction.intake.ingest`; at each budget step
the query strategy picks CVs, the simulated recruiter opens each (`open_candidate`) and saves,
field by field, exactly what a recruiter would change on the correction page to make it match the
ground truth (`save_corrections`: edits, rejects, adds, the rest accepted); the system then
learns from the stored corrections through the training code path, and the test documents are
parsed with the learned adapter and scored with `evaluation.scoring`.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlmodel import Session

from correction.access import SYSTEM_USER, authorize
from correction.bands import score_fields
from correction.intake import ingest
from correction.review import FieldChange, open_candidate, save_corrections
from data.db import get_engine, init_db
from data.record import PathError
from data.store import FileStore
from evaluation import scoring
from evaluation.harness import EvalDirError, EvalDoc, load_documents
from learning.active import STRATEGIES, random_sampling, uncertainty_diversity
from learning.examples import build_examples
from learning.extraction import CorrectionModel
from learning.layout_memory import fingerprint
from learning.train import extraction_holdout, extraction_verdict, outside_holdout
from parsing.adapt import FieldAdapter
from parsing.model import Field, ParsedCV
from parsing.pipeline import parse_bytes
from parsing.readers import read_layout

log = logging.getLogger(__name__)
# (session, file store, current champion) → the champion after training (None = rules only)
Trainer = Callable[[Session, FileStore, FieldAdapter | None], FieldAdapter | None]


class SimulationError(ValueError):
    """Bad simulation arguments (budgets, strategy, directories), with a user-facing sentence."""


@dataclass(slots=True)
class Curve:
    """One run (strategy, seed): macro F1 and per-field F1 after each budget."""

    budgets: list[int]
    macro_f1: list[float] = field(default_factory=list)
    fields: dict[str, list[float]] = field(default_factory=dict)


def parse_budgets(text: str) -> list[int]:
    """'0,10,20,40' → [0, 10, 20, 40]; raises SimulationError unless non-negative, increasing."""
    try:
        budgets = [int(b) for b in text.split(",") if b.strip()]
    except ValueError as e:
        raise SimulationError(f"budgets must be whole numbers like 0,10,20,40, not {text!r}") from e
    if not budgets or any(b < 0 for b in budgets) or budgets != sorted(set(budgets)):
        raise SimulationError("budgets must be non-negative and strictly increasing, e.g. 0,10,20")
    return budgets


def default_trainer(*, memory: bool = True) -> Trainer:
    """Learn as `learning.train` learns its extraction model: fit on the corrections outside
    the fixed holdout share (`build_examples` + `CorrectionModel.fit`), then let the same
    extraction gate compare challenger and champion on the held-out corrected CVs. (`train`
    also registers bundles in the configured model store, which a throwaway simulation must
    not touch.)"""

    def train(
        session: Session, store: FileStore, champion: FieldAdapter | None
    ) -> FieldAdapter | None:
        """The champion after one training run: the challenger if the gate passes it."""
        examples = outside_holdout(session, build_examples(session=session, store=store))
        if not examples:
            return champion
        challenger = CorrectionModel(memory=memory).fit(examples)
        docs = extraction_holdout(session, store)
        _, reasons = extraction_verdict(docs, challenger, champion)
        if reasons:
            log.info("challenger refused: %s", "; ".join(reasons))
            return champion
        return challenger

    return train


def score_test(test: Sequence[EvalDoc], adapter: FieldAdapter | None) -> dict[str, Any]:
    """Parse the test documents with the adapter and score them: macro F1 and F1 per field."""
    counts = []
    for doc in test:
        parsed = parse_bytes(doc.path.read_bytes(), doc.path.name, adapter=adapter)
        counts.append(scoring.score_parsed(parsed, doc.gt, doc.annotated).counts)
    merged = scoring.merge_counts(counts)
    per_field = {k: scoring.field_metrics(c)["f1"] for k, c in merged.items()}
    return {"macro_f1": scoring.macro_f1(merged) or 0.0, "fields": per_field}


def _uncertainties(
    pool: Sequence[EvalDoc], idx: list[int], adapter: FieldAdapter | None
) -> list[float]:
    """Expected corrections of each pool CV under the current model (what the queue sorts by)."""
    out = []
    for i in idx:
        parsed = parse_bytes(pool[i].path.read_bytes(), pool[i].path.name, adapter=adapter)
        out.append(score_fields(f for _, f in parsed.fields.iter_fields()).expected_corrections)
    return out


KINDS = {"email": "email", "phone": "phone", "location": "location", "links": "url"}
GT_LISTS = ("skills", "certifications", "links")


def _kind(name: str) -> str:
    leaf = name.rsplit(".", 1)[-1]
    if leaf in ("start", "end"):
        return "date"
    return "org" if leaf in ("company", "institution") else KINDS.get(leaf, "text")


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _decide(path: str, present: bool, shown: Any, gt: Any, kind: str) -> FieldChange | None:
    """What a recruiter does with one value: accept, edit to the truth, reject, add, or nothing."""
    if _empty(gt):
        return FieldChange(path, "reject") if present else None
    if not present:
        return FieldChange(path, "add", str(gt))
    if shown is not None and scoring.values_match(kind, shown, gt):
        return FieldChange(path, "accept")
    return FieldChange(path, "edit", str(gt))


def _entry_changes(
    group: str, record: ParsedCV, preds: list[Mapping[str, Any]], gts: list[Mapping[str, Any]],
    annotated: set[str], next_index: int,
) -> list[FieldChange]:  # fmt: skip
    """Fix aligned entries component by component, reject spurious ones, add missed ones."""
    comps = [c for c in scoring.ENTRY_COMPONENTS[group] if f"{group}.{c}" in annotated]
    if not comps:
        return []
    entries = getattr(record.fields, group) or []
    pairs = scoring.align_entries(group, preds, gts)
    out: list[FieldChange] = []
    for pi, gi in pairs:
        for c in comps:
            pred, gt = preds[pi].get(c), gts[gi].get(c)
            field: Field | None = getattr(entries[pi], c, None)
            shown = pred.value if pred is not None else None
            ch = _decide(f"{group}[{pi}].{c}", field is not None, shown, gt, _kind(c))
            if ch is not None:
                out.append(ch)
            if c == "degree" and ch is not None and ch.action == "edit" and entries[pi].field:
                out.append(FieldChange(f"{group}[{pi}].field", "reject"))  # now in the degree
    matched_p, matched_g = {p for p, _ in pairs}, {g for _, g in pairs}
    out += [FieldChange(f"{group}[{i}]", "reject") for i in range(len(preds)) if i not in matched_p]
    for gi, gt in enumerate(gts):
        if gi in matched_g or all(_empty(gt.get(c)) for c in comps):
            continue
        out += [FieldChange(f"{group}[{next_index}].{c}", "add", str(gt[c]))
                for c in comps if not _empty(gt.get(c))]  # fmt: skip
        next_index += 1
    return out


def _list_changes(
    name: str, preds: list[Any], gts: list[Any], next_index: int
) -> list[FieldChange]:
    """Accept the items that match the truth, reject the others, add the missing ones."""
    kind = _kind(name)
    free = [g for g in gts if not _empty(g)]
    out: list[FieldChange] = []
    for i, p in enumerate(preds):
        hit = next((g for g in free if scoring.values_match(kind, p.value, g)), None)
        if hit is None:
            out.append(FieldChange(f"{name}[{i}]", "reject"))
        else:
            free.remove(hit)
            out.append(FieldChange(f"{name}[{i}]", "accept"))
    out += [FieldChange(f"{name}[{next_index + k}]", "add", str(g)) for k, g in enumerate(free)]
    return out


def recruiter_changes(
    record: ParsedCV, gt: dict[str, Any], annotated: Sequence[str], next_index: dict[str, int]
) -> list[FieldChange]:
    """Every change that makes a CV's record match its ground truth, as the correction page
    sends them (unchanged values accepted)."""
    ann = set(annotated)
    pred = scoring.predicted_values(record)
    out: list[FieldChange] = []
    for name in scoring.SCALAR_FIELDS:
        if name in ann:
            p = pred.get(name)
            present = getattr(record.fields, name) is not None
            ch = _decide(name, present, p.value if p else None, gt.get(name), _kind(name))
            out += [ch] if ch else []
    for group in scoring.ENTRY_COMPONENTS:
        out += _entry_changes(
            group, record, pred[group], list(gt.get(group) or []), ann, next_index.get(group, 0)
        )
    for name in GT_LISTS:
        if name in ann:
            items = [p for f in getattr(record.fields, name) or [] if (p := _shown(f, name))]
            out += _list_changes(name, items, list(gt.get(name) or []), next_index.get(name, 0))
    return out


def _shown(f: Field, name: str) -> scoring.Predicted:
    """A list item as the scorer compares it (links by their normalised URL)."""
    value = f.normalized if name == "links" and f.normalized is not None else f.value
    return scoring.Predicted(value, f.confidence)


def correct_one(*, session: Session, candidate_id: int, doc: EvalDoc, user: str) -> int:
    """Open one CV and save the simulated recruiter's decisions; returns how many changed."""
    task = open_candidate(session=session, candidate_id=candidate_id, user=user)
    changes = recruiter_changes(task.record, doc.gt, doc.annotated, task.next_index)
    version = task.candidate.version_id
    try:
        result = save_corrections(
            session=session, candidate_id=candidate_id, user=user,
            expected_version=version, changes=changes, seconds_spent=0.0, done=True,
        )  # fmt: skip
        return result.n_changed
    except PathError:  # one change the record refuses: save the others one by one
        n = 0
        for ch in changes:
            try:
                r = save_corrections(
                    session=session, candidate_id=candidate_id, user=user,
                    expected_version=version, changes=[ch], seconds_spent=0.0, done=True,
                )  # fmt: skip
            except PathError:
                continue
            version, n = r.version, n + r.n_changed
        return n


def run_curve(
    *,
    pool: Sequence[EvalDoc],
    test: Sequence[EvalDoc],
    budgets: Sequence[int],
    strategy: str,
    seed: int,
    workdir: Path,
    trainer: Trainer,
    user: str = SYSTEM_USER,
) -> Curve:
    """One learning curve in a fresh SQLite database under `workdir`."""
    engine = get_engine(f"sqlite:///{workdir / 'sim.sqlite'}")
    init_db(engine)
    store = FileStore(workdir / "files")
    curve = Curve(budgets=list(budgets))
    with Session(engine, expire_on_commit=False) as session:
        authorize(session=session, user=user, permission="review.correct")
        cand_ids: list[int | None] = []
        for doc in pool:
            res = ingest(
                session=session, name=doc.path.name, data=doc.path.read_bytes(),
                user=user, batch_id=None, store=store,
            )  # fmt: skip
            cand_ids.append(res.candidate_id)
        open_idx = [i for i, c in enumerate(cand_ids) if c is not None]
        fps = np.array([fingerprint(read_layout(pool[i].path.read_bytes())) for i in open_idx])
        fp_of = dict(zip(open_idx, fps, strict=True))
        done: list[int] = []
        adapter: FieldAdapter | None = None
        for budget in budgets:
            want = min(budget - len(done), len(open_idx))
            if want > 0:
                picked = _pick(pool, open_idx, fp_of, done, want, strategy, seed + budget, adapter)
                for i in picked:
                    cid = cand_ids[i]
                    assert cid is not None
                    correct_one(session=session, candidate_id=cid, doc=pool[i], user=user)
                done += picked
                open_idx = [i for i in open_idx if i not in picked]
                adapter = trainer(session, store, adapter)
            scored = score_test(test, adapter)
            curve.macro_f1.append(scored["macro_f1"])
            for name, f1 in scored["fields"].items():
                curve.fields.setdefault(name, []).append(f1 if f1 is not None else float("nan"))
            log.info(
                "%s seed %d budget %d: macro F1 %.3f", strategy, seed, budget, scored["macro_f1"]
            )
    engine.dispose()
    return curve


def _pick(
    pool: Sequence[EvalDoc],
    open_idx: list[int],
    fp_of: dict[int, np.ndarray],
    done: list[int],
    n: int,
    strategy: str,
    seed: int,
    adapter: FieldAdapter | None,
) -> list[int]:
    """Pool indices the strategy selects next among the open ones."""
    if strategy == "random":
        chosen = random_sampling(np.zeros(len(open_idx)), None, n, seed=seed)
    else:
        scores = np.array(_uncertainties(pool, open_idx, adapter))
        X = np.array([fp_of[i] for i in open_idx])
        labelled = np.array([fp_of[i] for i in done]) if done else None
        chosen = uncertainty_diversity(scores, X, n, labelled=labelled)
    return [open_idx[int(j)] for j in chosen]


def simulate(
    *,
    pool_dir: Path,
    test_dir: Path,
    budgets: Sequence[int],
    strategy: str,
    seeds: int,
    formats: Sequence[str] = ("pdf", "docx", "txt"),
    trainer: Trainer | None = None,
) -> dict[str, Any]:
    """Mean learning curve over `seeds` runs: {budgets, macro_f1, macro_f1_std, fields, ...}."""
    if strategy not in STRATEGIES:
        raise SimulationError(f"strategy must be one of {', '.join(STRATEGIES)}, not {strategy!r}")
    if seeds < 1:
        raise SimulationError("--seeds must be at least 1")
    pool = load_documents(pool_dir, formats)
    test = load_documents(test_dir, formats)
    if not pool or not test:
        raise SimulationError("the pool and the test directory each need at least one document")
    trainer = trainer or default_trainer()
    curves = []
    for seed in range(seeds):
        order = np.random.default_rng(seed).permutation(len(pool))  # ties and random picks vary
        with tempfile.TemporaryDirectory(prefix="cvassist-sim-") as tmp:
            curves.append(
                run_curve(
                    pool=[pool[i] for i in order],
                    test=test,
                    budgets=budgets,
                    strategy=strategy,
                    seed=seed,
                    workdir=Path(tmp),
                    trainer=trainer,
                )
            )
    return summarize(curves, strategy=strategy, n_pool=len(pool), n_test=len(test))


def _run_means(runs: list[list[float]], n: int) -> list[float | None]:
    """Per budget, the mean F1 over the runs that could score the field there; None (JSON null,
    never NaN, which strict JSON readers reject) where none could: no test document had it."""
    out: list[float | None] = []
    for k in range(n):
        seen = [r[k] for r in runs if k < len(r) and not np.isnan(r[k])]
        out.append(round(float(np.mean(seen)), 4) if seen else None)
    return out


def summarize(curves: list[Curve], *, strategy: str, n_pool: int, n_test: int) -> dict[str, Any]:
    """Mean (and standard deviation of macro F1) over runs, in the OUT JSON shape."""
    macro = np.array([c.macro_f1 for c in curves])
    names = sorted({k for c in curves for k in c.fields})
    fields = {
        k: _run_means([c.fields.get(k, []) for c in curves], len(curves[0].budgets)) for k in names
    }
    return {
        "budgets": curves[0].budgets,
        "macro_f1": [round(float(v), 4) for v in macro.mean(axis=0)],
        "macro_f1_std": [round(float(v), 4) for v in macro.std(axis=0)],
        "fields": fields,
        "strategy": strategy,
        "seeds": len(curves),
        "n_pool": n_pool,
        "n_test": n_test,
    }


def main(ns: Any) -> int:
    """CLI: run the simulation, write OUT (and the plot); a bad argument is one sentence."""
    from evaluation.curves import plot_curves  # matplotlib only when plotting

    try:
        budgets = parse_budgets(ns.budgets)
        result = simulate(
            pool_dir=Path(ns.pool), test_dir=Path(ns.test), budgets=budgets,
            strategy=ns.strategy, seeds=ns.seeds,
            formats=[f for f in ns.formats.split(",") if f.strip()],
            trainer=default_trainer(memory=not ns.no_memory),
        )  # fmt: skip
    except (SimulationError, EvalDirError, OSError) as e:
        print(f"cvassist simulate: {e}")
        return 2
    Path(ns.json_out).write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("budgets", "macro_f1", "macro_f1_std")}))
    if ns.plot_out:
        plot_curves([result], Path(ns.plot_out))
    return 0
