"""Name, e-mail, phone, links, location, headline and summary."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import cast

from parsing import lexicon
from parsing.contact import (
    US_STATES,
    Match,
    calling_code,
    country_code,
    country_index,
    find_emails,
    find_links,
    find_phones,
    link_network,
    normalize_url,
    region_for,
    region_names,
    subdivision_index,
)
from parsing.dates import find_date_ranges
from parsing.extractors.base import Context, segments
from parsing.gazetteer import city_country
from parsing.layout import Line
from parsing.model import Field
from parsing.nlp import entities
from parsing.sections import fold, match_heading

ZONE_LINES = 14
# written as a phone number, not a run of digits that merely could be one (dates, IDs)
PHONE_SHAPE_RE = re.compile(r"\+|\(\d{2,5}\)\s?\d|\d{3}[ .-]\d{3}[ .-]\d{4}$")
PHONE_HINT_RE = re.compile(r"\d[\d\s().\-/]{5,}\d")
SIDEBAR_ZONE_LINES = 16
ADDRESS_MAX_LINES = 3
# Regions tried, in order, for a number that is invalid where the CV's language points: the
# most populous phone regions whose national numbers do not start with a trunk 0.
FALLBACK_REGIONS = ("US", "IN", "GB", "DE", "FR", "ES", "NL", "IT", "AU", "AE", "SG", "ZA")
SURNAME_HEADING_WORDS = frozenset({"held"})  # "Positions Held" — and a German surname
NARROW_COLUMN = 0.5  # share of the page width: sidebars wrap e-mails, full-width text does not
URL_LIKE_RE = re.compile(r"\.(?:com|org|net|io|dev|me|de|fr|es|nl)\b|www\.|https?:")
NON_NAME_WORDS = frozenset(
    "resume résumé sample template example examples phone mobile email e-mail home address "
    "objective profile summary experience education skills page street road avenue city "
    "university college school institute group industries services solutions technologies "
    "engineering management marketing sales department manager applicant candidate seeker "
    "updated last achieved contents your town manage studio programming "
    # words a summary opens with, which a flattened header runs straight into the name
    "experienced certified dedicated motivated skilled seasoned passionate immediate aspiring "
    "dynamic highly proven accomplished enthusiastic hardworking energetic fresher willing "
    "results-driven detail-oriented self-motivated".split()
)
PARTICLES = {
    "van",
    "der",
    "den",
    "de",
    "la",
    "le",
    "von",
    "zu",
    "di",
    "da",
    "du",
    "del",
    "della",
    "dos",
    "das",
    "bin",
    "ibn",
    "al",
    "el",
    "y",
    "ter",
    "ten",
    "op",
    "af",
    "e",
    "st.",
}
NOT_NAMES = {
    "curriculum vitae",
    "resume",
    "résumé",
    "cv",
    "lebenslauf",
    "curriculum",
    "profile",
    "personal details",
    "contact",
    "kontakt",
    "about me",
    "hoja de vida",
    "portfolio",
}
LABEL_RE = re.compile(
    r"^\s*(?:name|nom|nombre|naam|full name|vorname und name|candidate name)\s*\|?\s*[:\-]\s*",
    re.I,
)
INITIALS_RE = re.compile(
    r"^(?:[A-Z]\.\s?)+[A-Z][A-Za-z]{2,}$|^[A-Z][A-Za-z]{2,}\s?\.(?:\s?[A-Z]\.?)+$"
)
LOCATION_LABEL_RE = re.compile(
    r"^\s*(?:address|location|adresse|anschrift|wohnort|dirección|direccion|adres|woonplaats|"
    r"lieu|residence|city|ville|ciudad|based in|current location|place|state|hometown|"
    r"permanent address|present address|current address)\s*\|?\s*[:\-]+\s*",
    re.I,
)
POSTCODE_CITY_RE = re.compile(
    r"^\s*(?:[A-Z]{1,2}-?)?(?:\d{4,6}|\d{8})(?:-\d{3,4})?(?:\s?[A-Z]{2}\b)?\s+[^\W\d_]"
)
POSTCODE_RE = re.compile(
    r"\b\d{4}\s?[A-Z]{2}\b|\b(?:\d{4,6}|\d{8})(?:-\d{3,4})?\b|\b[A-Z]{1,2}\d[\dA-Z]? ?\d[A-Z]{2}\b"
)
STREET_RE = re.compile(
    r"\d|\b(?:street|st\.|road|rd\.|avenue|ave\.?|lane|straße|strasse|str\.|weg|rue|calle|"
    r"avenida|plaza|laan|straat|gasse|platz|allee|boulevard|blvd|via|viale|piazza|corso|rua|"
    r"calle|carrer|camino|paseo|ulica|ul\.|chemin|impasse|place|quai|plein|steeg|path|marg|"
    r"drive|dr\.|court|ct\.|terrace|crescent|way|turnpike|highway|hwy)\b",
    re.I,
)


def _zone(ctx: Context) -> list[int]:
    """Line indices where contact details live: header, contact section, the top of page 1."""
    cached = ctx.memo.get("zone")
    if isinstance(cached, list):
        return cached
    zone = _compute_zone(ctx)
    ctx.memo["zone"] = zone
    return zone


def _compute_zone(ctx: Context) -> list[int]:
    idx: list[int] = []
    for s in ctx.of_kind("header", "contact"):
        idx.extend(range(s.first, min(s.last, s.first + 40)))
    lines = ctx.layout.lines
    # the first lines of page 1 count only when no header/contact region was found
    top = [] if idx else [i for i, ln in enumerate(lines[:ZONE_LINES]) if ln.page == 1]
    # a sidebar holding e-mail/phone is contact zone too, wherever reading order put it (a
    # page read as one block has no sidebar: its first lines are the zone already)
    if len({ln.block for ln in lines if ln.page == 1}) < 2:
        return sorted(set(idx) | set(top))
    blocks = {
        ln.block
        for ln in lines
        if ln.page == 1 and ("@" in ln.text or re.search(r"\+?\d[\d ()./-]{7,}\d", ln.text))
    }
    side = [i for i, ln in enumerate(lines) if ln.page == 1 and ln.block in blocks]
    firsts: dict[int, list[int]] = {}
    for i in side:
        firsts.setdefault(lines[i].block, []).append(i)
    extra = [i for ids in firsts.values() for i in ids[:SIDEBAR_ZONE_LINES]]
    return sorted(set(idx) | set(top) | set(extra))


def _is_script_name(text: str) -> bool:
    """A non-Latin (CJK, Cyrillic, Greek, ...) name written without Latin letters."""
    letters = [c for c in text if c.isalpha()]
    if not letters or any("LATIN" in unicodedata.name(c, "") for c in letters):
        return False
    return 2 <= len(letters) <= 30


@lru_cache(maxsize=1)
def _compact_skills() -> frozenset[str]:
    """Skill names and aliases, lower case, without spaces or punctuation ("matlab")."""
    return frozenset(re.sub(r"\W", "", k) for k in lexicon.skill_lexicon().canonical)


@lru_cache(maxsize=1)
def _heading_words() -> frozenset[str]:
    """Words of the section-heading lexicon ("Strengths", "Werdegang"): never part of a name."""
    words = {
        w
        for by_lang in lexicon.headings().values()
        for phrases in by_lang.values()
        for phrase in phrases
        for w in re.findall(r"[^\W\d_]{4,}", fold(phrase))
    }
    # both numbers: "Proficiency" → "Proficiencies", "Technologies" → "Technology"
    words |= {w[:-3] + "y" for w in words if w.endswith("ies")}
    words |= {w[:-1] + "ies" for w in words if w.endswith("y")}
    words |= {w[:-1] for w in words if w.endswith("s") and not w.endswith("ss")}
    words |= {w + "s" for w in words if not w.endswith("s")}
    return frozenset(words - SURNAME_HEADING_WORDS)


def name_shape(text: str) -> bool:
    """True when `text` looks like a person's name (2-5 words, capitalised, no digits)."""
    t = text.strip().strip(",")
    if not t or len(t) > 60 or re.search(r"[\d@/:()|]", t):
        return False
    if fold(t) in NOT_NAMES or match_heading(t) is not None:
        return False
    if re.search(r"(?i)\b(name|date|birth|father|mother|husband|address|status)\b", t):
        return False
    if _is_script_name(t):
        return len(t.split()) <= 4
    if INITIALS_RE.match(t):  # "S.HEMAVATHY", "MUTHAZHAGAN.P": initials glued to the name
        return fold(t) not in NOT_NAMES
    words = t.split()
    if not 2 <= len(words) <= 5 or all(len(w.strip(".")) == 1 for w in words):
        return False  # "N A M E": a spaced-out label, not initials and a name
    caps = 0
    for w in words:
        if w.lower() in PARTICLES:
            continue
        core = w.strip(".,'’")
        if not core or not core[0].isalpha() or not core[0].isupper():
            return False
        if not re.fullmatch(r"[^\W\d_]+(?:[-'’.][^\W\d_]*)*\.?", core):
            return False
        caps += 1
    if caps < 2 and not (caps == 1 and len(words) >= 2 and words[-1][0].isupper()):
        return False
    if city_country(t) is not None or re.sub(r"\W", "", t.lower()) in _compact_skills():
        return False  # "San Mateo", "LOS ANGELES", "Mat Lab": a place or a skill, not a person
    if any(run[0] == 0 for run in city_region_runs(t)) or fold(t) in subdivision_index():
        return False  # "Chennai Tamil Nadu …", "Tamil Nadu": places, not "Paris Hilton"
    low = {w.lower().strip(".,") for w in words}
    # a word after a particle after the first name is a surname even when it names a job
    # ('Heitor da Sales'; 'e Developer' starts with no name)
    surnames = {b.lower() for a, b in itertools.pairwise(words[1:]) if a.lower() in PARTICLES}
    if (
        (low - surnames) & NON_NAME_WORDS
        or {fold(w) for w in low} & _heading_words()
        or low & lexicon.institution_words()
        or low & lexicon.company_suffixes()
    ):
        return False
    return not ((low - surnames) & lexicon.title_words())


