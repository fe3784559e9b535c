"""Reading order from segment boxes alone: columns, sidebars, tables, right-aligned dates."""

from __future__ import annotations

from parsing.readers.order import Box, order_segments

LINE = 14.0  # row pitch
H = 10.0  # text height


def _col(x0: float, x1: float, top: float, n: int, pitch: float = LINE) -> list[Box]:
    return [(x0, top + k * pitch, x1, top + k * pitch + H) for k in range(n)]


def _reading(boxes: list[Box]) -> list[list[int]]:
    """Rows (segment indices) in reading order, blocks flattened."""
    return [list(row) for block in order_segments(boxes) for row in block.rows]


def test_two_columns_read_column_by_column() -> None:
    left = _col(40, 280, 100, 10)
    right = _col(310, 560, 100, 10)
    rows = _reading(left + right)
    assert rows == [[i] for i in range(20)]
    assert len(order_segments(left + right)) == 2


def test_full_width_header_stays_on_top_and_footer_at_bottom() -> None:
    header = [(40, 40, 560, 60)]
    left = _col(40, 280, 100, 8)
    right = _col(310, 560, 100, 8)
    footer = [(40, 300, 560, 310)]
    boxes = header + left + right + footer
    rows = _reading(boxes)
    assert rows[0] == [0]
    assert [r[0] for r in rows[1:9]] == list(range(1, 9))
    assert [r[0] for r in rows[9:17]] == list(range(9, 17))
    assert rows[-1] == [17]


def test_left_sidebar_first_right_sidebar_last() -> None:
    sidebar = _col(20, 150, 100, 12, pitch=17)  # its own pitch: never lines up with the main text
    main = _col(180, 560, 100, 15)
    rows = _reading(sidebar + main)
    assert [r[0] for r in rows[:12]] == list(range(12))
    main2 = _col(40, 420, 100, 15)
    sidebar2 = _col(450, 570, 100, 12, pitch=17)
    rows = _reading(main2 + sidebar2)
    assert [r[0] for r in rows[:15]] == list(range(15))
    assert [r[0] for r in rows[15:]] == list(range(15, 27))


def test_right_aligned_dates_stay_on_their_title_line() -> None:
    boxes: list[Box] = []
    top = 100.0
    for _ in range(4):
        boxes.append((40, top, 200, top + H))  # job title
        boxes.append((450, top, 560, top + H))  # right-aligned date, same baseline
        for k in range(1, 3):
            boxes.append((40, top + k * LINE, 560, top + k * LINE + H))  # full-width description
        top += 3 * LINE + 8
    rows = _reading(boxes)
    assert rows[0] == [0, 1]
    assert rows[3] == [4, 5]
    assert len(rows) == 12


def test_title_and_date_lines_without_descriptions_stay_rows() -> None:
    titles = _col(40, 200, 100, 5)
    dates = _col(470, 560, 100, 5)
    rows = _reading(titles + dates)
    assert rows == [[k, k + 5] for k in range(5)]


def test_date_column_table_reads_row_by_row() -> None:
    boxes: list[Box] = []
    top = 100.0
    for _ in range(3):
        boxes.append((40, top, 120, top + H))  # date cell
        for k in range(3):  # title + two detail lines in the right cell
            boxes.append((150, top + k * LINE, 560, top + k * LINE + H))
        top += 3 * LINE + 10
    rows = _reading(boxes)
    assert rows[0] == [0, 1]
    assert rows[1] == [2]
    assert rows[3] == [4, 5]


def test_content_order_does_not_matter() -> None:
    left = _col(40, 280, 100, 6)
    right = _col(310, 560, 100, 6)
    forward = _reading(left + right)
    shuffled = right[::-1] + left[::2] + left[1::2]
    back = [shuffled.index(b) for b in left + right]  # position of each box in `shuffled`
    rows = _reading(shuffled)
    as_original = [[back.index(i) for i in row] for row in rows]
    assert as_original == forward


def _entries(top: float, dates: list[int], lines: int, x_date: float = 40) -> list[Box]:
    """A date column beside multi-line entries: each entry a date cell of `dates[k]` lines
    (date lines first) and a right cell of `lines` lines."""
    boxes: list[Box] = []
    for n in dates:
        boxes.extend(_col(x_date, x_date + 60, top, n))
        boxes.extend(_col(150, 560, top, lines))
        top += lines * LINE + 12
    return boxes


def test_small_table_with_a_wrapped_cell_reads_row_by_row() -> None:
    # Two education rows; the first content cell wraps onto a second line.
    boxes = [(40, 100, 100, 110), (150, 100, 560, 110), (150, 114, 260, 124)]
    boxes += [(40, 136, 100, 146), (150, 136, 520, 146)]
    assert _reading(boxes) == [[0, 1], [2], [3, 4]]


