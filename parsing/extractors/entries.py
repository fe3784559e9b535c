"""Experience and education entries: anchored on dates and degrees, split by evidence."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from parsing import lexicon
from parsing.contact import US_STATES, country_index, subdivision_index
from parsing.dates import PRESENT, DateRange, find_date_ranges, total_years
from parsing.extractors.base import BULLET_RE, Context, content_lines
from parsing.extractors.contact import parse_location
from parsing.gazetteer import city_country
from parsing.layout import Line
from parsing.model import EducationEntry, ExperienceEntry, Field
from parsing.nlp import entities
from parsing.sections import Section, match_heading

MAX_HEADER_WORDS = 14
# Evidence strengths (see parsing/confidence.py for the weights they scale).
RESTORED_BREAKS_DOUBT = 0.4
UNSUPPORTED_DOUBT = {"title": 3.0, "company": 1.0}
INHERITED_DOUBT = 3.0
WEAK_LEXICON = 0.3  # an all-caps token alone scores 0.12: not enough to trust the position
ENTRY_KINDS = ("experience", "education")
CONNECTIVES = frozenset(
    "of and for the de du des la le van von der und et y e di da in at on".split()
)
SENTENCE_WORDS = frozenset("the a an i my our we was were is are have has had".split())
PART_SPLIT_RE = re.compile(
    r"\s+(?:at|@|chez|bei|bij)\s+|\s+(?:en|in der|im)\s+(?=[A-Z0-9ÀÉÖÜ])"
    r"|\s*[|•·]\s*|\s+[—–-]\s+|,\s+|\t|\s{3,}"
)
STRONG_SPLIT_RE = re.compile(r"\s+(?:at|@)\s+|\s*[|•·]\s*|\s+[—–-]\s+|\t|\s{3,}")
STRIP = " ()[]-–—,:;|•"
ENTRY_LABELS = {
    **dict.fromkeys(
        (
            "company",
            "company name",
            "organisation",
            "organization",
            "employer",
            "firm",
            "name of the company",
            "name of organisation",
            "name of organization",
            "unternehmen",
            "arbeitgeber",
            "entreprise",
            "empresa",
            "werkgever",
            "bedrijf",
        ),
        "company",
    ),
    **dict.fromkeys(
        (
            "designation",
            "job designation",
            "position",
            "role",
            "title",
            "job title",
            "post",
            "current designation",
            "position held",
            "funktion",
            "position occupée",
            "poste",
            "cargo",
            "puesto",
            "functie",
        ),
        "title",
    ),
    **dict.fromkeys(
        (
            "period",
            "duration",
            "tenure",
            "from",
            "to",
            "dates",
            "date",
            "since",
            "zeitraum",
            "période",
            "periodo",
            "periode",
        ),
        "date",
    ),
    **dict.fromkeys(
        (
            "job responsibilities",
            "responsibilities",
            "roles and responsibilities",
            "roles & responsibilities",
            "duties",
            "job profile",
            "description",
            "project",
            "projects",
            "client",
            "team size",
            "environment",
            "achievements",
            "location",
            "place",
        ),
        "other",
    ),
}
LABEL_ONLY_RE = re.compile(r"\s*[•·\-–]?\s*[^\W\d][\w .&/]{0,30}?\s*\|?\s*:[:\-–]*\s*")
ENTRY_LABEL_RE = re.compile(
    r"\s*("
    + "|".join(re.escape(k) for k in sorted(ENTRY_LABELS, key=len, reverse=True))
    + r")\s*\|?\s*[:\-–]+\s*",
    re.I,
)
DETAIL_LABEL_RE = re.compile(r"[^\W\d][\w.&/()]*(?: [\w.&/()]+){0,3}\s*:\s*\S")
PLACE_TAIL_RE = re.compile(r"\s+[-–—]\s+(?!.*\s[-–—]\s)")
DENSE_SHARE = 0.25
GRADE_RE = re.compile(r"(?i)(gpa|grade|note|cgpa|percentage|score|mention)\b")
WIDE_SECTION_ROWS = 40
DANGLING_RE = re.compile(r"(?i)\s(?:in|of|and|&|for|with)$")
WRAPPED_RANGE_RE = re.compile(r"(?:\d{4}\s*[-–—]|\d{4}\s*[-–—]\s*[^\W\d_]{3,5}\.?)\s*$")
NAME_PARTICLES = frozenset("van von de der den del della di da du la le ter ten".split())
COMPANY_DOT_RE = re.compile(
    r"\b(?:inc|ltd|co|corp|llc|s\.a|b\.v|n\.v|gmbh|s\.p\.a|s\.r\.l)\.$", re.I
)


def _trim(piece: str) -> tuple[int, int]:
    """Offsets of `piece` without surrounding punctuation; balanced brackets are kept."""
    lead = len(piece) - len(piece.lstrip(STRIP))
    trail = len(piece.rstrip(STRIP))
    if (
        trail < len(piece)
        and piece[trail] == ")"
        and piece[lead:trail].count("(") > piece[lead:trail].count(")")
    ):
        trail += 1
    return lead, trail


AT_RE = re.compile(r"\s+(?:at|@|chez|bei|bij)\s+", re.I)


@dataclass
class Part:
    """A piece of an entry header with absolute char offsets."""

    start: int
    end: int
    text: str
    after_at: bool = False
    before_at: bool = False
    alone: bool = False
    place: bool = False
    kind_hint: str = ""


@dataclass
class Block:
    """One entry under construction: its date range, header parts and description lines."""

    date: DateRange | None
    date_abs: tuple[int, int] | None
    parts: list[Part] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    desc: list[int] = field(default_factory=list)


def _label_kind(text: str) -> str | None:
    """The entry-label kind a line starts with ('Client: X' → 'other'), else None."""
    m = ENTRY_LABEL_RE.match(text)
    return ENTRY_LABELS[lexicon.normalise(m.group(1))] if m else None


def _header_like(text: str) -> bool:
    t = text.strip()
    if _labelled(t, 0):
        return True
    if not t or BULLET_RE.match(t) or len(t) > 110:
        return False
    if _label_kind(t) == "other" or (
        _label_kind(t) is None and DETAIL_LABEL_RE.match(t)
    ):  # "Client: Acme", "Tools Used: Excel": a detail of the entry, not its header
        return False
    if len(t.split()) > MAX_HEADER_WORDS:
        return False
    if t.endswith(".") and len(t.split()) > 5 and not COMPANY_DOT_RE.search(t):
        return False
    return match_heading(t) is None


def _labelled(text: str, base: int) -> list[Part] | None:
    """'Job Designation : Back office Executive' → that value, hinted as a title; a label with
    no value ('Job Responsibilities:') → no part; None when the line carries no known label."""
    bullet = BULLET_RE.match(text)
    skip = bullet.end() if bullet else 0
    m = ENTRY_LABEL_RE.match(text, skip)
    if m is None:
        return None
    kind = ENTRY_LABELS[lexicon.normalise(m.group(1))]
    value = text[m.end() :]
    lead, trail = _trim(value)
    if kind not in ("title", "company") or trail <= lead:
        return []
    start = base + m.end() + lead
    return [Part(start, start + trail - lead, value[lead:trail], kind_hint=kind)]


def _split_parts(text: str, base: int, *, strong: bool = False) -> list[Part]:
    """Split a header string on ' at ', '|', ' — ', ', ' into parts with absolute offsets."""
    labelled = _labelled(text, base)
    if labelled is not None:
        return labelled
    if LABEL_ONLY_RE.fullmatch(text):  # "Job Duration | :" once its dates are taken out
        return []
    out: list[Part] = []
    pos = 0
    at_next = False
    for m in (STRONG_SPLIT_RE if strong else PART_SPLIT_RE).finditer(text):
        if text.count("(", 0, m.start()) > text.count(")", 0, m.start()):
            continue  # never split inside brackets: "Solutions (CEBS | Matas)"
        piece = text[pos : m.start()]
        if piece.strip(STRIP):
            lead, trail = _trim(piece)
            out.append(
                Part(base + pos + lead, base + pos + trail, piece[lead:trail], after_at=at_next)
            )
            if AT_RE.fullmatch(m.group(0)):
                out[-1].before_at = True
        at_next = bool(AT_RE.fullmatch(m.group(0)))
        pos = m.end()
    piece = text[pos:]
    if piece.strip(STRIP):
        lead, trail = _trim(piece)
        out.append(Part(base + pos + lead, base + pos + trail, piece[lead:trail], after_at=at_next))
    return _merge_suffixes(
        [p for p in out if p.text.strip() and not re.fullmatch(r"[\W\d]+", p.text)]
    )


def _merge_suffixes(parts: list[Part]) -> list[Part]:
    """'Nara Logics' + 'Inc' → 'Nara Logics, Inc': a legal form alone belongs to the name before."""
    out: list[Part] = []
    suffixes = lexicon.company_suffixes()
    for p in parts:
        head = re.sub(r"\s*\(.*\)\s*$", "", p.text)  # "Inc. (acquired by Updater)"
        if out and head.lower().strip(".") in suffixes | {x.rstrip(".") for x in suffixes}:
            prev = out.pop()
            out.append(
                Part(
                    prev.start,
                    p.end,
                    f"{prev.text}, {p.text}",
                    after_at=prev.after_at,
                    before_at=p.before_at,
                )
            )
        else:
            out.append(p)
    return out


def _entry_line(info: list[tuple[int, Line, int, str, list[DateRange]]], j: int) -> bool:
    """A header-like line that is not the wrapped tail of the bullet above it."""
    body = info[j][3]
    if not _header_like(body):
        return False
    prev = info[j - 1][3] if j > 0 else ""
    return not (BULLET_RE.match(prev) and body[:1].islower())


def _strip_ranges(text: str, ranges: list[DateRange]) -> str:
    """The line with its date ranges blanked out (empty when it was only dates)."""
    out = text
    for r in sorted(ranges, key=lambda r: -r.start_pos):
        out = out[: r.start_pos] + " " + out[r.end_pos :]
    rest = out.strip(" |()–-,")
    return rest if rest else ""


def _without_dates(
    text: str, ranges: list[DateRange], base: int, *, strong: bool = False
) -> list[Part]:
    """Header parts of a line after removing its date ranges (strong: never split on commas)."""
    parts: list[Part] = []
    pos = 0
    for r in ranges:
        parts.extend(_split_parts(text[pos : r.start_pos], base + pos, strong=strong))
        pos = r.end_pos
    parts.extend(_split_parts(text[pos:], base + pos, strong=strong))
    return parts


EDU_CUTS = (
    ("|", 7),
    (" from ", 6),
    (" at ", 5),
    (",", 4),
    (" — ", 3),
    (" – ", 2),
    (" - ", 1),
    ("•", 0),
)
EDU_LABEL_RE = re.compile(
    r"(?i)(?:graduation|post[- ]?graduation|under[- ]?graduation|qualification|degree|"
    r"course|school|college|university|institute|board|diploma)\s*\|?\s*:\s*"
)


@lru_cache(maxsize=1)
def _institution_re() -> re.Pattern[str]:
    words = sorted(lexicon.institution_words(), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + ")")


def _institution_at(text: str) -> int | None:
    """Start of the first institution word in `text`, or None."""
    m = _institution_re().search(text.lower())
    return m.start() if m else None


def _edu_parts(parts: list[Part]) -> list[Part]:
    """One degree part and one institution part per line, cut at the strongest separator between
    the degree mention and the institution word ('MSc in IT, INSA Lyon - Institut ...')."""
    out: list[Part] = []
    for p in parts:
        deg = degree_match(p.text)
        inst = _institution_at(p.text)
        if deg is not None:
            after = _institution_at(p.text[deg[1] :])
            inst = (
                deg[1] + after
                if after is not None
                else (inst if inst is not None and inst < deg[0] else None)
            )
        elif inst is not None:
            deg = (0, 0, "other")  # unknown left part: cut before the institution if we can
        if deg is None or inst is None:
            out.append(p)
            continue
        lo, hi = (deg[1], inst) if deg[0] < inst else (inst, deg[0])
        if inst < deg[0]:
            # institution first: cut after the institution name, before the degree
            lo = inst
        best: tuple[int, int, int] | None = None
        for sep, rank in EDU_CUTS:
            for m in re.finditer(re.escape(sep), p.text[lo:hi]):
                cand = (rank, lo + m.start(), lo + m.end())
                if (
                    best is None
                    or cand[0] > best[0]
                    or (cand[0] == best[0] and ((cand[1] > best[1]) == (deg[0] < inst)))
                ):
                    best = cand
        if best is None:
            out.append(p)
            continue
        _, c0, c1 = best
        for a, b in ((0, c0), (c1, len(p.text))):
            piece = p.text[a:b]
            la, lb = _trim(piece)
            if lb > la:
                out.append(Part(p.start + a + la, p.start + a + lb, piece[la:lb]))
    return out


def _compact(term: str) -> str:
    """'B.Tech.' / 'B-Tech' / 'b tech' → 'btech': the key degree spellings share."""
    return re.sub(r"[.\-\s]", "", term).lower()


def _term_re(term: str) -> str:
    """A degree abbreviation with its dots optional: 'B.E.' also reads 'B.E', 'BE'; 'MCA' also
    'M.C.A'; 'B.Tech' also 'B-Tech', 'B Tech'. Words and phrases are matched as written."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z.\-]{0,9}", term):
        return re.escape(term)
    pieces = re.findall(r"[A-Z][a-z]*|[a-z]+", term)
    if len(pieces) < 2 or "".join(pieces) != re.sub(r"[.\-]", "", term):
        return re.escape(term)
    sep = r"\.?" if all(len(x) == 1 for x in pieces) else r"[.\-]?\s?"
    return sep.join(re.escape(x) for x in pieces) + r"\.?"


