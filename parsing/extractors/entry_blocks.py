"""Entry header lines: split into parts and grouped into date-anchored blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from parsing import lexicon
from parsing.contact import country_index, subdivision_index
from parsing.dates import DateRange, find_date_ranges
from parsing.extractors.base import BULLET_RE, Context, content_lines
from parsing.extractors.contact import parse_location
from parsing.layout import Line
from parsing.sections import Section, match_heading

MAX_HEADER_WORDS = 14
# Evidence strengths (see parsing/confidence.py for the weights they scale).
RESTORED_BREAKS_DOUBT = 0.4
CONNECTIVES = frozenset(
    "of and for the de du des la le van von der und et y e di da in at on".split()
)
SENTENCE_WORDS = frozenset("the a an i my our we was were is are have has had".split())
AT_WORDS = r"at|@|chez|bei|bij"  # "Engineer at Acme" in the five heading languages (es: "en")
PART_SPLIT_RE = re.compile(
    rf"\s+(?:{AT_WORDS})\s+|\s+(?:en|in der|im)\s+(?=[A-Z0-9ÀÉÖÜ])"
    r"|\s*[|•·]\s*|\s+[—–-]\s+|,\s+|\t|\s{3,}"
)
STRONG_SPLIT_RE = re.compile(r"\s+(?:at|@)\s+|\s*[|•·]\s*|\s+[—–-]\s+|\t|\s{3,}")
STRIP = " ()[]-–—,:;|•"
AT_RE = re.compile(rf"\s+(?:{AT_WORDS})\s+", re.I)
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
CELL_START_RE = re.compile(r"\s*\|\s*")
DETAIL_LABEL_RE = re.compile(r"[^\W\d][\w.&/()]*(?: [\w.&/()]+){0,3}\s*:\s*\S")
WRAPPED_RANGE_RE = re.compile(r"(?:\d{4}\s*[-–—]|\d{4}\s*[-–—]\s*[^\W\d_]{3,5}\.?)\s*$")
NAME_PARTICLES = frozenset("van von de der den del della di da du la le ter ten".split())


def ends_with_legal_form(text: str) -> bool:
    """The text ends in a company's legal form, with or without a closing dot ('… S.L.',
    '… Pvt. Ltd.', '… GmbH.')."""
    return text.lower().endswith(_legal_form_endings())


@lru_cache(maxsize=1)
def _legal_form_endings() -> tuple[str, ...]:
    """' gmbh', ' gmbh.', ' s.l.', …: every legal form as a line ending, for one str.endswith."""
    return tuple(e for x in lexicon.company_suffixes() for e in (f" {x}", f" {x}."))


def trim(piece: str) -> tuple[int, int]:
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
    sited: bool = False  # written with its place in brackets ("AT&T Interactive (Dallas, TX)")


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
    if t.endswith(".") and len(t.split()) > 5 and not ends_with_legal_form(t):
        return False
    return match_heading(t) is None


def _labelled(text: str, base: int) -> list[Part] | None:
    """'Job Designation : Back office Executive' → that value, hinted as a title; a label with
    no value ('Job Responsibilities:') → no part; None when the line carries no known label."""
    bullet = BULLET_RE.match(text)
    skip = bullet.end() if bullet else 0
    cell = CELL_START_RE.match(text, skip)  # "1. | Employer | : Acme": a table's first cell
    m = ENTRY_LABEL_RE.match(text, cell.end() if cell else skip)
    if m is None:
        return None
    kind = ENTRY_LABELS[lexicon.normalise(m.group(1))]
    value = text[m.end() :]
    if kind == "company":
        value = _without_site(value)
    lead, trail = trim(value)
    if kind not in ("title", "company") or trail <= lead:
        return []
    start = base + m.end() + lead
    return [Part(start, start + trail - lead, value[lead:trail], kind_hint=kind)]


def _without_site(value: str) -> str:
    """A labelled employer without where it sits: 'ADMA Services, Doha Qatar' → 'ADMA
    Services'; after its legal form a comma ends the name ('Kerala State Electricity Board
    Limited, 220KV Substation, India')."""
    parts = value.split(",")
    for n in range(1, len(parts)):
        if ends_with_legal_form(parts[n - 1]):
            return ",".join(parts[:n])
    while len(parts) > 1 and _site(parts[-1]):
        parts.pop()
    return ",".join(parts)


def _site(part: str) -> bool:
    """'India', 'Doha Qatar', 'Pune, Maharashtra': a place, or a city before its country."""
    words = part.split()
    return bool(words) and (
        location_part(part)
        or is_place(part)
        or (len(words) <= 4 and location_part(words[-1]) and words[0][:1].isupper())
    )


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
            lead, trail = trim(piece)
            out.append(
                Part(base + pos + lead, base + pos + trail, piece[lead:trail], after_at=at_next)
            )
            if AT_RE.fullmatch(m.group(0)):
                out[-1].before_at = True
        at_next = bool(AT_RE.fullmatch(m.group(0)))
        pos = m.end()
    piece = text[pos:]
    if piece.strip(STRIP):
        lead, trail = trim(piece)
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


SENIORITY_RE = re.compile(
    r"^(?:senior|sr\.?|junior|jr\.?|lead|principal|staff|chief|head|associate|deputy|"
    r"sénior|leitender?|stellvertretender?|responsable)\s+"
)


