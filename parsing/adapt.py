"""The hook through which learned models adjust the rule parser's fields (`FieldAdapter`).

`parse_bytes(..., adapter=...)` calls `adapter.adapt(fields, ctx)` after the rules ran. An adapter
returns a new `Fields` (it never edits its input); a crash in it keeps the rule result.
"""

from __future__ import annotations

import logging
from typing import Protocol, runtime_checkable

from parsing.extractors.base import Context
from parsing.model import Fields

log = logging.getLogger(__name__)
ADAPTER_FAILED = "the learned corrections could not be applied; showing the rule-based result"


@runtime_checkable
class FieldAdapter(Protocol):
    """Something that adjusts extracted fields of one document, e.g. a model learned from
    recruiters' corrections; `version` names it in the parse's model_version."""

    @property
    def version(self) -> str:
        """Names the adapter (and its learned state) in the parse's model_version."""
        ...

    def adapt(self, fields: Fields, ctx: Context) -> Fields:
        """Return adjusted fields for the document in `ctx`; must not mutate `fields`."""
        ...


def apply_adapter(adapter: FieldAdapter, fields: Fields, ctx: Context) -> tuple[Fields, bool]:
    """(fields, ok): the adapter's result, or the rule fields unchanged (ok=False) if it raised."""
    original = fields.model_copy(deep=True)
    try:
        adapted = adapter.adapt(fields, ctx)
    except Exception as e:  # the adapter boundary: a learned model must never lose a parse
        log.warning(
            "field adapter %s failed: %s", getattr(adapter, "version", "?"), type(e).__name__
        )
        return original, False
    if not isinstance(adapted, Fields):
        log.warning("field adapter %s returned %s", adapter.version, type(adapted).__name__)
        return original, False
    return adapted, True