@lru_cache(maxsize=1)
def _degree_re() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str]]:
    long_terms: list[str] = []
    short_terms: list[str] = []
    levels: dict[str, str] = {}
    for d in lexicon.degree_patterns():
        levels.setdefault(_compact(d.text), d.level)
        compact = d.text.replace(".", "").replace(" ", "")
        if (len(compact) <= 4 and d.text.upper() == d.text) or len(compact) <= 3:
            short_terms.append(d.text)
        else:
            long_terms.append(d.text)

    def alt(terms: list[str]) -> str:
        return "|".join(_term_re(t) for t in sorted(set(terms), key=len, reverse=True))

    long_re = re.compile(rf"(?<!\w)(?:{alt(long_terms)})(?!\w)", re.I)
    short_re = re.compile(rf"(?<![\w.])(?:{alt(short_terms)})(?![\w])")
    return long_re, short_re, levels


def _state_code(text: str, m: re.Match[str]) -> bool:
    """'Boston, MA' / 'MA 02139': a US state code, not a Master of Arts."""
    if m.group(0) not in US_STATES:
        return False
    before = text[: m.start()].rstrip()
    after = text[m.end() :].lstrip()
    return before.endswith(",") or bool(re.match(r"\d{5}\b", after))


def degree_match(text: str) -> tuple[int, int, str] | None:
    """(start, end, level) of the first degree mention in `text`."""
    long_re, short_re, levels = _degree_re()
    short = next((m for m in short_re.finditer(text) if not _state_code(text, m)), None)
    hits = [m for m in (long_re.search(text), short) if m]
    if not hits:
        return None
    m = min(hits, key=lambda x: (x.start(), -(x.end() - x.start())))
    return m.start(), m.end(), levels.get(_compact(m.group(0)), "other")


