"""Correct a CV: the document with every value's source drawn on it, the fields grouped in
editable tables, keyboard shortcuts, and a save that detects another recruiter's save."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from correction.preview import DocumentPreview, document_preview
from correction.queue import next_candidate
from correction.review import (
    Conflict,
    SaveResult,
    merge_after_conflict,
    open_candidate,
    save_corrections,
)
from data.db import session_scope
from data.queries import NotFound
from data.record import PathError
from parsing.pipeline import warning_notes
from ui.editor import (
    COLUMNS,
    DECISIONS,
    GROUP_ORDER,
    GROUP_TITLES,
    LIST_GROUP,
    Draft,
    changes,
    display,
    fold,
    green_undecided,
    new_draft,
    set_decision,
)
from ui.evidence import Mark, draw_boxes, highlight_html, snippet_html
from ui.keys import pass_shortcuts_through_grids
from ui.nav import require
from ui.picking import picker
from ui.user import current_user

CANDIDATE_KEY = "candidate_id"
DRAFT_KEY = "review_draft"
PREVIEW_KEY = "review_preview"
CONFLICT_KEY = "review_conflict"
FLASH_KEY = "review_flash"
VISITED_KEY = "review_visited"
RENDER_SCALE = 1.5
ENTRY_NOUN = {"experience": "experience", "education": "education", "languages": "language"}
DB_ERROR = "The database could not be reached; nothing was saved. Please try again."
CONFIDENCE_HELP = (
    "The parser's estimate that the value is right (0–1). Green: at or above the auto-accept "
    "threshold; amber: from 0.6; red: below 0.6."
)
EDITOR_COLUMNS: dict[str, Any] = {
    "field": st.column_config.TextColumn("field", disabled=True, width=105),
    "value": st.column_config.TextColumn("value", width=215),
    "band": st.column_config.TextColumn("band", disabled=True, width=58, help=CONFIDENCE_HELP),
    "confidence": st.column_config.NumberColumn(
        "conf.", disabled=True, format="%.2f", width=48, help=CONFIDENCE_HELP
    ),
    "decision": st.column_config.SelectboxColumn(
        "decision", options=list(DECISIONS), width=72, help="Accept or reject the value."
    ),
}


# --- state ---------------------------------------------------------------------------------------


def _candidate_id() -> int | None:
    raw = st.query_params.get("candidate")
    if raw is not None:
        try:
            st.session_state[CANDIDATE_KEY] = int(raw)
        except ValueError:
            st.warning("That link does not name a CV; pick one from the review queue.")
            return None
    cid = st.session_state.get(CANDIDATE_KEY)
    return int(cid) if cid is not None else None


def _draft(cid: int) -> Draft | None:
    """The draft of this CV, opening it (and logging the view) when it is not the current one."""
    draft: Draft | None = st.session_state.get(DRAFT_KEY)
    if draft is not None and draft.candidate_id == cid:
        return draft
    try:
        with session_scope() as session:
            task = open_candidate(session=session, candidate_id=cid, user=current_user())
    except NotFound:
        st.warning("This CV no longer exists; pick another one from the review queue.")
        return None
    draft = new_draft(task)
    st.session_state[DRAFT_KEY] = draft
    st.session_state.pop(CONFLICT_KEY, None)
    return draft


def _preview(draft: Draft) -> DocumentPreview:
    """The rendered document, kept in this user's session (never in a shared cache)."""
    doc_id = draft.task.document.id
    cached: DocumentPreview | None = st.session_state.get(PREVIEW_KEY)
    if cached is None or cached.document_id != doc_id:
        with session_scope() as session:
            cached = document_preview(
                session=session, user=current_user(), document_id=doc_id, scale=RENDER_SCALE
            )
        st.session_state[PREVIEW_KEY] = cached
    return cached


def _diffs(draft: Draft) -> dict[str, Any]:
    return {draft.key(stem): st.session_state.get(draft.key(stem)) for stem in draft.base}


