"""Table-driven tests for date normalisation and range finding in five languages."""

from datetime import date

import pytest

from parsing.dates import find_date_ranges, normalize_date, total_years

ONE_DATE = [
    ("Mar 2019", "2019-03"),
    ("March 2019", "2019-03"),
    ("Sept. 2018", "2018-09"),
    ("03/2019", "2019-03"),
    ("3/2019", "2019-03"),
    ("2019-03", "2019-03"),
    ("03.2019", "2019-03"),
    ("01.03.2019", "2019-03"),
    ("2019", "2019"),
    ("März 2020", "2020-03"),
    ("Mai 2021", "2021-05"),
    ("janv. 2017", "2017-01"),
    ("février 2016", "2016-02"),
    ("enero 2015", "2015-01"),
    ("diciembre 2014", "2014-12"),
    ("mei 2013", "2013-05"),
    ("oktober 2012", "2012-10"),
    ("present", "present"),
    ("heute", "present"),
    ("aujourd'hui", "present"),
    ("actualidad", "present"),
    ("heden", "present"),
    ("Summer 2018", "2018-06"),
    ("Jan '19", "2019-01"),
    ("hello", None),
    ("13/2019", None),
]


@pytest.mark.parametrize(("text", "expected"), ONE_DATE)
def test_normalize_date(text: str, expected: str | None) -> None:
    assert normalize_date(text) == expected


RANGES = [
    ("Jan 2018 – Present", ("2018-01", "present")),
    ("Mar 2019 - present", ("2019-03", "present")),
    ("03/2019–heute", ("2019-03", "present")),
    ("2019-03 → now", ("2019-03", "present")),
    ("since 2019", ("2019", "present")),
    ("seit 2019", ("2019", "present")),
    ("depuis mars 2020", ("2020-03", "present")),
    ("desde 2018", ("2018", "present")),
    ("sinds 2017", ("2017", "present")),
    ("November 2016 to October 2017", ("2016-11", "2017-10")),
    ("2019 – 2021", ("2019", "2021")),
    ("01/2018 - current", ("2018-01", "present")),
    ("Senior Engineer, Acme   Jan 2018 – Present", ("2018-01", "present")),
    ("(Jul 2025 – Oct 2025)", ("2025-07", "2025-10")),
    ("sept. 2015 – aujourd'hui", ("2015-09", "present")),
    ("ene. 2016 - actualidad", ("2016-01", "present")),
    ("2016 bis 2018", ("2016", "2018")),
    ("from 2015 to 2017", ("2015", "2017")),  # a range, not "since 2015"
    ("from June 2012 to August 2013", ("2012-06", "2013-08")),
    ("seit 03/2019 bis 05/2021", ("2019-03", "2021-05")),
    ("Period | : 04-09-2015 to 02-12-2016", ("2015-09", "2016-12")),  # dd-mm-yyyy
    ("from 13-06-2012 to 25-08-2013(1year)", ("2012-06", "2013-08")),
    ("from 2019", ("2019", "present")),
]


@pytest.mark.parametrize(("text", "expected"), RANGES)
def test_find_date_ranges(text: str, expected: tuple[str, str]) -> None:
    found = find_date_ranges(text)
    assert found, text
    assert (found[0].start, found[0].end) == expected


def test_range_positions_cover_the_printed_dates() -> None:
    text = "Engineer at Acme (Jan 2018 – Mar 2020)"
    r = find_date_ranges(text)[0]
    assert text[r.start_pos : r.end_pos] == "Jan 2018 – Mar 2020"


def test_backwards_range_is_rejected() -> None:
    assert all(r.kind != "range" for r in find_date_ranges("2021 - 2019"))


def test_total_years_merges_overlaps() -> None:
    today = date(2026, 1, 15)
    ranges = [("2018-01", "2019-12"), ("2019-01", "2020-12"), ("2024-01", "present")]
    # 2018-01..2020-12 = 36 months, 2024-01..2026-01 = 25 months
    assert total_years(ranges, today) == round(61 / 12, 1)


@pytest.mark.parametrize(
    ("text", "expected", "end_pos"),
    [
        ("September 2015 - July 2017MBA", ("2015-09", "2017-07"), 26),
        ("octobre 1995 – juillet 1998BTS Management", ("1995-10", "1998-07"), 27),
    ],
)
def test_a_range_glued_to_the_next_cell_still_reads(
    text: str, expected: tuple[str, str], end_pos: int
) -> None:
    (r,) = find_date_ranges(text)
    assert (r.start, r.end, r.end_pos) == (*expected, end_pos)
    assert find_date_ranges("ISO9001 certified") == []  # digits glued to letters before stay
