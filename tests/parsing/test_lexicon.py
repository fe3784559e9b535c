"""The curated lexicons load, are big enough, and resolve the aliases the parser relies on."""

from __future__ import annotations

import pytest

from parsing import lexicon


def test_skill_lexicon_is_large_and_canonical_names_are_unique() -> None:
    lex = lexicon.skill_lexicon()
    assert len(lex.names) >= 2000
    lowered = [n.lower() for n in lex.names]
    assert len(lowered) == len(set(lowered))
    assert set(lex.categories) == set(lex.names)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("JS", "JavaScript"),
        ("Postgres", "PostgreSQL"),
        ("psql", "PostgreSQL"),
        ("k8s", "Kubernetes"),
        ("ReactJS", "React"),
        ("React.js", "React"),
        ("Golang", "Go"),
        ("MS Excel", "Microsoft Excel"),
        ("sklearn", "scikit-learn"),
        ("  node.JS ", "Node.js"),
        ("C#", "C#"),
    ],
)
def test_skill_aliases_resolve(text: str, canonical: str) -> None:
    assert lexicon.skill_lexicon().lookup(text) == canonical


def test_skill_lookup_is_exact_not_fuzzy() -> None:
    assert lexicon.skill_lexicon().lookup("Pythonn") is None


def test_ambiguous_skills_are_known_surface_forms() -> None:
    lex = lexicon.skill_lexicon()
    for short in ("c", "r", "go", "swift", "rust"):
        assert short in lexicon.AMBIGUOUS_SKILLS
        assert lex.lookup(short) is not None


def test_every_heading_section_has_all_five_languages() -> None:
    heads = lexicon.headings()
    assert set(lexicon.HEADING_SECTIONS) <= set(heads)
    for section, by_lang in heads.items():
        assert set(lexicon.LANGS) <= set(by_lang), section
        for lang in lexicon.LANGS:
            assert len(by_lang[lang]) >= 3, (section, lang)
    for main in ("summary", "experience", "education", "skills"):
        assert len(heads[main]["en"]) >= 5
    assert "Berufserfahrung" in heads["experience"]["de"]
    assert "Werkervaring" in heads["experience"]["nl"]


def test_degree_levels_and_languages_are_valid() -> None:
    patterns = lexicon.degree_patterns()
    assert {p.level for p in patterns} <= lexicon.DEGREE_LEVELS
    assert {p.lang for p in patterns} == set(lexicon.LANGS)
    texts = {p.text for p in patterns}
    for needed in (
        "B.Sc.",
        "MSc",
        "MBA",
        "Ph.D.",
        "Diplom-Ingenieur",
        "Licence",
        "DUT",
        "BTS",
        "Grado",
        "Máster",
        "HBO",
        "Abitur",
        "Baccalauréat",
        "Bachillerato",
        "SSC",
    ):
        assert needed in texts


def test_word_lists_sizes() -> None:
    assert len(lexicon.job_titles()) >= 600
    assert {"engineer", "manager", "developer", "ingenieur"} <= lexicon.title_words()
    assert len(lexicon.fields_of_study()) >= 150
    assert {"university", "hochschule", "université", "hogeschool"} <= lexicon.institution_words()
    assert {"gmbh", "inc.", "b.v.", "s.l.", "pvt ltd"} <= lexicon.company_suffixes()


def test_languages_and_fluency() -> None:
    names = lexicon.language_names()
    assert len({code for _, code in names.values()}) >= 60
    assert names["deutsch"] == ("German", "de")
    assert names["néerlandais"] == ("Dutch", "nl")
    levels = lexicon.fluency_levels()
    assert levels["muttersprache"] == "native"
    assert levels["verhandlungssicher"] == "C1"
    assert levels["notions"] == "A2"
    assert set(levels.values()) <= {"A1", "A2", "B1", "B2", "C1", "C2", "native"}


def test_certifications() -> None:
    certs = lexicon.certifications()
    assert len(certs) >= 150
    aliases = {a for c in certs for a in c.aliases}
    assert {"PMP", "CISSP", "CKA", "PSM I", "CSM"} <= aliases


def test_months_and_date_words() -> None:
    m = lexicon.months()
    for word, number in [
        ("mär", 3),
        ("märz", 3),
        ("mrz", 3),
        ("janv.", 1),
        ("févr", 2),
        ("juil", 7),
        ("sept", 9),
        ("ene", 1),
        ("dic", 12),
        ("mei", 5),
        ("okt", 10),
    ]:
        assert m[word] == number
    assert {"present", "heute", "bis heute", "aujourd'hui", "actualidad", "heden"} <= (
        lexicon.present_words()
    )
    assert {"since", "seit", "depuis", "desde", "sinds"} <= lexicon.since_words()
    assert lexicon.season_months()["zomer"] == 6
