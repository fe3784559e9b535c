"""DOCX reader (python-docx): body paragraphs, tables, text boxes, header and footer to a Layout.

The zip is inspected before python-docx touches it (parsing/precheck.py: sizes, ratio, entry
count, entity declarations); python-docx's lxml parser does not resolve entities.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from parsing.errors import DocumentLoadError, EmptyText
from parsing.layout import FLAT_LINE_CHARS, Layout, Page
from parsing.precheck import check_docx_zip as check_zip
from parsing.readers.cleanup import clean_line
from parsing.readers.text import RAW, recut_lines

SHORT_CELL = 60  # chars: a table row whose cells are all this short reads as one line
CELL_SEP = " | "
BODY_SIZE = 11.0
HEADING_SIZES = {"title": 20.0, "heading 1": 16.0, "heading 2": 13.0, "heading 3": 12.0}
LINE_HEIGHT = 12.0
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
MALFORMED = "This Word file is damaged and cannot be read."
EMPTY = "This Word file contains no text."


class _Styles:
    """Paragraph/character style facts resolved once per style id (python-docx's lookups are
    per call and strict about attribute values; real files have sizes like "24.0")."""

    def __init__(self, styles_el: Any) -> None:
        self.raw: dict[str, tuple[str, str | None, bool | None, float | None]] = {}
        self.default_para = ""
        self.default_size = BODY_SIZE
        if styles_el is None:
            return
        defaults = styles_el.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        if defaults is not None:
            self.default_size = _run_size(defaults) or BODY_SIZE
        for st in styles_el.iterfind(f"{W}style"):
            sid = st.get(f"{W}styleId") or ""
            name_el = st.find(f"{W}name")
            name = (name_el.get(f"{W}val") or "").lower() if name_el is not None else ""
            based = st.find(f"{W}basedOn")
            rpr = st.find(f"{W}rPr")
            self.raw[sid] = (
                name,
                based.get(f"{W}val") if based is not None else None,
                _flag(rpr, "b") if rpr is not None else None,
                _run_size(rpr) if rpr is not None else None,
            )
            if st.get(f"{W}type") == "paragraph" and st.get(f"{W}default") in ("1", "true"):
                self.default_para = sid
        self.cache: dict[str, tuple[str, float, bool]] = {}

    def resolve(self, sid: str) -> tuple[str, float, bool]:
        """(lower-case name, size, bold) of a style id, following basedOn."""
        sid = sid or self.default_para
        if sid in self.cache:
            return self.cache[sid]
        name = self.raw.get(sid, ("", None, None, None))[0]
        size: float | None = None
        bold: bool | None = None
        cur: str | None = sid
        for _ in range(10):
            if cur is None or cur not in self.raw:
                break
            _, based, b, sz = self.raw[cur]
            size = sz if size is None else size
            bold = b if bold is None else bold
            cur = based
        heading = name.startswith(("heading", "title"))
        size = HEADING_SIZES.get(name, size or (14.0 if heading else self.default_size))
        out = (name, size, bool(bold) or heading)
        self.cache[sid] = out
        return out


def _flag(rpr: Any, tag: str) -> bool | None:
    el = rpr.find(f"{W}{tag}")
    if el is None:
        return None
    return el.get(f"{W}val", "true").lower() not in ("0", "false", "off")


def _run_size(rpr: Any) -> float | None:
    el = rpr.find(f"{W}sz")
    if el is None:
        return None
    try:
        return float(el.get(f"{W}val", "")) / 2
    except ValueError:
        return None


SKIP = {f"{W}{t}" for t in ("drawing", "pict", "object", "txbxContent", "del", "moveFrom")} | {
    "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"
}


def _runs(el: Any) -> Iterator[Any]:
    """w:r elements of a paragraph in order, through hyperlinks and fields, not into shapes."""
    for child in el:
        tag = child.tag
        if tag == f"{W}r":
            yield child
        elif tag not in SKIP and tag != f"{W}pPr" and isinstance(tag, str):
            yield from _runs(child)


def _run_text(r: Any) -> str:
    parts = []
    for child in r:
        tag = child.tag
        if tag == f"{W}t":
            parts.append(child.text or "")
        elif tag == f"{W}tab":
            parts.append("\t")
        elif tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
        elif tag == f"{W}noBreakHyphen":
            parts.append("-")
    return "".join(parts)


class _Builder:
    """Collects raw lines with running block ids."""

    def __init__(self, styles: _Styles) -> None:
        self.lines: list[dict[str, object]] = []
        self.block = 0
        self.blank = 0
        self.styles = styles

    def new_block(self) -> None:
        if self.lines and self.lines[-1]["block"] == self.block:
            self.block += 1

    def add(self, text: str, size: float, bold: bool) -> None:
        for part in text.split("\n"):
            part = re.sub(r"\t+", CELL_SEP, part.strip("\t "))
            clean, _ = clean_line(part)
            if not clean:
                self.blank += 1
                continue
            gap = LINE_HEIGHT * self.blank if self.lines else 0.0
            line: dict[str, object] = {
                "text": clean,
                "page": 1,
                "bbox": (0.0, 0.0, 0.0, 0.0),
                "size": size,
                "bold": bold,
                "block": self.block,
                "font": "",
                "xs": None,
                "gap_before": gap,
            }
            if len(part) > FLAT_LINE_CHARS:  # its runs of spaces may be lost line breaks
                line[RAW] = part
            self.lines.append(line)
            self.blank = 0


def _para_format(p_el: Any, styles: _Styles) -> tuple[str, float, bool, bool]:
    """(text, size, bold, is_list) of a w:p element."""
    ppr = p_el.find(f"{W}pPr")
    sid = ""
    is_list = False
    if ppr is not None:
        ps = ppr.find(f"{W}pStyle")
        sid = ps.get(f"{W}val", "") if ps is not None else ""
        is_list = ppr.find(f"{W}numPr") is not None
    name, style_size, style_bold = styles.resolve(sid)
    heading = name.startswith(("heading", "title"))
    texts: list[str] = []
    bold_chars = total = 0
    sizes: dict[float, int] = {}
    for r in _runs(p_el):
        t = _run_text(r)
        texts.append(t)
        n = len(t.strip())
        if not n:
            continue
        rpr = r.find(f"{W}rPr")
        b = sz = None
        if rpr is not None:
            b, sz = _flag(rpr, "b"), _run_size(rpr)
            rs = rpr.find(f"{W}rStyle")
            if rs is not None and (b is None or sz is None):
                _, csz, cb = styles.resolve(rs.get(f"{W}val", ""))
                b = cb if b is None else b
                sz = csz if sz is None else sz
        total += n
        bold_chars += n if (b if b is not None else style_bold) else 0
        size = sz or style_size
        sizes[size] = sizes.get(size, 0) + n
    size = max(sizes, key=lambda k: sizes[k]) if sizes else style_size
    bold = heading or (bold_chars * 2 > total if total else style_bold)
    return "".join(texts), size, bold, is_list or "list" in name


def _textbox_paragraphs(p_el: Any) -> list[Any]:
    """w:p elements inside text boxes anchored in this paragraph (the DrawingML copy only)."""
    out = []
    for box in p_el.iter(f"{W}txbxContent"):
        if any(a.tag == MC_FALLBACK for a in box.iterancestors()):
            continue  # the VML fallback duplicates the DrawingML text box
        out.extend(box.iter(f"{W}p"))
    return out


def _walk(parent_el: Any, out: _Builder, depth: int = 0) -> None:
    """Body-level children in document order: paragraphs, tables, content controls."""
    for el in parent_el.iterchildren():
        if el.tag == f"{W}p":
            _paragraph(el, out)
            boxes = _textbox_paragraphs(el)
            if boxes:
                out.new_block()
                for bp in boxes:
                    _paragraph(bp, out)
                out.new_block()
        elif el.tag == f"{W}tbl" and depth < 5:
            out.new_block()
            _table(el, out, depth)
            out.new_block()
        elif el.tag in (f"{W}sdt", f"{W}customXml"):
            content = el.find(f"{W}sdtContent")
            _walk(content if content is not None else el, out, depth)


def _paragraph(p_el: Any, out: _Builder) -> None:
    text, size, bold, is_list = _para_format(p_el, out.styles)
    if is_list and text.strip():
        text = "• " + text.lstrip()
    out.add(text, size, bold)


def _cell_text(tc: Any, styles: _Styles) -> str:
    return "\n".join(_para_format(p, styles)[0] for p in tc.iterfind(f"{W}p")).strip()


def _table(tbl: Any, out: _Builder, depth: int) -> None:
    for tr in tbl.iterfind(f"{W}tr"):
        cells = [tc for tc in tr.iterfind(f"{W}tc")]
        cells += [tc for sdt in tr.iterfind(f"{W}sdt") for tc in sdt.iter(f"{W}tc")]
        texts = [_cell_text(tc, out.styles) for tc in cells]
        simple = all(
            len(t) <= SHORT_CELL and "\n" not in t and tc.find(f"{W}tbl") is None
            for tc, t in zip(cells, texts, strict=True)
        )
        if simple:
            joined = CELL_SEP.join(t for t in texts if t)
            if joined:
                fmts = [_para_format(p, out.styles) for tc in cells for p in tc.iterfind(f"{W}p")]
                fmts = [f for f in fmts if f[0].strip()]
                out.add(
                    joined,
                    max((f[1] for f in fmts), default=BODY_SIZE),
                    all(f[2] for f in fmts),
                )
            continue
        for tc in cells:
            out.new_block()
            _walk(tc, out, depth + 1)
        out.new_block()


def _header_footer(doc: Any, which: str, out: _Builder) -> None:
    seen: set[bytes] = set()
    for section in doc.sections:
        part = getattr(section, which)
        if part is None or (part.is_linked_to_previous and seen):
            continue
        el = part._element
        key = b"".join(t.encode() for t in el.itertext())
        if not key.strip() or key in seen:
            continue
        seen.add(key)
        out.new_block()
        _walk(el, out)
        out.new_block()


def read_docx(data: bytes) -> Layout:
    """Read DOCX bytes into a Layout (page 1, no geometry); raises DocumentLoadError."""
    check_zip(data)
    import docx

    try:
        doc = docx.Document(io.BytesIO(data))
        try:
            styles_el = doc.part.styles.element
        except (KeyError, ValueError, AttributeError):
            styles_el = None
        out = _Builder(_Styles(styles_el))
        _header_footer(doc, "header", out)
        out.new_block()
        _walk(doc.element.body, out)
        _header_footer(doc, "footer", out)
    except DocumentLoadError:
        raise
    except Exception as e:  # python-docx/lxml raise many types on broken parts
        raise DocumentLoadError(MALFORMED) from e
    if not out.lines:
        raise EmptyText(EMPTY)
    meta: dict[str, object] = {}
    recut = recut_lines(out.lines)  # a CV pasted in as one paragraph after losing its breaks
    if recut is not None:
        meta["line_breaks_restored"] = True
    lines = [{k: v for k, v in ln.items() if k != RAW} for ln in recut or out.lines]
    return Layout.build("docx", [Page(number=1, width=0.0, height=0.0)], lines, [], meta)
