"""`StructureModel`: which rule-found list items and entries are spurious, split or grouped.

The span rankers (`learning.extraction`) only choose text *within* the items and entries the rule
parser found. This model learns, from the same recruiter corrections, the structural decisions
around them, each from layout features (line starts/ends, the separator between neighbours,
indentation, column and page changes, which components an entry and its neighbours have):

- list items (skills, certifications): P(a recruiter rejects this item) → drop it. Two items cut
  at a bare line break (only white space between them) get their own model: keep both, join them
  (one value wrapped in a narrow column), or drop one or both (an issuer wrapped after a
  certification's separator). A rejected half next to an accepted one counts as a join unless the
  head's line already closed its value with a separator.
- entries (experience, education): keep | drop | merge into an entry before | after it. A
  rejected entry is labelled a merge when its values were added to (or edited into) another
  entry; which side wins a component both have, and whether a filled value runs on into the
  loser's next component (a degree wrapped onto the institution's line), are counted from the
  same corrections.
- experience company copied down from a grouping entry above ("Company, 2010-2020" over several
  roles): P(the recruiter sets this entry's company to that entry's company).

Kept in one module (over the usual size) because the three decisions share their features,
labels and the order they are applied in.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from learning.examples import Example
from learning.features import (
    DANGLING,
    DATE_COMPONENTS,
    _bucket,
    _shape,
    learned_field,
    same_value,
    span_of,
)
from parsing.extractors.base import BULLET_RE, Context
from parsing.model import Field, Fields

LIST_GROUPS = ("skills", "certifications")
ENTRY_GROUPS: dict[str, tuple[str, ...]] = {
    "experience": ("title", "company", "location", "start", "end"),
    "education": ("degree", "field", "institution", "start", "end"),
}
SEP_BULLETS = "•·▪◆♦►"
SEP_COMMAS = ",;|/"
SEP_DASHES = "–—-"
MAX_GAP_CHARS = 200  # text between two neighbours longer than this: they are not neighbours
EXTRACTOR = "learned:structure"
MIN_ONE_LABEL_ROWS = 5  # rows that all agree before a decision is learned without counter-examples
# Types a skops file of this model may contain (added to CorrectionModel's trusted list).
SKOPS_TRUSTED = ("learning.structure.StructureModel",)
Rows = list[tuple[dict[str, float], Any]]


# ----------------------------------------------------------------- list items


def _gap_kind(text: str) -> str:
    """What separates two neighbouring values: white space (with/without a line break) or a
    separator character class; 'text' = words the rules left out."""
    marks = "".join(text.split())
    if not marks:
        return "ws_break" if "\n" in text else "ws"
    if any(c.isalnum() for c in marks):
        return "text"
    if any(c in SEP_BULLETS for c in marks):
        return "bullet"
    if any(c in SEP_DASHES for c in marks):
        return "dash"
    return "comma" if all(c in SEP_COMMAS for c in marks) else "other"


def _between(ctx: Context, a: tuple[int, int] | None, b: tuple[int, int] | None) -> str:
    if a is None or b is None or b[0] < a[1] or b[0] - a[1] > MAX_GAP_CHARS:
        return "none"
    return _gap_kind(ctx.layout.text[a[1] : b[0]])


def _line_geometry(ctx: Context, span: tuple[int, int], prefix: str) -> dict[str, float]:
    """Where a span sits on its lines and how its line is indented in its section."""
    layout = ctx.layout
    li = layout.line_at(span[0])
    line = layout.lines[li]
    last = layout.lines[layout.line_at(max(span[0], span[1] - 1))]
    m = BULLET_RE.match(line.text)
    body = line.start + (m.end() if m else 0)
    feats = {
        f"{prefix}starts_line": float(span[0] <= body + 1),
        f"{prefix}ends_line": float(span[1] >= last.end - 1),
        f"{prefix}bullet_line": float(m is not None),
        f"{prefix}bold": float(line.bold),
    }
    section = ctx.section_of_line(li)
    if section is not None and line.bbox[2] > 0:
        xs = [ln.bbox[0] for ln in section.lines(layout) if ln.block == line.block and ln.text]
        if xs:
            feats[f"{prefix}indent={_bucket(line.bbox[0] - min(xs), (2.0, 6.0, 15.0))}"] = 1.0
    if li > 0:
        prev = layout.lines[li - 1]
        tail = prev.text.rstrip()[-1:]
        feats[f"{prefix}prev_line_end={_gap_kind(tail) if tail else 'empty'}"] = 1.0
        feats[f"{prefix}block_change"] = float(prev.block != line.block or prev.page != line.page)
    return feats


def item_features(ctx: Context, items: Sequence[Field], i: int) -> dict[str, float]:
    """Features of list item i: its text, its line position and what separates it from its
    neighbours."""
    item = items[i]
    span = span_of(item)
    value = str(item.value or "")
    feats = {f"item.{k}": v for k, v in _shape(value).items()}
    feats[f"nchar={_bucket(len(value), (4, 8, 16, 30, 50))}"] = 1.0
    words = value.lower().split()
    feats["dangling_end"] = float(bool(words) and words[-1] in DANGLING)
    feats["ends_sep"] = float(value.rstrip()[-1:] in SEP_BULLETS + SEP_DASHES + SEP_COMMAS)
    if span is None:
        feats["no_source"] = 1.0
        return feats
    feats.update(_line_geometry(ctx, span, ""))
    prev = span_of(items[i - 1]) if i > 0 else None
    nxt = span_of(items[i + 1]) if i + 1 < len(items) else None
    before, after = _between(ctx, prev, span), _between(ctx, span, nxt)
    feats[f"before={before}"] = 1.0
    feats[f"after={after}"] = 1.0
    feats[f"before={before}|starts={feats['starts_line']:.0f}"] = 1.0
    feats[f"after={after}|ends={feats['ends_line']:.0f}"] = 1.0
    return feats


def wrap_pairs(ctx: Context, items: Sequence[Field]) -> list[int]:
    """Indices i where items i and i+1 are cut at a bare line break (only white space between
    them): one value wrapped in a narrow column, or two values one per line."""
    return [
        i
        for i in range(len(items) - 1)
        if _between(ctx, span_of(items[i]), span_of(items[i + 1])) == "ws_break"
    ]


def pair_features(ctx: Context, items: Sequence[Field], i: int) -> dict[str, float]:
    """Features of the line break between items i and i+1: both items' own features and how
    their lengths compare (the recruiter keeps the half that reads as the value)."""
    feats = {f"head.{k}": v for k, v in item_features(ctx, items, i).items()}
    feats.update({f"tail.{k}": v for k, v in item_features(ctx, items, i + 1).items()})
    head, tail = str(items[i].value or ""), str(items[i + 1].value or "")
    feats[f"head_longer={_bucket(len(head) - len(tail), (-8, -2, 3, 9))}"] = 1.0
    feats[f"list_sep={_list_separator(ctx, items)}"] = 1.0
    return feats


def _list_separator(ctx: Context, items: Sequence[Field]) -> str:
    """The separator most neighbouring items of a list have between them (a tie goes to the
    first seen, so a feature never depends on string hashing)."""
    kinds = Counter(_between(ctx, span_of(a), span_of(b)) for a, b in itertools.pairwise(items))
    return kinds.most_common(1)[0][0] if kinds else "none"


def _has_separator(value: str) -> bool:
    """True when a value holds a stand-alone bullet or dash (what separates a name from its
    issuer or date), or ends with one."""
    tokens = value.split()
    return any(t in SEP_BULLETS + SEP_DASHES for t in tokens) or value.rstrip()[-1:] in (
        SEP_BULLETS + SEP_DASHES
    )


def _pair_label(
    ctx: Context, items: Sequence[Field], i: int, rejected: list[bool], adds: list[Example]
) -> str:
    """What the recruiter did with a line-broken pair: kept both, dropped one or both, or
    rejected both and typed the joined value."""
    head, tail = rejected[i], rejected[i + 1]
    if head != tail:
        # One half rejected, the other kept: a fragment of the kept value cut at the break
        # (recruiters differ on fixing the kept half) unless the head's line already closed
        # its value with a separator (a certification's issuer wrapped onto the next line).
        if _has_separator(str(items[i].value or "")):
            return "drop_head" if head else "drop_tail"
        return "join"
    if not head:
        return "keep"
    a, b = span_of(items[i]), span_of(items[i + 1])
    joined = f"{items[i].value} {items[i + 1].value}"
    for ex in adds:
        span = ex.new_span
        if (
            a is not None
            and b is not None
            and span is not None
            and span[0] <= a[0] + 1
            and span[1] >= b[1] - 1
        ) or (isinstance(ex.new_value, str) and same_value(ex.new_value, joined)):
            return "join"
    return "drop_both"


# -------------------------------------------------------------------- entries


def _comps(entry: Any) -> dict[str, Field]:
    return {k: v for k, v in entry if isinstance(v, Field) and v.value not in (None, "")}


def _entry_span(entry: Any) -> tuple[int, int] | None:
    spans = [s for f in _comps(entry).values() if (s := span_of(f)) is not None]
    return (min(a for a, _ in spans), max(b for _, b in spans)) if spans else None


def _date_key(f: Field | None, *, end: bool) -> str | None:
    """A date as 'YYYY-MM' for ordering; a bare year is the start or end of that year."""
    if f is None:
        return None
    v = str(f.normalized if f.normalized is not None else f.value)
    if v.lower() in ("present", "current", "now"):
        return "9999-99"
    if not v[:4].isdigit():
        return None
    return v[:7] if len(v) >= 7 and v[5:7].isdigit() else f"{v[:4]}-{'99' if end else '00'}"


def _range(entry: Any) -> tuple[str, str] | None:
    s, e = _date_key(entry.start, end=False), _date_key(entry.end, end=True)
    if s is None and e is None:
        return None
    return (s or e or ""), (e or s or "")


def _inside(inner: tuple[str, str] | None, outer: tuple[str, str] | None) -> bool:
    """True when one date range lies within another (and is not the same range)."""
    if inner is None or outer is None or inner == outer:
        return False
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def entry_features(ctx: Context, entries: Sequence[Any], j: int, group: str) -> dict[str, float]:
    """Features of entry j: the components it and its neighbours have, how their dates nest and
    where it starts relative to the previous entry (column, page, indentation)."""
    comps = ENTRY_GROUPS[group]
    mine = _comps(entries[j])
    feats: dict[str, float] = {f"n={min(len(mine), 4)}": 1.0}
    if j == 0:
        feats["first"] = 1.0
    if j == len(entries) - 1:
        feats["last"] = 1.0
    for side, k in (("prev", j - 1), ("next", j + 1)):
        if not 0 <= k < len(entries):
            continue
        theirs = _comps(entries[k])
        for c in comps:
            if c in theirs and c not in mine:
                feats[f"lacks|{side}_has={c}"] = 1.0
            if c in mine and c not in theirs:
                feats[f"has|{side}_lacks={c}"] = 1.0
        if _inside(_range(entries[j]), _range(entries[k])):
            feats[f"dates_inside_{side}"] = 1.0
        if _inside(_range(entries[k]), _range(entries[j])):
            feats[f"{side}_dates_inside"] = 1.0
    for c in comps:
        feats[f"has={c}"] = float(c in mine)
        f = mine.get(c)
        if f is not None and c not in DATE_COMPONENTS:
            words = str(f.value).split()
            feats[f"{c}.first_lower"] = float(str(f.value)[:1].islower())
            feats[f"{c}.dangling"] = float(bool(words) and words[-1].lower() in DANGLING)
            feats[f"{c}.ntok={min(len(words), 6)}"] = 1.0
    span = _entry_span(entries[j])
    if span is not None:
        feats.update(_line_geometry(ctx, span, "first."))
        prev = _entry_span(entries[j - 1]) if j > 0 else None
        if prev is not None:
            layout = ctx.layout
            a, b = layout.lines[layout.line_at(prev[1] - 1)], layout.lines[layout.line_at(span[0])]
            feats["after_column_break"] = float(a.block != b.block or a.page != b.page)
            gap = layout.line_at(span[0]) - layout.line_at(prev[1] - 1)
            feats[f"line_gap={min(max(gap, 0), 4)}"] = 1.0
    return feats


def _header_of(entries: Sequence[Any], j: int) -> int | None:
    """The nearest earlier entry with a company whose dates contain entry j's (a grouping
    'Company, 2010-2020' line over several roles); None = there is none."""
    mine = _range(entries[j])
    for k in range(j - 1, -1, -1):
        if entries[k].company is not None and _inside(mine, _range(entries[k])):
            return k
    return None


def copy_features(ctx: Context, entries: Sequence[Any], j: int, h: int) -> dict[str, float]:
    """Features for copying entry h's company down to entry j."""
    entry, head = entries[j], entries[h]
    feats: dict[str, float] = {
        f"distance={min(j - h, 3)}": 1.0,
        "head_has_title": float(head.title is not None),
        "has_title": float(entry.title is not None),
    }
    company = entry.company
    if company is None:
        feats["no_company"] = 1.0
        return feats
    value = str(company.value)
    feats.update({f"company.{k}": v for k, v in _shape(value).items()})
    span = span_of(company)
    if span is not None:
        feats.update(_line_geometry(ctx, span, "company."))
        title = span_of(entry.title)
        if title is not None:
            gap = ctx.layout.line_at(span[0]) - ctx.layout.line_at(title[0])
            feats[f"company_line_rel={max(-2, min(gap, 4))}"] = 1.0
    return feats