def _title_score(text: str) -> float:
    low = text.lower().strip()
    words = {w.strip(",.()&") for w in re.split(r"[\s/-]+", low)}
    s = 0.0
    if low in lexicon.job_titles():
        s += 2.5
    if words & lexicon.title_words():
        s += 1.5
    return s


def _company_score(text: str) -> float:
    low = text.lower()
    words = {w.strip(",.()") for w in low.split()}
    first = low.split()[0] if low.split() else ""
    s = -0.8 if text[:1].islower() and first not in NAME_PARTICLES else 0.0
    suffixes = lexicon.company_suffixes()
    if words & suffixes or any(low.endswith(" " + x) for x in suffixes):
        s += 2.5
    if re.search(r"\b[A-Z]{2,}\b", text) and len(text.split()) <= 3:
        s += 0.3
    return s


def _is_place(text: str) -> bool:
    """A whole line that is a place ('San Mateo, CA', 'Pune, Maharashtra', 'Berlin, Germany')."""
    line = text.strip(" -–,")
    parsed = parse_location(line)
    return (
        parsed is not None
        and "," in line
        and "countryCode" in parsed[1]
        and parsed[0] == re.sub(r"\s*,\s*", ", ", line)
    )


def _location_part(text: str) -> bool:
    t = text.strip().lower().strip(".")
    if t in country_index() or (len(t) > 3 and t in subdivision_index()):
        return True
    return bool(re.fullmatch(r"(remote|hybrid|on-?site|télétravail|homeoffice|remoto)", t))


Info = tuple[int, Line, int, str, list[DateRange]]
EduRow = tuple[int, str, int, list[DateRange]]  # (start, text, chars cut, date ranges)