# NER reads this much of the contact zone (PERSON for the name, GPE/LOC for the place): a header
# fits; 700 chars cost twice the NER time (15 vs 7 ms a CV, NER being a third of a parse) and
# bought nothing measurable (on the 1,602 labelled documents 8 differ, none for the worse).
NAME_CONTEXT_CHARS = 300
PREFIX_RE = re.compile(r"^\W*(?:(?:curriculum vitae|resume|résumé|cv|lebenslauf)\b\W*)?", re.I)


def _name_prefix(text: str) -> int | None:
    """Length of the longest name-shaped run of 2-4 words at the start of a flattened line."""
    words = list(re.finditer(r"\S+", text))
    places = {run[0] for run in city_region_runs(text)}  # "Iffat Khan | Pune Maharashtra"
    regions = [k for k in range(min(len(words), 5)) if _region_at(words, k)]
    for n in (4, 3, 2):
        if regions and regions[0] < n:  # "Kushalnagar Karnataka": a place, however unknown
            continue
        if len(words) > n and name_shape(text[: words[n - 1].end()]):
            nxt = words[n].group(0)
            if (
                words[n].start() in places
                or nxt.lower().strip(".,") in NON_NAME_WORDS  # "… Mukund | Experienced …"
                or not nxt[:1].isupper()
                or re.search(r"\d", nxt)
                or nxt.isupper() != words[0].group(0).isupper()
            ):
                return words[n - 1].end()
    return None


INSIDE_WORDS = 3  # a name found after this many words of its line is inside running text


def _holds_region(text: str) -> bool:
    """Some words of `text` name a region ("Zirakpur Punjab Willing", "Jharkhand State")."""
    words = list(re.finditer(r"\S+", text))
    return any(_region_at(words, k) for k in range(len(words)))


def _region_at(words: list[re.Match[str]], k: int) -> bool:
    """Words k.. of a line start with the name of a region (state, province) of some country."""
    return any(
        fold(" ".join(w.group(0) for w in words[k : k + n]).strip(".,")) in region_names()
        for n in (1, 2, 3)
        if k + n <= len(words)
    )


