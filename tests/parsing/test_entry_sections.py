"""Experience and education entries in the shapes plain-text CVs take: sub-headings inside a
section, entries without dates, 'Degree / School / Year' blocks, and honest confidences."""

from __future__ import annotations

import pytest

from parsing.extractors.education import degree_match
from parsing.extractors.entry_blocks import title_score
from parsing.model import EducationEntry, ExperienceEntry
from parsing.pipeline import parse_bytes
from parsing.sections import match_heading

CONTACT = "Asha Verma\nasha.verma@example.com\n\n"

SUBHEADED = (
    CONTACT
    + """WORK EXPERIENCE

Software Engineer

Northwind Traders -  Pune, Maharashtra -

March 2019 to Present

Built billing services for retail clients in Python and wrote the test suite for the
payment module written in the Java
language.

Data Analyst

Contoso Pvt. Ltd -  Mumbai, Maharashtra -

June 2016 to February 2019

Project: Sales dashboards
Tools Used: Excel, Power BI

Support Engineer

Fabrikam Systems -

July 2014 to May 2016

EDUCATION

B.E in Computer Science

Pune Institute of Engineering -  Pune, Maharashtra

2014

SKILLS

Python, SQL
"""
)

DATELESS = (
    CONTACT
    + """WORK EXPERIENCE

Technical Support Engineer

Globex

Answered escalated customer calls about mail servers.

Technical Support Engineer

Initech -

August 2015 to March 2017

Tested the claims portal.

EDUCATION

BSc in Physics
Riverside College
2015
"""
)

DATE_LAST_EDUCATION = (
    CONTACT
    + """EDUCATION

Bachelor of Engineering in
ELECTRONICS

Lakeside Institute of Technology -  Chennai, Tamil Nadu

2010 to 2014

Network Security

Acme Training Centre -  Chennai, Tamil Nadu

2015

H.S.C

St. Mary's Higher Secondary School -  Chennai, Tamil Nadu

2010
• GPA 3.7/4.0
"""
)


def _parse(text: str) -> tuple[list[ExperienceEntry], list[EducationEntry]]:
    fields = parse_bytes(text.encode(), "cv.txt").fields
    return fields.experience or [], fields.education or []


def _jobs(entries: list[ExperienceEntry]) -> list[tuple[str | None, str | None]]:
    return [
        (e.title.value if e.title else None, e.company.value if e.company else None)
        for e in entries
    ]


def _schools(entries: list[EducationEntry]) -> list[tuple[str | None, str | None, str | None]]:
    return [
        (
            e.degree.value if e.degree else None,
            e.institution.value if e.institution else None,
            e.end.normalized if e.end else None,
        )
        for e in entries
    ]


def test_labels_and_wrapped_words_inside_a_job_do_not_end_the_experience_section() -> None:
    jobs, _ = _parse(SUBHEADED)
    assert [t for t, _ in _jobs(jobs)] == ["Software Engineer", "Data Analyst", "Support Engineer"]
    assert "Fabrikam Systems" in [c for _, c in _jobs(jobs)]


DETAILS = (
    CONTACT
    + """WORK EXPERIENCE

Senior Developer

Umbrella Corp -

January 2018 to Present

Operating System: Windows 10
Tools Used: Excel, Power BI
Period: March 2019 to June 2020
Built the loan workflow.
"""
)


def test_detail_lines_with_a_label_are_not_read_as_entry_headers() -> None:
    jobs, _ = _parse(DETAILS)
    assert _jobs(jobs) == [("Senior Developer", "Umbrella Corp")]


def test_a_job_written_without_dates_is_still_an_entry() -> None:
    jobs, _ = _parse(DATELESS)
    assert _jobs(jobs) == [
        ("Technical Support Engineer", "Globex"),
        ("Technical Support Engineer", "Initech"),
    ]
    undated, dated = jobs
    assert undated.start is None
    assert undated.title is not None and dated.title is not None
    assert undated.title.confidence < dated.title.confidence