def _blocks(ctx: Context, section: Section, *, allow_single: bool) -> list[Block]:
    """Group a section's lines into date-anchored blocks with their header parts."""
    rows = list(content_lines(ctx, section))
    info: list[Info] = []
    skip: set[int] = set()
    for n, (i, line, off) in enumerate(rows):
        if i in skip:
            continue
        body = line.text[off:]
        if WRAPPED_RANGE_RE.search(body) and n + 1 < len(rows) and rows[n + 1][0] == i + 1:
            # "Contador | abr. 2023 –" / "actualidad": the range runs onto the next line
            joined = body + "\n" + rows[n + 1][1].text
            if any(r.end_pos > len(body) + 1 for r in find_date_ranges(joined)):
                body = joined
                skip.add(i + 1)
        ranges = find_date_ranges(body)
        multi = [r for r in ranges if r.kind in ("range", "since")]
        use = multi or (ranges if allow_single else [])
        leftover = _strip_ranges(body, use) if use else ""
        if leftover and not _header_like(leftover):
            use = []  # a sentence that mentions years is description, not an entry header
        info.append((i, line, off, body, use))
    if not any(u for *_, u in info) and allow_single is False:
        return []
    anchors = [k for k, (*_, u) in enumerate(info) if u]
    if not anchors:
        return _attach_desc(info, set(), _dateless_blocks(info, set()))
    # Does the header precede the date line (Title/Company/Date) or follow it (Date/Title)?
    before_votes = after_votes = 0
    for n, k in enumerate(anchors):
        i, line, off, body, use = info[k]
        rest = _without_dates(body, use, line.start + off)
        if rest:
            continue
        prev_stop = anchors[n - 1] if n else -1
        before = k - 1 > prev_stop and _header_like(info[k - 1][3])
        after = k + 1 < len(info) and _header_like(info[k + 1][3]) and not info[k + 1][4]
        before_votes += before
        after_votes += after and not before
        if n == 0 and not before and after:
            after_votes += 2
    date_first = after_votes > before_votes
    # For "Title | dates" lines: is the company on the line below (most entries) or above?
    below = sum(
        1 for k in anchors if k + 1 < len(info) and not info[k + 1][4] and _entry_line(info, k + 1)
    )
    above = sum(1 for k in anchors if k > 0 and not info[k - 1][4] and _entry_line(info, k - 1))
    company_below = below > above
    blocks: list[Block] = []
    used: set[int] = set()
    for n, k in enumerate(anchors):
        i, line, off, body, use = info[k]
        r = use[0]
        blk = Block(r, (line.start + off + r.start_pos, line.start + off + r.end_pos))
        blk.parts = _without_dates(body, use, line.start + off)
        blk.lines.append(i)
        used.add(k)
        prev_stop = anchors[n - 1] if n else -1
        next_stop = anchors[n + 1] if n + 1 < len(anchors) else len(info)
        need = 2 if not blk.parts else (1 if len(blk.parts) == 1 else 0)
        order = ([k + 1, k + 2, k + 3] if date_first else [k - 1, k - 2, k - 3]) if need else []
        if need and not blk.parts and not date_first and k - 1 <= prev_stop:
            order = [k + 1, k + 2, k + 3]
        if need == 1:
            below_first = date_first or company_below
            order = [k + 1, k + 2, k - 1] if below_first else [k - 1, k - 2, k + 1]
        for j in order:
            if need <= 0 or j <= prev_stop or j >= next_stop or j in used:
                if j < k:
                    continue
                break
            ij, lj, offj, bodyj, usej = info[j]
            if usej or not _header_like(bodyj):
                if j < k:
                    continue
                break
            new = _split_parts(bodyj, lj.start + offj)
            place = _is_place(bodyj)
            if place:  # "San Mateo, CA" on its own line: the entry's location, not a header slot
                new = [
                    Part(
                        lj.start + offj,
                        lj.start + offj + len(bodyj.rstrip()),
                        bodyj.rstrip(),
                        place=True,
                    )
                ]
            elif len(new) == 1:
                new[0].alone = True
            if j < k:
                blk.parts = new + blk.parts
            else:
                blk.parts = blk.parts + new
            blk.lines.append(ij)
            used.add(j)
            need -= 0 if place else 1
        blocks.append(blk)
    blocks = sorted(blocks + _dateless_blocks(info, used), key=lambda b: min(b.lines))
    return _attach_desc(info, used, blocks)


def _attach_desc(info: list[Info], used: set[int], blocks: list[Block]) -> list[Block]:
    """Description lines: everything not used, attributed to the block above."""
    for k, (i, *_rest) in enumerate(info):
        if k in used:
            continue
        owner = None
        for blk in blocks:
            if min(blk.lines) <= i:
                owner = blk
        if owner is not None:
            owner.desc.append(i)
    return blocks


def _short_header(body: str) -> bool:
    """A short, capitalised, unlabelled line: what a title or an employer line looks like."""
    t = body.strip()
    return (
        _header_like(t)
        and _labelled(t, 0) is None
        and len(t.split()) <= 8
        and t[:1].isupper()
        and t.count(",") <= 1
        and not t.endswith((".", ":"))
    )


