"""The scorer: matching rules, TP/FP/FN accounting, entry alignment, annotated-field scoping."""

from __future__ import annotations

import pytest

from evaluation import matching as m
from evaluation.scoring import (
    FIELDS,
    Counts,
    Predicted,
    field_metrics,
    macro_f1,
    merge_counts,
    prediction_to_gt,
    score_document,
    score_parsed,
)
from parsing.model import EducationEntry, ExperienceEntry, Field, Fields, LanguageEntry, ParsedCV

SHA = "0" * 64
ALL = FIELDS


def counts(pred: dict, gt: dict, fields=ALL) -> dict[str, Counts]:
    return score_document(pred, gt, fields).counts


def test_wrong_value_lowers_precision_and_recall_missing_lowers_recall_only():
    gt = {"name": "Jane Smith", "email": "jane@example.com"}
    wrong = field_metrics(counts({"name": "John Brown"}, gt, ["name"])["name"])
    missing = field_metrics(counts({}, gt, ["name"])["name"])
    right = field_metrics(counts({"name": "jane smith"}, gt, ["name"])["name"])
    assert (right["precision"], right["recall"]) == (1.0, 1.0)
    assert (wrong["precision"], wrong["recall"]) == (0.0, 0.0)
    assert (wrong["tp"], wrong["fp"], wrong["fn"]) == (0, 1, 1)
    assert missing["precision"] is None and missing["recall"] == 0.0
    assert (missing["tp"], missing["fp"], missing["fn"]) == (0, 0, 1)


def test_value_where_ground_truth_is_empty_is_a_false_positive():
    c = counts({"phone": "+44 20 7946 0958"}, {"phone": None}, ["phone"])["phone"]
    assert (c.tp, c.fp, c.fn) == (0, 1, 0)


def test_extra_list_items_lower_precision_not_recall():
    gt = {"skills": ["Python", "SQL", "Docker"]}
    exact = field_metrics(counts({"skills": ["python", "sql", "docker"]}, gt)["skills"])
    extra = field_metrics(
        counts({"skills": ["Python", "SQL", "Docker", "Java", "Go"]}, gt)["skills"]
    )
    assert exact["f1"] == 1.0
    assert extra["recall"] == 1.0
    assert extra["precision"] == pytest.approx(3 / 5)


def test_list_matching_is_one_to_one():
    c = counts({"skills": ["Python", "Python", "python"]}, {"skills": ["Python"]})["skills"]
    assert (c.tp, c.fp, c.fn) == (1, 2, 0)


def test_short_skills_do_not_fuzzy_match_longer_ones():
    c = counts({"skills": ["C", "Java"]}, {"skills": ["C++", "JavaScript"]})["skills"]
    assert (c.tp, c.fp, c.fn) == (0, 2, 2)


@pytest.mark.parametrize(
    ("pred", "gt", "expected"),
    [
        ("2019-03", "2019", True),
        ("2019", "2019-03", True),
        ("2019-03", "2019-03", True),
        ("2019-03", "2019-04", False),
        ("2018-03", "2019-03", False),
        ("present", "present", True),
        ("Present", "present", True),
        ("present", "2019", False),
        ("Mar 2019", "2019-03", True),
        ("03/2019", "2019-03", True),
        ("March 2019", "2019-04", False),
        ("not a date", "2019", False),
        (None, "2019", False),
    ],
)
def test_dates_match_by_year_and_month_where_both_have_one(pred, gt, expected):
    assert m.dates_match(pred, gt) is expected


@pytest.mark.parametrize(
    ("pred", "gt", "expected"),
    [
        ("+44 20 7946 0958", "020 7946 0958", True),
        ("+442079460958", "(020) 7946-0958", True),
        ("+1-626-255-3757", "(626) 255-3757", True),
        ("+44 20 7946 0958", "020 7946 0959", False),
        ("(505) 983-5446 Ext. 107", "505 983 5446", True),
    ],
)
def test_phones_match_by_last_nine_digits(pred, gt, expected):
    c = counts({"phone": pred}, {"phone": gt}, ["phone"])["phone"]
    assert (c.tp == 1) is expected


def test_phone_ground_truth_without_digits_counts_as_empty():
    assert m.normalize_phone("Upon request") == ""
    c = counts({}, {"phone": "Upon request"}, ["phone"])["phone"]
    assert (c.tp, c.fp, c.fn) == (0, 0, 0)


@pytest.mark.parametrize(
    ("pred", "gt", "expected"),
    [
        ("https://www.linkedin.com/in/x/", "linkedin.com/in/x", True),
        ("http://GitHub.com/Jane", "https://github.com/jane/", True),
        ("https://twitter.com/jane?s=08", "twitter.com/jane", True),
        ("https://github.com/jane", "https://github.com/janet", False),
        ("https://www.linkedin.com/in/x", "https://www.linkedin.com/in/", False),
    ],
)
def test_links_match_by_host_and_path(pred, gt, expected):
    c = counts({"links": [pred]}, {"links": [gt]}, ["links"])["links"]
    assert (c.tp == 1) is expected


