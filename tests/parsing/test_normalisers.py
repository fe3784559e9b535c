"""Table-driven tests for the normalisers (phones, degrees, skills, languages, links, locations)
and property tests: no normaliser raises on arbitrary text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsing.contact import find_emails, find_links, find_phones, link_network, normalize_url
from parsing.dates import find_date_ranges, normalize_date
from parsing.extractors.contact import parse_location
from parsing.extractors.education import degree_match
from parsing.extractors.lists import canonical_skill
from parsing.layout import Layout, Page
from parsing.model import Field, ParsedCV
from parsing.pipeline import extract_fields, parse_bytes
from parsing.readers import read_layout
from parsing.sections import match_heading


def _parse(text: str) -> ParsedCV:
    parsed = parse_bytes(text.encode(), "cv.txt")
    assert parsed.status.usable, parsed.message
    return parsed


def _location(text: str) -> Field:
    location = _parse(text).fields.location
    assert location is not None
    return location


def _certificates(text: str) -> list[str]:
    return [c.value for c in _parse(text).fields.certifications or []]


def _phone(text: str) -> Field:
    phone = _parse(text).fields.phone
    assert phone is not None
    return phone


# --------------------------------------------------------------------------- phones

PHONES = [
    ("+44 20 7946 0958", None, "+442079460958"),
    ("020 7946 0958", "GB", "+442079460958"),
    ("+49 30 12345678", None, "+493012345678"),
    ("030 12345678", "DE", "+493012345678"),
    ("+33 1 23 45 67 89", None, "+33123456789"),
    ("01 23 45 67 89", "FR", "+33123456789"),
    ("+34 912 345 678", None, "+34912345678"),
    ("+31 20 123 4567", None, "+31201234567"),
    ("+39 06 1234 5678", None, "+390612345678"),
    ("+48 22 123 45 67", None, "+48221234567"),
    ("+46 8 123 456 78", None, "+46812345678"),
    ("+91 98765 43210", None, "+919876543210"),
    ("+1 (415) 555-0132", None, "+14155550132"),
    ("(415) 555-0132", "US", "+14155550132"),
    ("+81 3-1234-5678", None, "+81312345678"),
    ("+55 11 91234-5678", None, "+5511912345678"),
    ("+7 495 123-45-67", None, "+74951234567"),
    ("+44 (0)20 7946 0958", None, "+442079460958"),
    ("+49 (0)30 12345678", None, "+493012345678"),
    ("+52 1 55 9082 8635", None, "+525590828635"),
    ("+353 (0)1 234 5678", None, "+35312345678"),
]


@pytest.mark.parametrize(("text", "region", "e164"), PHONES)
def test_phone_to_e164(text: str, region: str | None, e164: str) -> None:
    found = find_phones(f"Tel: {text} (mobile)", region)
    assert [m.normalized for m in found] == [e164]
    assert found[0].value == text and found[0].valid


def test_the_same_national_number_depends_on_the_region() -> None:
    gb = find_phones("020 7946 0958", "GB")
    assert [m.normalized for m in gb] == ["+442079460958"]
    assert all(m.normalized != "+442079460958" for m in find_phones("020 7946 0958", "DE"))


@pytest.mark.parametrize(
    "dates",
    ["2016 - 2018", "2016–2018", "09/2016 - 09/2018", "01.02.2016 – 31.03.2018", "1998 - 2004"],
)
def test_date_ranges_in_the_header_are_not_phones(dates: str) -> None:
    cv = (
        f"Amelia Hartley\namelia@example.com | {dates}\n\nExperience\n"
        "Engineer, Acme Ltd\n2016 - 2018\nAnalyst, Globex Ltd\n2012 - 2016\n"
    )
    assert _parse(cv).fields.phone is None


def test_number_invalid_in_the_guessed_region_is_tried_in_others() -> None:
    # an English CV without a country: US first, where 988 is no area code; valid in India
    phone = _parse("Ravi Kumar\nMobile : 9884469713\nravi@example.org\n\nSkills\nPython\n")
    phone = phone.fields.phone
    assert phone is not None and phone.normalized == "+919884469713"
    # an international number that is invalid stays as written: no region guessed for a part
    cv = "Elvira Serna\nelvira@example.org | +52 1 55 9082 8635\n\nSkills\nPython\n"
    phone = _parse(cv).fields.phone
    assert phone is None or phone.normalized.startswith("+52")
    # a country in the CV keeps its region: no guessing elsewhere
    cv = "Amelia Hartley\nLondon, UK\nTel 020 7946 0958\n\nSkills\nPython\n"
    phone = _parse(cv).fields.phone
    assert phone is not None and phone.normalized == "+442079460958"


def test_resume_title_and_a_bare_degree_code_do_not_hide_the_phone() -> None:
    # "RESUME" titles the document (not the French summary heading), and "BE" is a degree
    # (not Belgium): the number keeps the region it is valid in
    cv = (
        "RESUME\nMUTHU KUMAR\n• Mobile :9884469713\n• EMAIL ID: muthu@example.org\n"
        "OBJECTIVE\nTo grow in a challenging role.\nEDUCATION\nBE | Annamalai University | 2015\n"
    )
    parsed = _parse(cv).fields
    assert parsed.phone is not None and parsed.phone.normalized == "+919884469713"
    assert parsed.location is None or parsed.location.value != "BE"


def test_the_tail_of_a_longer_number_is_not_a_number() -> None:
    # 0115 is a German service prefix (not valid), but "0682590" alone would be
    found = find_phones("lili@example.com | +49 (0)115 0682590 | Grafenau", "DE")
    assert [(m.value, m.normalized) for m in found] == [("+49 (0)115 0682590", "+491150682590")]


def test_a_number_wrapped_in_a_narrow_column_is_joined() -> None:
    cv = (
        "Jérôme Ramos\nE-mail: jerome@example.org\nTéléphone: +33 6 29 67 89\n83\n\n"
        "Compétences\nPython\n"
    )
    phone = _phone(cv)
    assert phone.normalized == "+33629678983"
    assert phone.source is not None and phone.source.text.endswith("83")


def test_a_number_that_does_not_parse_in_the_cvs_country_is_tried_in_others() -> None:
    # the location points to Cameroon, where the number does not even parse
    cv = (
        "Crystal Walker\ncrystal@example.org • (075) 306-9890 • Douala, Cameroon\n\n"
        "Skills\nPython\n"
    )
    phone = _phone(cv)
    assert phone.value == "(075) 306-9890" and phone.normalized.endswith("753069890")
    # read under another country than the CV's own: less sure than in a German CV
    german = _phone(cv.replace("Douala, Cameroon", "Berlin, Germany"))
    assert german.normalized == phone.normalized
    assert phone.confidence < german.confidence - 0.2


def test_a_number_valid_nowhere_is_kept_as_written_when_it_looks_like_one() -> None:
    # no region reads it as valid; written as a phone number, it is kept, marked unsure
    cv = "Crystal Walker\nPhone: 111.222.3333\nDouala, Cameroon\n\nSkills\nPython\n"
    phone = _phone(cv)
    assert phone.value == "111.222.3333" and phone.confidence < 0.5


def test_a_real_phone_next_to_date_ranges_is_found() -> None:
    cv = (
        "Amelia Hartley\namelia@example.com | 2016 - 2018 | +44 20 7946 0958\n\nExperience\n"
        "Engineer, Acme Ltd\n2016 - 2018\n"
    )
    assert _phone(cv).normalized == "+442079460958"


# --------------------------------------------------------------------------- degrees

DEGREES = [
    ("B.Sc. in Physics", "bachelor"),
    ("Bachelor of Arts in History", "bachelor"),
    ("BA in History", "bachelor"),
    ("Master of Science", "master"),
    ("MBA", "master"),
    ("MSc Computer Science", "master"),
    ("PhD", "doctorate"),
    ("Doctorat en Physique", "doctorate"),
    ("Licence", "bachelor"),
    ("Máster en Ingeniería", "master"),
    ("Grado en Derecho", "bachelor"),
    ("HBO Bachelor", "bachelor"),
    ("High School Diploma", "secondary"),
    ("Abitur", "secondary"),
    ("Baccalauréat", "secondary"),
]


@pytest.mark.parametrize(("text", "level"), DEGREES)
def test_degree_level(text: str, level: str) -> None:
    hit = degree_match(text)
    assert hit is not None, text
    assert hit[2] == level
    assert hit[0] == 0  # the mention starts where the degree is printed


def test_diplom_ingenieur_has_a_real_level() -> None:
    hit = degree_match("Diplom-Ingenieur Maschinenbau")
    assert hit is not None and hit[2] not in ("other", "secondary")


@pytest.mark.parametrize(
    "text",
    ["BAnk", "BANK", "Bank teller", "Barista", "Alibaba Group", "baseball coach", "NBA player"],
)
def test_short_degree_does_not_match_inside_words(text: str) -> None:
    assert degree_match(text) is None


def test_state_code_after_a_city_is_not_a_degree() -> None:
    cv = (
        "Amelia Hartley\namelia@example.com\n\nEducation\nB.Sc. in Physics\n"
        "Boston University, Boston, MA\n2012 – 2016\n\nSkills\nPython\n"
    )
    education = _parse(cv).fields.education or []
    levels = [e.degree.normalized for e in education if e.degree]
    assert levels == ["bachelor"]


# --------------------------------------------------------------------------- skills

SKILLS = [
    ("JS", "JavaScript"),
    ("Postgres", "PostgreSQL"),
    ("k8s", "Kubernetes"),
    ("ReactJS", "React"),
    ("Golang", "Go"),
    ("MS Excel", "Microsoft Excel"),
    ("sklearn", "scikit-learn"),
    ("  python ", "Python"),
]


@pytest.mark.parametrize(("text", "canonical"), SKILLS)
def test_skill_alias(text: str, canonical: str) -> None:
    assert canonical_skill(text) == (canonical, "lexicon")


@pytest.mark.parametrize(
    ("text", "canonical"), [("Kubernetess", "Kubernetes"), ("Javascrpt", "JavaScript")]
)
def test_misspelt_skill_resolves_fuzzily(text: str, canonical: str) -> None:
    assert canonical_skill(text) == (canonical, "lexicon_fuzzy")


@pytest.mark.parametrize("text", ["underwater basket weaving", "xyzzy", "Jav", ""])
def test_unknown_phrase_is_not_a_skill(text: str) -> None:
    assert canonical_skill(text)[0] is None


SKILLS_CV = """Priya Raman
priya.raman@example.org