def _stacked_name(ctx: Context, i: int, zone: list[int]) -> int | None:
    """End offset of a name set one word per line ('Trinidad' / 'Pujadas' / 'Rueda') or wrapped
    after a particle ('Victoria van' / 'Rousselet'), or None."""
    lines = ctx.layout.lines
    first = lines[i]
    head = first.text.split()
    wrapped = 2 <= len(head) <= 3 and head[-1].lower() in PARTICLES
    if not (len(head) == 1 or wrapped) or fold(first.text) in NOT_NAMES:
        return None
    if match_heading(first.text.strip()) is not None:
        return None
    best = None
    words = [first.text.strip()]
    for j in range(i + 1, min(i + 3, len(lines))):
        nxt = lines[j]
        if (
            j not in zone
            or len(nxt.text.split()) > 2
            or abs(nxt.size - first.size) >= 0.2
            or nxt.block != first.block
            or match_heading(nxt.text.strip()) is not None
        ):
            break
        words.append(nxt.text.strip())
        if name_shape(" ".join(words)):
            best = nxt.end
    return best


# How a name candidate's extent is known: "" from the layout (a line, a segment, a label);
# PREFIX = the first words of a long line, where only capitals (or NER) mark where it ends;
# INSIDE = a PERSON that NER alone found deep inside a line of prose.
PREFIX, INSIDE = "prefix", "inside"
NameCandidate = tuple[int, int, int, bool, str]  # line, start, end, labelled, guess


def _name_candidates(ctx: Context, zone: list[int]) -> list[NameCandidate]:
    """(line, start, end, labelled, guess) for name-shaped text in the contact zone."""
    lines = ctx.layout.lines
    text = ctx.layout.text
    cands: list[NameCandidate] = []
    for i in zone:
        line = lines[i]
        m = LABEL_RE.match(line.text)
        if m and name_shape(line.text[m.end() :]):
            cands.append((i, line.start + m.end(), line.end, True, ""))
            continue
        stacked = _stacked_name(ctx, i, zone)
        if stacked is not None:
            cands.append((i, line.start, stacked, False, ""))
            continue
        for a, b in segments(line.text, line.start):
            seg = text[a:b]
            if "," in seg:
                b = a + seg.index(",")
                seg = seg[: seg.index(",")]
            if name_shape(seg):
                cands.append((i, a, b, False, ""))
                break
            if i in zone[:2] and len(seg.split()) > 4:
                pm = PREFIX_RE.match(seg)
                off = pm.end() if pm else 0
                n = _name_prefix(seg[off:])
                if n is not None:
                    cands.append((i, a + off, a + off + n, False, PREFIX))
                    break
    return cands


def _zone_window(ctx: Context) -> tuple[int, int]:
    """The stretch of text NER reads once for both name and location: the contact zone's start."""
    zone = _zone(ctx)
    lines = ctx.layout.lines
    if not zone:
        return 0, 0
    z0 = lines[zone[0]].start
    return z0, min(lines[zone[-1]].end, z0 + NAME_CONTEXT_CHARS)


def _before_places(text: str, a: int, b: int, places: list[tuple[int, int]]) -> int | None:
    """End of the name text[a:b] cut before the first place it runs into; None when what is
    left is no name."""
    cut = min((s for s, e in places if s < b and a < e), default=b)
    if cut == b:
        return b
    cut = a + len(text[a:cut].rstrip())
    return cut if cut > a and name_shape(text[a:cut]) else None


def extract_name(ctx: Context) -> Field | None:
    """The candidate's name: name-shaped text near the top, in the largest font, PERSON per NER."""
    lines = ctx.layout.lines
    text = ctx.layout.text
    zone = _zone(ctx)
    if not zone:
        return None
    # "Maria K Chennai Tamil Nadu …": a name runs up to the place after it, never into it
    places = [
        (lines[i].start + a, lines[i].start + b)
        for i in zone[:2]
        for a, b, *_ in city_region_runs(lines[i].text)
    ]
    cands = [
        # a prefix that ends right before a city and its region is bounded, not guessed
        (i, a, cut, labelled, "" if any(cut <= s < cut + 3 for s, _ in places) else guess)
        for i, a, b, labelled, guess in _name_candidates(ctx, zone)[:6]
        if (cut := _before_places(text, a, b, places)) is not None
        and not (guess and _holds_region(text[a:cut]))
    ]
    z0, z1 = _zone_window(ctx)
    ents = entities([text[z0:z1]])[0]
    persons = [
        (z0 + s, cut)
        for s, e, lab in ents
        if lab == "PERSON" and (cut := _before_places(text, z0 + s, z0 + e, places)) is not None
    ]
    others = [
        (z0 + s, z0 + e) for s, e, lab in ents if lab in ("ORG", "GPE", "FAC", "LOC", "PRODUCT")
    ]
    for s, e in persons[:2]:
        if name_shape(text[s:e]) and not any(a <= s < b for _, a, b, _, _ in cands):
            i = ctx.layout.line_at(s)
            # a PERSON deep inside a line of prose ("… Routing and switching Wireshark
            # Antenna …"): NER alone, on text it reads badly, says it is a name
            deep = len(text[lines[i].start : s].split()) >= INSIDE_WORDS
            if not _holds_region(text[s:e]):  # "Kushalnagar Karnataka" is a place
                cands.append((i, s, e, False, INSIDE if deep else ""))
    if not cands:
        return None
    sizes = [lines[i].size for i in zone if lines[i].size > 0]
    max_size = max(sizes) if sizes else 0.0
    best: tuple[float, dict[str, float], tuple[int, int], str] | None = None
    for rank, (i, a, b, labelled, guess) in enumerate(cands):
        ev: dict[str, float] = {}
        if labelled:
            ev["labelled"] = 1.0
        if max_size and lines[i].size >= max_size - 0.1:
            ev["largest_font"] = 1.0
        if rank == 0 and guess != INSIDE:
            ev["first_line"] = 1.5 if i == zone[0] else 1.0
        length = b - a

        def covered(spans: list[tuple[int, int]], a: int = a, length: int = length) -> bool:
            return any(min(e, a + length) - max(s, a) >= 0.6 * length for s, e in spans)

        if covered(persons):
            ev["ner_agrees"] = 1.0
        elif covered(others):
            ev["ner_disagrees"] = 1.0
        if len(cands) == 1 and guess != INSIDE:
            ev["single_candidate"] = 1.0
        weight = sum(ev.values()) - 0.3 * rank - 1.5 * ev.get("ner_disagrees", 0.0)
        if best is None or weight > best[0]:
            best = (weight, ev, (a, b), guess)
    assert best is not None
    weight, ev, (a, b), guess = best
    for s, e in persons:  # a flattened line: trust the PERSON span's end over the prefix guess
        if s == a and a < e < b and name_shape(text[s:e]):
            b = e
    if "ner_disagrees" in ev and not ({"labelled", "largest_font"} & set(ev)):
        return None
    if guess == INSIDE or (guess == PREFIX and "ner_agrees" not in ev):
        ev["prefix_guess"] = 1.0  # nothing but capitals (or NER alone) says where it ends
    if len(cands) > 1 and "largest_font" not in ev and "first_line" not in ev:
        ev["competing"] = 1.0
    return ctx.make(a, b, "name", ev, "name.rules+ner", value=" ".join(text[a:b].split()))