# ------------------------------------------------------------------- training


def _by_path(exs: Sequence[Example]) -> dict[str, list[Example]]:
    out: dict[str, list[Example]] = defaultdict(list)
    for ex in exs:
        out[ex.field_path].append(ex)
    return out


def _rejected(decisions: dict[str, list[Example]], path: str) -> bool:
    return any(ex.action == "reject" for ex in decisions.get(path, []))


def _item_rows(
    ctx: Context, fields: Fields, decisions: dict[str, list[Example]]
) -> dict[str, tuple[Rows, Rows]]:
    """Per list group: (item rows labelled rejected or not, line-break pair rows)."""
    out: dict[str, tuple[Rows, Rows]] = {}
    for group in LIST_GROUPS:
        items = getattr(fields, group) or []
        paths = [f"{group}[{i}]" for i in range(len(items))]
        if not any(p in decisions for p in paths):
            continue  # nobody reviewed this list
        rejected = [_rejected(decisions, p) for p in paths]
        adds = [
            ex for p, exs in decisions.items() if p.startswith(group + "[")
            for ex in exs if ex.action == "add"
        ]  # fmt: skip
        rows = [(item_features(ctx, items, i), int(rejected[i])) for i in range(len(items))]
        pairs = [
            (pair_features(ctx, items, i), _pair_label(ctx, items, i, rejected, adds))
            for i in wrap_pairs(ctx, items)
        ]
        out[group] = (rows, pairs)
    return out