def _name_like(text: str) -> bool:
    """'Acme Software (Vendor @ Globex)': capitalised words, not a sentence."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’.&-]*", text) if w.lower() not in CONNECTIVES]
    return bool(words) and sum(w[:1].isupper() for w in words) >= 0.75 * len(words)


def _dateless_blocks(info: list[Info], used: set[int]) -> list[Block]:
    """Entries written without dates: a title line and an employer line next to each other,
    between description text (Title / Company / text …), one of them a known job title."""
    out: list[Block] = []
    k = 0
    while k + 1 < len(info):
        a, b = info[k], info[k + 1]
        free = k not in used and k + 1 not in used and not a[4] and not b[4]
        before = k == 0 or (k - 1) in used or not _short_header(info[k - 1][3])
        after = k + 2 >= len(info) or (k + 2) in used or not _short_header(info[k + 2][3])
        if not (free and before and after and _short_header(a[3]) and _short_header(b[3])):
            k += 1
            continue
        ta, tb = _title_score(a[3]), _title_score(b[3])
        ca, cb = _company_score(a[3]), _company_score(b[3])
        title, other = (a[3], b[3]) if ta > ca else (b[3], a[3])
        if (
            max(ta, tb) <= 0
            or (ta > ca) == (tb > cb)
            or _is_place(b[3])
            or not _name_like(other)
            or len(title.split()) > 6
            or set(title.lower().split()) & SENTENCE_WORDS
        ):
            k += 1
            continue
        blk = Block(None, None)
        for i, line, off, body, _ in (a, b):
            lead = len(body) - len(body.lstrip())
            text = body.strip()
            at = line.start + off + lead
            blk.parts.append(Part(at, at + len(text), text))
            blk.lines.append(i)
        used.update((k, k + 1))
        out.append(blk)
        k += 2
    return out


def _place_suffix(p: Part) -> list[Part]:
    """'Le Figaro (France)' → 'Le Figaro' + place 'France'."""
    m = re.search(r"\s*\(([^()]{2,40})\)$", p.text)
    inner = m.group(1) if m else ""
    if not m or not (_location_part(inner) or _is_place(inner + ",") or city_country(inner)):
        return [p]
    head = p.text[: m.start()]
    inner = m.start(1)
    return [
        Part(
            p.start,
            p.start + len(head),
            head,
            after_at=p.after_at,
            before_at=p.before_at,
            alone=p.alone,
        ),
        Part(p.start + inner, p.start + inner + len(m.group(1)), m.group(1), place=True),
    ]


def _merge_places(parts: list[Part]) -> list[Part]:
    """'Pune' + 'Maharashtra' (a city part before a region/country part) → one place part."""
    out: list[Part] = []
    for p in parts:
        if (
            out
            and _location_part(p.text)
            and not out[-1].place
            and len(out[-1].text.split()) <= 3
            and out[-1].text[:1].isupper()
            and len(out) >= 2
        ):
            prev = out.pop()
            out.append(Part(prev.start, p.end, f"{prev.text}, {p.text}", place=True))
        else:
            out.append(p)
    return out


def _assign(
    ctx: Context, parts: list[Part], ner: list[list[tuple[int, int, str]]], order_hint: str | None
) -> tuple[Part | None, Part | None, Part | None, dict[str, float], dict[str, float]]:
    """Pick (title, company, location) among header parts, with the evidence for each."""
    parts = _merge_places([q for p in parts for q in _place_suffix(p)])
    hinted_t = next((p for p in parts if p.kind_hint == "title"), None)
    hinted_c = next((p for p in parts if p.kind_hint == "company"), None)
    if hinted_t or hinted_c:  # "Designation : …" / "Company : …" say which is which
        return hinted_t, hinted_c, None, {"labelled": 1.0}, {"labelled": 1.0}
    cands = [p for p in parts if not p.place and not _location_part(p.text)]
    loc = next((p for p in parts if p.place or _location_part(p.text)), None)
    if not cands:
        return None, None, loc, {}, {}
    scored = []
    for p, ents in zip(cands, ner, strict=False):
        t, c = _title_score(p.text), _company_score(p.text)
        if any(lab == "ORG" for _, _, lab in ents):
            c += 1.0
        if p.after_at:
            c += 3.0
        if p.before_at:
            t += 3.0
        scored.append((p, t, c))
    scored = [s for s in scored if s[0] is not loc] or scored
    if len(scored) == 1:
        p, t, c = scored[0]
        if t >= c and t > 0:
            return p, None, loc, {"lexicon": 1.0}, {}
        if c > t:
            return None, p, loc, {}, {"lexicon": 1.0}
        return (
            (p, None, loc, {"pattern_guess": 1.0}, {})
            if order_hint != "company_first"
            else (None, p, loc, {}, {"pattern_guess": 1.0})
        )
    best = None
    for a in range(len(scored)):
        for b in range(len(scored)):
            if a == b:
                continue
            _, ta, ca = scored[a]
            _, tb, cb = scored[b]
            val = (ta - ca) + (cb - tb)
            if (order_hint == "company_first" and b < a) or (
                order_hint != "company_first" and a < b
            ):
                val += 0.4
            val -= 0.2 * (a + b)
            if best is None or val > best[0]:
                best = (val, a, b)
    assert best is not None
    val, a, b = best
    pt, tt, ct = scored[a]
    pc, tc, cc = scored[b]
    tev: dict[str, float] = {}
    cev: dict[str, float] = {}
    if tt > 0:
        tev["lexicon"] = min(tt / 2.5, 1.5)
    if cc > 0:
        cev["lexicon"] = min(cc / 2.5, 1.5)
    if pc.after_at or pt.before_at:
        tev["separator"] = cev["separator"] = 1.0
    if (tt - ct) + (cc - tc) <= 0.5:
        tev["pattern_guess"] = cev["pattern_guess"] = 1.0
    if tt == 0 and tc > 0:
        tev["ambiguous"] = cev["ambiguous"] = 1.0
    return pt, pc, loc, tev, cev


def _date_fields(ctx: Context, blk: Block) -> tuple[Field | None, Field | None]:
    if blk.date is None or blk.date_abs is None:
        return None, None
    a, b = blk.date_abs
    raw = ctx.layout.text[a:b]
    r = blk.date
    doc = _doc_evidence(ctx)
    ev = ({"precise": 1.0} if r.start and "-" in r.start else {}) | doc
    start = ctx.make(a, b, "date", ev, "dates.rules", value=raw.strip(), normalized=r.start)
    end = None
    if r.end:
        eev = ({"precise": 1.0} if r.end == PRESENT or "-" in r.end else {}) | doc
        end = ctx.make(a, b, "date", eev, "dates.rules", value=raw.strip(), normalized=r.end)
    return start, end


def _doc_evidence(ctx: Context) -> dict[str, float]:
    """What the document's structure says about every entry in it: line breaks that were
    guessed from runs of spaces make every header and date read from them less sure."""
    if ctx.layout.meta.get("line_breaks_restored") and not ctx.flattened:
        return {"flattened": RESTORED_BREAKS_DOUBT}
    return {}


def _supported(ev: dict[str, float], kind: str) -> dict[str, float]:
    """A title or employer no lexicon, label or separator backs is mostly other header text:
    its position alone ('consistent with the other entries') does not make it likely."""
    if ev.get("lexicon", 0.0) >= WEAK_LEXICON or "labelled" in ev or "separator" in ev:
        return ev
    out = {k: v for k, v in ev.items() if k != "pattern_consistent"}
    if "lexicon" not in out:
        out["unknown"] = UNSUPPORTED_DOUBT[kind]
    return out


def _order_hint(ctx: Context, blocks: list[Block]) -> str | None:
    """Title-first or company-first, from the entries whose parts are unambiguous."""
    votes = 0.0
    for blk in blocks:
        ps = [p for p in blk.parts if not _location_part(p.text)]
        if len(ps) < 2 or any(p.after_at for p in ps):
            continue
        d0 = _title_score(ps[0].text) - _company_score(ps[0].text)
        d1 = _title_score(ps[1].text) - _company_score(ps[1].text)
        votes += d0 - d1
    if votes < -1.0:
        return "company_first"
    if votes > 1.0:
        return "title_first"
    return None


def _heading_style(ctx: Context, section: Section) -> tuple[bool, bool, bool]:
    """(all caps, standalone, starts lower-case) of a section's heading line."""
    assert section.heading is not None
    line = ctx.layout.lines[section.heading]
    text = line.text[: section.inline_start] if section.inline_start else line.text
    letters = [c for c in text if c.isalpha()]
    caps = bool(letters) and all(c.isupper() for c in letters)
    lower = text.strip()[:1].islower()
    return caps, section.inline_start is None, lower


