"""List fields: skills (lexicon + section items), spoken languages with fluency, certifications."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz, process

from parsing import lexicon
from parsing.extractors.base import BULLET_RE, Context, content_lines
from parsing.model import Field, LanguageEntry
from parsing.nlp import SKILL_SPANS, cv_pipeline
from parsing.sections import fold, match_heading

ITEM_SPLIT_RE = re.compile(r"\s*(?:,|;|\||•|·|▪|◆|●|■|/\s|\s/|\t|\s{3,}|\s[-–]\s)\s*")
LABEL_RE = re.compile(r"^\s*([^:]{2,40}):\s*")
PIPE_LABEL_RE = re.compile(r"^\s*([^|,]{2,40}?)\s*\|\s*")
LEVEL_SUFFIX_RE = re.compile(r"\s*[\(\[]([^)\]]{1,40})[\)\]]\s*$")
CEFR_RE = re.compile(r"\b([ABC][12])\b")
FUZZY_SKILL_MIN = 92
MAX_SKILL_WORDS = 5


def _items(ctx: Context, sections_kinds: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """Items of list sections: (abs start, abs end, text), group labels removed."""
    out: list[tuple[int, int, str]] = []
    for section in ctx.of_kind(*sections_kinds):
        rows = list(content_lines(ctx, section))
        bulleted = sum(bool(BULLET_RE.match(ln.text[off:])) for _, ln, off in rows)
        for _i, line, off in rows:
            body = line.text[off:]
            base = line.start + off
            m = BULLET_RE.match(body)
            if (
                not m
                and out
                and bulleted * 2 >= len(rows)
                and len(body.split()) <= 3
                and not re.search(r"[,;|:]", body)
                and out[-1][1] == line.start - 1
            ):  # a wrapped bullet item: "• Retrieval-Augmented" / "Generation"
                a0, _, t0 = out[-1]
                out[-1] = (a0, line.end, f"{t0} {body.strip()}")
                continue
            if m:
                base += m.end()
                body = body[m.end() :]
            lm = LABEL_RE.match(body)
            if lm is None and "," in body:
                lm = PIPE_LABEL_RE.match(body)
            if lm and len(lm.group(1).split()) <= 4:
                base += lm.end()
                body = body[lm.end() :]
            pos = 0
            for sm in [*ITEM_SPLIT_RE.finditer(body), None]:
                end = sm.start() if sm else len(body)
                piece = body[pos:end]
                lead = len(piece) - len(piece.lstrip(" .-*"))
                text = piece.strip(" .-*")
                if text:
                    out.append((base + pos + lead, base + pos + lead + len(text), text))
                if sm:
                    pos = sm.end()
    return out


@lru_cache(maxsize=1)
def _skill_keys() -> list[str]:
    return list(lexicon.skill_lexicon().canonical)


def canonical_skill(text: str) -> tuple[str | None, str]:
    """(canonical name, how) for a printed skill: exact/alias, fuzzy, or (None, 'unknown')."""
    lex = lexicon.skill_lexicon()
    key = re.sub(r"\s+", " ", text.strip().lower())
    if key in lex.canonical:
        return lex.canonical[key], "lexicon"
    if len(key) >= 5:
        hit = process.extractOne(
            key, _skill_keys(), scorer=fuzz.ratio, score_cutoff=FUZZY_SKILL_MIN
        )
        if hit is not None:
            return lex.canonical[hit[0]], "lexicon_fuzzy"
    return None, "unknown"


def _well_formed_skill(text: str) -> bool:
    words = text.split()
    if not words or len(words) > MAX_SKILL_WORDS or len(text) > 60:
        return False
    if text.endswith(".") and len(words) > 2:
        return False
    if match_heading(text) is not None:
        return False
    return bool(re.search(r"[^\W\d_]", text))


def extract_skills(ctx: Context) -> list[Field] | None:
    """Skills-section items (canonicalised; unknown well-formed items kept) and text skills."""
    out: list[Field] = []
    seen: set[str] = set()
    has_section = bool(ctx.of_kind("skills"))
    for a, b, text in _items(ctx, ("skills",)):
        canon, how = canonical_skill(text)
        if canon is None and not _well_formed_skill(text):
            continue
        if canon in lexicon.AMBIGUOUS_SKILLS and how != "lexicon":
            continue
        key = (canon or text).lower()
        if key in seen:
            continue
        seen.add(key)
        ev = {"in_section": 1.0, how: 1.0}
        out.append(ctx.make(a, b, "skill", ev, f"skills.section.{how}", normalized=canon or text))
    if not has_section:
        out.extend(_text_skills(ctx, seen))
    if not out and not has_section:
        return None
    return out


def _text_skills(ctx: Context, seen: set[str]) -> list[Field]:
    """Lexicon skills mentioned in experience/summary text (no skills section in the CV)."""
    out: list[Field] = []
    nlp = cv_pipeline()
    lex = lexicon.skill_lexicon()
    for section in ctx.of_kind("experience", "summary", "header", "projects"):
        lines = ctx.layout.lines[section.first : section.last]
        if not lines:
            continue
        a0 = lines[0].start
        doc = nlp(ctx.layout.text[a0 : lines[-1].end])
        for span in doc.spans[SKILL_SPANS]:
            canon = lex.canonical.get(span.text.lower())
            if canon is None or canon in lexicon.AMBIGUOUS_SKILLS or canon.lower() in seen:
                continue
            seen.add(canon.lower())
            a, b = a0 + span.start_char, a0 + span.end_char
            out.append(
                ctx.make(a, b, "skill", ["lexicon", "from_text"], "skills.text", normalized=canon)
            )
    return out


def _language_lookup(text: str) -> tuple[str, str] | None:
    names = lexicon.language_names()
    return names.get(fold(text)) or names.get(text.strip().lower())


def _fluency(text: str) -> str | None:
    m = CEFR_RE.search(text)
    if m:
        return m.group(1)
    levels = lexicon.fluency_levels()
    t = fold(text)
    if t in levels:
        return levels[t]
    for word, lvl in sorted(levels.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"(?<!\w){re.escape(fold(word))}(?!\w)", t):
            return lvl
    return None


def extract_languages(ctx: Context) -> list[LanguageEntry] | None:
    """Spoken languages with fluency from language sections (and 'Languages:' lines)."""
    if not ctx.of_kind("languages"):
        return None
    out: list[LanguageEntry] = []
    seen: set[str] = set()
    for section in ctx.of_kind("languages"):
        for _i, line, off in content_lines(ctx, section):
            body = line.text[off:]
            base = line.start + off
            for m in re.finditer(r"[^\W\d_][^\W\d_'’ -]*[^\W\d_]|[^\W\d_]", body):
                word = m.group(0)
                hit = _language_lookup(word)
                if hit is None:
                    first = word.split()[0] if word.split() else word
                    hit = _language_lookup(first)
                    if hit is None:
                        continue
                    word = first
                english = hit[0]
                if english in seen:
                    continue
                seen.add(english)
                a = base + m.start()
                b = a + len(word)
                tail = body[m.start() + len(word) :]
                # the level runs up to the next language name on the line
                stop = next(
                    (
                        w.start()
                        for w in re.finditer(r"[^\W\d_]+", tail)
                        if _language_lookup(w.group(0))
                    ),
                    len(tail),
                )
                level_text = tail[:stop]
                entry = LanguageEntry(
                    language=ctx.make(
                        a,
                        b,
                        "language",
                        ["lexicon", "in_section"],
                        "languages.lexicon",
                        normalized=english,
                    )
                )
                lvl = _fluency(level_text)
                if lvl:
                    la = b + (len(level_text) - len(level_text.lstrip(" :-–(,")))
                    lb = b + len(level_text.rstrip(" ,;|)"))
                    if lb > la:
                        entry.fluency = ctx.make(
                            la, lb, "fluency", ["lexicon"], "languages.level", normalized=lvl
                        )
                out.append(entry)
    return out


CERT_SEPARATORS = (" — ", " | ", " · ", ", ", " – ", " - ")
DATE_PARENS_RE = re.compile(r"\s*[(\[][^)\]]*\b(?:19|20)\d\d\b[^)\]]*[)\]]\s*$")
TRAILING_YEAR_RE = re.compile(r"(?:,|\s[-–—·|])?\s*(?:\d{1,2}[/.])?(?:19|20)\d\d\s*$")
LEADING_YEAR_RE = re.compile(r"^\s*(?:\d{1,2}[/.])?(?:19|20)\d\d\s*(?:[-–—·|:]\s*)?")
ISSUER_PARENS_RE = re.compile(r"\s*\(([^()]{2,60})\)\s*$")
ISSUER_WORDS = frozenset(
    "coursera udemy edx udacity linkedin pluralsight datacamp google microsoft aws amazon ibm "
    "oracle cisco comptia pmi axelos isc2 (isc)² scrum.org scrum alliance hackerrank "
    "freecodecamp kaggle deeplearning.ai stanford harvard mit university academy institute "
    "inc. inc ltd llc gmbh foundation council association".split()
)


def _issuer_like(tail: str) -> bool:
    low = tail.lower()
    words = set(re.findall(r"[\w.()²]+", low))
    issuers = {c.issuer.lower() for c in lexicon.certifications() if c.issuer}
    return low in issuers or bool(words & ISSUER_WORDS) or bool(words & lexicon.company_suffixes())


def split_certification(text: str) -> tuple[str, str | None]:
    """'Name, Issuer (Apr 2021)' → ('Name', 'Issuer'); the name keeps its own dashes/commas."""
    dated = DATE_PARENS_RE.search(text) is not None
    body = DATE_PARENS_RE.sub("", text).strip()
    for pattern in (TRAILING_YEAR_RE, LEADING_YEAR_RE):
        stripped = pattern.sub("", body).strip()
        if stripped != body and stripped:
            body, dated = stripped, True
    pm = ISSUER_PARENS_RE.search(body)
    if pm and _issuer_like(pm.group(1)):
        return body[: pm.start()].strip(), pm.group(1)
    suffixes = lexicon.company_suffixes()
    for sep in CERT_SEPARATORS:
        if sep not in body:
            continue
        cut = body.rfind(sep)
        tail = body[cut + len(sep) :].strip()
        if tail.lower().strip(".") in suffixes or tail.lower() in suffixes:
            prev = body.rfind(sep, 0, cut)
            if prev <= 0:
                break
            cut, tail = prev, body[prev + len(sep) :].strip()
        if (
            0 < len(tail.split()) <= 6
            and not re.search(r"\b(19|20)\d\d\b", tail)
            and (dated or sep == " — " or _issuer_like(tail))
        ):
            return body[:cut].strip(), tail
        break
    return body, None


def extract_certifications(ctx: Context) -> list[Field] | None:
    """Certification lines: the name (issuer and date after the last separator are dropped)."""
    if not ctx.of_kind("certifications"):
        return None
    known = {c.name.lower(): c.name for c in lexicon.certifications()}
    for c in lexicon.certifications():
        for alias in c.aliases:
            known[alias.lower()] = c.name
    out: list[Field] = []
    for section in ctx.of_kind("certifications"):
        for _i, line, off in content_lines(ctx, section):
            body = line.text[off:]
            base = line.start + off
            m = BULLET_RE.match(body)
            if m:
                base += m.end()
                body = body[m.end() :]
            name, issuer = split_certification(body)
            if not name or len(name.split()) > 16 or re.fullmatch(r"[\W\d]+", name):
                continue
            if match_heading(name) is not None:
                continue
            a = base + body.find(name)
            ev = {"in_section": 1.0}
            canon = known.get(name.lower())
            if canon:
                ev["lexicon"] = 1.0
            if issuer:
                ev["separator"] = 1.0
            if len(name.split()) > 10:
                ev["long"] = 1.0
            out.append(
                ctx.make(
                    a,
                    a + len(name),
                    "certification",
                    ev,
                    "certifications.section",
                    normalized=canon,
                )
            )
    return out