SKILLS
Java (3 years), CSS (Less than 1 year), Docker (2 years), Team Leadership,
Kafka Streams, Go, Linux
January 2015 to March 2016, bangalore@example.org, www.example.org/priya
Maintenance from 13-06-2012 to 25-08-2013, Python 3.10

ADDITIONAL INFORMATION
Technical Proficiency: Rust, Terraform, Spring Boot, PostgreSQL
Responsible for the delivery of the monthly reports to the clients
"""


def _skills(text: str) -> dict[str, float]:
    return {(f.normalized or f.value): f.confidence for f in _parse(text).fields.skills or []}


def test_skill_items_lose_years_and_junk_is_dropped() -> None:
    skills = _skills(SKILLS_CV)
    assert {"Java", "CSS", "Docker", "Team Leadership", "Kafka Streams", "Rust"} <= set(skills)
    joined = " ".join(skills)
    assert "Python 3.10" in skills  # the item after a dropped one on its line stays
    for junk in ("year", "2015", "@", "www.", "ADDITIONAL", "13-06-2012"):
        assert junk not in joined


def test_a_skills_section_not_written_as_a_list_still_gives_its_lexicon_skills() -> None:
    cv = (
        "Ada Stone\n\nSKILLS\nHands on with Kubernetes and Terraform in production and "
        "well versed in PostgreSQL tuning for banking clients\n"
    )
    assert {"Kubernetes", "Terraform", "PostgreSQL"} <= set(_skills(cv))


def test_additional_information_reads_as_skills() -> None:
    assert "Terraform" in _skills(SKILLS_CV)


@pytest.mark.parametrize(
    ("item", "worse_than"),
    [
        ("monthly reports to the clients", "Kafka Streams"),  # a phrase from prose
        ("Senior Engineer", "Kafka Streams"),  # a job title
        ("Bangalore", "Kafka Streams"),  # a place
        ("reports", "Kafka Streams"),  # a lower-case common word
    ],
)
def test_unknown_skill_shape_lowers_confidence(item: str, worse_than: str) -> None:
    cv = f"Ada Stone\n\nSKILLS\nKafka Streams, Terraform, {item}, Rust, Go, Linux\n"
    skills = _skills(cv)
    assert skills[item] < skills[worse_than]


def test_unknown_item_among_known_skills_scores_higher_than_among_phrases() -> None:
    keywords = _skills("Ada Stone\n\nSKILLS\nPython, Docker, Kubernetes, Zorblax, Linux\n")
    prose = _skills(
        "Ada Stone\n\nSKILLS\nleading teams of analysts, Zorblax, writing weekly status "
        "reports, managing the vendor relations, handling escalations\n"
    )
    assert keywords["Zorblax"] > prose["Zorblax"]


def test_everyday_words_in_prose_are_not_skills() -> None:
    cv = (
        "Ada Stone\nada@example.org\n\nEXPERIENCE\nOffice Manager, Acme Ltd, 2016 - 2019\n"
        "Booked the meeting room and packed every box for the move. Sales grew by a third.\n"
        "Automated the reports in python and Docker; kept the Room database in sync.\n"
        "I can go the extra mile: see c) below.\n"
        "Styled shoots for Billy Crystal and the American Express campaign.\n"
        "Shot the Salt Optics catalogue; covers for Premiere Magazine and Jamie Di Scala.\n"
        "Data work: Java Scala Kafka pipelines.\n"
    )
    skills = set(_skills(cv))
    # ambiguous by the written word too ("Salt" is SaltStack's, "Premiere" Adobe's), and a
    # run of skills is no name ("Java Scala Kafka")
    assert not {"SaltStack", "Adobe Premiere Pro", "Salt"} & skills
    assert "Scala" in skills
    assert {"Python", "Docker", "Room"} <= skills  # a language, a tool, a mid-sentence name
    assert not {"Box", "Sales"} & skills  # everyday words, or capitalised by the sentence
    assert not {"CAN Bus", "Go", "C"} & skills  # short lower-case words
    assert not {"Crystal", "Express.js"} & skills  # ambiguous names inside a longer name


def test_a_wall_of_text_without_headings_reads_as_flattened() -> None:
    # a CV whose line breaks were lost and then re-wrapped to a page: full lines, no headings
    words = (
        "Ada Stone Senior Data Engineer Berlin Germany ada@example.org Summary experienced "
        "engineer building data platforms Experience Acme GmbH Data Engineer 2019 2023 built "
        "pipelines in Python and Spark Education TU Berlin MSc Computer Science 2018 Skills "
        "Python Spark Kafka Airflow Docker Kubernetes Terraform dbt SQL"
    ).split()
    wall = "\n".join(" ".join(words[i : i + 11]) for i in range(0, len(words), 11))
    wall = "\n".join([wall] * 3)
    _, flat = extract_fields(read_layout(wall.encode()))
    _, cv = extract_fields(read_layout(SKILLS_CV.encode()))
    assert flat.flattened and not cv.flattened
    email = flat.make(0, 5, "email", ["valid"], "t")
    title = flat.make(0, 5, "title", ["in_section"], "t")
    assert email.confidence == cv.make(0, 5, "email", ["valid"], "t").confidence
    assert title.confidence < cv.make(0, 5, "title", ["in_section"], "t").confidence


def _pdf_like(rows: list[tuple[str, float]]) -> Layout:
    """A one-page PDF-like Layout: SKILLS heading, then lines with their right edge."""
    raw = [("Ada Stone", 200.0), ("SKILLS", 120.0), *rows]
    lines = [
        {"text": t, "page": 1, "bbox": (72.0, 100.0 + 14 * n, x1, 110.0 + 14 * n), "size": 10.0,
         "bold": t.isupper(), "block": 0, "font": "Helvetica", "xs": None, "gap_before": 0.0}
        for n, (t, x1) in enumerate(raw)
    ]  # fmt: skip
    return Layout.build("pdf", [Page(1, 595.0, 842.0)], lines, [], {})


def test_a_comma_list_wrapped_at_the_margin_joins_its_cut_item() -> None:
    wrapped = _pdf_like(
        [("Databases: Oracle, PostgreSQL, MS", 520.0), ("Access, Redis", 160.0), ("Go", 90.0)]
    )
    fields, _ = extract_fields(wrapped)
    skills = [s.value for s in fields.skills or []]
    assert "MS Access" in skills and "MS" not in skills
    # the same lines ending far from the margin are separate lists: nothing is joined
    short = _pdf_like([("Databases: Oracle, PostgreSQL, MS", 300.0), ("Access, Redis", 520.0)])
    fields, _ = extract_fields(short)
    assert {"MS", "Access"} <= {s.value for s in fields.skills or []}


CERTIFICATES_CV = """Kavya Raman
Chennai, India