def test_a_job_without_dates_on_one_line_over_its_description_is_an_entry() -> None:
    cv = CONTACT + (
        "EXPERIENCE\n"
        "Mobile/Web developer, NIAR\n"
        "Developed mobile and web applications for the National Institute for Aviation Research.\n"
        "iOS Development\nWeb Development\n"
        "Engineering Lead, Ennovar\n"
        "Developed mobile and web applications as a team lead.\n"
        "Ruby on Rails\nReact Native\n"
        "Software Engineer III - Ad Hoc\n"
        "Develop applications for the Center For Medicare and Medicaid Services.\n"
    )
    jobs, _ = _parse(cv)
    assert _jobs(jobs) == [
        ("Mobile/Web developer", "NIAR"),
        ("Engineering Lead", "Ennovar"),
        ("Software Engineer III", "Ad Hoc"),
    ]


SENTENCES = (
    CONTACT
    + """EXPERIENCE
• 1 year worked as O&M TECHNICIAN in VOLTECH ENGINEERS
PRIVATE LTD
• Worked as an Electrical Supervisor at DEP Construction Pvt Ltd from 2013 to 2016
• Responsible for the maintenance of the switchgear.
• Worked for ONGC as an interpreter from Feb 2005 to Nov 2005
• Currently work in Home Credit India as a sales Associate.
• 1 Year as a Cashier in Jeweler Showroom.
"""
)


def test_jobs_told_in_sentences_are_entries_when_no_block_is_found() -> None:
    jobs, _ = _parse(SENTENCES)
    assert _jobs(jobs) == [
        ("O&M TECHNICIAN", "VOLTECH ENGINEERS PRIVATE LTD"),
        ("Electrical Supervisor", "DEP Construction Pvt Ltd"),
        ("interpreter", "ONGC"),
        ("sales Associate", "Home Credit India"),
        ("Cashier", "Jeweler Showroom"),
    ]
    assert jobs[1].start is not None and jobs[1].start.normalized == "2013"
    assert jobs[1].end is not None and jobs[1].end.normalized == "2016"
    # a CV with real entry blocks keeps them: sentences in it are not read as more jobs
    jobs, _ = _parse(DETAILS + "Worked as a Tester at Initech.\n")
    assert _jobs(jobs) == [("Senior Developer", "Umbrella Corp")]


def test_degree_school_year_blocks_group_by_their_closing_year() -> None:
    _, schools = _parse(DATE_LAST_EDUCATION)
    assert _schools(schools) == [
        ("Bachelor of Engineering in ELECTRONICS", "Lakeside Institute of Technology", "2014"),
        ("Network Security", "Acme Training Centre", "2015"),
        ("H.S.C", "St. Mary's Higher Secondary School", "2010"),
    ]
    assert schools[-1].grade is not None  # the grade under the year stays with its entry


def test_a_known_school_and_degree_are_surer_than_two_guessed_lines() -> None:
    _, schools = _parse(DATE_LAST_EDUCATION)
    known, guessed = schools[0], schools[1]
    assert known.institution is not None and guessed.institution is not None
    assert known.institution.confidence > guessed.institution.confidence
    assert known.end is not None and guessed.end is not None
    assert known.end.confidence > guessed.end.confidence


@pytest.mark.parametrize(
    ("text", "level"),
    [("B.E", "bachelor"), ("M.C.A", "master"), ("B-Tech", "bachelor"), ("S.S.C", "secondary")],
)
def test_degree_abbreviations_read_with_or_without_their_dots(text: str, level: str) -> None:
    hit = degree_match(f"{text} in Computer Science")
    assert hit is not None and hit[:2] == (0, len(text)) and hit[2] == level


def test_a_school_named_high_school_is_an_institution_not_a_degree() -> None:
    _, schools = _parse(CONTACT + "EDUCATION\n\nSSC\n\nGreenfield High School\n\n2008\n")
    assert _schools(schools) == [("SSC", "Greenfield High School", "2008")]


@pytest.mark.parametrize(
    "heading", ["TEACHING EXPERIENCE", "Career Experience/Job History", "Employment Record"]
)
def test_headings_ending_in_experience_open_an_experience_section(heading: str) -> None:
    hit = match_heading(heading)
    assert hit is not None and hit[0] == "experience"