def _removed(draft: Draft) -> set[str]:
    return {s for s in draft.base if st.session_state.get(f"rm-{draft.candidate_id}-{s}")}


def _focus_key(draft: Draft) -> str:
    return f"focus-{draft.candidate_id}"


def _page_key(draft: Draft) -> str:
    return f"page-{draft.candidate_id}"


def _paths(draft: Draft) -> list[str]:
    return [f.path for f in draft.task.fields]


# --- callbacks (run before the page, so widgets can be set) ---------------------------------------


def _show_page_of(draft: Draft, path: str | None) -> None:
    by_path = {f.path: f for f in draft.task.fields}
    src = by_path[path].field.source if path in by_path else None
    if src is not None and src.page:
        st.session_state[_page_key(draft)] = src.page


def _move_focus(draft: Draft, step: int) -> None:
    paths = _paths(draft)
    if not paths:
        return
    current = st.session_state.get(_focus_key(draft))
    i = paths.index(current) if current in paths else -step if step > 0 else 0
    target = paths[(i + step) % len(paths)]
    st.session_state[_focus_key(draft)] = target
    _show_page_of(draft, target)


def _decide_focus(draft: Draft, decision: str) -> None:
    path = st.session_state.get(_focus_key(draft))
    if path is None:
        return
    fold(draft, _diffs(draft))
    set_decision(draft, {path}, decision, undecided_only=False)
    st.session_state[FLASH_KEY] = ("info", f"Marked {path} as {decision}ed; save to record it.")
    _move_focus(draft, 1)


def _accept_green(draft: Draft) -> None:
    fold(draft, _diffs(draft))
    n = set_decision(draft, green_undecided(draft), "accept", undecided_only=True)
    st.session_state[FLASH_KEY] = (
        "info",
        f"Marked {n} green field{'s' if n != 1 else ''} as accepted; save to record them.",
    )


def _add_entry(draft: Draft, group: str) -> None:
    draft.add_entry(group)


def _move_entry(draft: Draft, group: str, stem: str, step: int) -> None:
    fold(draft, _diffs(draft))
    draft.move_entry(group, stem, step)


def _merge_entry(draft: Draft, group: str, stem: str) -> None:
    fold(draft, _diffs(draft))  # the merged-away editor disappears: keep its edits first
    into = draft.merge_entry(group, stem)
    if into is not None:
        st.session_state[FLASH_KEY] = (
            "info",
            f"The {ENTRY_NOUN[group]} entry will be merged into the one before it when you save "
            "(the earlier entry's values win where both have one).",
        )


def _unmerge(draft: Draft, stem: str) -> None:
    fold(draft, _diffs(draft))
    draft.merged.pop(stem, None)


# --- saving ---------------------------------------------------------------------------------------


def _save(draft: Draft) -> None:
    """Save the decisions; on success go to the next CV, on a conflict keep everything."""
    try:
        todo = changes(draft, _diffs(draft), _removed(draft))
    except PathError:
        st.error("One of the edited fields could not be matched to the CV; please reload it.")
        return
    try:
        with session_scope() as session:
            result = save_corrections(
                session=session,
                candidate_id=draft.candidate_id,
                user=current_user(),
                expected_version=draft.version,
                changes=todo,
                seconds_spent=draft.seconds(),
            )
    except PathError:
        st.error("A change no longer fits this CV; reload it and make the change again.")
        return
    except SQLAlchemyError:
        st.error(DB_ERROR)
        return
    if result.conflict is not None:
        st.session_state[CONFLICT_KEY] = result.conflict
        st.rerun()
    _saved(draft, result)
    _go_next(draft.candidate_id)


def _saved(draft: Draft, result: SaveResult) -> None:
    name = draft.task.candidate.display_name or draft.task.document.name
    if result.n_changed or result.n_accepted:
        text = (
            f"Saved {name}: {result.n_changed} changed, {result.n_accepted} accepted "
            f"(status: {result.status.replace('_', ' ')})."
        )
    else:
        text = f"Nothing to save for {name}: no field was changed or accepted."
    st.session_state[FLASH_KEY] = ("success", text)
    st.session_state["last_saved_candidate"] = draft.candidate_id