EDUCATION
Secondary School Leaving Certificate, St. Mary's School, 2011

ACHIEVEMENTS
Holder of NCC "B" Certificate with grade C
1. Auto-CAD Certificate from Technotoonz society of computer education.
2. NSE's Certification in Financial Markets (NCFM), 2016
Note : Government Electrician License Holder Part I & Part II in 2004
Valid Driving License

EXPERIENCE
Sales Officer, Acme Ltd, 2016 - 2019
Managed the ISO certification of the plant.
"""


def test_certificates_named_outside_a_certification_section() -> None:
    certs = _parse(CERTIFICATES_CV).fields.certifications or []
    assert [c.value for c in certs] == [
        'NCC "B" Certificate',
        "Auto-CAD Certificate",
        "NSE's Certification in Financial Markets (NCFM)",
        "Government Electrician License",
    ]
    assert all(c.extractor == "certifications.named" and c.confidence < 0.7 for c in certs)


def test_certification_issuer_after_a_bullet_separator() -> None:
    cv = (
        "Amelia Hartley\namelia@example.com\n\nCertifications\n"
        "• CompTIA Linux+ • CompTIA\n• PSPO I • Scrum.org\n"
    )
    assert _certificates(cv) == ["CompTIA Linux+", "PSPO I"]


def test_certificate_confidence_follows_where_it_was_found() -> None:
    # measured on ../shared/eval: certificates listed in their section with an issuer are right
    # 98-100 % of the time, ones named in running text about one time in four
    cv = (
        "Amelia Hartley\namelia@example.com\n\nCertifications\n"
        "• CompTIA Linux+ • CompTIA\n\nSummary\nHolder of NCC 'B' Certificate from school.\n"
    )
    by_name = {c.value: c.confidence for c in _parse(cv).fields.certifications or []}
    assert by_name["CompTIA Linux+"] >= 0.9
    assert by_name["NCC 'B' Certificate"] <= 0.3


def test_training_told_in_sentences_is_no_certificate() -> None:
    cv = (
        "Amelia Hartley\namelia@example.com\n\nTrainings\n"
        "The microenterprise development training, I got to work with a group of business\n"
        "students. The goal of the training was to evaluate importing products from\n"
        ".Vietnam for sale in the USA\n"
        "Public speaking training in different business topics, the training was supervised by -\n"
        "PSPO I\ndbt Learn – dbt Fundamentals\n"
    )
    assert _certificates(cv) == ["PSPO I", "dbt Learn – dbt Fundamentals"]


def test_a_certification_wrapped_in_a_narrow_column_is_one_item() -> None:
    cv = (
        "Amelia Hartley\namelia@example.com\n\nCertifications\n"
        "• CIPD Level 5 Associate Diploma in People\nManagement, CIPD, 2014\n"
        "– Microsoft Certified: Azure Solutions Architect\nExpert, Microsoft, 2025\n"
        "• 2016 Ausbildereignungsprüfung · IHK\n"
    )
    assert _certificates(cv) == [
        "CIPD Level 5 Associate Diploma in People Management",
        "Microsoft Certified: Azure Solutions Architect Expert",
        "Ausbildereignungsprüfung",
    ]


# --------------------------------------------------------------------------- languages

LANGUAGE_CVS = [
    (
        "Amelia Hartley",
        "Languages",
        ["English (native)", "German: B2", "French – fluent"],
        [("English", "native"), ("German", "B2"), ("French", "C1")],
    ),
    (
        "Max Mustermann",
        "Sprachen",
        ["Deutsch – Muttersprache", "Englisch – fließend", "Französisch: Grundkenntnisse"],
        [("German", "native"), ("English", "C1"), ("French", "A2")],
    ),
    (
        "Jean Dupont",
        "Langues",
        ["Français : langue maternelle", "Anglais : courant", "Espagnol : notions"],
        [("French", "native"), ("English", "C1"), ("Spanish", "A2")],
    ),
    (
        "María García",
        "Idiomas",
        ["Español (nativo)", "Inglés (C1)", "Francés (B1)"],
        [("Spanish", "native"), ("English", "C1"), ("French", "B1")],
    ),
    (
        "Jan de Vries",
        "Talen",
        ["Nederlands: moedertaal", "Engels: goed", "Duits: redelijk"],
        [("Dutch", "native"), ("English", "B2"), ("German", "B1")],
    ),
]


@pytest.mark.parametrize(
    ("name", "heading", "lines", "expected"), LANGUAGE_CVS, ids=lambda v: str(v)[:12]
)
def test_languages_and_fluency(
    name: str, heading: str, lines: list[str], expected: list[tuple[str, str]]
) -> None:
    cv = f"{name}\nmail@example.com\n\n{heading}\n" + "\n".join(lines) + "\n"
    languages = _parse(cv).fields.languages
    assert languages is not None
    got = [
        (e.language.normalized if e.language else None, e.fluency.normalized if e.fluency else None)
        for e in languages
    ]
    assert got == expected


def test_languages_on_one_line() -> None:
    cv = "Amelia Hartley\nmail@example.com\n\nLanguages\nEnglish (C2), Spanish (B1), Dutch (A2)\n"
    languages = _parse(cv).fields.languages or []
    got = [(e.language.normalized, e.fluency.normalized) for e in languages if e.language]
    assert got == [("English", "C2"), ("Spanish", "B1"), ("Dutch", "A2")]


# --------------------------------------------------------------------------- links


@pytest.mark.parametrize(
    ("text", "network", "url"),
    [
        ("linkedin.com/in/amelia-hartley", "LinkedIn", "https://linkedin.com/in/amelia-hartley"),
        (
            "https://www.linkedin.com/in/amelia",
            "LinkedIn",
            "https://www.linkedin.com/in/amelia",
        ),
        ("github.com/ahartley", "GitHub", "https://github.com/ahartley"),
        ("www.ameliahartley.dev", "Website", "https://www.ameliahartley.dev"),
        ("ameliahartley.com/blog", "Website", "https://ameliahartley.com/blog"),
    ],
)
def test_link_is_typed_and_normalised(text: str, network: str, url: str) -> None:
    found = find_links(f"Profile: {text}.")
    assert [m.normalized for m in found] == [{"network": network, "url": url}]
    assert found[0].value == text  # trailing sentence punctuation is not part of the link


def test_a_product_named_like_a_domain_in_a_skills_list_is_no_link() -> None:
    cv = (
        "Amelia Hartley\namelia@example.com | www.amelia.dev\n\nSkills\n"
        "Trello | Zapier | Bill.com | DCF\n"
    )
    links = _parse(cv).fields.links or []
    assert [f.value for f in links] == ["www.amelia.dev"]


def test_email_domain_is_not_a_link() -> None:
    assert find_links("amelia.hartley@example.com") == []
    found = find_links("amelia@ameliahartley.dev | github.com/ahartley")
    assert [m.normalized["network"] for m in found] == ["GitHub"]


def test_normalize_url_and_network() -> None:
    assert normalize_url("www.example.org/x),") == "https://www.example.org/x"
    assert normalize_url("http://example.org") == "http://example.org"
    assert link_network("https://uk.linkedin.com/in/x") == "LinkedIn"
    assert link_network("https://notgithub.com/x") == "Website"


def test_links_in_a_parsed_header() -> None:
    cv = (
        "Amelia Hartley\namelia@example.com | linkedin.com/in/amelia-hartley | "
        "github.com/ahartley\n\nSkills\nPython\n"
    )
    links = _parse(cv).fields.links or []
    assert [f.normalized for f in links] == [
        {"network": "LinkedIn", "url": "https://linkedin.com/in/amelia-hartley"},
        {"network": "GitHub", "url": "https://github.com/ahartley"},
    ]


# --------------------------------------------------------------------------- locations

LOCATIONS = [
    (
        "Somerville, Massachusetts, US",
        {"city": "Somerville", "region": "Massachusetts", "countryCode": "US"},
    ),
    ("Austin, TX", {"city": "Austin", "region": "TX", "countryCode": "US"}),
    ("San Francisco, CA", {"city": "San Francisco", "region": "CA", "countryCode": "US"}),
    ("75001 Paris, France", {"city": "Paris", "countryCode": "FR"}),
    ("Berlin, Deutschland", {"city": "Berlin", "countryCode": "DE"}),
    ("Toronto, ON, Canada", {"city": "Toronto", "region": "ON", "countryCode": "CA"}),
    ("London, UK", {"city": "London", "countryCode": "GB"}),
    # no comma: a known city followed by a region of its country
    ("Chennai Tamil Nadu", {"city": "Chennai", "region": "Tamil Nadu", "countryCode": "IN"}),
]


@pytest.mark.parametrize(("text", "expected"), LOCATIONS)
def test_parse_location(text: str, expected: dict[str, str]) -> None:
    parsed = parse_location(text)
    assert parsed is not None
    assert parsed[1] == expected


def test_postcode_is_dropped_from_the_displayed_location() -> None:
    assert parse_location("75001 Paris, France") == (
        "Paris, France",
        {"city": "Paris", "countryCode": "FR"},
    )


@pytest.mark.parametrize(
    "text",
    [
        "Jan",
        "Mar 2019",
        "May",
        "Jan 2019 - Mar 2020",
        "Open to relocation, DE",
        "Willing to work, IN",
        "M.S, Bioinformatics, Indiana University-Purdue University",
    ],
)
def test_months_degrees_and_words_are_not_places(text: str) -> None:
    assert parse_location(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dehariya sahu, Madhya Pradesh, India", {"city": "Dehariya sahu", "countryCode": "IN"}),
        ("Montreuil / Paris, France, FR", {"city": "Montreuil / Paris", "countryCode": "FR"}),
        ("June Lake, CA", {"city": "June Lake", "countryCode": "US"}),
        ("FR", {"countryCode": "FR"}),
        ("Aundh, Pune-411007, Maharashtra, India", {"city": "Aundh", "countryCode": "IN"}),
        ("Meerut, IN", {"city": "Meerut", "countryCode": "IN"}),  # India, not Indiana
        ("Indianapolis, IN", {"city": "Indianapolis", "countryCode": "US"}),
        ("Toronto, CA", {"city": "Toronto", "countryCode": "CA"}),
        ("Los Angeles, CA", {"city": "Los Angeles", "countryCode": "US"}),
        ("San Mauro los bajos, MX", {"city": "San Mauro los bajos", "countryCode": "MX"}),
        ("Ursem gem. S, NL", {"city": "Ursem gem. S", "countryCode": "NL"}),
        ("College Station, TX", {"city": "College Station", "countryCode": "US"}),
        ("San Jorge los altos, México", {"city": "San Jorge los altos", "countryCode": "MX"}),
        ("San Yuridia de la Montaña, VER, MX", {"city": "San Yuridia de la Montaña"}),
        ("8034 Chapman Extension, Port Leah, DC", {"city": "Port Leah", "countryCode": "US"}),
        ("Rotraud-Hentschel-Platz 45-68, 37738 Stade, DE", {"city": "Stade", "countryCode": "DE"}),
        ("Estação Caldeira, 21011868 da Costa, RO, BR", {"city": "da Costa", "countryCode": "BR"}),
        ("Near Govt. College, Tirupur, Tamil Nadu", {"city": "Tirupur", "countryCode": "IN"}),
        (  # a labelled address line: its street and postcode digits are no reason to skip it
            "Prolongación Ybarra 733 Interior 390, 18362-5756 Nueva Comoras, MX",
            {"city": "Nueva Comoras", "countryCode": "MX"},
        ),
    ],
)
def test_unusual_but_real_places(text: str, expected: dict[str, str]) -> None:
    parsed = parse_location(text)
    assert parsed is not None
    assert {k: parsed[1][k] for k in expected} == expected


def test_city_on_the_address_line_above_a_region_and_country() -> None:
    cv = (
        "Md. Anis\n23/H/1 Palm Avenue, Kolkata 700019\nWest Bengal, India\n"
        "anis@example.org\n\nSkills\nPython\n"
    )
    location = _location(cv)
    assert location.value == "Kolkata, West Bengal, India"
    assert location.normalized == {"city": "Kolkata", "region": "West Bengal", "countryCode": "IN"}


def test_city_at_the_end_of_a_street_part_is_kept() -> None:
    assert parse_location("440 The Centre Residence Deira Dubai, UAE") == (
        "Dubai, UAE",
        {"city": "Dubai", "countryCode": "AE"},
    )
    assert parse_location("12 Baker Street London, UK") == (
        "London, UK",
        {"city": "London", "countryCode": "GB"},
    )


@pytest.mark.parametrize(
    "line",
    [
        "sandra@example.de / 620 14 20 56 / Navarra, Zaragoza, ES /",  # spaced slashes
        "sandra@example.de | ⌂ Navarra, Zaragoza, ES | ↗ linkedin.com/in/sandra",  # icons
        "sandra@example.de / +34 620 14 20 56 / Calle Mayor 5, 31001 Navarra,\nZaragoza, ES",
        "sandra@example.de / Calle Mayor 5\n31001 Navarra, Zaragoza, ES / github.com/sandra /",
        "Dirección: Retorno Norte Carrera 615 Edif. 115 , Depto. 940, 31001 Navarra, Zaragoza, ES",
        # long and unlabelled
        "Diagonal Lerma Sur 085 Interior 898 Edificio Norte, 31001 Navarra, Zaragoza, ES",
    ],
)
def test_location_among_other_contact_parts(line: str) -> None:
    cv = f"Sandra Losada\nProcurador\n{line}\n\nSkills\nPython\n"
    location = _location(cv)
    assert location.normalized["countryCode"] == "ES"
    assert location.value == "Navarra, Zaragoza, ES"


def test_a_labelled_address_full_of_digits_is_read() -> None:
    cv = (
        "Georgina Tórrez\nCorreo: georgina@example.org\n"
        "Dirección: Prolongación Ybarra 733 Interior 390, 18362-5756 Nueva Comoras, MX\n\n"
        "Conocimientos\nAirtable | SAP | Odoo\n"
    )
    assert _location(cv).value == "Nueva Comoras, MX"


def test_the_candidates_own_place_labelled_outside_the_header() -> None:
    job = "Experience\nRelationship Manager, Kotak Securities\n• Served client groups.\n\n"
    cv = (
        "Hema Vathy\nhema@example.org\nOman\n\n"
        + job
        + "Additional Information\nCurrent Location : Coimbatore,India\n"
    )
    assert _location(cv).value == "Coimbatore, India"  # labelled: beats the header's "Oman"
    # "Place:" above the signature, when the header names no place
    cv = "Hema Vathy\nhema@example.org\n\n" + job + "Hobbies\nChess\nPlace: Chennai | HEMA VATHY\n"
    assert _location(cv).value == "Chennai"
    # a job's place is the job's, not the candidate's
    cv = "Hema Vathy\nhema@example.org\n\n" + job.rstrip() + "\nPlace: Muscat, Oman\n"
    assert _parse(cv).fields.location is None


# A job-board export that lost its line breaks: name, place, then the rest, on one line.
FLAT_HEADER = (
    "{name} {place} Email me on Indeed httpwwwindeedcomr Cloud engineer with three years of "
    "experience in migrations and automation Work Experience Cloud Engineer Teccorps Ltd "
    "October 2018 to Present Migrated the payment services to Azure and automated the "
    "deployments of forty services with Terraform and Azure DevOps pipelines Education "
    "Bachelor of Engineering in Computer Science Anna University 2014 to 2018 Skills Azure "
    "Terraform Kubernetes Python Linux Networking "
)


@pytest.mark.parametrize(
    ("name", "place", "city"),
    [
        ("Iffat Khan", "Pune Maharashtra", "Pune"),
        ("Maria K", "Chennai Tamil Nadu", "Chennai"),
        ("Mastan Shaik", "Khammam Telangana", "Khammam"),  # a town no gazetteer knows
    ],
)
def test_the_place_after_the_name_of_a_flattened_header(name: str, place: str, city: str) -> None:
    """Without punctuation, the name runs up to a city and its region, never into them, and
    that run is the candidate's place (right after the name, the city may be any word)."""
    parsed = _parse(FLAT_HEADER.format(name=name, place=place) * 2)
    f = parsed.fields
    assert f.name is not None and f.name.value == name
    assert f.location is not None and f.location.value == place
    assert f.location.normalized == {
        "city": city,
        "region": place[len(city) + 1 :],
        "countryCode": "IN",
    }