def test_emails_match_exactly_after_lowercasing():
    ok = counts({"email": "Jane.Doe@Example.com"}, {"email": "jane.doe@example.com"})["email"]
    bad = counts({"email": "jane.doe@example.org"}, {"email": "jane.doe@example.com"})["email"]
    assert ok.tp == 1 and bad.tp == 0


@pytest.mark.parametrize(
    ("pred", "gt", "expected"),
    [
        ("José Núñez", "jose nunez", True),
        ("JOSE  NUNEZ", "José Núñez", True),
        ("Nunez Jose", "José Núñez", True),
        ("José", "José Núñez Fernández", False),
        ("Maria Nunez", "José Núñez", False),
    ],
)
def test_names_match_after_case_accent_whitespace_normalisation(pred, gt, expected):
    assert (counts({"name": pred}, {"name": gt}, ["name"])["name"].tp == 1) is expected


@pytest.mark.parametrize(
    ("pred", "gt", "expected"),
    [
        ("Infosys", "Infosys Limited", True),
        ("Oracle India", "Oracle India Pvt Ltd", True),
        ("Acme Corp", "ACME Corporation", True),
        ("Tata Consultancy Servcies", "Tata Consultancy Services", True),  # typo: plain ratio
        ("Googel", "Google", False),  # one swap in a 6-letter name is 83 < 85
        ("Goldman Sachs", "Goldman Sachs & Co", True),
        ("Infosys", "Wipro", False),
        ("Bank", "Bank of America", False),  # subset but far too short: the guard
        ("Microsoft", "Microsoft Research India Development Center", False),
    ],
)
def test_fuzzy_organisation_match_threshold_and_short_guard(pred, gt, expected):
    gt_doc = {"experience": [{"company": gt}]}
    c = counts({"experience": [{"company": pred}]}, gt_doc, ["experience.company"])
    assert (c["experience.company"].tp == 1) is expected


def test_short_prediction_guard_on_titles():
    gt = {"experience": [{"title": "Senior Software Engineer", "company": "Acme"}]}
    short = {"experience": [{"title": "Senior", "company": "Acme"}]}
    close = {"experience": [{"title": "Software Engineer", "company": "Acme"}]}
    assert counts(short, gt)["experience.title"].tp == 0
    assert counts(close, gt)["experience.title"].tp == 1


def test_location_matches_on_city_when_one_side_adds_region():
    assert m.location_match("Bengaluru, Karnataka", "Bengaluru")
    assert m.location_match("Somerville, MA", "Somerville, Massachusetts, US")
    assert not m.location_match("Karnataka", "Bengaluru, Karnataka")
    assert not m.location_match("London", "Paris")


def test_entries_align_regardless_of_order():
    gt = {
        "experience": [
            {"title": "Data Engineer", "company": "Acme", "start": "2019-01", "end": "present"},
            {"title": "Analyst", "company": "Globex", "start": "2016-05", "end": "2018-12"},
        ]
    }
    pred = {"experience": list(reversed(gt["experience"]))}
    c = counts(pred, gt)
    for comp in ("title", "company", "start", "end"):
        assert (c[f"experience.{comp}"].tp, c[f"experience.{comp}"].fp) == (2, 0)


def test_same_company_roles_align_by_title_and_dates():
    gt = {
        "experience": [
            {
                "title": "Principal Developer",
                "company": "Nara",
                "start": "2016-03",
                "end": "2016-10",
            },
            {"title": "Senior Developer", "company": "Nara", "start": "2012-03", "end": "2016-03"},
        ]
    }
    pred = {
        "experience": [
            {"title": "Senior Developer", "company": "Nara", "start": "2012-03", "end": "2016-03"},
            {
                "title": "Principal Developer",
                "company": "Nara",
                "start": "2016-03",
                "end": "2016-10",
            },
        ]
    }
    c = counts(pred, gt)
    assert all(c[f"experience.{x}"].fp == 0 for x in ("title", "start", "end"))


def test_unaligned_entries_give_fp_for_predicted_and_fn_for_gt_components():
    gt = {
        "education": [
            {"degree": "BSc Physics", "institution": "University of Leeds", "end": "2010"}
        ]
    }
    pred = {"education": [{"degree": None, "institution": "Hogwarts", "end": None}]}
    c = counts(pred, gt)
    assert (c["education.institution"].fp, c["education.institution"].fn) == (1, 1)
    assert (c["education.degree"].fp, c["education.degree"].fn) == (0, 1)
    assert (c["education.end"].fp, c["education.end"].fn) == (0, 1)


