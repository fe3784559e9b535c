"""The candidate's name: never a section heading, and found in every script and naming style."""

from __future__ import annotations

import pytest

from parsing import lexicon
from parsing.model import ParsedCV
from parsing.pipeline import parse_bytes
from parsing.sections import fold

NAME = "Amelia Hartley"
CONTACT = "amelia.hartley@example.com | +44 20 7946 0958\n"
BODY = "\nSoftware Engineer, Acme Ltd\nJan 2019 - Present\n\nSkills\nPython, SQL\n"
TITLE_WORDS = ("Curriculum Vitae", "Resume", "Résumé", "CV", "Lebenslauf", "Hoja de vida")
# Every heading of every section in every language, plus the words that title a CV.
HEADING_GROUPS: dict[str, list[str]] = {
    section: sorted({h for hs in by_lang.values() for h in hs})
    for section, by_lang in lexicon.headings().items()
}
HEADING_GROUPS["cv title"] = list(TITLE_WORDS)


def _parse(text: str) -> ParsedCV:
    parsed = parse_bytes(text.encode(), "cv.txt")
    assert parsed.status.usable, parsed.message
    return parsed


def _name(text: str) -> str | None:
    name = _parse(text).fields.name
    return None if name is None else name.value


def test_every_section_and_language_is_swept() -> None:
    assert set(lexicon.HEADING_SECTIONS) <= set(HEADING_GROUPS)
    assert sum(len(v) for v in HEADING_GROUPS.values()) > 300


@pytest.mark.parametrize("section", list(HEADING_GROUPS))
def test_heading_above_the_name_is_never_the_name(section: str) -> None:
    wrong = []
    for heading in HEADING_GROUPS[section]:
        for variant in dict.fromkeys([heading.upper(), heading.title()]):
            got = _name(f"{variant}\n{NAME}\n{CONTACT}")
            if got != NAME:
                wrong.append(f"{variant!r} -> {got!r}")
    assert not wrong, f"{len(wrong)} first lines spoil the name:\n" + "\n".join(wrong[:25])


# Headings that open a CV (title words, contact, summary), with no name anywhere below.
TOP_HEADINGS = sorted(
    set(TITLE_WORDS)
    | {h for s in ("contact", "summary") for hs in lexicon.headings()[s].values() for h in hs}
)


@pytest.mark.parametrize("heading", TOP_HEADINGS)
def test_heading_is_not_the_name_when_there_is_none(heading: str) -> None:
    got = _name(f"{heading.upper()}\n{CONTACT}{BODY}")
    assert got is None or fold(heading) not in fold(got), got


@pytest.mark.parametrize(
    "phrase",
    [
        "CAREER HIGHLIGHTS",
        "Research Interests Overview",
        "TECHNICAL PROFICIENCY AREAS",
        "JOB SEEKER",
        "Last Updated",
        "N A M E",
        "San Mateo",  # a city
        "Chennai Tamil Nadu Cloud",  # a city and its region before the first line's words
        "Tamil Nadu",  # a region
        "Mat Lab",  # a skill
    ],
)
def test_heading_like_phrase_is_not_a_name_even_outside_the_lexicon(phrase: str) -> None:
    # a phrase built from heading words (not itself a lexicon heading) in a CV with no name
    got = _name(f"{phrase}\n{CONTACT}{BODY}")
    assert got is None or fold(phrase) not in fold(got), got


NAMES = [
    "Jan van der Berg",
    "María de la Cruz",
    "Jean-Luc Picard",
    "José Müller",
    "Zoë O'Brien",
    "Søren Kierkegaard",
    "Łukasz Żółć",
    "Nguyễn Văn An",
    "Ahmed bin Rashid",
    "Heitor da Sales",  # a surname that is also a job word
    "Paris Hilton",  # a first name that is a city
    "Anne-Marie Dupont-Leroy",
    "山田 太郎",
    "李小龙",
    "Иван Петров",
    "Γιώργος Παπαδόπουλος",
    "محمد علي",
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("first_line", ["", "CURRICULUM VITAE\n", "Résumé\n"])
def test_name_is_found(first_line: str, name: str) -> None:
    cv = f"{first_line}{name}\nmail@example.com | +44 20 7946 0958\n{BODY}"
    assert _name(cv) == name


def test_name_under_lebenslauf() -> None:
    assert _name(f"Lebenslauf\nJosé Müller\nmail@example.com\n{BODY}") == "José Müller"


@pytest.mark.parametrize("name", ["Jan van der Berg", "María de la Cruz", "Иван Петров"])
def test_labelled_name_is_found(name: str) -> None:
    cv = f"Name: {name}\nE-mail: mail@example.com\n{BODY}"
    assert _name(cv) == name


@pytest.mark.parametrize(
    "line",
    ["Amelia Hartley | amelia@example.com | +44 20 7946 0958", "Amelia Hartley, London, UK"],
)
def test_name_shares_a_line_with_contact_details(line: str) -> None:
    assert _name(f"{line}\n{BODY}") == NAME


@pytest.mark.parametrize(
    "first_line", ["Senior Software Engineer", "Acme Solutions Ltd", "London, United Kingdom"]
)
def test_title_company_or_place_is_not_a_name(first_line: str) -> None:
    got = _name(f"{first_line}\namelia@example.com\n{BODY}")
    assert got is None or fold(got) != fold(first_line)


# A job-board export without line breaks: what follows the first words decides the name.
FLAT_REST = (
    " Email me on Indeed Network engineer with five years of experience in routing and "
    "switching for banks Work Experience Network Engineer Arohan Systems July 2016 to Present "
    "Configured routers and firewalls for corporate clients and managed the campus network "
    "Education Bachelor of Engineering in Electronics Pune University 2012 to 2016 Skills "
    "Routing Switching Firewalls Linux Python Networking Wireshark Cisco"
)


@pytest.mark.parametrize(
    ("first_words", "name"),
    [
        ("Sumit Paul Pune Maharashtra", "Sumit Paul"),  # 'Paul' is a town in Cape Verde
        ("Kushalnagar Karnataka Sumit Paul", None),  # a town and its region lead, no name
        ("Zirakpur Punjab Willing to relocate to Zirakpur Punjab", None),  # an unknown town
    ],
)
def test_a_flattened_header_names_no_place(first_words: str, name: str | None) -> None:
    assert _name(first_words + FLAT_REST) == name


def test_a_name_guessed_from_a_flattened_line_says_it_is_a_guess() -> None:
    """Where nothing but capitals marks where a name ends ('Shreya Mukund Experienced
    software professional …'), the value is shown as the guess it is."""
    parsed = _parse("Shreya Mukund Experienced software professional" + FLAT_REST)
    bounded = _parse("Shreya Mukund Pune Maharashtra" + FLAT_REST)
    assert bounded.fields.name is not None and bounded.fields.name.value == "Shreya Mukund"
    guessed = parsed.fields.name
    assert guessed is None or guessed.confidence < 0.5 < bounded.fields.name.confidence


@pytest.mark.parametrize(
    ("first_words", "name"),
    [
        ("Shreya Mukund Experienced software professional", "Shreya Mukund"),
        ("Sanket Sadafale Immediate joiner as a tester", "Sanket Sadafale"),
    ],
)
def test_a_flattened_name_stops_before_the_summary_it_runs_into(
    first_words: str, name: str
) -> None:
    assert _name(first_words + FLAT_REST) == name
