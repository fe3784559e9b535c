"""The correction page's draft: the field tables its data editors show, and the decisions in them.

A draft holds one base table per editor ("contact", "skills", "certifications", "experience-0",
...). The editors report their edits as a diff (`edited_rows`, `added_rows`, `deleted_rows` in
`st.session_state[key]`); `changes` turns base + diffs into `FieldChange`s for `save_corrections`.
Actions that rewrite the tables (accept all green, accept or reject one field) first fold the
current diffs into the base and then start a new generation of editor keys, so no edit is lost
and an editor never gets its own output fed back as input (streamlit #7749).
Entries are reordered (`move_entry`) and merged (`merge_entry`) in the draft; the save sends them
as one `order` and one `merge` change per group/entry after the field changes, and
`save_corrections` writes them as plain rows (see `data.record`). A value picked from the document
(`pick`) keeps its `Source` in the row, and the add/edit it becomes carries it.
No streamlit import: everything here is plain data, testable without a running app.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from correction.bands import decision_label
from correction.review import FieldChange, ReviewTask
from data.record import ENTRIES, SCALARS, FieldPath
from parsing.model import Source

COLUMNS = ("field", "value", "band", "confidence", "decision")
DECISIONS = ("accept", "reject")
MISSING = "missing"
NEW = "new"
LIST_GROUP = {"contact": "links", "skills": "skills", "certifications": "certifications"}
GROUP_TITLES = {
    "contact": "Contact",
    "experience": "Experience",
    "education": "Education",
    "skills": "Skills",
    "languages": "Languages",
    "certifications": "Certifications",
}
GROUP_ORDER = ("contact", "experience", "education", "skills", "languages", "certifications")


def display(value: Any) -> str:
    """A value as the editor shows it ('' for none)."""
    return "" if value is None else str(value)


@dataclass
class Draft:
    """One CV being corrected: the tables, and what was decided outside the editors."""

    task: ReviewTask
    opened_at: float  # time.monotonic() when the CV was opened: seconds spent = time per CV
    base: dict[str, list[dict[str, Any]]]
    originals: dict[str, Any]  # path → raw value of every present field
    next_free: dict[str, int]  # group → the stable index the next added item gets
    gen: int = 0
    deleted: set[str] = field(default_factory=set)  # paths whose rows a folded diff deleted
    new_entries: dict[str, list[int]] = field(default_factory=dict)  # group → added indices
    order: dict[str, list[int]] = field(default_factory=dict)  # group → indices, display order
    merged: dict[str, str] = field(default_factory=dict)  # merged-away stem → the stem it joins

    @property
    def candidate_id(self) -> int:
        """The candidate being corrected."""
        return self.task.candidate.id

    @property
    def version(self) -> int:
        """The candidate version this draft started from (optimistic locking)."""
        return self.task.candidate.version_id

    def seconds(self) -> float:
        """Seconds since the CV was opened."""
        return round(time.monotonic() - self.opened_at, 1)

    def key(self, stem: str) -> str:
        """The session-state key of a stem's data editor in the current generation."""
        return f"ed-{self.candidate_id}-{stem}-{self.gen}"

    def stems(self, group: str) -> list[str]:
        """The editors of one group, in order ('experience-0', 'experience-1', ...)."""
        if group in LIST_GROUP:
            return [group]
        stems = sorted((s for s in self.base if s.split("-")[0] == group), key=_stem_index)
        rank = {i: n for n, i in enumerate(self.order.get(group, []))}
        return sorted(stems, key=lambda s: rank.get(_stem_index(s), len(rank)))

    def visible(self, group: str) -> list[str]:
        """The entries shown (not merged away), in display order."""
        return [s for s in self.stems(group) if s not in self.merged]

    def move_entry(self, group: str, stem: str, step: int) -> None:
        """Move an entry `step` places up (-1) or down (+1) among the visible ones."""
        shown = self.visible(group)
        i = shown.index(stem)
        j = i + step
        if not 0 <= j < len(shown):
            return
        away = [s for s in self.stems(group) if s in self.merged]
        shown[i], shown[j] = shown[j], shown[i]
        self.order[group] = [_stem_index(s) for s in [*shown, *away]]

    def merge_entry(self, group: str, stem: str) -> str | None:
        """Merge an entry into the visible one before it; returns that stem (None = first)."""
        shown = self.visible(group)
        i = shown.index(stem)
        if i == 0:
            return None
        self.merged[stem] = shown[i - 1]
        return shown[i - 1]

    def pick_targets(self) -> list[str]:
        """Paths a value picked from the document can go to, plus '+skills' etc. for new items."""
        out = [
            r["path"]
            for group in GROUP_ORDER
            for stem in self.stems(group)
            if stem not in self.merged
            for r in self.base[stem]
            if r["path"]
        ]
        return out + [f"+{g}" for g in LIST_GROUP.values()]

    def pick(self, target: str, value: str, source: Source | None) -> str:
        """Put a value picked from the document into a row (after `fold`); returns its path."""
        if target.startswith("+"):
            group = target[1:]
            stem = next(k for k, v in LIST_GROUP.items() if v == group)
            index = self.next_free.get(group, 0)
            self.next_free[group] = index + 1
            path = f"{group}[{index}]"
            self.base[stem].append(_row(path, f"new {group[:-1]}", value, None, NEW))
            target = path
        for rows in self.base.values():
            for r in rows:
                if r["path"] == target:
                    r.update(value=value, source=source, decision=None)
                    self.deleted.discard(target)
                    return target
        raise KeyError(target)

    def add_entry(self, group: str) -> str:
        """A new empty entry (experience, education or language) to fill in; returns its stem."""
        index = self.next_free.get(group, 0)
        self.next_free[group] = index + 1
        stem = f"{group}-{index}"
        model = ENTRIES[group]
        self.base[stem] = [
            _row(f"{group}[{index}].{c}", c, None, None, NEW) for c in model.model_fields
        ]
        self.new_entries.setdefault(group, []).append(index)
        return stem