def test_non_annotated_fields_are_ignored():
    gt = {"name": "Jane Smith", "email": None, "skills": [], "experience": [{"company": "Acme"}]}
    pred = {
        "name": "Jane Smith",
        "email": "jane@example.com",
        "skills": ["Python"],
        "experience": [{"company": "Acme", "title": "Engineer", "start": "2019"}],
    }
    c = counts(pred, gt, ["name", "experience.company"])
    assert set(c) == {"name", "experience.company"}
    assert macro_f1(c) == 1.0
    # the same prediction with everything annotated is penalised
    full = counts(pred, gt)
    assert full["email"].fp == 1 and full["skills"].fp == 1 and full["experience.title"].fp == 1


def test_languages_drop_proficiency_words_and_split_spans():
    gt = {"languages": ["English Fluent Hindi Fluent", "Marathi Native"]}
    c = counts({"languages": ["English", "Hindi", "Marathi", "French"]}, gt)["languages"]
    assert (c.tp, c.fp, c.fn) == (3, 1, 0)


def test_macro_f1_averages_fields_with_support_only():
    c = {"name": Counts(1, 0, 0), "email": Counts(0, 1, 1), "phone": Counts(0, 3, 0)}
    assert macro_f1(c) == pytest.approx(0.5)
    merged = merge_counts([c, {"name": Counts(0, 0, 1)}])
    assert (merged["name"].tp, merged["name"].fn) == (1, 1)


def _f(value, confidence=0.9, normalized=None) -> Field:
    return Field(value=value, normalized=normalized, confidence=confidence, extractor="test")


def test_prediction_to_gt_uses_values_and_normalized_forms():
    parsed = ParsedCV(
        file="x.pdf",
        sha256=SHA,
        status="ok",
        fields=Fields(
            name=_f("José Núñez"),
            phone=_f("020 7946 0958", normalized="+442079460958"),
            location=_f(None, normalized={"city": "Leeds", "countryCode": "GB"}),
            links=[_f("linkedin.com/in/jn", normalized={"url": "https://linkedin.com/in/jn"})],
            languages=[LanguageEntry(language=_f("Englisch", normalized="English"))],
            experience=[
                ExperienceEntry(
                    title=_f("Engineer"),
                    company=_f("Acme"),
                    start=_f("Mar 2019", normalized="2019-03"),
                    end=_f("Present", normalized="present"),
                )
            ],
            education=[
                EducationEntry(
                    degree=_f("Bachelor of Science", normalized="bachelor"),
                    field=_f("Computer Science"),
                    institution=_f("University of Leeds"),
                    end=_f("2015", normalized="2015"),
                )
            ],
        ),
    )
    gt = prediction_to_gt(parsed)
    assert gt["phone"] == "+442079460958"
    assert gt["location"] == "Leeds, GB"
    assert gt["links"] == ["https://linkedin.com/in/jn"]
    assert gt["languages"] == ["English"]
    assert gt["experience"] == [
        {"title": "Engineer", "company": "Acme", "start": "2019-03", "end": "present"}
    ]
    assert gt["education"][0]["degree"] == "Bachelor of Science in Computer Science"
    assert gt["skills"] == [] and gt["email"] is None


def test_scored_parse_records_confidence_and_correctness():
    parsed = ParsedCV(
        file="x.pdf",
        sha256=SHA,
        status="ok",
        fields=Fields(name=_f("Jane Smith", 0.9), email=_f("wrong@example.com", 0.6)),
    )
    gt = {"name": "Jane Smith", "email": "jane@example.com"}
    score = score_parsed(parsed, gt, ["name", "email"])
    assert {(r.field, r.confidence, r.correct) for r in score.records} == {
        ("name", 0.9, True),
        ("email", 0.6, False),
    }


def test_failed_parse_predicts_nothing():
    parsed = ParsedCV(
        file="x.pdf", sha256=SHA, status="failed", fields=Fields(name=_f("Jane Smith"))
    )
    c = score_parsed(parsed, {"name": "Jane Smith"}, ["name"]).counts["name"]
    assert (c.tp, c.fp, c.fn) == (0, 0, 1)


def test_predicted_wrapper_and_plain_values_score_the_same():
    gt = {"skills": ["Python", "SQL"]}
    plain = counts({"skills": ["Python", "Go"]}, gt)["skills"]
    wrapped = counts({"skills": [Predicted("Python", 0.7), Predicted("Go", 0.2)]}, gt)["skills"]
    assert (plain.tp, plain.fp, plain.fn) == (wrapped.tp, wrapped.fp, wrapped.fn) == (1, 1, 1)
