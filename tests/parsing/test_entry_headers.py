"""Entry headers: labelled 'Key : value' lines and Indeed-style 'COMPANY - City -' lines."""

from __future__ import annotations

from parsing.pipeline import parse_bytes

LABELLED = """Ravi Kumar
ravi.kumar@example.com

EXPERIENCE SUMMARY
• Company Name | : ANGEL BROKING LTD
Job Designation | : Back office Executive
Job Duration | : July 2007 – April 2008
• Company Name | : KAYNET CAPITAL LTD
Job Designation | : Back office Executive (Clerk)
Job Duration | : 15 October 2010 – Till Date
"""

INDEED = """Willard Bergnaum
willard@example.com

WORK EXPERIENCE

CES ASSOCIATE CONSULTANT

SAP ARIBA -

November 2016 to October 2017

• Responsible for supplier management.

SALES ENGINEER

CONCEPT TECHNOLOGY SOLUTION - Bangalore, Karnataka -

January 2014 to November 2016
"""


def _jobs(text: str) -> list[tuple[str | None, str | None, str | None]]:
    fields = parse_bytes(text.encode(), "cv.txt").fields
    return [
        (
            e.title.value if e.title else None,
            e.company.value if e.company else None,
            e.start.normalized if e.start else None,
        )
        for e in fields.experience or []
    ]


def test_labelled_lines_say_which_is_title_and_which_is_company() -> None:
    assert _jobs(LABELLED) == [
        ("Back office Executive", "ANGEL BROKING LTD", "2007-07"),
        ("Back office Executive (Clerk)", "KAYNET CAPITAL LTD", "2010-10"),
    ]


def test_company_line_ending_with_a_dash_is_not_a_label() -> None:
    jobs = _jobs(INDEED)
    assert [j[1] for j in jobs] == ["SAP ARIBA", "CONCEPT TECHNOLOGY SOLUTION"]
    assert [j[0] for j in jobs] == ["CES ASSOCIATE CONSULTANT", "SALES ENGINEER"]


def _org_ner(monkeypatch, phrase: str) -> None:  # type: ignore[no-untyped-def]
    """NER that calls `phrase` an organisation wherever a header part holds it, and nothing else."""
    import parsing.extractors.experience as experience

    def ner(texts: list[str]) -> list[list[tuple[int, int, str]]]:
        found = [t.find(phrase) for t in texts]
        return [[(i, i + len(phrase), "ORG")] if i >= 0 else [] for i in found]

    monkeypatch.setattr(experience, "entities", ner)


def _job(header: str):  # type: ignore[no-untyped-def]
    cv = f"Jane Example\njane@example.com\n\nExperience\n{header}\n• Built the billing service.\n"
    (job,) = parse_bytes(cv.encode(), "cv.txt").fields.experience or []
    return job


def test_ner_organisations_count_for_the_header_part_they_were_found_in(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """NER reads the header's parts as written; what it calls an organisation must count for
    the same words after a leading place part was set aside (the lists used to shift by one)."""
    _org_ner(monkeypatch, "Acme Widgets")
    job = _job("Berlin, Germany | Acme Widgets | Nordlicht Kollektiv\nJan 2019 - Present")
    assert job.company is not None and job.company.value == "Acme Widgets"
    assert job.title is not None and job.title.value == "Nordlicht Kollektiv"


def test_the_part_written_with_its_place_is_the_employer(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """'Associate Director, Voice & Data, AT&T Interactive (Dallas, TX)': a department between
    title and employer is no employer, even when NER calls it an organisation; the employer is
    the part written with where it is."""
    _org_ner(monkeypatch, "Voice & Data")
    job = _job(
        "01/2009 - 12/2012 | Associate Director, Voice & Data, AT&T Interactive (Dallas, TX)"
    )
    assert job.company is not None and job.company.value == "AT&T Interactive"


def test_a_header_without_punctuation_leaves_its_place_out_of_the_employer() -> None:
    """'… Cloud Administrator Stonebridge Consulting LLC Oklahoma City OK …' and '… Cloud
    Engineer Rubico IT Private Limited Dehra Dun …': a US state code after its city, or a
    known city alone, is where the job was, not part of the employer."""
    base = (
        "Ravi Kumar Pune Maharashtra Email me on Indeed Cloud administrator with six years of "
        "experience Work Experience {header} March 2019 to Present Migrated the payment "
        "services to Azure and automated the deployments of forty services with Terraform "
        "Education Bachelor of Engineering Pune University 2012 to 2016 Skills Azure Linux"
    ) + " Azure Terraform Kubernetes" * 12
    for header, employer in [
        (
            "Cloud Administrator Stonebridge Consulting LLC Oklahoma City OK",
            "Stonebridge Consulting LLC",
        ),
        ("Cloud Engineer Rubico IT Private Limited Dehra Dun", "Rubico IT Private Limited"),
    ]:
        jobs = parse_bytes(base.format(header=header).encode(), "cv.txt").fields.experience or []
        assert [j.company.value for j in jobs if j.company] == [employer]
