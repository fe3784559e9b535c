"""List fields: skills (lexicon + section items), spoken languages with fluency, certifications."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz, process

from parsing import gazetteer, lexicon
from parsing.extractors.base import BULLET_RE, Context, content_lines
from parsing.extractors.education import degree_match
from parsing.layout import Line
from parsing.model import Field, LanguageEntry
from parsing.nlp import SKILL_SPANS, cv_pipeline
from parsing.sections import Section, fold, match_heading

ITEM_SPLIT_RE = re.compile(r"\s*(?:,|;|\||•|·|▪|◆|●|■|/\s|\s/|\t|\s{3,}|\s[-–]\s)\s*")
LABEL_RE = re.compile(r"^\s*([^:]{2,40}):\s*")
PIPE_LABEL_RE = re.compile(r"^\s*([^|,]{2,40}?)\s*\|\s*")
LEVEL_SUFFIX_RE = re.compile(r"\s*[\(\[]([^)\]]{1,40})[\)\]]\s*$")
CEFR_RE = re.compile(r"\b([ABC][12])\b")
FUZZY_SKILL_MIN = 92
MAX_SKILL_WORDS = 5
WRAP_MARGIN = 0.08  # share of the list's width: a line ending this close to the edge wrapped
LIST_EVIDENCE_MIN = 4  # items a skills list needs before its make-up says anything
# "Java (3 years)", "CSS (Less than 1 year)": job-board skill lists carry years of use.
YEARS_SUFFIX_RE = re.compile(
    r"\s*[(\[]\s*(?:less than\s+)?\d+(?:\.\d+)?\+?\s*(?:years?|yrs?)\s*[)\]]?\s*$", re.I
)
# Not a skill at all: contact details, links, dates and the leftovers of a wrapped "(N years)".
NOT_SKILL_RE = re.compile(
    r"@|://|\bwww\.|^[(\[]|^(?:less than\s+)?\d*\+?\s*(?:years?|yrs?)\)?$"
    r"|\d{3}[ .-]\d{3,4}[ .-]\d{3,4}"
    r"|\b(?:19|20)\d\d\s*(?:[-–—]|to)\s*(?:(?:19|20)\d\d|present|current|now)\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?:19|20)\d\d\b"
    r"|\b\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)\d\d\b",  # "13-06-2012": a day, not a skill
    re.I,
)
# Function words: an item built around them is a phrase from prose, not a skill name.
PHRASE_WORDS = frozenset(
    "a an the of with for to in on at by from and or as is are was were my our their this that "
    "using have has had be been into".split()
)


def _items(ctx: Context, sections_kinds: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """Items of list sections: (abs start, abs end, text), group labels removed."""
    out: list[tuple[int, int, str]] = []
    for section in ctx.of_kind(*sections_kinds):
        rows = list(content_lines(ctx, section))
        bulleted = sum(bool(BULLET_RE.match(ln.text[off:])) for _, ln, off in rows)
        wraps = _wrapped_rows(rows)
        for n, (_i, line, off) in enumerate(rows):
            body = line.text[off:]
            base = line.start + off
            joins = n - 1 in wraps  # the first item continues the previous line's last one
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
                if text and joins and out:  # "Oracle, SQL, MS" / "Access" → "MS Access"
                    a0, _, t0 = out[-1]
                    out[-1] = (a0, base + pos + lead + len(text), f"{t0} {text}")
                elif text:
                    out.append((base + pos + lead, base + pos + lead + len(text), text))
                joins = False
                if sm:
                    pos = sm.end()
    return out


def _wrapped_rows(rows: list[tuple[int, Line, int]]) -> set[int]:
    """Rows of a comma list that run to the right margin without a closing separator: their
    last item continues on the next row (PDF only: plain text has no margin to go by)."""
    edges = [ln.bbox[2] for _, ln, _ in rows if ln.bbox[2] > 0]
    if not edges:
        return set()
    right, left = max(edges), min(ln.bbox[0] for _, ln, _ in rows)
    out: set[int] = set()
    for n, (_, line, off) in enumerate(rows[:-1]):
        body = line.text[off:].rstrip()
        nxt = rows[n + 1][1]
        nxt_body = nxt.text[rows[n + 1][2] :]
        if (
            "," in body
            and body[-1:] not in ",;|:."
            and nxt.page == line.page
            and line.bbox[2] >= right - WRAP_MARGIN * (right - left)
            and not (LABEL_RE.match(nxt_body) or BULLET_RE.match(nxt_body))
            and nxt_body[:1].isalnum()
        ):
            out.add(n)
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
    if match_heading(text) is not None or NOT_SKILL_RE.search(text):
        return False
    return bool(re.search(r"[^\W\d_]", text))


def skill_item_evidence(text: str, how: str) -> dict[str, float]:
    """Evidence about one skills-section item beyond the lexicon: shape says skill or prose.

    A skill name is short, starts like a name and carries no function words; an item that
    starts in lower case or reads like a phrase is more likely a fragment."""
    ev: dict[str, float] = {"in_section": 1.0, how: 1.0}
    if how != "unknown":
        return ev
    words = text.split()
    if len(words) > 2:
        ev["long"] = min(1.0, (len(words) - 2) / 3)
    if any(w.lower() in PHRASE_WORDS for w in words):
        ev["phrase"] = 1.0
    if (
        re.match(r"[&:)\]]", text)
        or re.search(r"[&:(\[]$", text)
        or (text.count("(") != text.count(")"))
    ):
        ev["fragment"] = 1.0
    last = words[-1].lower().strip("().,")
    if last in lexicon.title_words() or gazetteer.city_country(text) is not None:
        ev["other_kind"] = 1.0  # reads as a job title or a place, not a skill
    if text[:1].islower() and not re.search(r"[A-Z+#.\d]", text):
        ev["lowercase"] = 1.0
    return ev


class _SkillItem(NamedTuple):
    """A skills-section item kept for scoring; `canon` None = not in the lexicon."""

    start: int
    end: int
    text: str
    canon: str | None
    how: str
    job_board: bool  # listed with "(N years)"


TEXT_SKILL_KINDS = ("experience", "summary", "header", "projects")


def extract_skills(ctx: Context) -> list[Field] | None:
    """Skills-section items (canonicalised; unknown well-formed items kept) and text skills."""
    kept: list[_SkillItem] = []
    seen: set[str] = set()
    has_section = bool(ctx.of_kind("skills"))
    for a, b, text in _items(ctx, ("skills",)):
        years = YEARS_SUFFIX_RE.search(text)
        if years and years.start() > 0:
            b -= len(text) - years.start()
            text = text[: years.start()]
        canon, how = canonical_skill(text)
        if canon is None and not _well_formed_skill(text):
            continue
        if canon is not None and canon.lower() in lexicon.AMBIGUOUS_SKILLS and how != "lexicon":
            continue
        key = (canon or text).lower()
        if key in seen:
            continue
        seen.add(key)
        kept.append(_SkillItem(a, b, text, canon, how, years is not None))
    neighbours = _list_evidence(kept)
    out: list[Field] = []
    for a, b, text, canon, how, job_board in kept:
        ev = skill_item_evidence(text, how)
        if how == "unknown":
            ev.update(neighbours)
        if job_board:
            ev["labelled"] = 1.0  # "(N years)" is how job boards list skills
        value = " ".join(text.split())
        out.append(
            ctx.make(
                a, b, "skill", ev, f"skills.section.{how}", value=value, normalized=canon or value
            )
        )
    if not has_section:
        out.extend(_text_skills(ctx, seen, TEXT_SKILL_KINDS))
    elif not kept:  # a skills section not written as a list ("Skills IT Skills HTML CSS SQL …")
        out.extend(_text_skills(ctx, seen, ("skills",)))
    if not out and not has_section:
        return None
    return out


def _list_evidence(items: list[_SkillItem]) -> dict[str, float]:
    """What the whole skills list says about its unknown items.

    A list whose other items are known skills and short names is a keyword list, so an unknown
    item in it is probably a skill too; a list of long unknown phrases is prose cut at commas."""
    if len(items) < LIST_EVIDENCE_MIN:
        return {}
    known = sum(item.canon is not None for item in items) / len(items)
    short = sum(len(item.text.split()) <= 2 for item in items) / len(items)
    return {
        "known_neighbours": max(-1.0, min(1.0, (known - 0.3) * 2.5)),
        "short_neighbours": max(-1.0, min(1.0, (short - 0.8) * 5)),
    }


def _text_skills(ctx: Context, seen: set[str], kinds: tuple[str, ...]) -> list[Field]:
    """Lexicon skills mentioned in the text of sections of these kinds (experience, summary
    ... when the CV has no skills section; a skills section that is not a list)."""
    out: list[Field] = []
    nlp = cv_pipeline()
    lex = lexicon.skill_lexicon()
    for section in ctx.of_kind(*kinds):
        lines = ctx.layout.lines[section.first : section.last]
        if not lines:
            continue
        a0 = lines[0].start
        text = ctx.layout.text[a0 : lines[-1].end]  # doc.text would rebuild it per call
        doc = nlp(text)
        for span in doc.spans[SKILL_SPANS]:
            canon = lex.canonical.get(span.text.lower())
            if canon is None or canon.lower() in seen:
                continue
            if _plain_word_use(span.text, canon, text, span.start_char):
                continue
            ambiguous = lexicon.AMBIGUOUS_SKILLS & {canon.lower(), span.text.lower()}
            if ambiguous and _inside_name(text, span.start_char, span.end_char):
                continue  # "Billy Crystal", "Salt Optics", "American Express": part of a name
            seen.add(canon.lower())
            a, b = a0 + span.start_char, a0 + span.end_char
            out.append(
                ctx.make(a, b, "skill", ["lexicon", "from_text"], "skills.text", normalized=canon)
            )
    return out


def _plain_word_use(surface: str, canon: str, text: str, at: int) -> bool:
    """A skill whose name is also an everyday word ("Room", "Box", "Sales", "Organization"),
    seen in prose as that word: lower case, or capitalised only because a sentence or line
    starts there. Programming languages are exempt ("written in python")."""
    if len(surface) <= 3 and surface.islower():
        return True  # "can", "go", "c": short lower-case words, whatever skill they spell
    if not re.fullmatch(r"[A-Z][a-z]+", canon):
        return False
    if lexicon.skill_lexicon().categories.get(canon) == "programming_language":
        return False
    if surface.islower() or surface.isupper():
        return True
    i = at  # walk back over blanks: slicing text[:at] would copy the section per span
    while i and text[i - 1] in " \t":
        i -= 1
    return not i or text[i - 1] in ".!?:;\n•-–*"


def _inside_name(text: str, a: int, b: int) -> bool:
    """text[a:b] sits next to another capitalised word on its line that is no skill itself:
    one word of a longer name ("American Express"), not one of a run of skills ("Java Scala")."""
    before = re.search(r"(\S+)[ \t]+$", text[max(0, a - 40) : a])
    after = re.match(r"[ \t]+(\S+)", text[b : b + 40])
    canonical = lexicon.skill_lexicon().canonical
    return any(
        m is not None
        and m.group(1)[:1].isupper()
        and m.group(1).strip(".,;:()").lower() not in canonical
        for m in (before, after)
    )


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


CERT_SEPARATORS = (" — ", " | ", " · ", " • ", ", ", " – ", " - ")
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


CERT_LINE_WORDS = 12  # a certificate's name with its issuer and date fits in this
# "I got to work", "my team": the first person ("PSPO I" is a level, not a pronoun)
FIRST_PERSON_RE = re.compile(r"\bI\s+[a-z]|\b(?:my|we|our|me)\b")
# a sentence's middle: a stray full stop, or a plain lower-case word ("students.", not "dbt")
MID_SENTENCE_RE = re.compile(r"^(?:\.|[a-z]{5,}\b)")


def _prose(text: str) -> bool:
    """A line of a sentence, not a name: it starts mid-sentence or speaks in the first person."""
    return bool(MID_SENTENCE_RE.match(text) or FIRST_PERSON_RE.search(text))


def _bulleted_items(ctx: Context, section: Section) -> list[tuple[int, str]]:
    """(abs start, text) of a section's items without their bullets; in a mostly bulleted
    list a line without a bullet continues the item above ("• CIPD Level 5 Associate Diploma
    in People" / "Management, CIPD, 2014"), its line break read as a space."""
    rows = list(content_lines(ctx, section))
    bulleted = sum(bool(BULLET_RE.match(ln.text[off:])) for _, ln, off in rows)
    items: list[tuple[int, str]] = []
    for _i, line, off in rows:
        body = line.text[off:]
        base = line.start + off
        m = BULLET_RE.match(body)
        if m:
            base += m.end()
            body = body[m.end() :]
        elif items and bulleted * 2 >= len(rows):
            a0, t0 = items[-1]
            if a0 + len(t0) == line.start - 1:  # the item above ends on the line above
                items[-1] = (a0, f"{t0} {body}")
                continue
        items.append((base, body))
    return items


def extract_certifications(ctx: Context) -> list[Field] | None:
    """Certification lines of certification sections, and certificates named elsewhere.

    None = the CV has no certification section and names no certificate anywhere else."""
    known = {c.name.lower(): c.name for c in lexicon.certifications()}
    for c in lexicon.certifications():
        for alias in c.aliases:
            known[alias.lower()] = c.name
    out: list[Field] = []
    for section in ctx.of_kind("certifications"):
        for base, body in _bulleted_items(ctx, section):
            name, issuer = split_certification(body)
            if not name or len(name.split()) > CERT_LINE_WORDS or re.fullmatch(r"[\W\d]+", name):
                continue
            if _prose(name):
                continue  # "students. The goal of the training was …": told, not named
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
    out.extend(_named_certificates(ctx, known, {f.value.lower() for f in out}))
    if not out and not ctx.of_kind("certifications"):
        return None
    return out


# "NCC 'B' Certificate", "Electrician License", "Certification in Financial Markets (NCFM)".
CERT_WORD_RE = re.compile(r"\b(?:certificates?|certification|licen[cs]e)\b", re.I)
CERT_TAIL_RE = re.compile(r"^\s+(?:in|of|on)\s+[^,;:.]+?(?=\s+(?:from|by|with|at)\s|[,;:]|$)", re.I)
CERT_LEAD_RE = re.compile(
    r"^(?:(?:holder|holding|obtained|received|completed|earned|awarded|achieved|got|have|has|"
    r"having|a|an|the|of|with|valid|note)\b\W*)+",
    re.I,
)
CERT_SCAN_KINDS = ("awards", "skills", "education", "summary", "header", "interests", "contact")
NOT_CERT_RE = re.compile(r"\bdriv(?:ing|er'?s?)\b|^certified\s+in\b", re.I)
CERTIFIED_IN_RE = re.compile(r"^certified\s+in\s+", re.I)
# In education sections, school certificates and degrees ("Licence", "BSc") are schooling.
SCHOOLING_RE = re.compile(r"\b(?:school|secondary|leaving|matric\w*|board|sslc|hsc|ssc)\b", re.I)
CERT_MAX_WORDS = 12
CLAUSE_START_RE = re.compile(r"[:;,.|•●▪]\s|^\s*\d+[.)]\s|^\W+")


def _schooling(name: str) -> bool:
    """A school-leaving certificate or a degree ("Licence", "BSc"): schooling, not a certificate."""
    degree = degree_match(name)
    return bool(SCHOOLING_RE.search(name)) or (degree is not None and degree[2] != "certificate")


def _certificate_name(body: str, m: re.Match[str]) -> tuple[int, str] | None:
    """(clause start, name) of the certificate whose word `m` matched in `body`; None = not a
    certificate (a driving licence, schooling, an unbalanced or lower-case fragment)."""
    cuts = CLAUSE_START_RE.finditer(body[: m.start()])
    start = max((x.end() for x in cuts), default=0)
    lead = CERT_LEAD_RE.match(body[start : m.start()])
    start += lead.end() if lead else 0
    tail = CERT_TAIL_RE.match(body[m.end() :])
    name = body[start : m.end() + (tail.end() if tail else 0)].strip()
    if not name[:1].isupper() or name.count("(") != name.count(")"):
        return None
    name = CERTIFIED_IN_RE.sub("", name)  # "Certified in X Certificate" → "X Certificate"
    if NOT_CERT_RE.search(name) or not 2 <= len(name.split()) <= CERT_MAX_WORDS:
        return None
    return None if _schooling(name) else (start, name)


def _named_certificates(ctx: Context, known: dict[str, str], seen: set[str]) -> list[Field]:
    """Certificates named outside a certification section ("Holder of NCC 'B' Certificate").

    The name is the clause around the certificate word: what precedes it in the clause (minus
    "Holder of", "Obtained" ...) and an "in/of ..." complement; issuer and grade are left out."""
    out: list[Field] = []
    for section in ctx.of_kind(*CERT_SCAN_KINDS):
        for _i, line, off in content_lines(ctx, section):
            body = line.text[off:]
            for m in CERT_WORD_RE.finditer(body):
                found = _certificate_name(body, m)
                if found is None or found[1].lower() in seen:
                    continue
                start, name = found
                seen.add(name.lower())
                a = line.start + off + body.find(name, start)
                # told in running text like a skill mention: right about one time in four
                ev = {"outside_section": 1.0, "lexicon": 1.0, "from_text": 1.0}
                out.append(
                    ctx.make(
                        a,
                        a + len(name),
                        "certification",
                        ev,
                        "certifications.named",
                        normalized=known.get(name.lower()),
                    )
                )
    return out