def test_label_column_headings_stay_above_their_rows() -> None:
    # Short headings in the label column, nothing beside them, then date | entry rows.
    boxes: list[Box] = [(40, 60, 110, 72)]  # "Experience"
    boxes += _entries(80, [1, 1], 3)  # 1..8
    boxes.append((40, 180, 100, 192))  # "Skills"
    boxes += _col(150, 560, 200, 3)  # 10..12: a paragraph with no label
    boxes.append((40, 250, 120, 262))  # "Languages"
    boxes += _col(150, 300, 270, 2)  # 14..15
    rows = _reading(boxes)
    assert [r[0] for r in rows] == [0, 1, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    assert rows[1] == [1, 2] and rows[4] == [5, 6]
    assert len(order_segments(boxes)) == 1


def test_wrapped_date_cell_joins_its_first_row() -> None:
    # "02/2023 to" / "03/2024" beside "Company" / "Title" / a bullet: the date reads whole.
    boxes = _entries(100, [2, 2, 1], 3)
    rows = _reading(boxes)
    assert rows[0] == [0, 1, 2]  # both date lines, then the entry's first line
    assert rows[1] == [3]
    assert rows[3] == [5, 6, 7]
    assert len(rows) == 9


def test_right_date_column_joins_only_its_own_wrapped_line() -> None:
    # Title | wrapped date; the line under the title is the company, never joined.
    boxes: list[Box] = []
    top = 100.0
    for _ in range(3):
        boxes.append((40, top, 200, top + H))  # title
        boxes.append((420, top, 560, top + H))  # "September 2024 — November"
        boxes.append((530, top + LINE, 560, top + LINE + H))  # "2024"
        boxes.append((40, top + 2 * LINE, 220, top + 2 * LINE + H))  # company
        boxes.append((40, top + 3 * LINE, 300, top + 3 * LINE + H))  # a bullet
        top += 4 * LINE + 12
    rows = _reading(boxes)
    assert rows[:3] == [[0, 1, 2], [3], [4]]
    assert len(rows) == 9


def test_rules_cut_a_bordered_table_into_rows() -> None:
    # Label cells ("Skills", "Languages") in a ruled table; without the rules the two labels
    # would read as a column of their own.
    boxes: list[Box] = [(40, 100, 90, 110)]  # "Skills"
    boxes += _col(150, 560, 100, 6)  # 1..6
    boxes.append((40, 200, 110, 210))  # "Languages"
    boxes += _col(150, 300, 200, 3)  # 8..10
    rules = [(30.0, 95.0, 570.0), (30.0, 190.0, 570.0), (30.0, 250.0, 570.0)]
    rows = [list(r) for b in order_segments(boxes, rules) for r in b.rows]
    assert [r[0] for r in rows] == [0, 2, 3, 4, 5, 6, 7, 9, 10]
    assert rows[0] == [0, 1] and rows[6] == [7, 8]


def test_rule_inside_one_column_does_not_cut_across_columns() -> None:
    left = _col(40, 280, 100, 10)
    right = _col(310, 560, 100, 10)
    rules = [(40.0, 150.0, 280.0)]  # a heading underline in the left column only
    rows = [list(r) for b in order_segments(left + right, rules) for r in b.rows]
    assert rows == [[i] for i in range(20)]


def test_gutters_mark_table_cells() -> None:
    # A ruled row "Software Development | TypeScript, ...": cells even with a narrow gap.
    boxes: list[Box] = [(40, 100, 140, 110), (152, 100, 400, 110)]
    boxes += [(40, 120, 90, 130), (152, 120, 400, 130)]
    rules = [(30.0, 115.0, 570.0)]
    blocks = order_segments(boxes, rules)
    assert any(g[0] >= 140 - 0.01 and g[1] <= 152 + 0.01 for b in blocks for g in b.gutters)


def test_key_value_rows_are_not_wrapped_labels() -> None:
    # "Skype ID | : jdoe" under "E mail ID | : j@x.org": two pairs, not one wrapped label.
    boxes = _entries(100, [2, 2, 1], 3)
    values = frozenset(i for i, b in enumerate(boxes) if b[0] == 150)
    rows = [list(r) for b in order_segments(boxes, values=values) for r in b.rows]
    assert rows[:2] == [[0, 2], [1, 3]]


def test_a_long_label_inside_its_column_does_not_cut_the_table() -> None:
    # Date cells of one, two and three lines; the widest date line stays left of the clean
    # gutter at x 125-146, so it crosses no boundary and must not split its own cell.
    boxes: list[Box] = [
        (51, 358, 110, 368), (146, 358, 330, 368),  # 0 "October 2000 –" | 1 degree
        (51, 371, 112, 381), (146, 372, 280, 382),  # 2 "December 2004" | 3 school
        (149, 388, 200, 398),  # 4 a grade
        (51, 408, 124, 418), (146, 408, 250, 418),  # 5 "September 1997" (widest) | 6 degree
        (51, 421, 104, 431), (146, 422, 300, 432),  # 7 "– September" | 8 school
        (51, 433, 72, 443), (149, 438, 210, 448),  # 9 "2000" | 10 a grade
    ]  # fmt: skip
    rows = _reading(boxes)
    assert rows[3][:3] == [5, 7, 9]  # the three date lines read as one label
    assert [r for r in rows if 8 in r] == [[8]]