def _go_next(current: int) -> None:
    visited: set[int] = st.session_state.setdefault(VISITED_KEY, set())
    visited.add(current)
    with session_scope() as session:
        nxt = next_candidate(session=session, user=current_user(), skip=frozenset(visited))
    st.session_state.pop(DRAFT_KEY, None)
    if nxt is None:
        st.session_state.pop(CANDIDATE_KEY, None)
        st.query_params.clear()
        st.switch_page("ui/queue.py")
    st.session_state[CANDIDATE_KEY] = nxt
    st.switch_page("ui/correct.py", query_params={"candidate": str(nxt)})


def _merge(draft: Draft, conflict: Conflict, *, override: bool) -> None:
    try:
        with session_scope() as session:
            result = merge_after_conflict(
                session=session,
                conflict=conflict,
                user=current_user(),
                seconds_spent=draft.seconds(),
                override=override,
            )
    except PathError:
        st.error("Your changes no longer fit this CV; reload it and make them again.")
        return
    except SQLAlchemyError:
        st.error(DB_ERROR)
        return
    if result.conflict is not None:  # yet another save came in: show the new conflict
        st.session_state[CONFLICT_KEY] = result.conflict
        st.rerun()
    kept = [] if override else conflict.overlapping
    text = f"Merged: {result.n_changed} changed, {result.n_accepted} accepted."
    if kept:
        text += " Their values were kept for " + ", ".join(kept) + "."
    st.session_state[FLASH_KEY] = ("success", text)
    _reload()


def _reload() -> None:
    st.session_state.pop(DRAFT_KEY, None)
    st.session_state.pop(CONFLICT_KEY, None)
    st.rerun()


# --- rendering ------------------------------------------------------------------------------------


def _conflict_panel(draft: Draft, conflict: Conflict) -> None:
    st.error(
        "**Someone else saved this CV while you were working on it.** Nothing of yours has been "
        "saved yet: compare the changes below, then merge or discard yours."
    )
    st.markdown("**Their changes**")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "who": c.username,
                    "when": c.at,
                    "field": c.field_path,
                    "action": c.action,
                    "before": display(c.old_value),
                    "after": display(c.new_value),
                }
                for c in conflict.theirs
            ]
        ),
        hide_index=True,
        column_config={
            "when": st.column_config.DatetimeColumn("when", format="YYYY-MM-DD HH:mm:ss")
        },
    )
    theirs = {c.field_path: c for c in conflict.theirs}
    if conflict.overlapping:
        st.markdown("**Fields you both changed**")
        mine = {c.path: c for c in conflict.mine}
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "field": p,
                        "theirs": f"{theirs[p].action}: {display(theirs[p].new_value)}",
                        "yours": f"{mine[p].action}: {display(mine[p].value)}",
                    }
                    for p in conflict.overlapping
                ]
            ),
            hide_index=True,
        )
    n = len(conflict.mergeable)
    c1, c2, c3 = st.columns(3)
    if c1.button(
        f"Merge my {n} non-overlapping change{'s' if n != 1 else ''}",
        type="primary",
        key="merge",
        help="Their values stay on the fields you both changed.",
    ):
        _merge(draft, conflict, override=False)
    if conflict.overlapping and c2.button(
        "Merge all, mine win on overlapping fields", key="override"
    ):
        _merge(draft, conflict, override=True)
    if c3.button("Discard my changes and reload", key="discard"):
        _reload()


