"""Pick a missing value from the document text on the correction page: a searchable list of the
document's lines; the chosen line (or the part of it kept) fills the field with its Source."""

from __future__ import annotations

import streamlit as st

from correction.lines import document_lines, pick_source
from data.db import session_scope
from parsing.model import Source
from ui.editor import MISSING, Draft, display, fold
from ui.user import current_user

LINES_KEY = "review_lines"
MAX_LINES = 200  # lines offered at once; the filter narrows the rest


def _pick_key(draft: Draft, what: str) -> str:
    return f"pick-{what}-{draft.candidate_id}"


def _prefill(draft: Draft, lines: list[Source]) -> None:
    i = st.session_state.get(_pick_key(draft, "line"))
    if i is not None and 0 <= i < len(lines):
        st.session_state[_pick_key(draft, "value")] = lines[i].text or ""


def _use_pick(draft: Draft, lines: list[Source], flash_key: str) -> None:
    i = st.session_state.get(_pick_key(draft, "line"))
    value = (st.session_state.get(_pick_key(draft, "value")) or "").strip()
    target = st.session_state.get(_pick_key(draft, "field"))
    if i is None or not 0 <= i < len(lines) or not value or target is None:
        st.session_state[flash_key] = ("info", "Choose a field and a line (or part of it) first.")
        return
    fold(draft, {draft.key(stem): st.session_state.get(draft.key(stem)) for stem in draft.base})
    path = draft.pick(target, value, pick_source(lines[i], value))
    st.session_state[flash_key] = ("info", f"Filled {path} from the document; save to record it.")


def _lines(draft: Draft) -> list[Source]:
    """The document's lines, kept in this user's session like the preview."""
    doc_id = draft.task.document.id
    cached: tuple[int, list[Source]] | None = st.session_state.get(LINES_KEY)
    if cached is None or cached[0] != doc_id:
        with session_scope() as session:
            lines = document_lines(
                session=session,
                user=current_user(),
                document_id=doc_id,
                record=draft.task.record,
            )
        cached = (doc_id, lines)
        st.session_state[LINES_KEY] = cached
    return cached[1]


def picker(draft: Draft, *, flash_key: str) -> None:
    """Fill a field (typically a missing one) with a line of the document, or part of it.

    Off until asked for: reading the lines parses the file again, which the page's render time
    should not pay for every CV.
    """
    if not st.toggle(
        "Pick a value from the document",
        key=_pick_key(draft, "on"),
        help="Fill a field from a line of the document; the value keeps where it was found.",
    ):
        return
    rows = {r["path"]: r for rows in draft.base.values() for r in rows if r["path"]}
    targets = draft.pick_targets()
    field_key = _pick_key(draft, "field")
    if st.session_state.get(field_key) not in targets:
        missing = [p for p in targets if p in rows and rows[p]["band"] == MISSING]
        st.session_state[field_key] = (missing or targets)[0]

    def target_label(path: str) -> str:
        if path.startswith("+"):
            return f"(new {path[1:-1]})"
        value = display(rows[path]["value"]) if path in rows else ""
        return f"{path} · {value[:40]}" if value else f"{path} · (missing)"

    st.selectbox("Field to fill", targets, key=field_key, format_func=target_label)
    lines = _lines(draft)
    if not lines:
        st.caption("No text could be read from this document.")
        return
    find = st.text_input("Find in the document", key=_pick_key(draft, "find"))
    shown = [i for i, ln in enumerate(lines) if find.lower() in (ln.text or "").lower()]
    st.selectbox(
        "Line",
        shown[:MAX_LINES],
        key=_pick_key(draft, "line"),
        index=None,
        placeholder=f"{len(shown)} matching line{'s' if len(shown) != 1 else ''}",
        format_func=lambda i: f"p{lines[i].page or 1} · {lines[i].text}",
        on_change=_prefill,
        args=(draft, lines),
    )
    st.text_input(
        "Value (trim it to the part you need)",
        key=_pick_key(draft, "value"),
        help="Pre-filled with the chosen line; the saved value keeps where it was found.",
    )
    st.button(
        "Use this value",
        key=_pick_key(draft, "use"),
        on_click=_use_pick,
        args=(draft, lines, flash_key),
    )
