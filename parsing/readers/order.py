"""Reading order from geometry alone: columns, sidebars and table rows of one page.

Input is a page's text segments (horizontal runs of characters with no wide gap inside, each a
box); output is blocks in reading order, each a list of rows, each row the segment indices that
make one output line, left to right. Content-stream order never matters.

The cut is recursive. Drawn horizontal rules that run across a whole region (table row borders,
heading bars) cut it into bands first. A region is split at a vertical whitespace corridor only
when the corridor runs down many rows on both sides and the rows on its two sides do not line up
(a table or a right-aligned date lines up: it stays row-wise). Elements that cross an otherwise
clean corridor (a full-width name header, a full-width heading) split the region into horizontal
bands first, so they keep their vertical position; so do headings of a label column (a short row
with nothing beside it, above the content it labels).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

Box = tuple[float, float, float, float]  # x0, top, x1, bottom
Rule = tuple[float, float, float]  # x0, y, x1: a drawn horizontal line or box edge
Gutter = tuple[float, float, str]  # clear x0..x1 between table columns; label side or ""

MIN_GUTTER = 3.0  # points of clear space between two columns
MIN_SIDE_ROWS = 2  # rows needed on each side of a corridor
MIN_TALL_SIDE_ROWS = 3  # rows needed on the taller side of a corridor
SPAN_MIN_SIDE_ROWS = 3  # rows on each side when crossing elements must be cut away first
SPAN_SHARE = 0.2  # at most this share of a region's segments may cross a corridor
TEXT_COLUMN_ROWS = 8  # both sides this tall and ...
TEXT_COLUMN_SHARE = 0.33  # ... this wide (share of the region): two text columns
ALIGNED_SHARE = 0.8  # rows of the sparser side that line up with the other side: a table
PROSE_MIN_WIDTH = 150.0  # points: narrower columns are cells, not running text
PROSE_FILL = 0.75  # a prose row spans at least this share of its column's widest row
PROSE_SHARE = 0.6  # share of prose rows that makes a column running text
GAP_BAND = 0.6  # vertical gap (in median row heights) that separates two horizontal bands
RULE_SPAN = 0.85  # a rule cuts a region when it covers this share of the region's width
RULE_SLACK = 1.0  # points a glyph box may reach over a rule without being cut by it
CELL_LINE_GAP = 0.6  # rows closer than this (in row heights) are one cell of a table column
MAX_CELL_ROWS = 3  # longer runs of close rows are running text, not a cell
MAX_DEPTH = 12


@dataclass(frozen=True, slots=True)
class Block:
    """One reading-order region: rows of segment indices, top to bottom.

    `gutters` are the table column boundaries found in the region: two segments of a row on
    either side of one are two cells, however close they are.
    """

    rows: tuple[tuple[int, ...], ...]
    gutters: tuple[Gutter, ...] = ()


def _overlap(a: Box, b: Box) -> float:
    """Vertical overlap of two boxes as a share of the shorter one."""
    inter = min(a[3], b[3]) - max(a[1], b[1])
    h = min(a[3] - a[1], b[3] - b[1])
    return inter / h if h > 0 else 0.0


def rows_of(boxes: Sequence[Box], ids: Sequence[int]) -> list[list[int]]:
    """Group segments into rows by vertical overlap; rows top to bottom, segments left to right."""
    rows: list[tuple[Box, list[int]]] = []
    for i in sorted(ids, key=lambda k: (boxes[k][1] + boxes[k][3], boxes[k][0])):
        b = boxes[i]
        best, best_ov = -1, 0.5
        for r in range(len(rows) - 1, max(-1, len(rows) - 6), -1):
            ov = _overlap(rows[r][0], b)
            if ov >= best_ov:
                best, best_ov = r, ov
        if best < 0:
            rows.append((b, [i]))
        else:
            rows[best][1].append(i)
    out = [sorted(members, key=lambda k: boxes[k][0]) for _, members in rows]
    out.sort(key=lambda r: min(boxes[k][1] for k in r))
    return out


def _coverage_gaps(
    boxes: Sequence[Box], ids: Sequence[int], allowed: int
) -> list[tuple[float, float]]:
    """X intervals crossed by at most `allowed` segments, strictly inside the region."""
    events: list[tuple[float, int]] = []
    for i in ids:
        events.append((boxes[i][0], 1))
        events.append((boxes[i][2], -1))
    events.sort()
    lo, hi = events[0][0], events[-1][0]
    gaps: list[tuple[float, float]] = []
    count = 0
    start: float | None = None
    for x, d in events:
        count += d
        if count <= allowed and start is None:
            start = x
        elif count > allowed and start is not None:
            if lo < start and x - start >= MIN_GUTTER:
                gaps.append((start, x))
            start = None
    return [g for g in gaps if g[1] < hi]


def _aligned(boxes: Sequence[Box], left: list[list[int]], right: list[list[int]]) -> str | None:
    """How the two sides make one table, or None when they are two columns of text.

    "grid" when every row of the sparser side lines up with a row of the other, "entries" when
    each of its cells lines up with the start of a paragraph there (a date column beside
    multi-line entries), "stacked" when the sides are not side by side at all. Coincidental
    alignment mid-paragraph means columns."""
    # Only the stretch where both sides have text is evidence: a heading above a two-column
    # table, or a last cell running on below it, says nothing about columns.
    lo = max(_row_box(boxes, left[0])[1], _row_box(boxes, right[0])[1])
    hi = min(_row_box(boxes, left[-1])[3], _row_box(boxes, right[-1])[3])
    if hi <= lo:
        return "stacked"
    left = [r for r in left if _row_box(boxes, r)[3] > lo and _row_box(boxes, r)[1] < hi]
    right = [r for r in right if _row_box(boxes, r)[3] > lo and _row_box(boxes, r)[1] < hi]
    if _two_text_columns(boxes, left, right):
        return None
    few, many = (left, right) if len(left) <= len(right) else (right, left)
    bands = [_row_box(boxes, r) for r in many]
    gaps = [bands[i][1] - bands[i - 1][3] for i in range(1, len(bands))]
    # The line gap inside a paragraph is the small one: with only a few rows a median would
    # land on a paragraph gap.
    line_gap = sorted(gaps)[len(gaps) // 4] if gaps else 0.0
    if len(_matches(boxes, few, bands)) >= ALIGNED_SHARE * len(many):
        # Every row lines up: a grid, unless both sides are wrapped prose on a shared baseline
        # grid (two text columns typeset with the same leading).
        return None if _prose(boxes, few) and _prose(boxes, many) else "grid"
    cells = _cells(boxes, few, MAX_CELL_ROWS)
    matched = _matches(boxes, [c[0] for c in cells], bands)
    if len(matched) < ALIGNED_SHARE * len(cells):
        return None
    para = line_gap + max(2.0, 0.3 * line_gap)
    return "entries" if all(j == 0 or gaps[j - 1] >= para for j in matched) else None


def _two_text_columns(boxes: Sequence[Box], left: list[list[int]], right: list[list[int]]) -> bool:
    """Two wide sides with many lines each: the two columns of a two-column CV typeset on the
    same leading (every baseline lines up), not a table, whose label column is narrow."""
    if min(len(left), len(right)) < TEXT_COLUMN_ROWS:
        return False
    lw = _extent(boxes, [i for r in left for i in r])
    rw = _extent(boxes, [i for r in right for i in r])
    total = max(boxes[i][2] for r in right for i in r) - min(boxes[i][0] for r in left for i in r)
    return total > 0 and min(lw, rw) >= TEXT_COLUMN_SHARE * total


def _matches(boxes: Sequence[Box], rows: list[list[int]], bands: list[Box]) -> set[int]:
    """Indices of the `bands` that the given rows line up with (same line, same baseline)."""
    matched: set[int] = set()
    for row in rows:
        rb = _row_box(boxes, row)
        for j, b in enumerate(bands):
            tol = max(3.0, 0.3 * max(rb[3] - rb[1], b[3] - b[1]))
            if _overlap(rb, b) >= 0.6 and abs(rb[3] - b[3]) <= tol:
                matched.add(j)
                break
    return matched


def _cells(boxes: Sequence[Box], rows: list[list[int]], max_rows: int) -> list[list[list[int]]]:
    """Rows grouped into table cells: a short run of rows set closer than a row gap (a date
    wrapped to two lines). Longer runs are running text: every row is a cell of its own."""
    runs: list[list[list[int]]] = []
    prev: Box | None = None
    for row in rows:
        b = _row_box(boxes, row)
        if prev is not None and b[1] - prev[3] <= CELL_LINE_GAP * (prev[3] - prev[1]):
            runs[-1].append(row)
        else:
            runs.append([row])
        prev = b
    out: list[list[list[int]]] = []
    for run in runs:
        out.extend([run] if len(run) <= max_rows else [[r] for r in run])
    return out


def _prose(boxes: Sequence[Box], rows: list[list[int]]) -> bool:
    """Rows that mostly fill a wide column: wrapped running text, not table cells."""
    widths = [b[2] - b[0] for b in (_row_box(boxes, r) for r in rows)]
    if len(widths) < MIN_TALL_SIDE_ROWS or max(widths) < PROSE_MIN_WIDTH:
        return False
    full = sum(w >= PROSE_FILL * max(widths) for w in widths)
    return full >= PROSE_SHARE * len(widths)


def _label_side(boxes: Sequence[Box], lrows: list[list[int]], rrows: list[list[int]]) -> str:
    """Which side of a table of entries is the label column (dates, headings): the side with
    fewer rows, if it is also the narrower; "" when the two tests disagree."""
    lw = _extent(boxes, [i for r in lrows for i in r])
    rw = _extent(boxes, [i for r in rrows for i in r])
    if len(lrows) <= len(rrows) and lw < rw:
        return "left"
    if len(rrows) <= len(lrows) and rw < lw:
        return "right"
    return ""


def _extent(boxes: Sequence[Box], ids: Sequence[int]) -> float:
    """Width spanned by a set of segments."""
    return max(boxes[i][2] for i in ids) - min(boxes[i][0] for i in ids)


def _row_box(boxes: Sequence[Box], row: Sequence[int]) -> Box:
    return (
        min(boxes[k][0] for k in row),
        min(boxes[k][1] for k in row),
        max(boxes[k][2] for k in row),
        max(boxes[k][3] for k in row),
    )


def _try_columns(
    boxes: Sequence[Box], ids: list[int], ruled: bool = False
) -> tuple[tuple[list[int], list[int], tuple[float, float]] | None, list[Gutter]]:
    """The best clean corridor that is a real column boundary (or None), and the corridors
    whose two sides line up: the column boundaries of a table. In a `ruled` region (one row of
    a bordered table) a narrow left side is a label cell even when its lines all line up."""
    best: tuple[float, list[int], list[int], tuple[float, float]] | None = None
    table: list[Gutter] = []
    for g0, g1 in _coverage_gaps(boxes, ids, 0):
        left = [i for i in ids if boxes[i][2] <= g0 + 0.01]
        right = [i for i in ids if boxes[i][0] >= g1 - 0.01]
        lrows, rrows = rows_of(boxes, left), rows_of(boxes, right)
        if not lrows or not rrows:
            continue
        kind = _aligned(boxes, lrows, rrows)
        if kind is not None:
            # One content column beside it: a wrapped label, not the first column of a grid.
            cell = ruled and kind == "grid" and all(len(r) == 1 for r in rrows)
            side = _label_side(boxes, lrows, rrows) if kind == "entries" or cell else ""
            table.append((g0, g1, side))
            continue
        if min(len(lrows), len(rrows)) < MIN_SIDE_ROWS:
            continue
        if max(len(lrows), len(rrows)) < MIN_TALL_SIDE_ROWS:
            continue
        score = min(len(lrows), len(rrows)) + (g1 - g0) / 10
        if best is None or score > best[0]:
            best = (score, left, right, (g0, g1))
    return (None if best is None else (best[1], best[2], best[3])), table


def _try_spanning(
    boxes: Sequence[Box], ids: list[int], table: list[Gutter], clean: Sequence[Gutter] = ()
) -> list[list[int]] | None:
    """Horizontal bands around the few segments that cross an otherwise clean column corridor.

    A corridor whose sides make a table of entries once its crossing headings are set aside
    goes to `table`: it bounds the label column of the bands below. A corridor that overlaps a
    `clean` table gutter of the region is skipped: what crosses it stays in its own column (a
    long date in a label column), it crosses no boundary."""
    most = max(1, int(SPAN_SHARE * len(ids)))
    # Fewest crossings first: a wide corridor that many lines cut through is no gutter.
    tries = [
        (k, g)
        for k in sorted({1, 2, 3, most})
        if k <= most
        for g in sorted(_coverage_gaps(boxes, ids, k), key=lambda g: g[0] - g[1])
    ]
    for allowed, (g0, g1) in tries:
        if any(c0 < g1 and c1 > g0 for c0, c1, _ in clean):
            continue
        crossing = [i for i in ids if boxes[i][0] < g1 and boxes[i][2] > g0]
        if not crossing or len(crossing) > allowed:
            continue
        rest = [i for i in ids if i not in set(crossing)]
        left = [i for i in rest if boxes[i][2] <= g0 + 0.01]
        right = [i for i in rest if boxes[i][0] >= g1 - 0.01]
        lrows, rrows = rows_of(boxes, left), rows_of(boxes, right)
        if min(len(lrows), len(rrows)) < SPAN_MIN_SIDE_ROWS:
            continue
        kind = _aligned(boxes, lrows, rrows)
        if kind == "entries":
            table.append((g0, g1, _label_side(boxes, lrows, rrows)))
        if kind is not None:
            continue
        bands = _bands_at(boxes, ids, crossing)
        if len(bands) > 1:
            return bands
    return None


def _bands_at(boxes: Sequence[Box], ids: list[int], crossing: list[int]) -> list[list[int]]:
    """Cut `ids` into horizontal bands: each crossing segment's row is a band of its own."""
    cuts: list[tuple[float, float]] = []
    for c in sorted(crossing, key=lambda k: boxes[k][1]):
        top, bottom = boxes[c][1], boxes[c][3]
        if cuts and top <= cuts[-1][1]:
            cuts[-1] = (cuts[-1][0], max(cuts[-1][1], bottom))
        else:
            cuts.append((top, bottom))
    bands: list[list[int]] = [[] for _ in range(2 * len(cuts) + 1)]
    for i in ids:
        mid = (boxes[i][1] + boxes[i][3]) / 2
        slot = 0
        for top, bottom in cuts:
            if mid < top:
                break
            slot += 1
            if mid <= bottom:
                break
            slot += 1
        bands[slot].append(i)
    return [b for b in bands if b]