def test_a_city_and_region_inside_a_line_with_its_breaks_is_no_header_place() -> None:
    """Mid-line runs count only where the line breaks were lost: in an ordinary header, the
    place the candidate would move to is not where they live."""
    cv = (
        "Jyoti Patnaik\nWilling to relocate to Mumbai Maharashtra\n"
        "Bhubaneswar Odisha - jyoti@example.org\n\n"
        "Experience\nAssociate Consultant, SAP Labs\n• Ran incident management.\n"
    )
    assert _location(cv).value == "Bhubaneswar Odisha"


def test_a_place_in_a_job_header_of_a_plain_text_cv_is_not_the_candidates() -> None:
    # a text file is one reading block: the zone is its header, not its first lines wholesale
    cv = (
        "Hema Vathy\nhema@example.org\n\nExperience\n"
        "Relationship Manager, Kotak Securities – Muscat – Oman\nServed clients.\n"
    )
    assert _parse(cv).fields.location is None


def test_slashes_outside_contact_details_cut_nothing() -> None:
    cv = "Werner Purdy\nCV / Application / History?\nwerner@example.org\n\nSkills\nPython\n"
    assert _parse(cv).fields.location is None  # "CV" is Cape Verde's code, not a place here


def test_a_slash_wrapping_a_title_line_is_no_separator() -> None:
    # "BI" is Burundi's code; the slash ends a wrapped line of titles, not a contact part
    cv = (
        "Karthik G V\nProgram Manager, Product Manager, Product Owner, BI /\n"
        "Datawarehouse, Big Data, Azure\n\nSecunderabad, Andhra Pradesh - Email me on Indeed\n"
    )
    assert _location(cv).value == "Secunderabad, Andhra Pradesh"