def extract_email(ctx: Context) -> Field | None:
    """The first e-mail address, preferring the contact zone."""
    text = ctx.layout.text
    found = find_emails(text)
    if not found:
        return None
    zone = set(_zone(ctx))
    inzone = [m for m in found if ctx.layout.line_at(m.start) in zone]
    m = _wrapped_email(ctx, (inzone or found)[0])
    ev = {"valid": 1.0, "in_header": 1.0 if inzone else 0.0}
    if len({x.normalized for x in found}) > 1:
        ev["competing"] = 0.5
    if "\n" in text[m.start : m.end]:
        ev["pattern_guess"] = 1.0
    return ctx.make(
        m.start, m.end, "email", ev, "email.regex", value=m.value, normalized=m.normalized
    )


def _at_right_edge(ctx: Context, li: int, *, narrow_only: bool = True) -> bool:
    """The line reaches its column's right edge (by default only a narrow column's, where
    e-mails wrap): a token there may continue on the next line."""
    lines = ctx.layout.lines
    cur = lines[li]
    same = [ln for ln in lines if ln.block == cur.block and ln.page == cur.page]
    right = max((ln.bbox[2] for ln in same), default=0)
    if right <= 0:
        return False
    if narrow_only:
        left = min((ln.bbox[0] for ln in same), default=0)
        page = ctx.layout.pages[cur.page - 1].width if cur.page <= len(ctx.layout.pages) else 0
        if not (page > 0 and right - left < NARROW_COLUMN * page):
            return False
    return cur.bbox[2] >= right - 2 * max(cur.size, 1.0)


def _wrapped_email(ctx: Context, m: Match) -> Match:
    """An address broken at a narrow column's edge: 'antoinette.sanchezledo' / 'ux@hotmail.es'."""
    lines = ctx.layout.lines
    text = ctx.layout.text
    li = ctx.layout.line_at(m.start)
    start, end = m.start, m.end
    if start == lines[li].start and li > 0 and _at_right_edge(ctx, li - 1):
        head = re.search(r"[\w.+-]+$", lines[li - 1].text)
        if (
            head
            and lines[li - 1].block == lines[li].block
            and head.group(0) == head.group(0).lower()
            and (head.group(0) == lines[li - 1].text.strip() or re.search(r"[._\d]", head.group(0)))
        ):
            start = lines[li - 1].end - len(head.group(0))
    if end == lines[li].end and li + 1 < len(lines) and _at_right_edge(ctx, li):
        tail = lines[li + 1].text.strip()
        if re.fullmatch(r"[a-z]{1,4}", tail) and lines[li + 1].block == lines[li].block:
            end = lines[li + 1].end
    if (start, end) == (m.start, m.end):
        return m
    value = re.sub(r"\s+", "", text[start:end])
    return Match(start, end, value, value.lower())


def extract_phone(ctx: Context) -> Field | None:
    """The first phone number in E.164, region from the CV's country or language."""
    region = region_for(ctx.country, ctx.lang)
    lines = ctx.layout.lines
    found = _phones_in(ctx, _zone(ctx), region)
    inzone = bool(found)
    if not found:
        found = [
            m
            for m in _phones_in(ctx, _digit_lines(ctx, range(len(lines)), 9), region)
            if m.valid and len(re.sub(r"\D", "", m.value)) >= 9
        ]
    found = [m for m in found if not _in_date_context(ctx.layout.text, m.start, m.end)]
    international = any(m.value.lstrip().startswith(("+", "00")) for m in found)
    if not any(m.valid for m in found) and not international:
        # a CV's country rules the region unless no number at all reads under it
        found = _other_region_phones(ctx, region, read_here=bool(found)) or found
    if not found:
        return None
    valid = [m for m in found if m.valid]
    m = (valid or found)[0]
    ev = {"valid" if m.valid else "invalid": 1.0, "in_header": 1.0 if inzone else 0.0}
    if not m.value.strip().startswith("+") and not m.value.strip().startswith("00"):
        ev["region_guessed"] = 1.0
        if ctx.country and not str(m.normalized).startswith(f"+{calling_code(ctx.country)}"):
            ev["region_conflict"] = 1.0  # read under another country than the CV's own
    return ctx.make(m.start, m.end, "phone", ev, "phone.phonenumbers", normalized=m.normalized)


def _other_region_phones(ctx: Context, tried: str | None, *, read_here: bool) -> list[Match]:
    """Valid numbers of the contact zone under another region, when no number is valid under
    the guessed one ('Mobile : 98844 69713' in an Indian CV) and the CV names no country (or
    names one but `read_here` is False: nothing reads as a number under its region at all).

    The first region, in FALLBACK_REGIONS order, under which a zone number is valid wins;
    failing that, the first full-length (10+ digits) possible number of the zone, marked
    invalid ('(075) 306-9890')."""
    if ctx.country and read_here:
        return []
    # lines that can hold a number long enough, found once rather than once per region
    hinted = set(_digit_lines(ctx, range(len(ctx.layout.lines)), 7))
    zone = [i for i in _zone(ctx) if i in hinted]
    rest = _digit_lines(ctx, sorted(hinted.difference(zone)), 9)
    for region in FALLBACK_REGIONS:
        if region == tried:
            continue
        for lines, min_digits in ((zone, 7), (rest, 9)):  # outside the zone: full numbers only
            found = [
                m
                for m in _phones_in(ctx, lines, region)
                if m.valid
                and len(re.sub(r"\D", "", m.value)) >= min_digits
                and not _in_date_context(ctx.layout.text, m.start, m.end)
            ]
            if found:
                return found
    zone = _digit_lines(ctx, zone, 10)
    for region in FALLBACK_REGIONS:
        found = [
            m
            for m in _phones_in(ctx, zone, region)
            if len(re.sub(r"\D", "", m.value)) >= 10
            and PHONE_SHAPE_RE.match(m.value)
            and not _in_date_context(ctx.layout.text, m.start, m.end)
        ]
        if found:
            return found
    return []