def new_draft(task: ReviewTask) -> Draft:
    """The draft of a freshly opened CV: one row per field (missing contact fields included)."""
    by_path = {f.path: f for f in task.fields}
    base: dict[str, list[dict[str, Any]]] = {"contact": [], "skills": [], "certifications": []}
    for name in SCALARS:
        base["contact"].append(_field_row(name, name.replace("_", " "), by_path.get(name)))
    for f in task.fields:
        p = FieldPath.parse(f.path)
        if p.group == "links":
            base["contact"].append(_field_row(f.path, f"link {p.index}", f))
        elif p.group in ("skills", "certifications"):
            base[p.group].append(_field_row(f.path, f"{p.group[:-1]} {p.index}", f))
    for group, model in ENTRIES.items():
        indices = sorted({p.index for p in map(FieldPath.parse, by_path) if p.group == group})
        for i in indices:
            base[f"{group}-{i}"] = [
                _field_row(f"{group}[{i}].{c}", c, by_path.get(f"{group}[{i}].{c}"))
                for c in model.model_fields
            ]
    originals = {f.path: f.field.value for f in task.fields}
    return Draft(
        task=task,
        opened_at=time.monotonic(),
        base=base,
        originals=originals,
        next_free=dict(task.next_index),
    )


def _row(path: str | None, label: str, value: Any, conf: float | None, band: str) -> dict[str, Any]:
    return {
        "path": path,
        "field": label,
        "value": display(value),
        "band": band,
        "confidence": conf,
        "decision": None,
    }


def _field_row(path: str, label: str, rf: Any) -> dict[str, Any]:
    if rf is None:
        return _row(path, label, None, None, MISSING)
    decided = " ✓" if rf.decision is not None else ""  # decided in an earlier save
    made = decision_label(rf.field)  # the model's auto-accept decision
    label += f" · {made}" if made else ""
    band = "green" if made == "auto-accepted" else rf.band
    return _row(path, label + decided, rf.field.value, round(rf.field.confidence, 3), band)


def _stem_index(stem: str) -> int:
    return int(stem.rsplit("-", 1)[1]) if "-" in stem else 0


# --- applying the editors' diffs -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Effective:
    """An editor's rows after its diff: kept base rows (edited), added rows, deleted base rows."""

    rows: list[dict[str, Any]]
    added: list[dict[str, Any]]
    deleted: list[dict[str, Any]]


def effective(base: list[dict[str, Any]], diff: Mapping[str, Any] | None) -> Effective:
    """Apply a data editor's diff (edited_rows keys are row positions, as ints or strings)."""
    rows = [dict(r) for r in base]
    diff = diff or {}
    for pos, change in (diff.get("edited_rows") or {}).items():
        i = int(pos)
        if 0 <= i < len(rows):
            rows[i].update({k: v for k, v in change.items() if k in COLUMNS})
    gone = {int(i) for i in diff.get("deleted_rows") or []}
    added = [
        {**_row(None, "", None, None, NEW), **{k: v for k, v in r.items() if k in COLUMNS}}
        for r in diff.get("added_rows") or []
    ]
    kept = [r for i, r in enumerate(rows) if i not in gone]
    deleted = [r for i, r in enumerate(rows) if i in gone]
    return Effective(kept, added, deleted)