def title_score(text: str) -> float:
    """How much `text` reads as a job title (known title, title words)."""
    low = text.lower().strip()
    words = {w.strip(",.()&") for w in re.split(r"[\s/-]+", low)}
    s = 0.0
    bare = SENIORITY_RE.sub("", low)  # "Senior Systems Administrator" is a known title too
    if low in lexicon.job_titles() or bare in lexicon.job_titles():
        s += 2.5
    if words & lexicon.title_words():
        s += 1.5
    return s


def company_score(text: str) -> float:
    """How much `text` reads as an employer (legal form, short acronym; not a lower-case start)."""
    low = text.lower()
    words = {w.strip(",.()") for w in low.split()}
    first = low.split()[0] if low.split() else ""
    s = -0.8 if text[:1].islower() and first not in NAME_PARTICLES else 0.0
    suffixes = lexicon.company_suffixes()
    if words & suffixes or ends_with_legal_form(text):
        s += 2.5
    if re.search(r"\b[A-Z]{2,}\b", text) and len(text.split()) <= 3:
        s += 0.3
    return s


def is_place(text: str) -> bool:
    """A whole line that is a place ('San Mateo, CA', 'Pune, Maharashtra', 'Berlin, Germany')."""
    line = text.strip(" -–,")
    parsed = parse_location(line)
    return (
        parsed is not None
        and "," in line
        and "countryCode" in parsed[1]
        and parsed[0] == re.sub(r"\s*,\s*", ", ", line)
    )


def location_part(text: str) -> bool:
    """A country, region or work mode ('Germany', 'Maharashtra', 'Remote') on its own."""
    t = text.strip().lower().strip(".")
    if t in country_index() or (len(t) > 3 and t in subdivision_index()):
        return True
    return bool(re.fullmatch(r"(remote|hybrid|on-?site|télétravail|homeoffice|remoto)", t))


Info = tuple[int, Line, int, str, list[DateRange]]


def _bullet_tail(info: list[Info], j: int) -> bool:
    """A lower-case line right under a bullet ('• … a migration to' / 'the cloud'): the end of
    that bullet's sentence, never the header of the next entry."""
    if j == 0 or not info[j][3].strip()[:1].islower() or info[j - 1][0] != info[j][0] - 1:
        return False
    above = info[j - 1][3]
    return bool(BULLET_RE.match(above)) or _bullet_tail(info, j - 1)


def group_blocks(ctx: Context, section: Section, *, allow_single: bool) -> list[Block]:
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
            if usej or not _header_like(bodyj) or _bullet_tail(info, j):
                if j < k:
                    continue
                break
            new = _split_parts(bodyj, lj.start + offj)
            place = is_place(bodyj)
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
    # "Engineering Lead, Ennovar" over its description, found once per free line
    singles = {
        k: blk for k in range(len(info)) if k not in used and (blk := _one_line_job(info, k))
    }
    k = 0
    while k + 1 < len(info):
        a, b = info[k], info[k + 1]
        free = k not in used and k + 1 not in used and not a[4] and not b[4]
        before = k == 0 or (k - 1) in used or not _short_header(info[k - 1][3])
        after = k + 2 >= len(info) or (k + 2) in used or not _short_header(info[k + 2][3])
        pair = free and before and after and _short_header(a[3]) and _short_header(b[3])
        if not pair or k + 1 in singles:  # a one-line job beats pairing a skill line with it
            if k in singles and k not in used:
                used.add(k)
                out.append(singles[k])
            k += 1
            continue
        ta, tb = title_score(a[3]), title_score(b[3])
        ca, cb = company_score(a[3]), company_score(b[3])
        title, other = (a[3], b[3]) if ta > ca else (b[3], a[3])
        if (
            max(ta, tb) <= 0
            or (ta > ca) == (tb > cb)
            or is_place(b[3])
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


ONE_LINE_JOB_RE = re.compile(r",\s+|\s+[|–—-]\s+|\s+(?:at|@)\s+")


def _one_line_job(info: list[Info], k: int) -> Block | None:
    """'Engineering Lead, Ennovar' over its description: a dateless entry on one line, a known
    title on one side of one separator and a name on the other (None if line k is no such)."""
    i, line, off, body, ranges = info[k]
    if ranges or not _short_header(body) or k + 1 >= len(info):
        return None
    if _short_header(info[k + 1][3]):
        return None  # text follows a header, not another short line
    cuts = list(ONE_LINE_JOB_RE.finditer(body))
    if len(cuts) != 1:
        return None
    cut = cuts[0]
    head, tail = body[: cut.start()], body[cut.end() :]
    if title_score(head) <= max(0.0, company_score(head)) or not _name_like(tail):
        return None
    if is_place(tail) or title_score(tail) > company_score(tail):
        return None
    blk = Block(None, None)
    base = line.start + off
    for a, b in ((0, cut.start()), (cut.end(), len(body))):
        la, lb = trim(body[a:b])
        blk.parts.append(Part(base + a + la, base + a + lb, body[a + la : a + lb]))
    blk.lines.append(i)
    return blk


def doc_evidence(ctx: Context) -> dict[str, float]:
    """What the document's structure says about every entry in it: line breaks that were
    guessed from runs of spaces make every header and date read from them less sure."""
    if ctx.layout.meta.get("line_breaks_restored") and not ctx.flattened:
        return {"flattened": RESTORED_BREAKS_DOUBT}
    return {}
