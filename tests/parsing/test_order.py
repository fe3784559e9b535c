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
