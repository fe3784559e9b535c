"""Text normalisation shared by the readers, keeping per-character x positions in step.

Every function that changes a line's length takes and returns `xs` (left x of each char plus the
right x of the last one, or None when the reader has no geometry) so provenance boxes stay exact.
"""

from __future__ import annotations

import re
import unicodedata

BULLET = "•"
LIGATURES = {
    "ﬀ": "ff",
    "ﬁ": "fi",
    "ﬂ": "fl",
    "ﬃ": "ffi",
    "ﬄ": "ffl",
    "ﬅ": "st",
    "ﬆ": "st",
}
# Dropped wherever they occur: soft hyphen, zero-width spaces/joiners, BOM, word joiner.
INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff\u180e")
SPACES = frozenset(
    "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t"
)
# Glyphs used as list bullets; at a line start they become "• ", elsewhere "•".
BULLETS = frozenset(
    "•◦▪▫■□●○◆◇►▶▸▹‣⁃∙·➢➤➔→✓✔✗✘❖❯➣➥⦿⦾◉◘"
    # Symbol/Wingdings bullets as Word exports them (private-use area F0xx)
    "\uf0b7\uf0a7\uf0a8\uf0d8\uf076\uf0fc\uf06e\uf071\uf0e8\uf0d7\uf075\uf0a2\uf0b2\uf0f0"
)
# Prefixes that form real hyphenated compounds; "self-" + "motivated" keeps its hyphen.
COMPOUND_PREFIXES = frozenset(
    "self well co non multi cross full part high low long short end real team client data "
    "cloud open full-stack back front on off anti pre post re sub semi inter intra e".split()
)
_WS = re.compile(r"\s+")


def _is_icon(ch: str) -> bool:
    """Private-use-area glyphs (icon fonts) and other unassigned/format code points."""
    o = ord(ch)
    if 0xE000 <= o <= 0xF8FF or o >= 0xF0000:
        return True
    return unicodedata.category(ch) in ("Co", "Cn", "Cc", "Cs")


def _expand(text: str, xs: list[float] | None) -> tuple[str, list[float] | None]:
    """Per-character mapping: ligatures, invisible chars, odd spaces, icons, bullets."""
    out: list[str] = []
    oxs: list[float] | None = [] if xs is not None else None
    for i, ch in enumerate(text):
        if ch in LIGATURES:
            rep = LIGATURES[ch]
        elif ch in INVISIBLE:
            continue
        elif ch in SPACES:
            rep = " "
        elif ch.isascii() and ch.isprintable():
            rep = ch
        elif ch in BULLETS:
            rep = BULLET
        elif _is_icon(ch):
            rep = " "
        else:
            rep = ch
        if oxs is not None and xs is not None:
            x0, x1 = xs[i], xs[i + 1]
            step = (x1 - x0) / len(rep)
            oxs.extend(x0 + k * step for k in range(len(rep)))
        out.append(rep)
    if oxs is not None and xs is not None:
        oxs.append(xs[len(text)] if text else (xs[0] if xs else 0.0))
    return "".join(out), oxs


def _squeeze(text: str, xs: list[float] | None) -> tuple[str, list[float] | None]:
    """Collapse whitespace runs to one space and trim both ends."""
    if "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text, None if xs is None else list(xs)  # nothing to squeeze: most lines
    keep = []
    prev_space = True
    for i, ch in enumerate(text):
        if ch == " ":
            if prev_space:
                continue
            prev_space = True
        else:
            prev_space = False
        keep.append(i)
    while keep and text[keep[-1]] == " ":
        keep.pop()
    new = "".join(text[i] for i in keep)
    if xs is None:
        return new, None
    if not keep:
        return "", [xs[0]] if xs else None
    last = keep[-1]
    return new, [xs[i] for i in keep] + [xs[last + 1]]


def _bullet_start(text: str, xs: list[float] | None) -> tuple[str, list[float] | None]:
    """Normalise a leading bullet (or '-', '*', 'o ' style markers) to '• '."""
    m = re.match(r"^(?:[•*]|-(?=\s)|o(?=\s\S))\s*", text)
    if not m or m.end() >= len(text):
        return text, xs
    rest = text[m.end() :]
    if re.fullmatch(r"-\s*\d+\s*-", text):  # "- 2 -" is a page number, not a list item
        return text, xs
    new = BULLET + " " + rest
    if xs is None:
        return new, None
    return new, [xs[0], xs[m.end() - 1] if m.end() > 1 else xs[0], *xs[m.end() :]]


def clean_line(text: str, xs: list[float] | None = None) -> tuple[str, list[float] | None]:
    """Normalise one line: ligatures, NBSP, zero-width chars, icons, bullets, whitespace."""
    if xs is not None and len(xs) != len(text) + 1:
        xs = None
    if not (text.isascii() and text.isprintable()):
        text = unicodedata.normalize("NFC", text)
        if xs is not None and len(xs) != len(text) + 1:  # NFC changed the length
            xs = None
        text, xs = _expand(text, xs)
    text, xs = _squeeze(text, xs)
    text, xs = _bullet_start(text, xs)
    return text, xs


def clean_text(text: str) -> str:
    """`clean_line` without geometry, for callers that only have strings."""
    return clean_line(text)[0]


def squash_spaces(text: str) -> str:
    """Collapse whitespace runs to single spaces."""
    return _WS.sub(" ", text).strip()


def _hyphen_join(head: str, tail: str) -> str | None:
    """The word to keep when `head-` ends one line and `tail` starts the next, or None."""
    if not (head.isalpha() and tail.isalpha() and tail[0].islower()):
        return None
    if head.lower() in COMPOUND_PREFIXES or len(head) < 2 or len(tail) < 2:
        return f"{head}-{tail}"
    return head + tail


def join_hyphenated(lines: list[dict[str, object]]) -> int:
    """Join words broken by a hyphen at a line end with the next line of the same block.

    The continuation moves up to the first line (its xs are pinned to that line's right edge);
    returns the number of joins. `lines` are raw line dicts as for `Layout.build`.
    """
    joins = 0
    for i in range(len(lines) - 1):
        a, b = lines[i], lines[i + 1]
        ta, tb = str(a["text"]), str(b["text"])
        if not ta.endswith("-") or len(ta) < 3 or a.get("block") != b.get("block"):
            continue
        if a.get("page") != b.get("page"):
            continue
        m_head = re.search(r"(\w+)-$", ta)
        m_tail = re.match(r"([^\W\d_]+)([,.;:)]?)(?=\s|$)", tb)
        if not m_head or not m_tail or ta[m_head.start() - 1 : m_head.start()] == "-":
            continue
        word = _hyphen_join(m_head.group(1), m_tail.group(1))
        if word is None:
            continue
        new_a = ta[: m_head.start()] + word + m_tail.group(2)
        new_b = tb[m_tail.end() :].lstrip()
        if not new_b:  # never leave an empty line behind
            continue
        xa = a.get("xs")
        if isinstance(xa, (list, tuple)):
            right = float(xa[-1])
            base = list(xa[: m_head.start()])
            a["xs"] = base + [right] * (len(new_a) - len(base)) + [right]
        xb = b.get("xs")
        if isinstance(xb, (list, tuple)):
            cut = len(tb) - len(new_b)
            b["xs"] = list(xb[cut:])
            bb = b["bbox"]
            if isinstance(bb, tuple):
                b["bbox"] = (float(xb[cut]), bb[1], bb[2], bb[3])
        a["text"], b["text"] = new_a, new_b
        joins += 1
    return joins