def fold(draft: Draft, diffs: Mapping[str, Mapping[str, Any] | None]) -> None:
    """Make the editors' current diffs part of the base and start a new editor generation."""
    for stem in list(draft.base):
        eff = effective(draft.base[stem], diffs.get(draft.key(stem)))
        added = [r for r in eff.added if display(r["value"]).strip()]
        for r in added:  # a typed new item keeps its stable path from now on
            group = LIST_GROUP[stem.split("-")[0]]
            index = draft.next_free.get(group, 0)
            draft.next_free[group] = index + 1
            r["path"], r["field"] = f"{group}[{index}]", f"new {group[:-1]}"
        draft.base[stem] = eff.rows + added
        draft.deleted |= {r["path"] for r in eff.deleted if r["path"]}
    draft.gen += 1


def set_decision(
    draft: Draft, paths: set[str], decision: str | None, *, undecided_only: bool
) -> int:
    """Set the decision column of these paths' rows (call after `fold`); returns rows changed."""
    n = 0
    for rows in draft.base.values():
        for r in rows:
            if r["path"] not in paths or r["band"] in (MISSING, NEW):
                continue
            if undecided_only and (
                r["decision"] or display(r["value"]) != draft_original(draft, r)
            ):
                continue
            r["decision"] = decision
            n += 1
    return n


def draft_original(draft: Draft, row: Mapping[str, Any]) -> str:
    """The parsed (or last saved) value of a row, as displayed."""
    return display(draft.originals.get(row["path"])) if row["path"] else ""


def green_undecided(draft: Draft) -> set[str]:
    """Paths 'accept all green' confirms: green, and nobody decided on them yet."""
    return {f.path for f in draft.task.fields if f.band == "green" and f.decision is None}


# --- the decisions, as changes for save_corrections ----------------------------------------------


def changes(
    draft: Draft,
    diffs: Mapping[str, Mapping[str, Any] | None],
    removed_entries: set[str] | frozenset[str] = frozenset(),
) -> list[FieldChange]:
    """One FieldChange per decision in the editors (edits, rejects, accepts, adds), in order.

    removed_entries: stems of entries marked for removal ('experience-1'); their fields are not
    decided one by one. A value emptied is a reject; a value typed where there was none an add.
    """
    out: list[FieldChange] = []
    entry_rejects: list[FieldChange] = []
    next_index = dict(draft.next_free)
    for group in GROUP_ORDER:
        for stem in draft.stems(group):
            eff = effective(draft.base[stem], diffs.get(draft.key(stem)))
            if stem in removed_entries and stem not in draft.merged:
                index = _stem_index(stem)
                if index not in draft.new_entries.get(group, []):
                    entry_rejects.append(FieldChange(f"{group}[{index}]", "reject"))
                continue
            for r in eff.rows:
                ch = _row_change(draft, r)
                if ch is not None:
                    out.append(ch)
            for r in eff.deleted:
                if r["path"] in draft.originals:
                    out.append(FieldChange(r["path"], "reject"))
            for r in eff.added:
                value = display(r["value"]).strip()
                if not value or r.get("decision") == "reject":
                    continue
                list_group = LIST_GROUP[group]
                index = next_index.get(list_group, 0)
                next_index[list_group] = index + 1
                out.append(FieldChange(f"{list_group}[{index}]", "add", value))
    decided = {c.path for c in out}
    out += [
        FieldChange(p, "reject")
        for p in sorted(draft.deleted)
        if p in draft.originals and p not in decided
    ]
    return out + entry_rejects + _entry_changes(draft, set(removed_entries))


def _entry_changes(draft: Draft, removed: set[str]) -> list[FieldChange]:
    """The merges (in the order made), then each reordered group's order."""
    out = [
        FieldChange(f"{src.split('-')[0]}[{_stem_index(src)}]", "merge", _stem_index(dst))
        for src, dst in draft.merged.items()
    ]
    for group in draft.order:
        order = [_stem_index(s) for s in draft.visible(group) if s not in removed]
        if order != sorted(order):
            out.append(FieldChange(group, "order", order))
    return out


def _row_change(draft: Draft, r: Mapping[str, Any]) -> FieldChange | None:
    path = r["path"]
    if not path:
        return None
    typed = display(r["value"]).strip()
    present = path in draft.originals
    if r.get("decision") == "reject":
        return FieldChange(path, "reject") if present else None
    src = r.get("source")
    src = src if isinstance(src, Source) and (src.text or "").strip() == typed else None
    if not present:
        return FieldChange(path, "add", typed, src) if typed else None
    if typed != display(draft.originals[path]).strip():
        if not typed:
            return FieldChange(path, "reject")
        return FieldChange(path, "edit", _typed(draft.originals[path], typed), src)
    if r.get("decision") == "accept":
        return FieldChange(path, "accept")
    return None


def _typed(original: Any, text: str) -> Any:
    """Keep a number a number when the recruiter types one (total experience years)."""
    if isinstance(original, int | float) and not isinstance(original, bool):
        try:
            return float(text)
        except ValueError:
            return text
    return text