def _toolbar(draft: Draft) -> bool:
    """The action buttons; returns True when 'Save & next' was pressed."""
    row = st.container(horizontal=True)
    save = row.button("Save & next", type="primary", shortcut="Ctrl+Enter", key="save")
    row.button(
        "Accept all green",
        shortcut="Ctrl+Shift+A",
        key="accept_green",
        on_click=_accept_green,
        args=(draft,),
        help="Mark every green field nobody decided yet as accepted.",
    )
    row.button(
        "Previous field", shortcut="Alt+Up", key="prev", on_click=_move_focus, args=(draft, -1)
    )
    row.button("Next field", shortcut="Alt+Down", key="next", on_click=_move_focus, args=(draft, 1))
    row.button(
        "Accept field",
        shortcut="Alt+A",
        key="accept_one",
        on_click=_decide_focus,
        args=(draft, "accept"),
    )
    row.button(
        "Reject field",
        shortcut="Alt+X",
        key="reject_one",
        on_click=_decide_focus,
        args=(draft, "reject"),
    )
    return save


def _marks(draft: Draft) -> list[Mark]:
    out = []
    for f in draft.task.fields:
        src = f.field.source
        if src is None:
            continue
        out.append(Mark(f.path, f.band, src.page, src.bbox, src.start, src.end))
    return out


def _document(draft: Draft) -> None:
    by_path = {f.path: f for f in draft.task.fields}
    paths = _paths(draft)
    focus_key = _focus_key(draft)
    if st.session_state.get(focus_key) not in paths:
        st.session_state[focus_key] = paths[0] if paths else None
        _show_page_of(draft, st.session_state[focus_key])

    def label(path: str | None) -> str:
        if path is None:
            return "(no fields)"
        f = by_path[path]
        return f"{path} · {display(f.field.value)[:40]} · {f.band} {f.field.confidence:.2f}"

    st.selectbox(
        "Show on the document",
        paths,
        key=focus_key,
        format_func=label,
        on_change=lambda: _show_page_of(draft, st.session_state.get(focus_key)),
        help="Alt+Down / Alt+Up move to the next / previous field.",
    )
    preview = _preview(draft)
    marks = _marks(draft)
    focus = st.session_state.get(focus_key)
    if preview.message:
        st.info(preview.message)
    elif preview.pages:
        numbers = [p.number for p in preview.pages]
        page_key = _page_key(draft)
        if st.session_state.get(page_key) not in numbers:
            st.session_state[page_key] = numbers[0]
        if len(numbers) > 1:
            st.segmented_control("Page", numbers, key=page_key, required=True)
        page = preview.pages[numbers.index(st.session_state[page_key])]
        st.image(draw_boxes(page, marks, focus), width="stretch")
    elif preview.text is not None:
        selected = next((m for m in marks if m.path == focus), None)
        snippet = snippet_html(preview.text, selected) if selected else None
        if snippet:
            st.markdown(snippet, unsafe_allow_html=True)
        st.markdown(highlight_html(preview.text, marks, focus), unsafe_allow_html=True)


def _editor(draft: Draft, stem: str, *, dynamic: bool) -> None:
    frame = pd.DataFrame(draft.base[stem], columns=["path", *COLUMNS])
    st.data_editor(
        frame,
        key=draft.key(stem),
        hide_index=True,
        num_rows="dynamic" if dynamic else "fixed",
        column_order=COLUMNS,
        column_config=EDITOR_COLUMNS,
        placeholder="",
    )


def _entry_title(draft: Draft, group: str, stem: str, n: int) -> str:
    values = [display(r["value"]) for r in draft.base[stem][:2] if display(r["value"])]
    return f"{GROUP_TITLES[group]} {n}" + (f": {' · '.join(values)[:80]}" if values else " (new)")


def _fields(draft: Draft) -> None:
    st.caption(
        "Edit a value in place (double-click, type, Enter); empty it or choose *reject* to reject "
        "it; type into an empty row to add a missing value. ✓ marks fields decided in an earlier "
        "save."
    )
    for group in GROUP_ORDER:
        st.markdown(f"#### {GROUP_TITLES[group]}")
        if group in LIST_GROUP:
            _editor(draft, group, dynamic=True)
            continue
        shown = draft.visible(group)
        for n, stem in enumerate(shown, start=1):
            _entry_controls(draft, group, stem, n, last=n == len(shown))
            _editor(draft, stem, dynamic=False)
        st.button(
            f"Add {ENTRY_NOUN[group]} entry",
            key=f"add-{group}",
            on_click=_add_entry,
            args=(draft, group),
        )


