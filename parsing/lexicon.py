"""Curated lexicons (skills, headings, titles, degrees, languages, dates) loaded from `lexicons/`.

Every loader is cached and returns plain immutable data, so callers may share the results freely.
Lookups are exact (case-insensitive, whitespace-normalised); fuzzy matching belongs to the parser.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

LEXICON_DIR = Path(__file__).parent / "lexicons"
HEADING_SECTIONS = (
    "contact",
    "summary",
    "experience",
    "education",
    "skills",
    "languages",
    "certifications",
    "projects",
    "volunteer",
    "awards",
    "publications",
    "interests",
    "references",
)
LANGS = ("en", "de", "fr", "es", "nl")
DEGREE_LEVELS = frozenset(
    {"associate", "bachelor", "master", "doctorate", "diploma", "certificate", "secondary", "other"}
)
# Lower-cased surface forms (canonical names and aliases) that are also ordinary words, names or
# single letters: a match on one of these needs supporting context (a skills section, a list).
_AMBIGUOUS = """
c, r, d, go, swift, rust, ruby, dart, julia, crystal, pascal, ada, elm, hack, mojo, scheme,
shell, make, ant, chef, puppet, salt, spark, storm, pig, hive, flink, beam, luigi, prefect,
dash, ray, express, ember, meteor, backbone, flask, bottle, echo, fiber, rocket, gin,
phoenix, play framework, relay, vite, parcel, bun, box, heap, segment, numbers, pages,
keynote, word, excel, access, outlook, teams, project, glue, lambda, athena, amplify, neon,
chroma, sanity, ghost, strapi, realm, room, combine, expo, sage, epic, lean, training, tax,
audit, sales, lever, workday, kanban, scrum, git, lua, nim, zig, vault, consul, nomad,
helm, flux, loki, envoy, caddy, qt, metal, unity, godot, maya, nuke, houdini, rhino, eagle,
sketch, framer, canva, notion, zoom, slack, trello, asana, basecamp, pr, pm, bi, ai, ml,
qa, qc, ad, ap, ar, gl, bd, cv, ts, js, ps, fp, or, ct, can, ssr, dl, rl, ner, tf, es6,
mit, mode, looker, coaching, mentoring, leadership, communication, organization,
initiative, motivation, patience, integrity, feedback, networking, accounting, marketing,
nursing, logistics, distribution, packaging, shipping, closing, trading, banking, payments,
compliance, consulting, strategy, reporting, monitoring, documentation, debugging,
refactoring, prototyping, rendering, illustration, photography, animation, typography,
branding, translation, interpreting, reception, filing, scheduling, correspondence,
dictation, transcription, surgery, pharmacy, nutrition, triage, welding, machining,
surveying, hydraulics, pneumatics, calibration, metrology, instrumentation, robotics,
export, wholesale, prospecting, negotiation, collections, invoicing, lending, hr, sourcing,
interviewing, onboarding, offboarding, litigation, arbitration, mediation, counseling,
midwifery, oncology, cardiology, neurology, premiere, scala
"""
AMBIGUOUS_SKILLS = frozenset(s.strip() for s in _AMBIGUOUS.split(",") if s.strip())


@dataclass(frozen=True, slots=True)
class SkillLexicon:
    """Skill names: lower-cased name or alias -> canonical, canonical -> category."""

    canonical: dict[str, str]
    categories: dict[str, str]
    names: tuple[str, ...]

    def lookup(self, text: str) -> str | None:
        """Canonical skill for `text` (exact, case-insensitive); None = not a known skill."""
        return self.canonical.get(normalise(text))


@dataclass(frozen=True, slots=True)
class DegreePattern:
    """One way of printing a degree, with its level and the language it is typical of."""

    text: str
    level: str
    lang: str


@dataclass(frozen=True, slots=True)
class Certification:
    """A real certification with its issuing body and the short forms people print."""

    name: str
    issuer: str
    aliases: tuple[str, ...]


_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case without accents ('München' → 'munchen'); keeps the text's other characters."""
    if text.isascii():  # NFKD leaves ASCII as it is
        return text.lower()
    # lower() after NFKD: styled letters ('𝐒𝐤𝐢𝐥𝐥𝐬', circled, full-width) decompose to capitals
    nfkd = unicodedata.normalize("NFKD", text).lower()
    return "".join(c for c in nfkd if not unicodedata.combining(c))


def normalise(text: str) -> str:
    """Lower-case and collapse whitespace: the key form of every lexicon entry."""
    return _SPACE.sub(" ", text).strip().lower()


