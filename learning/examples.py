"""Training examples from recruiters' corrections: each decision joined with its document's layout.

A corrected value is located in the document text (the span the recruiter picked, else an exact,
case/space-insensitive or rapidfuzz match nearest to the old value) to give a positive span; the
value it replaced is the negative. Accepted values are positives where they stand.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz
from sqlmodel import Session, col, select

from data.models import Correction, Document, ParseResult
from data.store import FileStore, default_store
from parsing.layout import Layout
from parsing.model import Fields, ParsedCV
from parsing.readers import read_layout
from settings import get_settings

log = logging.getLogger(__name__)
FUZZY_MIN = 88.0  # rapidfuzz partial-ratio score above which a value counts as found
Located = tuple[int, int, str]  # (start, end, how: source | exact | loose | fuzzy)


@dataclass(frozen=True, slots=True)
class Example:
    """One correction as training data: the decision, the parse it was made on and the layout."""

    correction_id: int
    document_sha256: str
    field_path: str  # e.g. "experience[0].title"
    action: str  # accept | edit | reject | add
    old_value: Any
    new_value: Any
    old_span: tuple[int, int] | None  # where the parser read the old value; None = unknown
    new_span: Located | None  # where the corrected value is in the text; None = not found
    fields: Fields  # the parse the decision was made on
    layout: Layout

    @property
    def field(self) -> str:
        """The path without indices ('experience.title')."""
        return re.sub(r"\[\d+\]", "", self.field_path)


def _nearest(spans: list[tuple[int, int]], near: int | None) -> tuple[int, int]:
    return min(spans, key=lambda s: abs(s[0] - near)) if near is not None else spans[0]


def locate(text: str, value: str, *, near: int | None = None) -> Located | None:
    """Where `value` is in `text`: exactly, ignoring case and spacing, or fuzzily; the match
    nearest to char `near` wins. None = not in the document (typed from elsewhere)."""
    value = value.strip()
    if len(value) < 2:
        return None
    exact = [(m.start(), m.end()) for m in re.finditer(re.escape(value), text)]
    if exact:
        return (*_nearest(exact, near), "exact")
    pattern = r"\s+".join(re.escape(w) for w in value.split())
    loose = [(m.start(), m.end()) for m in re.finditer(pattern, text, re.IGNORECASE)]
    if loose:
        return (*_nearest(loose, near), "loose")
    return _fuzzy(text, value, near)


def _fuzzy(text: str, value: str, near: int | None) -> Located | None:
    """Best rapidfuzz alignment, searched near `near` first, widened to word boundaries."""
    windows = [(0, len(text))]
    if near is not None:
        windows.insert(0, (max(0, near - 400), min(len(text), near + 400)))
    for lo, hi in windows:
        hit = fuzz.partial_ratio_alignment(
            value.lower(), text[lo:hi].lower(), processor=None, score_cutoff=FUZZY_MIN
        )
        if hit is None:
            continue
        a, b = lo + hit.dest_start, lo + hit.dest_end
        while a > 0 and text[a - 1].isalnum():
            a -= 1
        while b < len(text) and text[b].isalnum():
            b += 1
        if fuzz.ratio(value.lower(), text[a:b].lower()) >= FUZZY_MIN:
            return a, b, "fuzzy"
    return None


def _old_span(fields_tree: dict[str, Any], path: str) -> tuple[int, int] | None:
    node: Any = fields_tree
    for part in re.findall(r"[a-z_]+|\[\d+\]", path):
        if part.startswith("["):
            idx = int(part[1:-1])
            node = node[idx] if isinstance(node, list) and idx < len(node) else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return None
    src = node.get("source") if isinstance(node, dict) else None
    if not src or src.get("start") is None or src.get("end") is None:
        return None
    return int(src["start"]), int(src["end"])


def example_from(
    row: Correction, digest: str, parsed: ParsedCV, tree: dict[str, Any], layout: Layout
) -> Example:
    """One correction row as an Example (locating its new value in the layout's text)."""
    old = _old_span(tree, row.field_path)
    new: Located | None = None
    src = row.new_source or {}
    if src.get("start") is not None and src.get("end") is not None:
        new = (int(src["start"]), int(src["end"]), "source")
    elif row.action in ("edit", "add") and isinstance(row.new_value, str):
        new = locate(layout.text, row.new_value, near=old[0] if old else None)
    elif row.action == "accept" and old is not None:
        new = (*old, "source")
    assert row.id is not None
    return Example(
        correction_id=row.id,
        document_sha256=digest,
        field_path=row.field_path,
        action=row.action,
        old_value=row.old_value,
        new_value=row.new_value,
        old_span=old,
        new_span=new,
        fields=parsed.fields,
        layout=layout,
    )


def build_examples(
    *, session: Session, since_id: int | None = None, store: FileStore | None = None
) -> list[Example]:
    """Every correction (after id `since_id`) as an Example; documents that can no longer be
    read are skipped with a log line (never their content)."""
    store = store or default_store()
    stmt = select(Correction).order_by(col(Correction.id))
    if since_id is not None:
        stmt = stmt.where(col(Correction.id) > since_id)
    by_result: dict[int, list[Correction]] = defaultdict(list)
    for row in session.exec(stmt):
        by_result[row.parse_result_id].append(row)
    max_pages = get_settings().max_pages
    out: list[Example] = []
    for result_id, rows in by_result.items():
        result = session.get(ParseResult, result_id)
        doc = session.get(Document, result.document_id) if result else None
        if result is None or doc is None:
            continue
        try:
            layout = read_layout(store.get(doc.sha256), max_pages=max_pages)
        except Exception as e:  # a document that cannot be read again teaches nothing
            log.warning("skipping document %s for training: %s", doc.sha256[:12], type(e).__name__)
            continue
        parsed = ParsedCV.model_validate(result.parsed)
        tree = parsed.fields.model_dump(mode="json")
        out.extend(example_from(r, doc.sha256, parsed, tree, layout) for r in rows)
    session.rollback()  # reads only
    return out