def _regions(ctx: Context, kind: str) -> list[Section]:
    """Sections of `kind`, each extended over the following sections whose headings are only
    labels inside its entries: a wrapped sentence tail ('language.'), an inline label ('Project:
    X') under a heading on its own line, or a mixed-case heading ('Technical Skills') under a
    capitalised one when the document capitalises its headings."""
    out: list[Section] = []
    secs = ctx.sections
    styles = {id(s): _heading_style(ctx, s) for s in secs if s.heading is not None}
    caps_doc = sum(1 for st in styles.values() if st[0] and st[1]) >= 3
    for n, section in enumerate(secs):
        if section.kind != kind or (out and out[-1].last > section.first):
            continue
        last = section.last
        if section.heading is not None:
            outer = styles[id(section)]
            for nxt in secs[n + 1 :]:
                if nxt.heading is None or nxt.first < last or nxt.kind in (kind, *ENTRY_KINDS):
                    break
                inner = styles[id(nxt)]
                if not (
                    inner[2]
                    or (outer[1] and not inner[1])
                    or (caps_doc and outer[0] and not inner[0] and nxt.kind != "contact")
                ):
                    break
                last = nxt.last
        out.append(replace(section, last=last) if last != section.last else section)
    return out


def extract_experience(ctx: Context) -> list[ExperienceEntry] | None:
    """Employment entries from experience sections only (projects/volunteer never count)."""
    sections = _regions(ctx, "experience")
    if not sections:
        return None
    out: list[ExperienceEntry] = []
    for section in sections:
        blocks = _blocks(ctx, section, allow_single=False)
        if not blocks:
            blocks = _blocks(ctx, section, allow_single=True)
        hint = _order_hint(ctx, blocks)
        texts = [p.text for blk in blocks for p in blk.parts]
        ner_flat = entities(texts) if texts else []
        pos = 0
        prev_company: Field | None = None
        for blk in blocks:
            ner = ner_flat[pos : pos + len(blk.parts)]
            pos += len(blk.parts)
            pt, pc, loc, tev, cev = _assign(ctx, blk.parts, ner, hint)
            if hint and "pattern_guess" in tev:
                tev.pop("pattern_guess")
                cev.pop("pattern_guess", None)
                tev["pattern_consistent"] = cev["pattern_consistent"] = 1.0
            entry = ExperienceEntry()
            doc = _doc_evidence(ctx)
            if blk.date is None:  # a dateless entry is read from line shapes alone
                doc = {**doc, "pattern_guess": 1.0}
            if pt is None or tev.get("lexicon", 0.0) < WEAK_LEXICON:
                cev = _supported(cev, "company")  # beside a known title, the rest is the employer
            tev, cev = _supported(tev, "title") | doc, cev | doc
            if pt is not None:
                entry.title = ctx.make(pt.start, pt.end, "title", tev, "experience.header")
            if pc is not None:
                entry.company = ctx.make(pc.start, pc.end, "company", cev, "experience.header")
                prev_company = entry.company if pc.alone else None
            elif prev_company is not None and pt is not None:
                src = prev_company.source
                if src is not None and src.start is not None and src.end is not None:
                    entry.company = ctx.make(
                        src.start,
                        src.end,
                        "company",
                        {"inherited": INHERITED_DOUBT} | doc,
                        "experience.inherited",
                    )
            if loc is not None:
                entry.location = ctx.make(
                    loc.start, loc.end, "entry_location", ["lexicon"], "experience.header"
                )
            entry.start, entry.end = _date_fields(ctx, blk)
            if blk.desc:
                lines = [ctx.layout.lines[i] for i in sorted(blk.desc)]
                desc = "\n".join(ln.text.strip() for ln in lines)
                entry.description = ctx.make(
                    lines[0].start,
                    lines[-1].end,
                    "description",
                    [],
                    "experience.description",
                    value=desc[:4000],
                )
            if entry.title or entry.company:
                out.append(entry)
    return out