@pytest.mark.parametrize("heading", ["ACADEMIC CHRONICLE", "Academic Record", "Education Summary"])
def test_more_education_headings(heading: str) -> None:
    hit = match_heading(heading)
    assert hit is not None and hit[0] == "education"


@pytest.mark.parametrize("line", ["5 years experience", "Highlight any relevant experience within"])
def test_sentences_mentioning_experience_are_not_headings(line: str) -> None:
    assert match_heading(line) is None


def test_entries_of_a_cv_whose_line_breaks_were_restored_are_less_sure() -> None:
    lines = [line for line in DATELESS.splitlines() if line.strip()]
    flat = "     ".join(lines) + " " * 5 + "Additional notes " * 30
    jobs, _ = _parse(DATELESS)
    flat_jobs, _ = _parse(flat)
    pick = {c: e for e, (_, c) in zip(flat_jobs, _jobs(flat_jobs), strict=True)}
    assert "Initech" in pick
    flat_title = pick["Initech"].title
    lined_title = jobs[1].title
    assert flat_title is not None and lined_title is not None
    assert flat_title.confidence < lined_title.confidence


def test_institution_loses_a_leading_from_and_a_trailing_country() -> None:
    _, schools = _parse(
        CONTACT + "EDUCATION\nMasters in Business Administration from D.J. Academy, India, 2008\n"
        "Bachelor in Commerce from Bharathiar University, India, 2005\n"
    )
    assert [s for _, s, _ in _schools(schools)] == ["D.J. Academy", "Bharathiar University"]


AT_SCHOOL = (
    CONTACT
    + """AUSBILDUNG

M.A. Betriebswirtschaftslehre bei
Fachhochschule Senftenberg
April 2004 - September 2006
Bachelor of Science Soziologie bei Universität
Eilenburg
September 1999 - Juni 2003
Allgemeine Hochschulreife bei Hesse-Gymnasium Wolfach
Oktober 1996 - Februar 1999

FORMATION

BTS Comptabilité chez Université de Pagesnec
2009 - 2011
Master en Sciences politiques chez IUT de Letellier-sur-Mer
2017 - 2020
"""
)


def test_at_words_of_the_five_languages_split_degree_from_school_even_when_wrapped() -> None:
    _, schools = _parse(AT_SCHOOL)
    assert _schools(schools) == [
        ("M.A. Betriebswirtschaftslehre", "Fachhochschule Senftenberg", "2006-09"),
        ("Bachelor of Science Soziologie", "Universität Eilenburg", "2003-06"),
        ("Allgemeine Hochschulreife", "Hesse-Gymnasium Wolfach", "1999-02"),
        ("BTS Comptabilité", "Université de Pagesnec", "2011"),
        ("Master en Sciences politiques", "IUT de Letellier-sur-Mer", "2020"),
    ]


def test_a_spanish_secondary_school_is_a_school() -> None:
    edu = "Grado en Ingeniería Civil, Universidad de Vigo 10/2020–07/2023\n"
    edu += "Bachillerato de Ciencias, IES Candelaria 04/2017–09/2020\n"
    _, schools = _parse(CONTACT + "FORMACIÓN\n\n" + edu)
    assert _schools(schools) == [
        ("Grado en Ingeniería Civil", "Universidad de Vigo", "2023-07"),
        ("Bachillerato de Ciencias", "IES Candelaria", "2020-09"),
    ]


def test_a_vidyalaya_is_a_school() -> None:
    edu = "Kendriya Vidyalaya New Delhi — 12th (CBSE) (October 2017 – July 2020)\n"
    _, schools = _parse(CONTACT + "EDUCATION\n\n" + edu)
    assert _schools(schools) == [("12th (CBSE)", "Kendriya Vidyalaya New Delhi", "2020-07")]


def test_a_school_named_gymnasium_is_a_school_and_sciences_is_no_sciences_po() -> None:
    _, schools = _parse(CONTACT + "EDUCATION\n\nFachhochschulreife\nGymnasium Mürzzuschlag\n2005\n")
    assert _schools(schools) == [("Fachhochschulreife", "Gymnasium Mürzzuschlag", "2005")]
    assert degree_match("Gymnasium") is not None  # alone it is still the school-leaving degree