def _reappears(src: Any, exs: list[Example]) -> bool:
    """True when a value of entry `src` was added to or edited into another entry."""
    spans = [s for f in _comps(src).values() if (s := span_of(f)) is not None]
    values = [str(f.value) for f in _comps(src).values()]
    for ex in exs:
        if ex.action not in ("add", "edit"):
            continue
        new = ex.new_span[:2] if ex.new_span else None
        if new and any(min(new[1], b) > max(new[0], a) for a, b in spans):
            return True
        if isinstance(ex.new_value, str) and any(same_value(ex.new_value, v) for v in values):
            return True
    return False


def _component_exs(decisions: dict[str, list[Example]], prefix: str) -> list[Example]:
    return [ex for p, exs in decisions.items() if p.startswith(prefix + ".") for ex in exs]


class StructureModel:
    """Entry- and item-level decisions learned from corrections (see the module docstring)."""

    def __init__(
        self,
        *,
        C: float = 1.0,
        min_probability: float = 0.5,
        class_weight: str | None = "balanced",
    ) -> None:
        self.C = C
        self.min_probability = min_probability
        self.class_weight = class_weight

    def _clf(self, rows: Rows) -> Pipeline | None:
        """A classifier of the rows; with one label only, one that always answers it (every
        wrapped line break a recruiter saw on this layout was wrong), once seen often enough."""
        labels = {y for _, y in rows}
        if len(labels) < 2:
            if len(rows) < MIN_ONE_LABEL_ROWS:
                return None
            clf: Any = DummyClassifier(strategy="prior")
        else:
            clf = LogisticRegression(C=self.C, max_iter=2000, class_weight=self.class_weight)
        pipe = Pipeline([("vec", DictVectorizer()), ("clf", clf)])
        return pipe.fit([f for f, _ in rows], [y for _, y in rows])

    def fit(self, docs: Sequence[Sequence[Example]], contexts: Sequence[Context]) -> StructureModel:
        """Learn from each document's corrections (with its Context); returns self."""
        items: dict[str, Rows] = defaultdict(list)
        pairs: dict[str, Rows] = defaultdict(list)
        entries: dict[str, Rows] = defaultdict(list)
        copies: Rows = []
        self.merge_votes_: dict[str, list[int]] = {}  # "group.comp" -> [destination, source] wins
        self.absorb_votes_: dict[str, list[int]] = {}  # "group.comp" -> [no, yes]
        for exs, ctx in zip(docs, contexts, strict=True):
            fields, decisions = exs[0].fields, _by_path(exs)
            for group, (rows, pair_rows) in _item_rows(ctx, fields, decisions).items():
                items[group] += rows
                pairs[group] += pair_rows
            for group in ENTRY_GROUPS:
                entries[group] += self._entry_rows(ctx, fields, decisions, group)
            copies += self._copy_rows(ctx, fields, decisions)
        self.item_models_ = {g: m for g, rows in items.items() if (m := self._clf(rows))}
        self.pair_models_ = {g: m for g, rows in pairs.items() if (m := self._clf(rows))}
        self.entry_models_ = {g: m for g, rows in entries.items() if (m := self._clf(rows))}
        self.copy_model_ = self._clf(copies)
        tables = (items, pairs, entries)
        self.n_rows_ = sum(len(r) for d in tables for r in d.values()) + len(copies)
        return self

    def _entry_rows(
        self, ctx: Context, fields: Fields, decisions: dict[str, list[Example]], group: str
    ) -> Rows:
        entries = getattr(fields, group) or []
        rows: Rows = []
        for j, entry in enumerate(entries):
            path = f"{group}[{j}]"
            if not _rejected(decisions, path) and not _component_exs(decisions, path):
                continue  # not reviewed
            label = "keep"
            if _rejected(decisions, path):
                label = "drop"
                for k in sorted(range(len(entries)), key=lambda k: abs(k - j)):
                    if k == j or _rejected(decisions, f"{group}[{k}]"):
                        continue
                    if _reappears(entry, _component_exs(decisions, f"{group}[{k}]")):
                        label = "prev" if k < j else "next"
                        self._count_merge(group, entry, entries[k], decisions, f"{group}[{k}]")
                        break
            rows.append((entry_features(ctx, entries, j, group), label))
        return rows

    def _count_merge(
        self, group: str, src: Any, dst: Any, decisions: dict[str, list[Example]], dst_path: str
    ) -> None:
        """Tally which side a recruiter kept for each component, and whether a value filled from
        the merged entry ran on into its next component."""
        mine, theirs = _comps(src), _comps(dst)
        for c, f in mine.items():
            exs = decisions.get(f"{dst_path}.{c}", [])
            key = f"{group}.{c}"
            if c in theirs:
                votes = self.merge_votes_.setdefault(key, [0, 0])
                src_value = (
                    f.normalized if c in DATE_COMPONENTS and f.normalized is not None else f.value
                )
                if any(ex.action == "edit" and same_value(str(ex.new_value), str(src_value))
                       for ex in exs):  # fmt: skip
                    votes[1] += 1
                elif any(ex.action == "accept" for ex in exs):
                    votes[0] += 1
                continue
            added = next((ex for ex in exs if ex.action == "add" and ex.new_span), None)
            nxt = _run_on(src, c)
            if added is None or nxt is None or added.new_span is None:
                continue
            covers = added.new_span[1] >= nxt[1] - 1
            self.absorb_votes_.setdefault(key, [0, 0])[int(covers)] += 1

    def _copy_rows(self, ctx: Context, fields: Fields, decisions: dict[str, list[Example]]) -> Rows:
        entries = fields.experience or []
        rows: Rows = []
        for j in range(1, len(entries)):
            h = _header_of(entries, j)
            if h is None or _rejected(decisions, f"experience[{j}]"):
                continue
            exs = decisions.get(f"experience[{j}].company", [])
            if not exs:
                continue
            head = str(entries[h].company.value)  # type: ignore[union-attr]
            label = int(
                any(ex.action in ("add", "edit") and same_value(str(ex.new_value), head)
                    for ex in exs)
            )  # fmt: skip
            rows.append((copy_features(ctx, entries, j, h), label))
        return rows

    # ---------------------------------------------------------------- applying

    def adapt(self, rule: Fields, out: Fields, ctx: Context) -> None:
        """Apply confident structural fixes to `out` (a copy of `rule` the rankers may have
        edited in place; decisions are made on `rule`, as in training)."""
        if not hasattr(self, "item_models_"):
            return
        self._copy_down(rule, out, ctx)
        for group in ENTRY_GROUPS:
            if group in self.entry_models_ and getattr(out, group):
                setattr(out, group, self._fix_entries(rule, out, ctx, group))
        for group in LIST_GROUPS:
            if group in self.item_models_ and getattr(out, group):
                setattr(out, group, self._fix_items(rule, out, ctx, group))

    def _copy_down(self, rule: Fields, out: Fields, ctx: Context) -> None:
        entries, target = rule.experience or [], out.experience or []
        if self.copy_model_ is None or len(entries) != len(target):
            return
        for j in range(1, len(entries)):
            h = _header_of(entries, j)
            if h is None or target[h].company is None:
                continue
            p = float(_proba(self.copy_model_, [copy_features(ctx, entries, j, h)])[0])
            if p >= self.min_probability:
                head = target[h].company
                assert head is not None
                target[j].company = head.model_copy(
                    update={"confidence": round(p, 3), "extractor": EXTRACTOR}
                )

    def _fix_entries(self, rule: Fields, out: Fields, ctx: Context, group: str) -> list[Any]:
        entries, target = getattr(rule, group) or [], getattr(out, group) or []
        if len(entries) != len(target):
            return list(target)
        model = self.entry_models_[group]
        proba = model.predict_proba(
            [entry_features(ctx, entries, j, group) for j in range(len(entries))]
        )
        classes = list(model.classes_)
        actions = []
        for row in proba:
            best = int(np.argmax(row))
            ok = classes[best] != "keep" and row[best] >= self.min_probability
            actions.append(classes[best] if ok else "keep")
        keep = [True] * len(target)
        for j, action in enumerate(actions):
            if action == "drop":
                keep[j] = False
            elif action in ("prev", "next"):
                k = _merge_target(target, actions, keep, j, action)  # as merged so far
                if k is not None:
                    self._merge(ctx, group, target[j], target[k], float(proba[j].max()))
                    keep[j] = False
        return [e for e, kept in zip(target, keep, strict=True) if kept]

    def _merge(self, ctx: Context, group: str, src: Any, dst: Any, p: float) -> None:
        """Move src's components into dst: fill what dst lacks (running on into src's next
        component where recruiters did so), and let src win where recruiters let it."""
        mine, theirs = _comps(src), _comps(dst)
        for c, f in mine.items():
            key = f"{group}.{c}"
            if _within_other(mine, c):
                continue  # part of another value (a field of study inside its degree)
            if c in theirs:
                dst_wins, src_wins = self.merge_votes_.get(key, [1, 0])
                if src_wins > dst_wins:
                    setattr(dst, c, f)  # moved as the rules read it
                continue
            no, yes = self.absorb_votes_.get(key, [1, 0])
            run = _run_on(src, c) if yes > no else None
            span = span_of(f)
            if run is not None and span is not None:
                f = learned_field(
                    ctx, span[0], run[1], field=key, confidence=p, extractor=EXTRACTOR
                )
            setattr(dst, c, f)

    def _fix_items(self, rule: Fields, out: Fields, ctx: Context, group: str) -> list[Field]:
        """Drop items a recruiter would reject; across a bare line break, keep, join or drop
        one or both halves as the pair model says."""
        items, target = getattr(rule, group) or [], getattr(out, group) or []
        if len(items) != len(target):
            return list(target)
        feats = [item_features(ctx, items, i) for i in range(len(items))]
        drop = list(_proba(self.item_models_[group], feats) >= self.min_probability)
        joins: dict[int, float] = {}
        pairs = wrap_pairs(ctx, items)
        model = self.pair_models_.get(group)
        if model is not None and pairs:
            proba = model.predict_proba([pair_features(ctx, items, i) for i in pairs])
            classes = list(model.classes_)
            for i, row in zip(pairs, proba, strict=True):
                best = int(np.argmax(row))
                action = classes[best] if row[best] >= self.min_probability else "keep"
                drop[i] = drop[i] or action in ("drop_head", "drop_both")
                drop[i + 1] = drop[i + 1] or action in ("drop_tail", "drop_both")
                if action == "keep":
                    drop[i] = drop[i + 1] = False  # the pair model knows line breaks better
                elif action == "join" and i not in joins and i - 1 not in joins:
                    joins[i] = float(row[best])
        result: list[Field] = []
        i = 0
        while i < len(items):
            if i in joins:
                result.append(self._join(ctx, target[i], target[i + 1], joins[i]))
                i += 2
                continue
            if not drop[i]:
                result.append(target[i])
            i += 1
        return result

    @staticmethod
    def _join(ctx: Context, first: Field, second: Field, p: float) -> Field:
        a, b = span_of(first), span_of(second)
        assert a is not None and b is not None
        value = " ".join(ctx.layout.text[a[0] : b[1]].split())
        return Field(
            value=value,
            normalized=value,
            confidence=round(p, 3),
            source=ctx.layout.source(a[0], b[1]),
            extractor=EXTRACTOR,
        )


