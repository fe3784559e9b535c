"""Plain-text rendering of a `Document` (UTF-8, what a CV pasted into a text box looks like)."""

from __future__ import annotations

from corpus.document import Block, Document, Section, contact_texts, plain

WIDTH = 90


def _block(block: Block, bullet: str, place: str) -> list[str]:
    lines = [plain(line) for line in block.lines]
    if block.dates is not None:
        if place == "left":
            lines[0] = f"{block.dates:<22}{lines[0]}"
        else:
            pad = max(2, WIDTH - len(lines[0]) - len(block.dates))
            lines[0] = f"{lines[0]}{' ' * pad}{block.dates}"
    lines += [f"  {bullet} {b}" for b in block.bullets]
    indent = "    " if block.indent else ""
    return [indent + ln for ln in lines] + [""]


def _section(doc: Document, sec: Section, underline: str) -> list[str]:
    st = doc.style
    out = [sec.heading]
    if underline:
        out.append(underline * len(sec.heading))
    if sec.key == "skills":
        if st.skill_style == "grouped":
            out += [f"{label}: {', '.join(items)}" for label, items in sec.groups]
        elif st.skill_style in ("bullets", "columns"):
            out += [f"{st.bullet} {s}" for s in sec.items]
        else:
            out.append((" | " if st.skill_style == "pipe" else ", ").join(sec.items))
    elif sec.text:
        out.append(sec.text)
    elif sec.blocks:
        for block in sec.blocks:
            out += _block(block, st.bullet, st.date_place)
        out.pop()
    elif sec.key == "interests":
        out.append(", ".join(sec.items))
    else:
        out += [f"{st.bullet} {t}" for t in sec.items]
    return [*out, ""]


def render_text(doc: Document) -> bytes:
    """The document as plain UTF-8 text."""
    underline = {"upper": "", "as_is": "-"}.get(doc.style.heading_case, "=")
    out = [doc.name, doc.headline]
    contacts = contact_texts(doc)
    if doc.style.contact_style == "row":
        out.append(" | ".join(contacts))
    else:
        out += contacts
    out.append("")
    for sec in doc.sections:
        out += _section(doc, sec, underline)
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")