ROLES_AT_ONE_EMPLOYER = (
    CONTACT
    + """EXPERIENCE

08/2011 – Present | Nordwind Logistics Inc
02/2017 – Present | Senior Blockchain Developer
• Designed and implemented a new product line using SUSE Linux
• Coordinated with external partners to roll out a migration to
the cloud in 5 countries
08/2011 – 01/2017 | Blockchain Developer
• Improved lead time by 40% within the first year
07/2005 – 06/2011 | Back-End Engineer
Yang LLC
06/2001 – 07/2005 | Técnico de sistemas, Planas y asociados S.L.
"""
)


def test_an_employer_heading_over_its_roles_is_their_company_not_an_entry() -> None:
    jobs, _ = _parse(ROLES_AT_ONE_EMPLOYER)
    assert _jobs(jobs) == [
        ("Senior Blockchain Developer", "Nordwind Logistics Inc"),
        ("Blockchain Developer", "Nordwind Logistics Inc"),
        ("Back-End Engineer", "Yang LLC"),
        ("Técnico de sistemas", "Planas y asociados S.L."),
    ]
    inherited = jobs[1].company
    assert inherited is not None and inherited.extractor == "experience.inherited"
    # a bullet's wrapped tail ('the cloud …') never becomes the next entry's employer
    assert all(c != "the cloud in 5 countries" for _, c in _jobs(jobs))


def test_a_single_employer_heading_is_read_as_the_company_of_the_roles_below() -> None:
    # one part each: the heading alone could be a title; the role below reads more like one
    jobs, _ = _parse(
        CONTACT + "EXPERIENCE\n\n2000 - Today | Nagarajan-Arora\n"
        "2008 - Today | Senior Systems Administrator\n• Automated reporting\n"
        "2000 - 2008 | Systems Administrator\n• Ran the servers\n"
    )
    assert _jobs(jobs) == [
        ("Senior Systems Administrator", "Nagarajan-Arora"),
        ("Systems Administrator", "Nagarajan-Arora"),
    ]
    assert title_score("Senior Systems Administrator") == title_score("Systems Administrator")


def test_a_long_header_ending_in_any_legal_form_and_a_dot_is_no_sentence() -> None:
    jobs, _ = _parse(
        CONTACT + "EXPERIENCE\n\n2019 - 2021 | Senior Engineer, Northwind Trading Holdings AG.\n"
        "2016 - 2019 | Analyst, Planas y asociados S.L.\n"
    )
    assert _jobs(jobs) == [
        ("Senior Engineer", "Northwind Trading Holdings AG."),
        ("Analyst", "Planas y asociados S.L."),
    ]


DATED_SCHOOLS = (
    CONTACT
    + """EDUCATION
Orsys | Dec 2022 – Dec 2022
Docker : créer et administrer des conteneurs virtuels
CLEVER INSTITUTE - Human Coders | Dec 2020 – Dec 2020
Formation GraphQL
Orsys | Nov 2019 – Nov 2019
formation React JS, programmation avancée
Université d'Orsay - Paris-Sud | Dec 1996 – Dec 1997
DEA in Informatique
"""
    + "09/2013 - 06/2017 | University degree in Computer Science, Universitat Autònoma de "
    + "Barcelona — Graduated Cum laude with an 8.86 / 10 grade\n"
)


def test_unknown_text_beside_dates_fills_the_slot_named_text_there_always_fills() -> None:
    # known schools sit beside the dates twice: "Orsys" there is a school too, and the
    # lower-case line under it its course; a note after a spaced dash is not the school's name,
    # and "University degree" names a degree, not a university
    _, schools = _parse(DATED_SCHOOLS)
    assert [row[:2] for row in _schools(schools)] == [
        ("Docker : créer et administrer des conteneurs virtuels", "Orsys"),
        ("Formation GraphQL", "CLEVER INSTITUTE - Human Coders"),
        ("formation React JS, programmation avancée", "Orsys"),
        ("DEA in Informatique", "Université d'Orsay - Paris-Sud"),
        ("University degree in Computer Science", "Universitat Autònoma de Barcelona"),
    ]