@pytest.mark.parametrize(("text", "expected"), LOCATIONS[:5])
def test_location_in_a_parsed_header(text: str, expected: dict[str, str]) -> None:
    cv = f"Amelia Hartley\namelia@example.com | {text}\n\nSkills\nPython\n"
    location = _parse(cv).fields.location
    assert location is not None and location.normalized == expected


# --------------------------------------------------------------------------- properties

TOKENS = [
    "2019", "1999", "2045", "03", "13", "12/2019", "2019-03", "01.02.2018", "Jan", "März",
    "févr.", "enero", "mei", "Sept.", "present", "heute", "seit", "since", "desde", "-", "–",
    "—", "/", "to", "bis", "+44", "+1", "(415)", "555-0132", "0", "00", "@", "a@b.co", "www.",
    ".com", "https://", "github.com/", "linkedin.com/in/x", "Experience", "SKILLS", "Sprachen",
    "·", "|", ",", ".", "'", "’", "\n", "\t", " ", "Python", "JS", "k8s", "ﬁ", "İ", "ß", "😀",
]  # fmt: skip
CV_TEXT = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(TOKENS), max_size=30).map(" ".join),
    st.lists(st.sampled_from(TOKENS), max_size=30).map("".join),
)
PROPERTY = settings(max_examples=100, deadline=None)