def _digit_lines(ctx: Context, idxs: Iterable[int], min_digits: int) -> list[int]:
    """The lines among idxs that can hold a number of min_digits digits: a run of digits on
    the line and, for a number wrapped onto the next line, that line's digits too."""
    lines = ctx.layout.lines
    out = []
    for i in idxs:
        text = lines[i].text
        if not PHONE_HINT_RE.search(text):
            continue
        n = sum(ch.isdigit() for ch in text)
        if n < min_digits and i + 1 < len(lines):
            n += sum(ch.isdigit() for ch in lines[i + 1].text)
        if n >= min_digits:
            out.append(i)
    return out


def _phones_in(ctx: Context, idxs: Iterable[int], region: str | None) -> list[Match]:
    """Phone numbers on the given lines (only lines with a run of digits are searched)."""
    out: list[Match] = []
    # the region fallback asks for the same lines again: the matcher is read once per text
    seen = cast(dict[tuple[str, str | None], list[Match]], ctx.memo.setdefault("phones", {}))
    for i in idxs:
        line = ctx.layout.lines[i]
        if not PHONE_HINT_RE.search(line.text):
            continue
        text, tail = line.text, _phone_tail(ctx, i)
        found = _phones_once(seen, text, region)
        if tail is not None and not any(m.valid and m.end >= len(text.rstrip()) for m in found):
            # "+33 6 29 67 89" / "83": a number wrapped in a narrow column
            text = f"{text} {tail.text.strip()}"
            found = _phones_once(seen, text, region)
        else:
            tail = None
        for m in found:
            end = m.end + line.start
            if tail is not None and m.end > len(line.text):
                indent = len(tail.text) - len(tail.text.lstrip())
                end = tail.start + indent + m.end - len(line.text) - 1
            out.append(Match(m.start + line.start, end, m.value, m.normalized, m.valid))
    return out


def _phones_once(
    seen: dict[tuple[str, str | None], list[Match]], text: str, region: str | None
) -> list[Match]:
    key = (text, region)
    found = seen.get(key)
    if found is None:
        found = seen[key] = find_phones(text, region)
    return found


def _phone_tail(ctx: Context, i: int) -> Line | None:
    """The next line when it holds only the last digits of a number ending line i."""
    lines = ctx.layout.lines
    if i + 1 >= len(lines) or not re.search(r"\d\s*$", lines[i].text):
        return None
    nxt = lines[i + 1]
    if nxt.page != lines[i].page or not re.fullmatch(r"\s*\d{1,4}\s*", nxt.text):
        return None
    return nxt


def _in_date_context(text: str, a: int, b: int) -> bool:
    """A 'phone' that is really a date range ('2016 - 2018', '09/2016 - 09/2018')."""
    raw = text[a:b]
    return any(r.kind in ("range", "since") for r in find_date_ranges(raw))


def extract_links(ctx: Context) -> list[Field] | None:
    """Profile and site links from the contact zone; profile links (LinkedIn, GitHub) anywhere."""
    text = ctx.layout.text
    zone = set(_zone(ctx))
    excluded = {
        i
        for s in ctx.of_kind(
            "projects", "publications", "experience", "volunteer", "awards", "education"
        )
        for i in range(s.first, s.last)
    }
    listed = {i for s in ctx.of_kind("skills") for i in range(s.first, s.last)}
    out: list[Field] = []
    seen: set[str] = set()
    for m in find_links(text):
        li = ctx.layout.line_at(m.start)
        m = _wrapped_link(ctx, m, li)
        norm = m.normalized if isinstance(m.normalized, dict) else {}
        network = norm.get("network", "Website")
        in_zone = li in zone and li not in excluded
        if not in_zone and (network == "Website" or li in excluded):
            continue
        bare = not re.match(r"(?i)https?:|www\.", m.value) and "/" not in m.value
        if network == "Website" and bare and li in listed:
            continue  # "Trello | Bill.com | DCF": a product in a skills list, not a site
        key = str(norm.get("url", "")).lower().rstrip("/")
        if key in seen:
            continue
        seen.add(key)
        ev = {"valid": 1.0, "in_header": 1.0 if in_zone else 0.0}
        if network == "Website" and not m.value.lower().startswith(("http", "www")):
            ev["pattern_guess"] = 1.0
        out.append(
            ctx.make(m.start, m.end, "link", ev, "links.regex", value=m.value, normalized=norm)
        )
    return out


def _wrapped_link(ctx: Context, m: Match, li: int) -> Match:
    """A URL broken at a narrow column's edge continues on the next line as one bare token."""
    lines = ctx.layout.lines
    if li + 1 >= len(lines) or m.end != lines[li].end:
        return m
    nxt = lines[li + 1]
    tail = nxt.text.strip()
    if (
        not _at_right_edge(ctx, li, narrow_only=False)
        or match_heading(tail) is not None
        or URL_LIKE_RE.search(tail)
        or nxt.block != lines[li].block
        or not re.fullmatch(r"[\w\-./#?=%~]{1,40}", tail)
        or "." in tail[:1]
        or not re.search(r"[/-]", m.value[-25:])
    ):
        return m
    raw = m.value + tail
    url = normalize_url(raw)
    return Match(m.start, nxt.end, raw, {"network": link_network(url), "url": url})


LOCATION_PARTICLES = frozenset("de del la le am an der di da do du of upon on sur en im".split())


# Lower-case words of prose, never of a place name before a country
PROSE_WORDS = frozenset(
    "a an the and or for to with from by at as is are was in into open looking willing "
    "available relocate relocation remote work job".split()
)


