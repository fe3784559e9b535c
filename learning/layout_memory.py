"""Layout memory: a fingerprint of how a document is laid out, and families of similar layouts.

The fingerprint ignores what the CV says and keeps how it is printed: where lines start across the
page, how wide they are, how many reading-order blocks (columns, sidebars) there are, the font-size
and bold profile, the style of section headings and the bullets used. Two CVs made from the same
template get near-identical vectors (cosine similarity ~0.95+), different templates do not, so a
document whose nearest corrected neighbour is close reuses what was learned on that family.
"""

from __future__ import annotations

import logging
from collections import Counter

import numpy as np
from sqlmodel import Session

from data.models import Document
from data.store import FileStore, default_store
from parsing.layout import Layout
from parsing.readers import read_layout
from parsing.sections import segment_sections
from settings import get_settings

log = logging.getLogger(__name__)

MIN_SIMILARITY = 0.95  # cosine similarity above which two documents share a layout family
X_BINS = 10
PRESENT_SHARE = 0.04  # a line-start bin holding this share of lines is a margin in use
WIDTH_BINS = 6
SIZE_EDGES = (0.85, 0.95, 1.05, 1.2, 1.5)
BULLETS = ("•", "▪", "►", "-", "–", "◆", "*", "·")
KINDS = ("pdf", "docx", "txt")
FINGERPRINT_SIZE = X_BINS + WIDTH_BINS + len(SIZE_EDGES) + 1 + 3 + len(BULLETS) + 4 + len(KINDS)


def _hist(values: list[float], bins: int) -> np.ndarray:
    if not values:
        return np.zeros(bins)
    idx = np.clip((np.asarray(values) * bins).astype(int), 0, bins - 1)
    counts = np.bincount(idx, minlength=bins).astype(float)
    return counts / counts.sum()


def fingerprint(layout: Layout) -> np.ndarray:
    """A unit-length vector describing the document's layout (not its content)."""
    lines = [ln for ln in layout.lines if ln.text.strip()]
    width = max((p.width for p in layout.pages), default=0.0)
    geometric = width > 0 and any(ln.bbox != (0.0, 0.0, 0.0, 0.0) for ln in lines)
    if geometric:
        xs = _hist([ln.bbox[0] / width for ln in lines], X_BINS)
        ws = _hist([(ln.bbox[2] - ln.bbox[0]) / width for ln in lines], WIDTH_BINS)
        # which margins and line widths are used, not how much text sits at each
        xs, ws = (xs >= PRESENT_SHARE).astype(float), (ws >= PRESENT_SHARE).astype(float)
    else:
        indent = [min(len(ln.text) - len(ln.text.lstrip()), 20) / 20 for ln in lines]
        xs = _hist(indent, X_BINS)
        ws = _hist([min(len(ln.text), 120) / 120 for ln in lines], WIDTH_BINS)
    sizes = sorted(ln.size for ln in lines if ln.size > 0)
    body = sizes[len(sizes) // 2] if sizes else 0.0
    ratios = [ln.size / body for ln in lines if ln.size > 0 and body > 0]
    size_profile = np.bincount(
        np.searchsorted(SIZE_EDGES, ratios), minlength=len(SIZE_EDGES) + 1
    ).astype(float) / max(1, len(ratios))
    n = max(1, len(lines))
    blocks = Counter(ln.block for ln in lines)
    block_feats = np.array(
        [
            min(len(blocks), 4) / 4,
            max(blocks.values(), default=0) / n,
            sum(ln.bold for ln in lines) / n,
        ]
    )
    bullets = np.array([sum(ln.text.lstrip().startswith(b) for ln in lines) / n for b in BULLETS])
    kind = np.array([float(layout.kind == k) for k in KINDS])
    vec = np.concatenate(
        [
            xs * 2.0,
            ws * 2.0,
            size_profile,
            block_feats * 2.0,
            bullets,
            _heading_style(layout),
            kind,
        ]
    )
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm > 0 else vec


def _heading_style(layout: Layout) -> np.ndarray:
    """Share of section headings that are upper-case, bold, bigger than body, or end with ':'."""
    heads = [layout.lines[s.heading] for s in segment_sections(layout) if s.heading is not None]
    if not heads:
        return np.zeros(4)
    sizes = sorted(ln.size for ln in layout.lines if ln.size > 0)
    body = sizes[len(sizes) // 2] if sizes else 0.0
    n = len(heads)
    return np.array(
        [
            sum(ln.text.strip().isupper() for ln in heads) / n,
            sum(ln.bold for ln in heads) / n,
            sum(body > 0 and ln.size > body * 1.08 for ln in heads) / n,
            sum(ln.text.strip().endswith(":") for ln in heads) / n,
        ]
    )


def similarity(fp: np.ndarray, memory: np.ndarray) -> np.ndarray:
    """Cosine similarity of one fingerprint to each row of `memory` (rows are unit vectors)."""
    if memory.size == 0:
        return np.zeros(0)
    return np.asarray(memory @ fp, dtype=float)


def assign_families(fps: np.ndarray, *, min_similarity: float = MIN_SIMILARITY) -> np.ndarray:
    """Family number of each fingerprint by leader clustering (first member leads), in order."""
    leaders: list[np.ndarray] = []
    labels = np.zeros(len(fps), dtype=int)
    for i, fp in enumerate(fps):
        sims = [float(fp @ lead) for lead in leaders]
        best = int(np.argmax(sims)) if sims else -1
        if best >= 0 and sims[best] >= min_similarity:
            labels[i] = best
        else:
            labels[i] = len(leaders)
            leaders.append(fp)
    return labels


def nearest_family(
    fp: np.ndarray, memory: np.ndarray, families: np.ndarray, *, min_similarity: float
) -> tuple[int | None, float]:
    """(family of the most similar remembered document, similarity); family None = no
    remembered document is similar enough."""
    sims = similarity(fp, memory)
    if sims.size == 0:
        return None, 0.0
    i = int(np.argmax(sims))
    best = float(sims[i])
    return (int(families[i]) if best >= min_similarity else None), best


# Fingerprints by document SHA-256 (documents never change; 40 numbers about layout, no text):
# the queue's information order reads each document once per process, not on every page load.
PRINT_CACHE_SIZE = 20_000
_PRINTS: dict[str, np.ndarray] = {}


def document_prints(
    document_ids: list[int], *, session: Session, store: FileStore | None = None
) -> dict[int, np.ndarray]:
    """Fingerprint of each stored document (read again from the file store); a document that
    cannot be read gets a zero vector, which resembles nothing."""
    store = store or default_store()
    max_pages = get_settings().max_pages
    out: dict[int, np.ndarray] = {}
    for doc_id in dict.fromkeys(document_ids):
        doc = session.get(Document, doc_id)
        try:
            if doc is None:
                raise LookupError(doc_id)
            if doc.sha256 not in _PRINTS:
                if len(_PRINTS) >= PRINT_CACHE_SIZE:
                    _PRINTS.clear()
                layout = read_layout(store.get(doc.sha256), max_pages=max_pages)
                _PRINTS[doc.sha256] = fingerprint(layout)
            out[doc_id] = _PRINTS[doc.sha256]
        except Exception as e:  # an unreadable document just has no layout to compare
            log.warning("no fingerprint for document %s: %s", doc_id, type(e).__name__)
            out[doc_id] = np.zeros(FINGERPRINT_SIZE)
    session.rollback()  # reads only
    return out