@PROPERTY
@given(CV_TEXT)
def test_text_normalisers_never_raise(text: str) -> None:
    normalize_date(text)
    find_date_ranges(text)
    find_emails(text)
    find_links(text)
    match_heading(text)
    canonical_skill(text)


@PROPERTY
@given(CV_TEXT, st.sampled_from([None, "GB", "DE", "FR", "US", "IN", "ZZ"]))
def test_find_phones_never_raises_and_returns_e164(text: str, region: str | None) -> None:
    for m in find_phones(text, region):
        assert str(m.normalized).startswith("+")
        assert text[m.start : m.end] == m.value


@PROPERTY
@given(CV_TEXT)
def test_normalize_date_is_idempotent(text: str) -> None:
    once = normalize_date(text)
    if once is not None:
        assert normalize_date(once) == once


@PROPERTY
@given(CV_TEXT)
def test_date_range_positions_point_into_the_text(text: str) -> None:
    for r in find_date_ranges(text):
        assert 0 <= r.start_pos < r.end_pos <= len(text)
        assert normalize_date(r.start or "") == r.start


@pytest.mark.parametrize(
    ("text", "printed"),
    [("ﬁİ 2019", "2019"), ("İzmir… 03/2016 – 05/2018", "03/2016 – 05/2018")],
)
def test_dotted_capital_i_shifts_dates(text: str, printed: str) -> None:
    found = find_date_ranges(text)
    assert found
    assert text[found[0].start_pos : found[0].end_pos] == printed


def test_date_value_is_the_printed_date_next_to_turkish_text() -> None:
    cv = (
        "Amelia Hartley\namelia@example.com\n\nExperience\n"
        "Engineer – İstanbul office… | 03/2016 – 05/2018\nBuilt things.\n"
    )
    experience = _parse(cv).fields.experience or []
    assert experience and experience[0].start is not None
    assert experience[0].start.value == "03/2016 – 05/2018"