def total_experience(ctx: Context, entries: list[ExperienceEntry]) -> Field | None:
    """Years of experience from merged, non-overlapping entry intervals."""
    ranges = [
        (e.start.normalized, e.end.normalized if e.end else None)
        for e in entries
        if e.start is not None and isinstance(e.start.normalized, str)
    ]
    if not ranges:
        return None
    years = total_years(ranges, ctx.today)  # type: ignore[arg-type]
    first = next(e.start for e in entries if e.start is not None)
    assert first is not None and first.source is not None
    src = first.source
    share = len(ranges) / max(1, len(entries))
    f = ctx.make(
        src.start or 0,
        src.end or 0,
        "total_experience_years",
        {"precise": share, "competing": 1.0 - share},
        "experience.intervals",
        value=years,
        normalized=years,
    )
    return f


def _split_unknown_pair(p: Part) -> list[Part]:
    """'Formation GraphQL, CLEVER INSTITUTE' with no degree or institution word: the last comma
    separates what was studied from where (the order education lines are written in)."""
    sep = next((x for x in (" | ", " from ", ", ", " — ", " – ") if x in p.text), None)
    if _edu_part_kind(p.text) != "unknown" or sep is None:
        return [p]
    cut = p.text.rfind(sep)
    head, tail = p.text[:cut].strip(), p.text[cut + len(sep) :].strip()
    if not head or not tail[:1].isupper() or len(tail.split()) > 8 or len(head.split()) > 14:
        return [p]
    if _location_part(tail) or (parse_location(tail) is not None and "," in tail):
        return [p]
    return [
        Part(p.start, p.start + len(head), head, kind_hint="degree"),
        Part(p.end - len(tail), p.end, tail, kind_hint="institution"),
    ]


def _strip_place(p: Part) -> Part:
    """'Osmania University - Hyderabad, Telangana' → the institution without where it is."""
    m = PLACE_TAIL_RE.search(p.text)
    if m is None or m.start() == 0:
        return p
    tail = p.text[m.end() :].strip(STRIP)
    if not (_is_place(tail) or lexicon.normalise(tail) in country_index()):
        return p
    la, lb = _trim(p.text[: m.start()])
    head = p.text[la:lb]
    if not re.search(r"[^\W\d_]", head):
        return p
    return Part(p.start + la, p.start + lb, head, kind_hint=p.kind_hint)


def _date_free(text: str, ranges: list[DateRange], base: int) -> list[Part]:
    """The pieces of a line around its dates, trimmed, unsplit."""
    out: list[Part] = []
    pos = 0
    for lo, hi in [(r.start_pos, r.end_pos) for r in ranges] + [(len(text), len(text))]:
        piece = text[pos:lo]
        la, lb = _trim(piece)
        if lb > la and re.search(r"[^\W\d_]", piece):
            out.append(Part(base + pos + la, base + pos + lb, piece[la:lb]))
        pos = hi
    return out


def _ends_with_institution(text: str) -> bool:
    """The last word names a kind of institution ('… School', '… College')."""
    words = re.findall(r"[^\W\d_]+", text)
    return bool(words) and _institution_at(words[-1]) == 0


def _edu_part_kind(text: str) -> str:
    hit = degree_match(text)
    if (
        hit
        and (hit[0] > 0 or len(_compact(text[hit[0] : hit[1]])) <= 3)
        and _ends_with_institution(text)
    ):
        return "institution"  # "Springfield High School", "Dr. R. K. Rao College"
    if hit:
        return "degree"
    if _institution_at(text) is not None:
        return "institution"
    return "unknown"


def extract_education(ctx: Context) -> list[EducationEntry] | None:
    """Education entries by slot filling: degree, institution and dates per entry."""
    sections = ctx.of_kind("education")
    if not sections:
        return None
    return [
        _education_entry(ctx, e) for section in sections for e in _education_slots(ctx, section)
    ]


def _education_slots(ctx: Context, section: Section) -> list[dict[str, tuple[Part, object]]]:
    """Fill degree/institution/date/grade slots line by line; a filled slot opens a new entry."""
    cur: dict[str, tuple[Part, object]] = {}
    entries: list[dict[str, tuple[Part, object]]] = []

    def close() -> None:
        nonlocal cur
        if "pending" in cur and "pending2" in cur and "date" in cur:
            # two unknown lines, then the entry's date: read them in this section's order
            other = "institution" if first_unknown == "degree" else "degree"
            cur[first_unknown] = (cur.pop("pending")[0], first_unknown + "_guess")
            cur[other] = (cur.pop("pending2")[0], other + "_guess")
        kinds = [str(cur[x][1]) for x in ("degree", "institution") if x in cur]
        guessed = bool(kinds) and all(k.endswith("_guess") for k in kinds)
        if guessed and ((date_last and "date" not in cur) or not dense):
            cur = {}  # every entry here ends with its date: undated guesses are other text
        elif "degree" in cur or "institution" in cur:
            entries.append(cur)
        elif entries and "date" in cur and "date" not in entries[-1]:
            entries[-1]["date"] = cur["date"]
        cur = {}

    rows = _edu_rows(ctx, section)
    # "Degree / School / 2012 - 2016" layouts: the date line ends its entry
    date_last, first_unknown, dense = _slot_mode(rows)
    ended = False  # the current entry got its closing date: only a grade line may follow
    for base, stripped, cut, ranges in rows:
        n_words = len(stripped.split())
        if n_words > 30 or (n_words > 14 and not ranges and not degree_match(stripped)):
            continue
        if ended and not GRADE_RE.match(stripped):
            close()
        ended = False
        for r in ranges[:1]:
            if "date" in cur:
                close()
            cur["date"] = (
                Part(
                    base + cut + r.start_pos,
                    base + cut + r.end_pos,
                    stripped[r.start_pos : r.end_pos],
                ),
                r,
            )
        pieces = [_strip_place(q) for q in _edu_parts(_date_free(stripped, ranges, base + cut))]
        if len(pieces) == 1 and "degree" not in cur and "institution" not in cur:
            pieces = _split_unknown_pair(pieces[0])
        for p in pieces:
            if GRADE_RE.match(p.text):
                cur.setdefault("grade", (p, None))
                continue
            kind = _edu_part_kind(p.text)
            if kind == "unknown" and p.kind_hint:
                kind = p.kind_hint + "_guess"
            if kind == "unknown":
                if _location_part(p.text) or _is_place(p.text) or not p.text[:1].isupper():
                    continue
                if "degree" in cur and "institution" not in cur:
                    kind = "institution_guess"
                elif "institution" in cur and "degree" not in cur:
                    kind = "degree_guess"
                elif "degree" not in cur and "institution" not in cur and "pending" not in cur:
                    cur["pending"] = (p, "pending")
                    continue
                elif "pending" in cur and "degree" not in cur and "institution" not in cur:
                    cur.setdefault("pending2", (p, "pending"))
                    continue
                else:
                    continue
            slot = kind.replace("_guess", "")
            if slot in cur:
                if kind.endswith("_guess"):
                    continue
                if not (str(cur[slot][1]).endswith("_guess") and cur[slot][0].kind_hint):
                    close()
                # else: a lexicon-backed value replaces a comma-split guess ('Major X, Y')
            cur[slot] = (p, kind)
            if "pending" in cur:
                other = "institution" if slot == "degree" else "degree"
                pend, _ = cur.pop("pending")
                cur.pop("pending2", None)
                if other not in cur:
                    cur[other] = (pend, other + "_guess")
        ended = date_last and bool(ranges)
    close()
    return entries