def _place_word(word: str) -> bool:
    """A short lower-case word that can sit inside a place name ('los', 'gem.', 'bajos')."""
    return len(word.strip(".")) <= 5 and word.strip(".") not in PROSE_WORDS


# a school named inside a part ("… Indiana University"), not a town named after one
# ("College Station", "University Park")
SCHOOL_WORD_RE = re.compile(r"(?<=\S)\s+(?:universit\w*|college|institute|school)\b", re.I)


def _street_number(part: str) -> bool:
    """'5380 Michael Turnpike', 'Apt. 74': a house number with a street, not '75001 Paris'."""
    m = re.match(r"\s*(\d{1,4}[a-zA-Z]?)\s+(\S.*)$", part)
    if m and len(m.group(2).split()) >= 2:
        return True
    return bool(re.search(r"\b(?:apt|apartment|suite|unit|flat|no)\.?\s*\d", part, re.I))


def _trailing_city(text: str, country: str | None = None, *, whole: bool = False) -> str | None:
    """The known city (of `country`, when given) of one to three words that ends `text`;
    `whole` lets the city be all of `text`, else at least one word must precede it."""
    words = text.split()
    for n in range(min(3, len(words) - (0 if whole else 1)), 0, -1):
        name = " ".join(words[-n:])
        found = city_country(name)
        if found is not None and (country is None or found == country):
            return name
    return None


_PLACE_WORD_RE = re.compile(r"[^\W\d_]+(?:[.'’-][^\W\d_]+)*")
PLACE_RUN_CHARS = 200  # a header's place is among its first words


def city_region_runs(
    text: str, *, after: int | None = None
) -> list[tuple[int, int, str, str, str]]:
    """(start, end, city, region, country code) of each place written as a city followed by a
    region of its country among the first words of `text` ("… Engineer Chennai Tamil Nadu
    Email me …"). With `after`, the city may be unknown when the run starts right there (the
    word after the candidate's name: "Mastan Shaik | Khammam Telangana")."""
    words = list(_PLACE_WORD_RE.finditer(text[:PLACE_RUN_CHARS]))
    out: list[tuple[int, int, str, str, str]] = []
    for j in range(1, len(words)):
        for k in range(min(3, len(words) - j), 0, -1):
            region = text[words[j].start() : words[j + k - 1].end()]
            code = subdivision_index().get(fold(region)) if region[:1].isupper() else None
            if code is None:
                continue
            for n in range(min(2, j), 0, -1):
                first = words[j - n]
                city = text[first.start() : words[j - 1].end()]
                if not city[:1].isupper():
                    continue
                if city_country(city) == code or (n == 1 and first.start() == after):
                    out.append((first.start(), words[j + k - 1].end(), city, region, code))
                    break
            break
    return out


def _is_date_word(part: str) -> bool:
    """'Jan', 'Mar 2019', 'May.': a month (and year), which gazetteers know as small towns."""
    words = part.split()
    return (
        1 <= len(words) <= 2
        and lexicon.fold(words[0]).strip(".") in lexicon.months()
        and all(w.isdigit() for w in words[1:])
    )


def parse_location(text: str) -> tuple[str, dict[str, str]] | None:
    """Address-like text → (value, {city, region, countryCode}); street parts are dropped:
    'Rue X 5, 75001 Paris, France' → ('Paris, France', ...)."""
    parts = [p.strip() for p in re.split(r",|\s[-–]\s", text) if p.strip()]
    if not parts or len(parts) > 6 or _is_date_word(parts[0]):
        return None  # "Jan", "Mar 2019": a date, not a place
    if SCHOOL_WORD_RE.search(parts[-1]):
        return None  # "M.S, Bioinformatics, Indiana University": a degree line, no place
    # "Near Govt. College, Tirupur": a landmark of the street part
    parts = [p for p in parts if not SCHOOL_WORD_RE.search(p)]
    # "street, no., 60125 Trento, Italy": everything before the postcode+city part is street
    postal = [i for i, p in enumerate(parts[:-1]) if POSTCODE_CITY_RE.match(p)]
    if postal and postal[-1] > 0:
        parts = parts[postal[-1] :]
    code = country_code(parts[-1], len(parts))
    state = parts[-1].strip() if parts[-1].strip() in US_STATES and len(parts) <= 3 else None
    if state and len(parts) == 2:
        # "Meerut, IN" is India and "Indianapolis, IN" Indiana: the city's country decides;
        # "37738 Stade, DE" is Germany: a US ZIP follows the state, never the city
        as_country = country_index().get(state.lower())
        if as_country and (city_country(parts[0]) == as_country or postal):
            code, state = as_country, None
    region_code = None
    if code is None and len(parts) >= 2:
        region_code = subdivision_index().get(lexicon.fold(parts[-1].strip(" .")))
    kept: list[str] = []
    for i, p in enumerate(parts):
        is_last = i == len(parts) - 1
        cleaned = POSTCODE_RE.sub("", p)
        cleaned = cleaned.strip(" .-–=")
        if not cleaned:
            continue
        street = (
            STREET_RE.search(cleaned)
            or (_street_number(p) and not POSTCODE_CITY_RE.match(p))
            # after a US state the ZIP follows it: "8034 Chapman Extension" is a street
            or (state and _street_number(p))
        )
        if not is_last and len(parts) > 1 and street:
            if city := _trailing_city(cleaned):  # "440 Al Muteena Deira Dubai, UAE" → Dubai
                kept.append(city)
            continue
        if not re.fullmatch(r"[^\W\d_][\w .'’()/-]*", cleaned):
            return None
        lower = [w for w in cleaned.split() if w[:1].islower() and w not in LOCATION_PARTICLES]
        # "Dehariya sahu, Madhya Pradesh, India": a lower-case village word is fine before a
        # country; elsewhere lower case means prose
        if lower and not (code and len(parts) >= 3 and len(cleaned.split()) <= 2):
            if not (code and cleaned[:1].isupper() and all(_place_word(w) for w in lower)):
                return None  # "San Mauro los bajos, MX", "Ursem gem. S, NL" are places
        if len([w for w in cleaned.split() if w.lower() not in LOCATION_PARTICLES]) > 4:
            return None  # "San Yuridia de la Montaña" is four words and two particles
        kept.append(cleaned)
    if not kept:
        return None
    norm: dict[str, str] = {}
    city_parts = kept[:-1] if code else kept
    if code:
        norm["countryCode"] = code
    elif state:
        norm["countryCode"] = "US"
    elif region_code:
        norm["countryCode"] = region_code
    elif city_parts and (known := city_country(city_parts[0])):
        norm["countryCode"] = known
        norm["gazetteer"] = "city"
    if city_parts:
        norm["city"] = city_parts[0]
    if len(city_parts) > 1:
        norm["region"] = city_parts[1]
    elif len(kept) == 1 and (whole := [r for r in city_region_runs(kept[0]) if r[0] == 0]):
        if whole[0][1] == len(kept[0]):  # "Chennai Tamil Nadu"
            _, _, norm["city"], norm["region"], norm["countryCode"] = whole[0]
            norm.pop("gazetteer", None)
    return ", ".join(kept), norm


