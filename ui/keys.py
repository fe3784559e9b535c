"""Let the page's keyboard shortcuts work while a data editor cell has the focus.

The data editor (glide-data-grid) keeps keyboard events to itself, so after editing a cell a
shortcut such as Ctrl+Enter would not reach Streamlit. A capture-phase listener passes the
modified key combinations on: it moves the focus out of the grid and re-sends the key to the page,
where Streamlit's own shortcut handling triggers the button. Plain keys (typing, arrows, Enter)
stay with the grid. The script is a constant: no user or document data goes into it.
"""

from __future__ import annotations

import streamlit as st

_SCRIPT = """
<script>
(() => {
  const w = window.parent && window.parent.document ? window.parent : window;
  if (w.__cvassistGridKeys) return;
  w.__cvassistGridKeys = true;
  w.addEventListener("keydown", (e) => {
    if (!(e.ctrlKey || e.metaKey || e.altKey) || e.__cvassistResent) return;
    if (["Control", "Meta", "Alt", "Shift"].includes(e.key)) return;
    const t = e.target;
    if (!t || !t.closest || !t.closest('[data-testid="stDataFrame"]')) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    if (t.blur) t.blur();
    const doc = w.document;
    const again = new KeyboardEvent("keydown", {
      key: e.key, code: e.code, keyCode: e.keyCode, which: e.which,
      ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, shiftKey: e.shiftKey,
      bubbles: true, cancelable: true,
    });
    again.__cvassistResent = true;
    doc.body.dispatchEvent(again);
    doc.body.dispatchEvent(new KeyboardEvent("keyup", {
      key: e.key, code: e.code, keyCode: e.keyCode, which: e.which,
      ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, shiftKey: e.shiftKey,
      bubbles: true, cancelable: true,
    }));
  }, true);
})();
</script>
"""


def pass_shortcuts_through_grids() -> None:
    """Install the listener once per browser page (a no-op on later runs)."""
    st.html(_SCRIPT, unsafe_allow_javascript=True, width="content")
