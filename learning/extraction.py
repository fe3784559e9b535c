"""`CorrectionModel`: per-field candidate rankers learned from recruiters' corrections.

For every learned field (name, headline, location, experience title/company/location, education
degree/field/institution) a logistic-regression ranker scores candidate spans around what the rule
parser found (see `learning.features`). At parse time `adapt` replaces a rule value when the ranker
is confident another span is the right one, and fills a component the rules missed; each learned
value keeps its source span, `extractor="learned:<field>"` and the ranker's probability as its
confidence. With layout memory on, a document only uses what was learned on its own layout family
(its nearest corrected neighbour by fingerprint), so one template's fixes never leak into another.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from learning.examples import Example
from learning.features import (
    ENTRY_FIELDS,
    LEARNED_FIELDS,
    TOP_FIELDS,
    TOP_LINES,
    Candidate,
    candidate_features,
    entry_window,
    learned_field,
    line_candidates,
    same_value,
    span_of,
)
from learning.layout_memory import MIN_SIMILARITY, assign_families, fingerprint, nearest_family
from learning.structure import SKOPS_TRUSTED as STRUCTURE_TRUSTED
from learning.structure import StructureModel
from parsing.extractors.base import Context
from parsing.layout import Layout
from parsing.model import Field, Fields
from parsing.sections import segment_sections

_PATH_RE = re.compile(r"^(?P<group>[a-z_]+)(?:\[(?P<index>\d+)\])?(?:\.(?P<comp>[a-z_]+))?$")
Rows = list[tuple[dict[str, float], int]]
Weighted = list[tuple[dict[str, float], int, float]]
# Types a skops file of this model may contain beyond scikit-learn's and numpy's own
# (learning.bundle loads with exactly these trusted).
SKOPS_TRUSTED = ("learning.extraction.CorrectionModel", *STRUCTURE_TRUSTED)


class Slot:
    """One field of one document the rankers work on: its candidates and rule value."""

    def __init__(self, ctx: Context, field: str, entry: Any | None, rule: Field | None) -> None:
        self.field, self.entry, self.rule = field, entry, rule
        self.others: dict[str, tuple[int, int] | None] = {}
        self.date_line: int | None = None
        if entry is not None:
            comps = {k: v for k, v in entry if isinstance(v, Field)}
            window = entry_window(ctx, comps.values())
            own = field.split(".", 1)[1]
            self.others = {k: span_of(v) for k, v in comps.items() if k != own}
            dates = [span_of(comps.get(d)) for d in ("start", "end")]
            first_date = next((s for s in dates if s), None)
            if first_date:
                self.date_line = ctx.layout.line_at(first_date[0])
        else:
            window = (0, min(TOP_LINES, len(ctx.layout.lines)))
        self.window = window
        self.anchor = window[0] if window else 0
        rule_span = span_of(rule)
        self.rule_span = rule_span
        cands = line_candidates(ctx.layout, *window) if window else []
        if rule_span and all((c.start, c.end) != rule_span for c in cands):
            cands.append(Candidate(*rule_span, "rule"))
        self.candidates = cands

    def features(self, ctx: Context) -> list[dict[str, float]]:
        """Feature dicts of every candidate, in order."""
        return [
            candidate_features(
                ctx,
                c,
                rule=self.rule_span,
                others=self.others,
                anchor_line=self.anchor,
                date_line=self.date_line,
            )
            for c in self.candidates
        ]


def context_for(layout: Layout) -> Context:
    """A Context with sections for a stored layout (training reads documents again)."""
    return Context(layout=layout, sections=segment_sections(layout), lang=None, today=date.today())


def _slot_for(ctx: Context, fields: Fields, path: str) -> Slot | None:
    """The Slot a correction path names, if it is a learned field of an existing parse entry."""
    m = _PATH_RE.match(path)
    if not m:
        return None
    group, index, comp = m["group"], m["index"], m["comp"]
    if index is None and comp is None and group in TOP_FIELDS:
        return Slot(ctx, group, None, getattr(fields, group))
    if group not in ENTRY_FIELDS or comp not in ENTRY_FIELDS[group] or index is None:
        return None
    entries = getattr(fields, group) or []
    if int(index) >= len(entries):
        return None  # a new entry: no rule values to anchor candidates on
    entry = entries[int(index)]
    return Slot(ctx, f"{group}.{comp}", entry, getattr(entry, comp))


def label_rows(ctx: Context, slot: Slot, ex: Example) -> Rows:
    """(features, label) of a slot's candidates under one decision; [] = it teaches nothing."""
    feats = slot.features(ctx)
    layout = ctx.layout
    if ex.action == "reject":
        return [(f, 0) for f, c in zip(feats, slot.candidates, strict=True) if _is_rule(slot, c)]
    target = ex.new_value if ex.action in ("edit", "add") else ex.old_value
    span = ex.new_span[:2] if ex.new_span else None
    labels = [
        int(
            (span is not None and (c.start, c.end) == span)
            or (isinstance(target, str) and same_value(c.text(layout), target))
        )
        for c in slot.candidates
    ]
    if not any(labels) and span is not None:  # fuzzily located: the best-overlapping candidate
        best = max(range(len(labels)), key=lambda i: _iou(slot.candidates[i], span), default=None)
        if best is not None and _iou(slot.candidates[best], span) >= 0.8:
            labels[best] = 1
    return list(zip(feats, labels, strict=True))