def _slot_mode(rows: list[EduRow]) -> tuple[bool, str, bool]:
    """How a section writes its entries: (the year on its own line closes each entry, which
    slot an unknown first line fills, whether the lines mostly name degrees and schools — a
    section segmented too wide keeps only what the lexicons back)."""
    date_last = (
        bool(rows)
        and not rows[0][3]
        and any(r[3] for r in rows[1:4])
        and not any(_date_free(r[1], r[3], 0) for r in rows if r[3])
    )
    first_unknown = "institution" if _institution_first(rows) else "degree"
    named = sum(1 for r in rows if _edu_part_kind(r[1]) != "unknown")
    dense = len(rows) <= WIDE_SECTION_ROWS or named >= DENSE_SHARE * len(rows)
    return date_last, first_unknown, dense


def _edu_rows(ctx: Context, section: Section) -> list[EduRow]:
    """The section's lines as rows; a line ending in 'in' / 'of' / '&' continues on the next
    ('Bachelor of Engineering in' + 'ELECTRONICS')."""
    lines = list(content_lines(ctx, section))
    rows = []
    n = 0
    while n < len(lines):
        i, line, off = lines[n]
        body = line.text[off:]
        while (
            n + 1 < len(lines)
            and lines[n + 1][0] == i + 1
            and DANGLING_RE.search(body)
            and len(lines[n + 1][1].text.split()) <= 4
        ):
            n += 1
            i = lines[n][0]
            body = body + "\n" + lines[n][1].text
        rows.append(_edu_row(body, line.start + off))
        n += 1
    return rows


def _edu_row(body: str, base: int) -> EduRow:
    """(absolute start, text without bullet and label, chars cut, date ranges) of a line."""
    stripped, cut = body, 0
    m = BULLET_RE.match(body)
    if m:
        stripped, cut = body[m.end() :], m.end()
    label = EDU_LABEL_RE.match(stripped)
    if label:  # "Graduation: Bachelor of …" — the label is not part of the degree
        stripped, cut = stripped[label.end() :], cut + label.end()
    return base, stripped, cut, find_date_ranges(stripped)


def _institution_first(rows: list[EduRow]) -> bool:
    """Whether this section writes the school before the degree (votes of adjacent lines)."""
    kinds = [_edu_part_kind(r[1]) for r in rows]
    votes = 0
    for a, b in itertools.pairwise(kinds):
        if {a, b} == {"degree", "institution"}:
            votes += 1 if a == "institution" else -1
    return votes > 0


def _education_entry(ctx: Context, e: dict[str, tuple[Part, object]]) -> EducationEntry:
    entry = EducationEntry()
    doc = _doc_evidence(ctx)
    # an entry whose degree and school the lexicons both name is a real entry; its date too
    known = e.get("degree", (None, ""))[1] == "degree" and (
        e.get("institution", (None, ""))[1] == "institution"
    )
    dev = doc if known else doc | {"pattern_guess": 1.0}
    if "degree" in e:
        p, kind = e["degree"]
        hit = degree_match(p.text)
        level = hit[2] if hit else "other"
        ev = ({"lexicon": 1.0} if kind == "degree" else {"pattern_guess": 1.0}) | doc
        entry.degree = ctx.make(p.start, p.end, "degree", ev, "education.degree", normalized=level)
        fm = re.search(r"\b(?:in|of|en|de|in der|im)\s+(.+)$", p.text[hit[1] :] if hit else "")
        if hit and fm:
            fstart = p.start + hit[1] + fm.start(1)
            entry.field = ctx.make(fstart, p.end, "field", [], "education.field")
    if "institution" in e:
        p, kind = e["institution"]
        ev = (
            {"lexicon": 1.0} if kind == "institution" else {"pattern_guess": 1.0, "unknown": 0.5}
        ) | doc
        entry.institution = ctx.make(p.start, p.end, "institution", ev, "education.institution")
    if "date" in e:
        p, r = e["date"]
        assert isinstance(r, DateRange)
        if r.end:
            entry.start = ctx.make(
                p.start, p.end, "date", dev, "dates.rules", value=p.text, normalized=r.start
            )
            entry.end = ctx.make(
                p.start, p.end, "date", dev, "dates.rules", value=p.text, normalized=r.end
            )
        else:
            entry.end = ctx.make(
                p.start, p.end, "date", dev, "dates.rules", value=p.text, normalized=r.start
            )
    if "grade" in e:
        p, _ = e["grade"]
        entry.grade = ctx.make(p.start, p.end, "grade", [], "education.grade")
    return entry