def _location_candidates(
    ctx: Context, name_end: int = -1
) -> list[tuple[float, dict[str, float], int, int]]:
    """(weight, evidence, start, end) for address-like segments of the contact zone;
    `name_end` is where the candidate's name ends in the text (-1 when none was found)."""
    lines = ctx.layout.lines
    text = ctx.layout.text
    occupied = [(m.start, m.end) for m in find_emails(text)] + [
        (m.start, m.end) for m in find_links(text)
    ]
    out: list[tuple[float, dict[str, float], int, int]] = []
    zone = _zone(ctx)
    unbroken = ctx.breaks_lost
    for rank, i in enumerate([*zone, *_labelled_elsewhere(ctx, zone)]):
        line = lines[i]
        label = LOCATION_LABEL_RE.match(line.text)
        end = _address_end(ctx, i)
        if label:  # "Place: Chennai | S.HEMAVATHY": the whole value, and its first part
            value = line.start + label.end()
            spans = [(value, end), *_contact_parts(line.text[label.end() :], value)[:1]]
        else:
            spans = _contact_parts(line.text, line.start)
        if not label and end > line.end:
            # an address wrapped after a comma: the whole line, and its last part with the rest
            last = max((s for s in spans if s[1] == line.end), default=None)
            spans += [(line.start, end)] + ([(last[0], end)] if last else [])
        if not label:  # "Chennai Tamil Nadu", and inside a line that lost its breaks
            after = name_end - line.start if line.start <= name_end <= line.end else None
            spans += [  # "Rahul N Devops Engineer Chennai Tamil Nadu Email me on Indeed"
                (line.start + a, line.start + b)
                for a, b, *_ in city_region_runs(line.text, after=after)
                if a == 0 or unbroken
            ]
        for a, b in spans:
            for sa, sb in _dash_parts(text, a, b):
                seg = text[sa:sb].strip()
                if not seg or len(seg) > (LABELLED_MAX if label else ADDRESS_MAX):
                    continue
                if any(x < sb and sa < y for x, y in occupied):
                    continue
                if (not label and sum(c.isdigit() for c in seg) > 12) or (
                    name_shape(seg) and "," not in seg
                ):
                    continue
                parsed = None if match_heading(seg) is not None else parse_location(seg)
                if parsed is None:
                    continue
                ev: dict[str, float] = {}
                norm = parsed[1]
                if norm.pop("gazetteer", None):
                    ev["gazetteer"] = 0.8
                elif "countryCode" in norm:
                    ev["country"] = 1.0
                if "," in seg:
                    ev["separator"] = 1.0
                if label:
                    ev["labelled"] = 1.0
                # the header's place first, in reading order; a labelled place elsewhere after
                lower = 0.05 * rank if rank < len(zone) else OUTSIDE_ZONE
                out.append((sum(ev.values()) - lower, ev, sa, sb))
    return out


SLASH_SEP_RE = re.compile(r"\s+/\s+")
TRAILING_SLASH_RE = re.compile(r"\s+/\s*$")


def _contact_parts(text: str, base: int) -> list[tuple[int, int]]:
    """A contact line's parts: its segments, and those holding an e-mail, a phone number or a
    link also cut at spaced slashes ("mail@x.de / 620 14 20 56 / Navarra, ES"); a whole segment
    stays a candidate too ("Zürich / Switzerland")."""
    out: list[tuple[int, int]] = []
    for a, b in segments(text, base):
        pos = a
        part = text[a - base : b - base]
        contact = "@" in part or PHONE_HINT_RE.search(part) or URL_LIKE_RE.search(part)
        cuts = list(SLASH_SEP_RE.finditer(text, a - base, b - base)) if contact else []
        for m in cuts:
            out.append((pos, base + m.start()))
            pos = base + m.end()
        if cuts:  # "… / Navarra, Zaragoza, ES /": a trailing slash closes the last part
            closing = TRAILING_SLASH_RE.search(text, pos - base, b - base)
            out.append((pos, base + closing.start() if closing else b))
        out.append((a, b))
    kept = [(a, b) for a, b in out if b > a and text[a - base : b - base].strip()]
    return [_after_icon(text, base, a, b) for a, b in kept]


def _after_icon(text: str, base: int, a: int, b: int) -> tuple[int, int]:
    """A part without its leading icon glyphs ("⌂ Greenport, OR", "☎ +1 …"): symbols of
    Unicode category So only, so bullets, dashes and brackets stay."""
    i = a - base
    while i < b - base and (text[i].isspace() or unicodedata.category(text[i]) == "So"):
        i += 1
    return base + i, b


# Labels that name where the candidate lives (not a job's or a school's location)
PERSONAL_PLACE_RE = re.compile(
    r"^\s*(?:place|current location|present location|present address|current address|"
    r"permanent address|residence|hometown|wohnort|domicile)\s*\|?\s*[:\-]",
    re.I,
)
ADDRESS_MAX = 90  # chars of an address-like part ("Diagonal Lerma 085 Interior 898, 60456 …")
LABELLED_MAX = 120  # chars of a labelled address line ("Dirección: Retorno Norte … México")
OUTSIDE_ZONE = 1.0  # weight lost by a labelled place outside the contact zone
NOT_PERSONAL_KINDS = frozenset({"experience", "education", "projects", "volunteer", "references"})