def _entry_controls(draft: Draft, group: str, stem: str, n: int, *, last: bool) -> None:
    cid = draft.candidate_id
    st.caption(_entry_title(draft, group, stem, n))
    row = st.container(horizontal=True)
    row.button(
        "Move up",
        key=f"up-{cid}-{stem}",
        disabled=n == 1,
        on_click=_move_entry,
        args=(draft, group, stem, -1),
    )
    row.button(
        "Move down",
        key=f"down-{cid}-{stem}",
        disabled=last,
        on_click=_move_entry,
        args=(draft, group, stem, 1),
    )
    row.button(
        "Merge into previous",
        key=f"mergeup-{cid}-{stem}",
        disabled=n == 1,
        on_click=_merge_entry,
        args=(draft, group, stem),
        help="Keep the values of both; the previous entry's win where both have one.",
    )
    row.checkbox("Remove", key=f"rm-{cid}-{stem}", help="Reject this whole entry.")
    for src in (s for s, dst in draft.merged.items() if dst == stem):
        c1, c2 = st.columns([3, 1])
        c1.caption(f"+ merges in on save: {_entry_title(draft, group, src, 0).split(': ', 1)[-1]}")
        c2.button("Undo merge", key=f"unmerge-{cid}-{src}", on_click=_unmerge, args=(draft, src))


def _header(draft: Draft) -> None:
    c = draft.task.candidate
    st.title(f"Correct: {c.display_name or '(no name found)'}")
    st.caption(
        f"{draft.task.document.name} · status {c.status.replace('_', ' ')} · "
        f"{c.n_red} red, {c.n_amber} amber, {c.n_green} green fields · version {c.version_id}"
    )
    if draft.task.record.message:  # why the parse is partial ("line breaks lost", ...)
        st.warning(draft.task.record.message, icon=":material/warning:")
    for note in warning_notes(draft.task.record.warnings):  # rules only, OCR, ...
        st.info(note, icon=":material/info:")
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        kind, text = flash
        (st.success if kind == "success" else st.info)(text)


def render() -> None:
    """Open the chosen CV (or the most uncertain one), then correct, save and move on."""
    require("correct")
    cid = _candidate_id()
    if cid is None:
        st.title("Correct a CV")
        flash = st.session_state.pop(FLASH_KEY, None)
        if flash:
            st.success(flash[1])
        st.info("Pick a CV in the review queue, or start with the most uncertain one.")
        if st.button("Open the most uncertain CV", type="primary", key="open_first"):
            with session_scope() as session:
                nxt = next_candidate(session=session, user=current_user())
            if nxt is None:
                st.info("The review queue is empty.")
            else:
                st.session_state[CANDIDATE_KEY] = nxt
                st.switch_page("ui/correct.py", query_params={"candidate": str(nxt)})
        return
    try:
        draft = _draft(cid)
    except SQLAlchemyError:
        st.error("This CV could not be loaded; please try again in a moment.")
        return
    if draft is None:
        return
    st.query_params["candidate"] = str(cid)  # keep the address bar on this CV (also after a rerun)
    _header(draft)
    pass_shortcuts_through_grids()
    conflict: Conflict | None = st.session_state.get(CONFLICT_KEY)
    if conflict is not None and conflict.candidate_id == draft.candidate_id:
        _conflict_panel(draft, conflict)
    elif _toolbar(draft):
        _save(draft)
    left, right = st.columns([5, 6], gap="medium")
    with left:
        _document(draft)
        picker(draft, flash_key=FLASH_KEY)
    with right:
        _fields(draft)


render()
