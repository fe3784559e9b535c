"""A parse with its corrections applied: field paths, the working record, and the current ParsedCV.

Paths are stable: they index the parse's lists, and an added item takes the next index after the
last one (parsed or added). A rejected list item or entry leaves a hole while corrections are
replayed, so later paths keep pointing at the same values; `to_parsed()` closes the holes.

Merging and reordering entries need no action of their own; they are plain rows (`Step`s):
- merge `experience[2]` into `experience[1]`: an `add experience[1].<comp>` (value and source of
  entry 2) for every component entry 1 lacks (entry 1 wins on conflicts), then
  `reject experience[2]`. See `Record.merge_steps`.
- reorder: entries are listed in index order, so the entries from the first one whose place
  changes onwards are rejected and their components re-added, in the new order, at fresh indices
  after the last one. See `Record.order_steps`. A moved value keeps its source; like every
  human-added value it gets confidence 1.0 and extractor `human`.
Replaying those rows in order rebuilds the same order and merge: no special case in `apply`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from parsing.errors import CVError
from parsing.model import EducationEntry, ExperienceEntry, Field, LanguageEntry, ParsedCV

SCALARS = (
    "name",
    "email",
    "phone",
    "location",
    "headline",
    "summary",
    "total_experience_years",
)
LISTS = ("links", "skills", "certifications")
ENTRIES: dict[str, type[BaseModel]] = {
    "experience": ExperienceEntry,
    "education": EducationEntry,
    "languages": LanguageEntry,
}
HUMAN = "human"  # extractor of a value typed or picked by a reviewer
_PATH_RE = re.compile(r"^(?P<group>[a-z_]+)(?:\[(?P<index>\d+)\])?(?:\.(?P<comp>[a-z_]+))?$")


class PathError(CVError, ValueError):
    """A field path that names no field of the ParsedCV contract, or the wrong kind of target."""


@dataclass(frozen=True, slots=True)
class FieldPath:
    """'name', 'skills[3]', 'experience[1].title' or a whole entry 'experience[1]'."""

    group: str
    index: int | None = None
    comp: str | None = None

    @classmethod
    def parse(cls, text: str) -> FieldPath:
        """Parse and check a path against the contract; raises PathError."""
        m = _PATH_RE.match(text)
        if not m:
            raise PathError(f"not a field path: {text!r}")
        group, comp = m["group"], m["comp"]
        index = int(m["index"]) if m["index"] is not None else None
        ok = (
            (group in SCALARS and index is None and comp is None)
            or (group in LISTS and index is not None and comp is None)
            or (
                group in ENTRIES
                and index is not None
                and (comp is None or comp in ENTRIES[group].model_fields)
            )
        )
        if not ok:
            raise PathError(f"not a field path: {text!r}")
        return cls(group, index, comp)

    @property
    def is_entry(self) -> bool:
        """True for a whole experience/education/language entry."""
        return self.group in ENTRIES and self.comp is None

    @property
    def field(self) -> str:
        """The path without indices ('experience.title'), for aggregation."""
        return f"{self.group}.{self.comp}" if self.comp else self.group

    def __str__(self) -> str:
        idx = f"[{self.index}]" if self.index is not None else ""
        return f"{self.group}{idx}{'.' + self.comp if self.comp else ''}"


@dataclass(frozen=True, slots=True)
class Step:
    """One plain decision (accept | edit | reject | add) a merge or reorder is written as."""

    path: str
    action: str
    value: Any = None
    source: dict[str, Any] | None = None


class CorrectionLike(Protocol):
    """What replaying needs from a correction row (data.models.Correction fits)."""

    field_path: str
    action: str
    new_value: Any
    new_source: dict[str, Any] | None


class Record:
    """A mutable working copy of a parse that corrections are replayed onto."""

    def __init__(self, parsed: ParsedCV) -> None:
        self.parsed = parsed
        self.tree: dict[str, Any] = parsed.fields.model_dump(mode="json")

    # --- navigation ---

    def _slot(self, p: FieldPath, *, create: bool) -> tuple[Any, Any] | None:
        """(container, key) holding the node at `p`; None when it cannot be reached."""
        if p.group in SCALARS:
            return self.tree, p.group
        items = self.tree.get(p.group)
        if items is None:
            if not create:
                return None
            items = self.tree[p.group] = []
        assert p.index is not None
        if p.index > len(items) or (p.index == len(items) and not create):
            return None
        if p.index == len(items):
            items.append(None)
        if p.comp is None:
            return items, p.index
        if items[p.index] is None:
            if not create:
                return None
            items[p.index] = {}
        return items[p.index], p.comp

    def get(self, path: str | FieldPath) -> Any:
        """The node at a path (a field or entry dict), or None when absent or rejected."""
        p = path if isinstance(path, FieldPath) else FieldPath.parse(path)
        slot = self._slot(p, create=False)
        if slot is None or not _has(slot):
            return None
        return slot[0][slot[1]]

    def next_index(self, group: str) -> int:
        """The stable index an added item of a list group gets."""
        return len(self.tree.get(group) or [])

    def entry_indices(self, group: str) -> list[int]:
        """Stable indices of the entries present in an entry group, in display order."""
        items = self.tree.get(group) or []
        return [i for i, e in enumerate(items) if e and any(v is not None for v in e.values())]

    def _components(self, group: str, index: int) -> dict[str, dict[str, Any]]:
        entry = (self.tree.get(group) or [])[index] or {}
        fields = ENTRIES[group].model_fields
        return {c: n for c, n in entry.items() if c in fields and isinstance(n, dict)}

    # --- merges and reorders, as plain steps ---

    def merge_steps(self, group: str, src: int, dst: int) -> list[Step]:
        """Steps merging entry `src` into entry `dst` (dst's values win); [] when either is gone."""
        present = self.entry_indices(group)
        if group not in ENTRIES or src == dst or src not in present or dst not in present:
            return []
        have = self._components(group, dst)
        steps = [
            Step(f"{group}[{dst}].{c}", "add", n.get("value"), n.get("source"))
            for c, n in self._components(group, src).items()
            if c not in have and n.get("value") not in (None, "")
        ]
        return [*steps, Step(f"{group}[{src}]", "reject")]

    def order_steps(self, group: str, order: list[int]) -> list[Step]:
        """Steps putting the group's entries in `order` (stable indices; absent ones ignored,
        entries not named keep their relative order after the named ones)."""
        if group not in ENTRIES:
            return []
        present = self.entry_indices(group)
        wanted = [i for i in dict.fromkeys(order) if i in present]
        wanted += [i for i in present if i not in wanted]
        keep = 0
        while keep < len(present) and present[keep] == wanted[keep]:
            keep += 1
        if keep == len(present):
            return []
        comps = {i: self._components(group, i) for i in wanted[keep:]}
        steps = [Step(f"{group}[{i}]", "reject") for i in present[keep:]]
        nxt = self.next_index(group)
        for n, i in enumerate(wanted[keep:]):
            steps += [
                Step(f"{group}[{nxt + n}].{c}", "add", node.get("value"), node.get("source"))
                for c, node in comps[i].items()
            ]
        return steps

    # --- changes ---

    def check(self, path: str, action: str) -> FieldPath:
        """Raise PathError unless `action` makes sense on `path` in the current state."""
        p = FieldPath.parse(path)
        node = self.get(p)
        if action == "add":
            if node is not None:
                raise PathError(f"{path} already has a value; edit it instead")
            if p.is_entry:
                raise PathError("add the fields of a new entry, e.g. experience[2].title")
            if p.index is not None and p.index > self.next_index(p.group):
                raise PathError(f"{path}: add at index {self.next_index(p.group)} at most")
        elif node is None:
            raise PathError(f"{path} has no value to {action}")
        elif p.is_entry and action != "reject":
            raise PathError(f"a whole entry can only be rejected, not {action}ed")
        return p

    def apply(
        self, path: str, action: str, value: Any = None, source: dict[str, Any] | None = None
    ) -> None:
        """Apply one decision. Replay is lenient: a path that no longer resolves is skipped."""
        p = FieldPath.parse(path)
        if action == "reject":
            slot = self._slot(p, create=False)
            if slot is not None and _has(slot):
                slot[0][slot[1]] = None
            return
        if action == "accept":
            node = self.get(p)
            if isinstance(node, dict) and not p.is_entry:
                node["confidence"] = 1.0
            return
        if p.is_entry:
            return
        old = self.get(p)
        slot = self._slot(p, create=True)
        if slot is None:  # an add beyond the end (e.g. the re-parse found fewer items): append
            p = FieldPath(p.group, self.next_index(p.group), p.comp)
            slot = self._slot(p, create=True)
            assert slot is not None
        keep_source = old.get("source") if isinstance(old, dict) else None
        slot[0][slot[1]] = {
            "value": value,
            "confidence": 1.0,
            "source": source if source is not None else keep_source,
            "extractor": HUMAN,
        }

    def replay(self, corrections: Iterable[CorrectionLike]) -> Record:
        """Apply corrections in the order given (oldest first); returns self."""
        for c in corrections:
            self.apply(c.field_path, c.action, c.new_value, c.new_source)
        return self

    # --- output ---

    def iter_fields(self) -> list[tuple[str, Field]]:
        """Every present field with its stable path, in the order of Fields.iter_fields."""
        tree = self.tree
        out: list[tuple[str, Field]] = []
        for name in SCALARS[:-1]:
            _emit(out, name, tree.get(name))
        for i, node in enumerate(tree.get("links") or []):
            _emit(out, f"links[{i}]", node)
        _emit(out, "total_experience_years", tree.get("total_experience_years"))
        for group, model in ENTRIES.items():
            for i, entry in enumerate(tree.get(group) or []):
                if entry is None:
                    continue
                comps = [*model.model_fields, *(k for k in entry if k not in model.model_fields)]
                for comp in comps:
                    _emit(out, f"{group}[{i}].{comp}", entry.get(comp))
        for group in ("skills", "certifications"):
            for i, node in enumerate(tree.get(group) or []):
                _emit(out, f"{group}[{i}]", node)
        return out

    def to_parsed(self) -> ParsedCV:
        """The current record as a ParsedCV (holes closed, emptied entries dropped)."""
        fields: dict[str, Any] = {}
        for key, node in self.tree.items():
            if key in LISTS and isinstance(node, list):
                node = [item for item in node if item is not None]
            elif key in ENTRIES and isinstance(node, list):
                node = [e for e in node if e and any(v is not None for v in e.values())]
            fields[key] = node
        validated = type(self.parsed.fields).model_validate(fields)
        return self.parsed.model_copy(update={"fields": validated})


def _emit(out: list[tuple[str, Field]], path: str, node: Any) -> None:
    if isinstance(node, dict) and "value" in node and "confidence" in node:
        out.append((path, Field.model_validate(node)))


def _has(slot: tuple[Any, Any]) -> bool:
    container, key = slot
    if isinstance(container, list):
        return 0 <= key < len(container)
    return key in container