def _gap_bands(boxes: Sequence[Box], ids: list[int]) -> list[list[int]] | None:
    """Horizontal bands separated by clear vertical space taller than a typical row gap."""
    rows = rows_of(boxes, ids)
    if len(rows) < 2:
        return None
    bands_ = [_row_box(boxes, r) for r in rows]
    heights = sorted(b[3] - b[1] for b in bands_)
    min_gap = max(GAP_BAND * heights[len(heights) // 2], 2.0)
    out: list[list[int]] = [list(rows[0])]
    bottom = bands_[0][3]
    for row, box in zip(rows[1:], bands_[1:], strict=True):
        if box[1] - bottom >= min_gap:
            out.append([])
        out[-1].extend(row)
        bottom = max(bottom, box[3])
    return out if len(out) > 1 else None


def _cut(
    boxes: Sequence[Box],
    ids: list[int],
    depth: int,
    rules: Sequence[Rule],
    values: frozenset[int],
    gutters: tuple[Gutter, ...] = (),
    ruled: bool = False,
) -> list[Block]:
    if depth < MAX_DEPTH and len(ids) > 2:
        cols, table = _try_columns(boxes, ids, ruled)
        gutters += tuple(table)
        ruled_rows = _rule_bands(boxes, ids, rules)
        if ruled_rows is not None:
            return _merge_single(
                [
                    _cut(boxes, r, depth + 1, rules, values, gutters + _row_gutters(boxes, r), True)
                    for r in ruled_rows
                ]
            )
        bands = None
        if cols is not None:
            lrows, rrows = rows_of(boxes, cols[0]), rows_of(boxes, cols[1])
            wide = _two_text_columns(boxes, lrows, rrows)
            bands = None if wide else _label_bands(boxes, ids, cols[0], cols[1])
            if bands is None:
                return _cut(boxes, cols[0], depth + 1, rules, values, gutters) + _cut(
                    boxes, cols[1], depth + 1, rules, values, gutters
                )
            gutters += ((*cols[2], ""),)
        spanned: list[Gutter] = []
        bands = bands or _try_spanning(boxes, ids, spanned, table) or _gap_bands(boxes, ids)
        gutters += tuple(spanned)
        if bands is not None:
            return _merge_single(
                [_cut(boxes, band, depth + 1, rules, values, gutters) for band in bands]
            )
    return [_leaf(boxes, ids, gutters, values)]


def _row_gutters(boxes: Sequence[Box], ids: list[int]) -> tuple[Gutter, ...]:
    """Between drawn rules, one row of separate segments is a table row: each gap is a cell
    boundary."""
    rows = rows_of(boxes, ids)
    if len(rows) != 1:
        return ()
    row = rows[0]
    return tuple(
        (boxes[a][2], boxes[b][0], "") for a, b in pairwise(row) if boxes[b][0] > boxes[a][2]
    )


def _leaf(
    boxes: Sequence[Box], ids: list[int], gutters: tuple[Gutter, ...], values: frozenset[int]
) -> Block:
    """The rows of a region that is not cut further, with its table's wrapped cells joined."""
    rows = rows_of(boxes, ids)
    mine = tuple(
        g
        for g in dict.fromkeys(gutters)
        if any(boxes[i][2] <= g[0] + 0.01 for i in ids)
        and any(boxes[i][0] >= g[1] - 0.01 for i in ids)
    )
    for g in mine:
        if g[2]:
            rows = _join_cells(boxes, rows, g, values)
    return Block(rows=tuple(tuple(r) for r in rows), gutters=mine)


def _join_cells(
    boxes: Sequence[Box], rows: list[list[int]], gutter: Gutter, values: frozenset[int]
) -> list[list[int]]:
    """A label cell wrapped over a few lines ("02/2023 to" / "03/2024") joins its first row, so
    the whole label reads with the entry it labels. A label column on the left takes lines that
    run beside the entry's first paragraph; one on the right (dates) only lines of their own
    (the line under a title on the left is the company, not part of the date). Rows whose
    entry is a `values` segment ("Skype ID | : jdoe") are key-value pairs, never wrapped."""
    g0, g1, side = gutter
    lefts = [[k for k in r if boxes[k][2] <= g0 + 0.01] for r in rows]
    rights = [[k for k in r if boxes[k][0] >= g1 - 0.01] for r in rows]
    labels, others = (lefts, rights) if side == "left" else (rights, lefts)
    entry = [_row_box(boxes, o) for o in others if o]
    out: list[list[int]] = []
    anchor: list[int] | None = None  # the output row holding the open label cell
    at = n_rows = 0  # where the cell's next line goes in `anchor`; lines in the cell
    last = last_other = (0.0, 0.0, 0.0, 0.0)  # the cell's lowest line; the entry's
    for row, label, other in zip(rows, labels, others, strict=True):
        ob = _row_box(boxes, other) if other else None
        keyed = bool(values) and any(k in values for k in other)
        if anchor is not None and label and n_rows < MAX_CELL_ROWS and not keyed:
            b = _row_box(boxes, label)
            if side == "left":  # beside a line of the entry's first paragraph
                joins = any(
                    o[1] < b[3] and o[3] > b[1] and (o == last_other or _close_below(last_other, o))
                    for o in entry
                )
            else:  # a line of its own under the label, nothing beside it
                joins = not other
            if joins and _close_below(last, b):
                anchor[at:at] = label
                at, n_rows, last = at + len(label), n_rows + 1, b
                if other:
                    out.append(other)
                    last_other = ob or last_other
                continue
        if anchor is not None and not label and ob and _close_below(last_other, ob):
            out.append(row)  # the entry's paragraph goes on beside the open cell
            last_other = ob
            continue
        anchor = None
        out.append(list(row))
        if ob:
            last_other = ob
        if label and other and not keyed:
            anchor, n_rows, last = out[-1], 1, _row_box(boxes, label)
            at = len(label) if side == "left" else len(row)
    return out


def _close_below(above: Box, below: Box) -> bool:
    """`below` is the next line of the same paragraph as `above` (no paragraph gap between)."""
    return below[1] - above[3] <= CELL_LINE_GAP * (above[3] - above[1])


def _rule_bands(
    boxes: Sequence[Box], ids: list[int], rules: Sequence[Rule]
) -> list[list[int]] | None:
    """Horizontal bands between drawn rules that run across the whole region (the borders of a
    table's rows, a heading bar); a rule that touches no glyph and spans the region separates."""
    top = min(boxes[i][1] for i in ids)
    bottom = max(boxes[i][3] for i in ids)
    inside = [r for r in rules if top < r[1] < bottom]
    if not inside:
        return None
    x0 = min(boxes[i][0] for i in ids)
    x1 = max(boxes[i][2] for i in ids)
    span = RULE_SPAN * (x1 - x0)
    cuts = sorted(
        {
            y
            for rx0, y, rx1 in inside
            if min(rx1, x1) - max(rx0, x0) >= span
            and not any(boxes[i][1] + RULE_SLACK < y < boxes[i][3] - RULE_SLACK for i in ids)
        }
    )
    if not cuts:
        return None
    bands: list[list[int]] = [[] for _ in range(len(cuts) + 1)]
    for i in ids:
        bands[bisect_right(cuts, (boxes[i][1] + boxes[i][3]) / 2)].append(i)
    out = [b for b in bands if b]
    return out if len(out) > 1 else None


def _label_bands(
    boxes: Sequence[Box], ids: list[int], left: list[int], right: list[int]
) -> list[list[int]] | None:
    """Bands at the headings of a label column, or None when the left side is a real column.

    A label column (europass, timeline, a table without borders) holds headings set above the
    content they label, with nothing beside them, and dates or labels that line up with the first
    row of their entry. Cut at those headings, every band must then read as a table.
    """
    if _extent(boxes, left) > _extent(boxes, right):
        return None  # the wider side is the main text, not a label column
    rbands = [_row_box(boxes, r) for r in rows_of(boxes, right)]
    lonely: list[int] = []
    for row in rows_of(boxes, left):
        b = _row_box(boxes, row)
        if not any(rb[1] < b[3] and rb[3] > b[1] for rb in rbands):
            lonely.extend(row)
    if not lonely:
        return None
    bands = _bands_at(boxes, ids, lonely)
    on_left = set(left)
    for band in bands:
        lrows = rows_of(boxes, [i for i in band if i in on_left])
        rrows = rows_of(boxes, [i for i in band if i not in on_left])
        if lrows and rrows and not _aligned(boxes, lrows, rrows):
            return None
    return bands


def _merge_single(parts: list[list[Block]]) -> list[Block]:
    """Neighbouring bands that each stayed one column become one block again."""
    out: list[Block] = []
    prev_single = False
    for blocks in parts:
        single = len(blocks) == 1
        if single and prev_single:
            prev = out[-1]
            gutters = tuple(dict.fromkeys(prev.gutters + blocks[0].gutters))
            out[-1] = Block(rows=prev.rows + blocks[0].rows, gutters=gutters)
        else:
            out.extend(blocks)
        prev_single = single
    return out


def order_segments(
    boxes: Sequence[Box], rules: Sequence[Rule] = (), values: frozenset[int] = frozenset()
) -> list[Block]:
    """Blocks in reading order for one page's segment boxes (indices into `boxes`).

    `rules` are the page's drawn horizontal lines and box edges, if the reader knows them;
    `values` the segments that are the value of a key-value row (": Chennai"), if it knows."""
    ids = [i for i, b in enumerate(boxes) if b[2] >= b[0] and b[3] > b[1]]
    if not ids:
        return []
    return _cut(boxes, ids, 0, rules, values)
