"""The generated corpus: deterministic, in the shared/eval schema, and printed as labelled."""

from __future__ import annotations

import argparse
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from corpus import content as C
from corpus.document import fmt_ym
from corpus.generate import ANNOTATED_FIELDS, generate, ground_truth, main, render
from corpus.layouts import LAYOUTS
from corpus.person import generate_person
from parsing import lexicon

DATE = re.compile(r"^(\d{4}|\d{4}-\d{2}|present)$")
SEEDS = range(1000, 1040)


def test_same_seed_gives_identical_ground_truth_and_pdfs(tmp_path: Path) -> None:
    layouts = tuple(LAYOUTS)[:3]
    generate(tmp_path / "a", 3, 11, ("pdf", "txt"), layouts)
    generate(tmp_path / "b", 3, 11, ("pdf", "txt"), layouts)
    a = sorted((tmp_path / "a" / "docs").iterdir())
    b = sorted((tmp_path / "b" / "docs").iterdir())
    assert [p.name for p in a] == [p.name for p in b]
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
    other = generate(tmp_path / "c", 3, 12, ("txt",), layouts)
    assert (tmp_path / "c" / other[0]["gt"]).read_bytes() != (
        tmp_path / "a" / other[0]["gt"].replace("_12_", "_11_")
    ).read_bytes()


@pytest.mark.parametrize("seed", SEEDS)
def test_ground_truth_schema(seed: int) -> None:
    gt = ground_truth(generate_person(seed))
    assert set(gt) == {
        "name",
        "email",
        "phone",
        "location",
        "links",
        "skills",
        "experience",
        "education",
        "languages",
        "certifications",
    }
    assert isinstance(gt["name"], str) and gt["name"]
    assert "@" in gt["email"]
    assert gt["phone"] is None or isinstance(gt["phone"], str)
    assert 6 <= len(gt["skills"]) <= 25
    assert 2 <= len(gt["experience"]) <= 6
    assert 1 <= len(gt["education"]) <= 3
    for job in gt["experience"]:
        assert set(job) == {"title", "company", "start", "end"}
        assert DATE.match(job["start"]) and job["start"] != "present"
        assert DATE.match(job["end"])
        assert job["end"] == "present" or job["end"] >= job["start"]
    for study in gt["education"]:
        assert set(study) == {"degree", "institution", "end"}
        assert DATE.match(study["end"])
    english = {name for name, _ in lexicon.language_names().values()}
    assert set(gt["languages"]) <= english


@pytest.mark.parametrize("seed", SEEDS)
def test_every_ground_truth_value_is_printed_in_the_txt(seed: int) -> None:
    person = generate_person(seed)
    layout = tuple(LAYOUTS)[seed % len(LAYOUTS)]
    text = render(person, layout, "txt").decode("utf-8")
    gt = ground_truth(person)
    printed = [
        gt["name"],
        gt["email"],
        gt["location"],
        *gt["links"],
        *gt["skills"],
        *gt["certifications"],
    ]
    if gt["phone"]:
        printed.append(gt["phone"])
    for job in gt["experience"]:
        printed += [job["title"], job["company"]]
    for study in gt["education"]:
        printed += [study["degree"], study["institution"]]
    for value in printed:
        assert value in text, value
    for job in person.jobs:
        assert fmt_ym(job.start, person.date_style, person.lang) in text
        if job.end is not None:
            assert fmt_ym(job.end, person.date_style, person.lang) in text
    names = lexicon.language_names()
    for spoken in person.languages:
        assert spoken.printed in text
        assert names[spoken.printed.lower()][0] == spoken.english


def test_same_person_in_two_layouts_differs_in_bytes_not_in_labels() -> None:
    import pdfplumber

    person = generate_person(4242)
    a = render(person, "classic", "pdf")
    b = render(person, "sidebar_left", "pdf")
    assert a != b
    assert ground_truth(person) == ground_truth(generate_person(4242))
    for pdf in (a, b):
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            text = "".join(page.extract_text() or "" for page in doc.pages).replace("\n", " ")
        for job in person.jobs:
            assert job.company.split()[0] in text


def test_at_least_ten_layouts() -> None:
    assert len(LAYOUTS) >= 10
    assert {spec.docx for spec in LAYOUTS.values()} == {"paragraphs", "table"}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_layout_renders_in_every_format(layout: str) -> None:
    person = generate_person(77)
    pdf = render(person, layout, "pdf")
    assert pdf.startswith(b"%PDF")
    docx = zipfile.ZipFile(io.BytesIO(render(person, layout, "docx")))
    xml = docx.read("word/document.xml").decode("utf-8")
    assert person.email in xml
    txt = render(person, layout, "txt").decode("utf-8")
    assert txt.startswith(person.name)


def test_headings_in_all_five_languages_occur() -> None:
    seen: set[str] = set()
    heads = lexicon.headings()
    for seed in range(300):
        person = generate_person(seed)
        if person.lang in seen:
            continue
        text = render(person, "classic", "txt").decode("utf-8")
        lines = {ln.strip().lower() for ln in text.splitlines()}
        known = {h.lower() for h in heads["experience"][person.lang]}
        assert lines & known, person.lang
        seen.add(person.lang)
        if len(seen) == 5:
            break
    assert seen == set(C.CV_LANGS)


def test_multi_page_cvs_happen() -> None:
    import pdfplumber

    pages = []
    for seed in range(12):
        pdf = render(generate_person(seed), "classic", "pdf")
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            pages.append(len(doc.pages))
    assert max(pages) >= 2
    assert min(pages) >= 1


def test_printed_date_and_level_words_are_in_the_lexicon() -> None:
    months = lexicon.months()
    for lang in C.CV_LANGS:
        for word in (*C.MONTH_ABBR[lang], *C.MONTH_FULL[lang]):
            assert word.lower() in months, word
        for word in C.PRESENT[lang]:
            assert word.lower() in lexicon.present_words(), word
        assert C.SINCE[lang].lower() in lexicon.since_words()
        for words in C.LEVEL_WORDS[lang].values():
            for word in words:
                assert word.lower() in lexicon.fluency_levels(), word
        for names in C.LANGUAGE_NAMES.values():
            assert names[C.CV_LANGS.index(lang)].lower() in lexicon.language_names()


def test_cli_main_writes_index_and_rejects_unknown_layouts(tmp_path: Path) -> None:
    ns = argparse.Namespace(out=str(tmp_path), n=2, seed=3, formats="txt,docx", layouts="")
    assert main(ns) == 0
    lines = [json.loads(ln) for ln in (tmp_path / "index.jsonl").read_text().splitlines()]
    assert len(lines) == 2
    for line in lines:
        assert line["dataset"] == "generated"
        assert line["annotated_fields"] == ANNOTATED_FIELDS
        assert line["lang"] in C.CV_LANGS
        for rel in [line["gt"], *line["files"]]:
            assert (tmp_path / rel).exists()
    bad = argparse.Namespace(out=str(tmp_path), n=1, seed=3, formats="txt", layouts="nope")
    assert main(bad) == 2