def test_one_known_school_beside_dates_is_enough_when_the_pattern_repeats() -> None:
    cv = CONTACT + (
        "EDUCATION\n"
        "Eindhoven University of Technology | Sep 2010 – Mar 2013\n"
        "Master Computer Science & Engineering\n"
        "Cloudera | Jan 2014 – Feb 2014\n"
        "certification in Developer Training for Apache Hadoop\n"
        "Coursera | Jan 2015 – Feb 2015\n"
        "certification in Principles of Reactive Programming\n"
    )
    _, schools = _parse(cv)
    assert [row[:2] for row in _schools(schools)] == [
        ("Master Computer Science & Engineering", "Eindhoven University of Technology"),
        ("certification in Developer Training for Apache Hadoop", "Cloudera"),
        ("certification in Principles of Reactive Programming", "Coursera"),
    ]


def test_a_labelled_employer_loses_where_it_sits() -> None:
    cv = CONTACT + (
        "EXPERIENCE\n"
        "1. | Employer | : ADMA Services, Doha Qatar\n"
        "Designation : Electrical Engineer\nDuration : 2016 - 2018\n"
        "2. | Employer | : Kerala State Electricity Board Limited, 220KV Substation, India\n"
        "Designation : Assistant Electrical Engineer\nDuration : 2013 - 2015\n"
        "3. | Employer | : Acme, Inc.\n"
        "Designation : Trainee Engineer\nDuration : 2012 - 2013\n"
    )
    jobs, _ = _parse(cv)
    assert [company for _, company in _jobs(jobs)] == [
        "ADMA Services",
        "Kerala State Electricity Board Limited",
        "Acme, Inc.",
    ]


def test_an_education_tables_header_row_is_no_entry() -> None:
    """'COURSE | INSTITUTE | BOARD | YEAR | %' names the columns; it is neither a school nor
    an entry, and the years stay with the rows they are in."""
    cv = (
        "Priya Raman\npriya@example.com\n\nEducation\nCOURSE | INSTITUTE | BOARD | YEAR | %\n"
        "BE | Annamalai University | Anna | 2015 | 72\n"
        "HSLC | St. Joseph High School | State | 2011 | 85\n"
    )
    education = parse_bytes(cv.encode(), "cv.txt").fields.education or []
    assert [e.end.normalized if e.end else None for e in education] == ["2015", "2011"]
    values = [f.value for e in education for f in (e.degree, e.institution) if f]
    assert not any("INSTITUTE" in v or v == "COURSE" for v in values)


def test_a_flattened_education_line_is_cut_where_the_schools_name_begins() -> None:
    """Without punctuation, 'Master of Science in Information Technology Sikkim Manipal
    University Gangtok Sikkim' is read as degree, school and place: the school's name begins
    after the last word of the field of study, and a trailing city and region is its place."""
    lines = [
        "Priya Raman Pune Maharashtra Email me on Indeed",
        "Cloud engineer with five years of experience in migrations and automation",
        "Work Experience",
        "Cloud Engineer Teccorps Ltd Pune Maharashtra October 2018 to Present",
        "Migrated the payment services to Azure and automated the deployments",
        "Education",
        "Master of Science in Information Technology Sikkim Manipal University Gangtok Sikkim "
        "June 2014 to May 2016",
        "MCA in Computer Science Sri Venkateswara University Nellore Andhra Pradesh "
        "April 2010 to July 2013",
        "Skills",
        "Azure Terraform Kubernetes Python Linux",
    ]
    flat = " ".join(lines)
    _, education = _parse(flat + " " + "Azure Terraform Kubernetes Python Linux " * 8)
    got = [(e.degree and e.degree.value, e.institution and e.institution.value) for e in education]
    assert got == [
        ("Master of Science in Information Technology", "Sikkim Manipal University"),
        ("MCA in Computer Science", "Sri Venkateswara University"),
    ]