def _lines(name: str) -> list[str]:
    """Non-empty lines of a data file, comments (`#`) skipped."""
    text = (LEXICON_DIR / name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def _json(name: str) -> Any:
    """Parsed JSON data file."""
    return json.loads((LEXICON_DIR / name).read_text(encoding="utf-8"))


def _grouped(name: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """Blocks of a sectioned text file headed by `## <lang> <group>` lines."""
    text = (LEXICON_DIR / name).read_text(encoding="utf-8")
    groups: dict[tuple[str, str], list[str]] = {}
    key: tuple[str, str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("## "):
            lang, group = line[3:].split(maxsplit=1)
            key = (lang, group)
            groups.setdefault(key, [])
        elif line and not line.startswith("#") and key is not None:
            groups[key].append(line)
    return {k: tuple(v) for k, v in groups.items()}


@lru_cache(maxsize=1)
def skill_lexicon() -> SkillLexicon:
    """All curated skills with their aliases and categories."""
    canonical: dict[str, str] = {}
    categories: dict[str, str] = {}
    names: list[str] = []
    for line in _lines("skills.tsv"):
        name, category, aliases = ([*line.split("\t"), "", ""])[:3]
        names.append(name)
        categories[name] = category
        canonical[normalise(name)] = name
    # Aliases second, so a canonical name always wins over another skill's alias.
    for line in _lines("skills.tsv"):
        name, _category, aliases = ([*line.split("\t"), "", ""])[:3]
        for alias in filter(None, aliases.split("|")):
            canonical.setdefault(normalise(alias), name)
    return SkillLexicon(canonical=canonical, categories=categories, names=tuple(names))


@lru_cache(maxsize=1)
def headings() -> dict[str, dict[str, tuple[str, ...]]]:
    """Section heading variants: section -> language -> headings as printed."""
    data: dict[str, dict[str, list[str]]] = _json("headings.json")
    return {sec: {lang: tuple(v) for lang, v in by_lang.items()} for sec, by_lang in data.items()}


@lru_cache(maxsize=1)
def job_title_groups() -> dict[tuple[str, str], tuple[str, ...]]:
    """Job titles as printed, grouped by (language, industry group)."""
    return _grouped("job_titles.txt")


@lru_cache(maxsize=1)
def job_titles() -> frozenset[str]:
    """Every known job title, lower-cased."""
    return frozenset(normalise(t) for titles in job_title_groups().values() for t in titles)


@lru_cache(maxsize=1)
def title_words() -> frozenset[str]:
    """Head words of job titles (engineer, manager, ingenieur, ...), lower-cased."""
    return frozenset(_lines("title_words.txt"))


@lru_cache(maxsize=1)
def degree_patterns() -> tuple[DegreePattern, ...]:
    """Degree names and abbreviations with level and language."""
    return tuple(DegreePattern(d["text"], d["level"], d["lang"]) for d in _json("degrees.json"))


@lru_cache(maxsize=1)
def field_groups() -> dict[tuple[str, str], tuple[str, ...]]:
    """Fields of study as printed, grouped by (language, discipline group)."""
    return _grouped("fields_of_study.txt")


@lru_cache(maxsize=1)
def fields_of_study() -> frozenset[str]:
    """Every known field of study, lower-cased."""
    return frozenset(normalise(f) for fields in field_groups().values() for f in fields)


@lru_cache(maxsize=1)
def institution_words() -> frozenset[str]:
    """Words and acronyms marking an educational institution, lower-cased."""
    return frozenset(normalise(w) for w in _lines("institution_words.txt"))


@lru_cache(maxsize=1)
def company_suffix_forms() -> tuple[str, ...]:
    """Company legal-form suffixes as usually printed (GmbH, Inc., S.L., ...)."""
    return tuple(_lines("company_suffixes.txt"))


@lru_cache(maxsize=1)
def company_suffixes() -> frozenset[str]:
    """Company legal-form suffixes, lower-cased."""
    return frozenset(normalise(s) for s in company_suffix_forms())


@lru_cache(maxsize=1)
def language_names() -> dict[str, tuple[str, str]]:
    """Lower-cased language name (en/de/fr/es/nl/native) -> (English name, ISO 639-1 code)."""
    data: dict[str, dict[str, str]] = _json("languages.json")["languages"]
    return {k: (v["name"], v["code"]) for k, v in data.items()}


@lru_cache(maxsize=1)
def fluency_levels() -> dict[str, str]:
    """Lower-cased level words in the five languages -> CEFR level or "native"."""
    data: dict[str, str] = _json("languages.json")["fluency"]
    return dict(data)


@lru_cache(maxsize=1)
def certifications() -> tuple[Certification, ...]:
    """Curated real certifications with issuer and aliases."""
    out = []
    for line in _lines("certifications.tsv"):
        name, issuer, aliases = ([*line.split("\t"), "", ""])[:3]
        out.append(Certification(name, issuer, tuple(filter(None, aliases.split("|")))))
    return tuple(out)


@lru_cache(maxsize=1)
def month_names() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Month spellings per language: lang -> 12 tuples (January first), full name first."""
    data: dict[str, list[list[str]]] = _json("months.json")["months"]
    return {lang: tuple(tuple(m) for m in months) for lang, months in data.items()}


@lru_cache(maxsize=1)
def months() -> dict[str, int]:
    """Lower-cased month names and abbreviations in all five languages -> 1..12."""
    out: dict[str, int] = {}
    for by_month in month_names().values():
        for number, spellings in enumerate(by_month, start=1):
            for s in spellings:
                out[s] = number
    return out


@lru_cache(maxsize=1)
def season_months() -> dict[str, int]:
    """Season words (summer, Sommer, été, verano, zomer, ...) -> a representative month."""
    data: dict[str, int] = _json("months.json")["seasons"]
    return dict(data)


@lru_cache(maxsize=1)
def present_words_by_lang() -> dict[str, tuple[str, ...]]:
    """Words meaning "until now" per language, most common first."""
    data: dict[str, list[str]] = _json("months.json")["present"]
    return {lang: tuple(words) for lang, words in data.items()}


@lru_cache(maxsize=1)
def present_words() -> frozenset[str]:
    """Lower-cased words meaning "until now" (present, heute, aujourd'hui, actualidad, heden...)."""
    return frozenset(w for words in present_words_by_lang().values() for w in words)


@lru_cache(maxsize=1)
def since_words_by_lang() -> dict[str, tuple[str, ...]]:
    """Words introducing an open-ended start date per language, most common first."""
    data: dict[str, list[str]] = _json("months.json")["since"]
    return {lang: tuple(words) for lang, words in data.items()}


@lru_cache(maxsize=1)
def since_words() -> frozenset[str]:
    """Lower-cased words introducing an open-ended start date (since, seit, depuis, desde...)."""
    return frozenset(w for words in since_words_by_lang().values() for w in words)