def _merge_target(
    entries: Sequence[Any], actions: list[str], keep: list[bool], j: int, side: str
) -> int | None:
    """The entry a 'prev'/'next' decision merges entry j into: the nearest kept entry on that
    side that lacks one of j's values (a grouping line without a title), else the neighbour."""
    order = range(j - 1, -1, -1) if side == "prev" else range(j + 1, len(entries))
    ok = [k for k in order if keep[k] and actions[k] == "keep"]
    wanted = {c for c in _comps(entries[j]) if c not in (*DATE_COMPONENTS, "description")}
    for k in ok:
        if wanted - set(_comps(entries[k])):
            return k
    neighbour = j - 1 if side == "prev" else j + 1
    return neighbour if neighbour in ok else None


def _proba(model: Pipeline, feats: list[dict[str, float]], label: int = 1) -> np.ndarray:
    """P(label) for each row (0 when the model never saw that label)."""
    classes = list(model.classes_)
    if label not in classes:
        return np.zeros(len(feats))
    return np.asarray(model.predict_proba(feats)[:, classes.index(label)], dtype=float)


def _run_on(entry: Any, comp: str) -> tuple[int, int] | None:
    """The span of the entry's component that starts right after `comp` on the next line (a
    value wrapped onto the line the rules gave to another component); None = there is none."""
    comps = _comps(entry)
    span = span_of(comps.get(comp))
    if span is None:
        return None
    best: tuple[int, int] | None = None
    for c, f in comps.items():
        s = span_of(f)
        if c == comp or c in DATE_COMPONENTS or s is None or s[0] < span[1]:
            continue
        if s[0] - span[1] <= 3 and (best is None or s[0] < best[0]):
            best = s
    return best


def _within_other(comps: dict[str, Field], comp: str) -> bool:
    """True when a component's span lies inside another non-date component's span."""
    span = span_of(comps[comp])
    if span is None:
        return False
    return any(
        c != comp
        and c not in DATE_COMPONENTS
        and (s := span_of(f)) is not None
        and s[0] <= span[0]
        and span[1] <= s[1]
        and s != span
        for c, f in comps.items()
    )