def _labelled_elsewhere(ctx: Context, zone: list[int]) -> list[int]:
    """Lines outside the contact zone labelled with the candidate's own place ('Current
    Location : Coimbatore,India', 'Place: Chennai' above the signature), outside entries."""
    inside = set(zone)
    out = []
    for i, line in enumerate(ctx.layout.lines):
        if i in inside or not PERSONAL_PLACE_RE.match(line.text):
            continue
        section = ctx.section_of_line(i)
        if section is None or section.kind not in NOT_PERSONAL_KINDS:
            out.append(i)
    return out


def _address_end(ctx: Context, i: int) -> int:
    """End of an address wrapped over lines ending with a comma (narrow sidebars)."""
    lines = ctx.layout.lines
    j = i
    while (
        j + 1 < len(lines)
        and j - i < ADDRESS_MAX_LINES
        and lines[j].text.rstrip().endswith(",")
        and lines[j + 1].block == lines[i].block
    ):
        j += 1
    return lines[j].end


def _dash_parts(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Split 'Bengaluru, Karnataka - Email me on Indeed: ...' at spaced dashes."""
    out: list[tuple[int, int]] = []
    pos = a
    for m in re.finditer(r"\s+[-–—]\s+|\s+[-–—]$", text[a:b]):
        if re.match(r"\d{4,6}\b", text[a + m.end() : b]):
            continue  # "Chennai – 600053, Tamil Nadu": a city and its postcode
        out.append((pos, a + m.start()))
        pos = a + m.end()
    out.append((pos, b))
    return [(x, y) for x, y in out if y > x]


def extract_location(ctx: Context, *, name: Field | None = None) -> Field | None:
    """The candidate's own city/region/country from the contact zone (needs a country, a label
    or NER's word that it is a place: a comma alone is not enough)."""
    text = ctx.layout.text
    taken: tuple[int, int] = (-1, -1)
    if name is not None and name.source is not None and name.source.start is not None:
        taken = (name.source.start, name.source.end or name.source.start)
    cands = sorted(
        (
            c
            for c in _location_candidates(ctx, taken[1])
            if not (c[2] < taken[1] and taken[0] < c[3])
        ),
        key=lambda c: -c[0],
    )[:8]
    if not cands:
        return None
    lo, hi = _zone_window(ctx)
    ents = [(lo + s, lo + e, lab) for s, e, lab in entities([text[lo:hi]])[0]]
    best = None
    for weight, ev, a, b in cands:
        inside = [lab for s, e, lab in ents if a <= s and e <= b]
        if any(lab in ("GPE", "LOC") for lab in inside):
            ev["ner_agrees"] = 1.0
            weight += 1.0
        elif any(lab in ("PERSON", "ORG") for lab in inside) and "country" not in ev:
            ev["ner_disagrees"] = 1.0
            weight -= 1.0
        if not {"country", "labelled", "ner_agrees", "gazetteer"} & set(ev):
            continue
        if best is None or weight > best[0]:
            best = (weight, ev, a, b)
    if best is None:
        return None
    _, ev, a, b = best
    value, norm = parse_location(text[a:b].strip()) or ("", {})
    norm.pop("gazetteer", None)
    if len(cands) > 1:
        ev["competing"] = 0.5
    if norm.get("countryCode"):
        ctx.country = norm["countryCode"]
    at = text.find(value, a, b)
    if at >= 0:
        a, b = at, at + len(value)
    city = _city_on_line_before(ctx, a, norm)
    if city is not None:  # "…, Kolkata 700019" / "West Bengal, India": the address's city
        a, city_name = city
        value = f"{city_name}, {value}"
        norm = {**norm, "city": city_name, "region": norm.get("city", "")}
    return ctx.make(a, b, "location", ev, "location.rules+ner", value=value, normalized=norm)


CITY_AT_END_RE = re.compile(r"([^\W\d_][^\W\d_ .'’-]*(?:[ .'’-]+[^\W\d_]+){0,2})\W*\d{0,6}\W*$")


def _city_on_line_before(ctx: Context, a: int, norm: dict[str, str]) -> tuple[int, str] | None:
    """(start, city) when a location that names only a region and country continues an
    address whose previous line ends with a known city of that country (postcode allowed)."""
    first, country = norm.get("city"), norm.get("countryCode")
    if not first or not country or subdivision_index().get(lexicon.fold(first)) != country:
        return None  # the location already starts with a city (or names no region)
    lines = ctx.layout.lines
    i = ctx.layout.line_at(a)
    if i == 0 or lines[i].start != a or lines[i - 1].page != lines[i].page:
        return None
    prev = lines[i - 1]
    m = CITY_AT_END_RE.search(prev.text)
    if m is None:
        return None
    name = _trailing_city(m.group(1), country, whole=True)
    if name is None:
        return None
    return prev.start + m.start(1) + m.group(1).rfind(name), name


def extract_headline(ctx: Context, name: Field | None) -> Field | None:
    """The title line right under the name, when it reads as a job title."""
    if name is None or name.source is None or name.source.start is None:
        return None
    lines = ctx.layout.lines
    i = ctx.layout.line_at(name.source.start)
    titles = lexicon.title_words()
    for j in range(i + 1, min(i + 3, len(lines))):
        line = lines[j]
        segs = segments(line.text, line.start)
        if not segs:
            continue
        a, b = segs[0]
        seg = ctx.layout.text[a:b].strip()
        words = {w.lower().strip(",.&") for w in re.split(r"[\s/]+", seg)}
        if "@" in seg or re.search(r"\d{3}", seg) or len(seg.split()) > 10:
            continue
        if match_heading(seg) is not None:
            return None
        if words & titles or seg.lower() in lexicon.job_titles():
            return ctx.make(a, b, "headline", ["lexicon"], "headline.rules")
    return None


def extract_summary(ctx: Context) -> Field | None:
    """The summary/profile section's text."""
    for s in ctx.of_kind("summary"):
        if s.last <= s.first:
            continue
        lines = ctx.layout.lines[s.first : s.last]
        a = lines[0].start + (s.inline_start or 0 if s.heading == s.first else 0)
        b = lines[-1].end
        value = " ".join(ln.text.strip() for ln in lines).strip()
        if not value:
            continue
        return ctx.make(a, b, "summary", ["in_section"], "summary.section", value=value[:2000])
    return None