def _is_rule(slot: Slot, c: Candidate) -> bool:
    return slot.rule_span is not None and (c.start, c.end) == slot.rule_span


def _iou(c: Candidate, span: tuple[int, int]) -> float:
    inter = min(c.end, span[1]) - max(c.start, span[0])
    return max(0, inter) / max(1, max(c.end, span[1]) - min(c.start, span[0]))


class CorrectionModel:
    """Per-field candidate rankers learned from corrections, with optional layout memory."""

    def __init__(
        self,
        *,
        memory: bool = True,
        min_similarity: float = MIN_SIMILARITY,
        min_family_docs: int = 8,
        replace_margin: float = 0.1,
        min_probability: float = 0.3,
        C: float = 4.0,
        correction_weight: float = 6.0,
        structure: bool = True,
        structure_C: float = 1.0,
        structure_probability: float = 0.5,
    ) -> None:
        self.memory = memory
        self.min_similarity = min_similarity
        self.min_family_docs = min_family_docs
        self.replace_margin = replace_margin
        self.min_probability = min_probability
        self.C = C
        self.correction_weight = correction_weight
        self.structure = structure
        self.structure_C = structure_C
        self.structure_probability = structure_probability

    @property
    def version(self) -> str:
        """Names the learned state in a parse's model_version."""
        n = len(getattr(self, "doc_families_", []))
        return f"learned-{n}docs{'-memory' if self.memory else ''}"

    def _ranker(self, rows: Weighted) -> Pipeline | None:
        labels = [y for _, y, _ in rows]
        if len(set(labels)) < 2:
            return None
        pipe = Pipeline(
            [
                ("vec", DictVectorizer()),
                ("clf", LogisticRegression(C=self.C, max_iter=2000)),
            ]
        )
        weights = np.array([w for _, _, w in rows])
        return pipe.fit([f for f, _, _ in rows], labels, clf__sample_weight=weights)

    def fit(self, examples: Iterable[Example]) -> CorrectionModel:
        """Learn rankers from corrections (grouped by document); returns self."""
        by_doc: dict[str, list[Example]] = defaultdict(list)
        for ex in examples:
            by_doc[ex.document_sha256].append(ex)
        fps: list[np.ndarray] = []
        doc_rows: list[dict[str, Weighted]] = []
        ctxs: list[Context] = []
        for exs in by_doc.values():
            ctx = context_for(exs[0].layout)
            ctxs.append(ctx)
            rows: dict[str, Weighted] = defaultdict(list)
            for ex in exs:
                slot = _slot_for(ctx, ex.fields, ex.field_path)
                if slot is not None:
                    # a changed value says more about this layout than one more accepted value
                    w = 1.0 if ex.action == "accept" else self.correction_weight
                    rows[slot.field].extend((f, y, w) for f, y in label_rows(ctx, slot, ex))
            fps.append(fingerprint(exs[0].layout))
            doc_rows.append(rows)
        self.fingerprints_ = np.array(fps) if fps else np.zeros((0, 1))
        self.doc_families_ = assign_families(self.fingerprints_, min_similarity=self.min_similarity)
        self.rankers_ = self._rankers(doc_rows)
        docs = list(by_doc.values())
        self.structure_ = self._structure(docs, ctxs) if self.structure else None
        self.family_rankers_: dict[str, dict[str, Pipeline]] = {}
        self.family_structures_: dict[str, StructureModel] = {}
        for fam in {int(f) for f in self.doc_families_}:
            idx = [i for i, f in enumerate(self.doc_families_) if f == fam]
            if len(idx) >= self.min_family_docs:
                self.family_rankers_[str(fam)] = self._rankers([doc_rows[i] for i in idx])
                if self.structure:
                    self.family_structures_[str(fam)] = self._structure(
                        [docs[i] for i in idx], [ctxs[i] for i in idx]
                    )
        self.n_examples_ = sum(len(v) for r in doc_rows for v in r.values())
        return self

    def _structure(self, docs: list[list[Example]], ctxs: list[Context]) -> StructureModel:
        return StructureModel(C=self.structure_C, min_probability=self.structure_probability).fit(
            docs, ctxs
        )

    def _rankers(self, doc_rows: list[dict[str, Weighted]]) -> dict[str, Pipeline]:
        out: dict[str, Pipeline] = {}
        for field in LEARNED_FIELDS:
            ranker = self._ranker([row for rows in doc_rows for row in rows.get(field, [])])
            if ranker is not None:
                out[field] = ranker
        return out

    def models_for(self, layout: Layout) -> tuple[dict[str, Pipeline], StructureModel | None]:
        """The rankers and structure model a document uses: its family's (falling back to the
        shared ones), the shared ones without memory, none for a layout no corrected document
        resembles (None = no structure model)."""
        # models saved before the structure model existed have no structure_ attributes
        shared = getattr(self, "structure_", None)
        if not self.memory:
            return self.rankers_, shared
        fam, _ = nearest_family(
            fingerprint(layout),
            self.fingerprints_,
            self.doc_families_,
            min_similarity=self.min_similarity,
        )
        if fam is None:
            return {}, None
        key = str(fam)
        rankers = {**self.rankers_, **self.family_rankers_.get(key, {})}
        return rankers, getattr(self, "family_structures_", {}).get(key, shared)

    def adapt(self, fields: Fields, ctx: Context) -> Fields:
        """Fields with confident learned fixes applied (the input is not modified)."""
        out = fields.model_copy(deep=True)
        rankers, structure = self.models_for(ctx.layout)
        self._rank(out, ctx, rankers)
        if structure is not None:
            structure.adapt(fields, out, ctx)
        return out

    def _rank(self, out: Fields, ctx: Context, rankers: dict[str, Pipeline]) -> None:
        """Let the span rankers replace or fill values of `out` in place."""
        if not rankers:
            return
        for name in TOP_FIELDS:
            if name in rankers:
                slot = Slot(ctx, name, None, getattr(out, name))
                new = self._decide(ctx, slot, rankers[name])
                if new is not None:
                    setattr(out, name, new)
        for group, comps in ENTRY_FIELDS.items():
            for entry in getattr(out, group) or []:
                for comp in comps:
                    field = f"{group}.{comp}"
                    if field in rankers:
                        slot = Slot(ctx, field, entry, getattr(entry, comp))
                        new = self._decide(ctx, slot, rankers[field])
                        if new is not None:
                            setattr(entry, comp, new)

    def _decide(self, ctx: Context, slot: Slot, ranker: Pipeline) -> Field | None:
        """The learned Field replacing or filling this slot; None = keep what the rules found."""
        if not slot.candidates:
            return None
        proba = ranker.predict_proba(slot.features(ctx))[:, 1]
        taken = {s for s in slot.others.values() if s}
        order = np.argsort(-proba, kind="stable")
        best = next(
            (
                int(i)
                for i in order
                if (slot.candidates[i].start, slot.candidates[i].end) not in taken
            ),
            None,
        )
        if best is None or proba[best] < self.min_probability:
            return None
        cand = slot.candidates[best]
        if _is_rule(slot, cand):
            return None
        rule_p = max(
            (float(p) for c, p in zip(slot.candidates, proba, strict=True) if _is_rule(slot, c)),
            default=0.0,
        )
        if slot.rule is not None and proba[best] - rule_p < self.replace_margin:
            return None
        return learned_field(
            ctx,
            cand.start,
            cand.end,
            field=slot.field,
            confidence=float(proba[best]),
            extractor=f"learned:{slot.field}",
        )
