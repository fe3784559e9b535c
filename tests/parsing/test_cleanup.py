"""Text normalisation: ligatures, invisible chars, bullets, hyphenation, with xs kept in step."""

from __future__ import annotations

import pytest

from parsing.readers.cleanup import clean_line, join_hyphenated


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ﬁnance and ﬂow", "finance and flow"),
        ("eﬀective", "effective"),
        ("co\u00adordinate", "coordinate"),
        ("John\u00a0Smith", "John Smith"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("  too    many   spaces  ", "too many spaces"),
        ("\uf0b7 Python developer", "• Python developer"),
        ("▪ Led a team", "• Led a team"),
        ("► Built APIs", "• Built APIs"),
        ("✓ Certified", "• Certified"),
        ("- Wrote tests", "• Wrote tests"),
        ("* Wrote docs", "• Wrote docs"),
        ("\uf095 +44 20 7946 0958", "+44 20 7946 0958"),
        ("Python • Java ▪ SQL", "Python • Java • SQL"),
        ("- 2 -", "- 2 -"),
        ("2019-2021", "2019-2021"),
        ("", ""),
    ],
)
def test_clean_line_text(raw: str, expected: str) -> None:
    assert clean_line(raw)[0] == expected


@pytest.mark.parametrize(
    "raw", ["ﬁnance  ﬂow", " \uf0b7 Led   a team ", "a\u00adb\u200bc", "plain"]
)
def test_clean_line_keeps_one_x_per_char(raw: str) -> None:
    xs = [float(i) for i in range(len(raw) + 1)]
    text, new_xs = clean_line(raw, xs)
    assert new_xs is not None
    assert len(new_xs) == len(text) + 1
    assert new_xs == sorted(new_xs)


def test_ligature_splits_its_box() -> None:
    text, xs = clean_line("ﬁx", [0.0, 10.0, 15.0])
    assert text == "fix"
    assert xs == [0.0, 5.0, 10.0, 15.0]


def _line(text: str, block: int = 0) -> dict[str, object]:
    xs = [float(i) for i in range(len(text) + 1)]
    return {"text": text, "page": 1, "bbox": (0.0, 0.0, xs[-1], 10.0), "block": block, "xs": xs}


@pytest.mark.parametrize(
    ("first", "second", "joined_first", "joined_second"),
    [
        ("managed the develop-", "ment of a new API", "managed the development", "of a new API"),
        ("highly self-", "motivated engineer", "highly self-motivated", "engineer"),
        ("built infra-", "structure, tooling", "built infrastructure,", "tooling"),
        ("dates 2019-", "2021 at Acme", "dates 2019-", "2021 at Acme"),
        ("Python, Java -", "and SQL", "Python, Java -", "and SQL"),
        ("worked at Coca-", "Cola Company", "worked at Coca-", "Cola Company"),
    ],
)
def test_join_hyphenated(first: str, second: str, joined_first: str, joined_second: str) -> None:
    lines = [_line(first), _line(second)]
    join_hyphenated(lines)
    assert lines[0]["text"] == joined_first
    assert lines[1]["text"] == joined_second
    for ln in lines:
        xs = ln["xs"]
        assert isinstance(xs, list)
        assert len(xs) == len(str(ln["text"])) + 1


def test_no_join_across_blocks() -> None:
    lines = [_line("the develop-", block=0), _line("ment team", block=1)]
    assert join_hyphenated(lines) == 0
    assert lines[0]["text"] == "the develop-"
