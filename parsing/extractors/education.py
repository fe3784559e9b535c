"""Education entries: degrees and institutions matched, then grouped into entries by slot."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from functools import lru_cache
from typing import NamedTuple

from parsing import lexicon
from parsing.contact import US_STATES, country_index
from parsing.dates import DateRange, find_date_ranges
from parsing.extractors.base import BULLET_RE, Context, content_lines
from parsing.extractors.contact import city_region_runs, parse_location
from parsing.extractors.entry_blocks import (
    AT_RE,
    AT_WORDS,
    STRIP,
    Part,
    doc_evidence,
    is_place,
    location_part,
    trim,
)
from parsing.layout import Line
from parsing.model import EducationEntry
from parsing.sections import Section

INSTITUTION_LEAD_RE = re.compile(r"(?i:from|at|in)\s+(?=[A-Z])")
COUNTRY_TAIL_RE = re.compile(r",\s*([^\W\d_][^\W\d_ ]{1,30})\s*$")
PLACE_TAIL_RE = re.compile(r"\s+[-–—]\s+(?!.*\s[-–—]\s)")
DENSE_SHARE = 0.25
GRADE_RE = re.compile(r"(?i)(gpa|grade|note|cgpa|percentage|score|mention)\b")
WIDE_SECTION_ROWS = 40
DANGLING_RE = re.compile(
    r"(?i)\s(?:in|of|and|&|for|with|at|@|bei|chez|bij|en|de|du|des|im|am|von|van|der|und|et|y)$"
)
# Where a line's degree ends and its school begins, strongest first (regexes: a wrapped line
# joined back carries a newline where the space was).
EDU_CUTS = (
    (r"\|", 7),
    (r"\sfrom\s", 6),
    (rf"\s(?:{AT_WORDS})\s", 5),
    (",", 4),
    (" — ", 3),
    (" – ", 2),
    (" - ", 1),
    ("•", 0),
    (r"\sen\s", 0),  # Spanish 'at' — also 'in' inside a degree, so the weakest cut
)
EDU_LABEL_RE = re.compile(
    r"(?i)(?:graduation|post[- ]?graduation|under[- ]?graduation|qualification|degree|"
    r"course|school|college|university|institute|board|diploma)\s*\|?\s*:\s*"
)
EduRow = tuple[int, str, int, list[DateRange]]  # (start, text, chars cut, date ranges)


@lru_cache(maxsize=1)
def _institution_re() -> re.Pattern[str]:
    words = sorted(lexicon.institution_words(), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)")


# "University degree in …", "college diploma": the institution word describes the degree
ADJECTIVAL_RE = re.compile(r"\s+(?:degree|diploma|studies|education|course|courses|level)\b")


def _institution_at(text: str) -> int | None:
    """Start of the first institution word in `text`, or None."""
    for m in _institution_re().finditer(text.lower()):
        if not ADJECTIVAL_RE.match(text, m.end()):
            return m.start()
    return None


NAME_STOPS = frozenset({"in", "of", "and", "&", "from", "at", "with", "on", "for"})
# Words of what was studied that the field lexicon holds only inside longer names.
FIELD_WORDS = frozenset(
    "application applications commerce arts science sciences engineering technology "
    "management administration studies electronics communication communications mechanical "
    "civil electrical finance accounting accounts mathematics physics chemistry statistics "
    "economics information computer computers computing instrumentation biotechnology "
    "pharmacy nursing law education".split()
)


@lru_cache(maxsize=1)
def _field_words() -> frozenset[str]:
    """Words of the fields of study ('computer', 'science', 'technology', ...)."""
    words = {w for f in lexicon.fields_of_study() for w in f.split() if len(w) > 2}
    return frozenset(words | FIELD_WORDS)


def _name_start(text: str, lo: int, inst: int) -> int | None:
    """Where the name of the school whose institution word is at `inst` begins, walking back
    from it over the words after the degree at `lo` until a field of study or a connector:
    'Master of Science in Information Technology | Sikkim Manipal University' when nothing but
    capitals tells them apart (a CV that lost its punctuation). None when no word is left for
    the degree's field."""
    words = list(re.finditer(r"\S+", text[lo:inst]))
    start = inst
    for w in reversed(words):
        word = w.group(0).lower().strip(".,")
        if word in NAME_STOPS or word in _field_words() or not word[:1].isalpha():
            break
        start = lo + w.start()
    return start if lo < start else None


def _edu_parts(parts: list[Part], *, unpunctuated: bool = False) -> list[Part]:
    """One degree part and one institution part per line, cut at the strongest separator between
    the degree mention and the institution word ('MSc in IT, INSA Lyon - Institut ...'); in a
    CV that lost its punctuation (`unpunctuated`), where the school's name begins."""
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
            for m in re.finditer(sep, p.text[lo:hi]):
                cand = (rank, lo + m.start(), lo + m.end())
                if (
                    best is None
                    or cand[0] > best[0]
                    or (cand[0] == best[0] and ((cand[1] > best[1]) == (deg[0] < inst)))
                ):
                    best = cand
        if best is None and unpunctuated and deg[0] < inst:  # where the school's name begins
            start = _name_start(p.text, deg[1], inst)
            best = (0, start, start) if start is not None else None
        if best is None:
            out.append(p)
            continue
        _, c0, c1 = best
        for a, b in ((0, c0), (c1, len(p.text))):
            piece = p.text[a:b]
            la, lb = trim(piece)
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
    if location_part(tail) or (parse_location(tail) is not None and "," in tail):
        return [p]
    return [
        Part(p.start, p.start + len(head), head, kind_hint="degree"),
        Part(p.end - len(tail), p.end, tail, kind_hint="institution"),
    ]


def _is_country(text: str) -> bool:
    return lexicon.normalise(text) in country_index()


def _bare_institution(text: str, a: int, b: int) -> tuple[int, int]:
    """text[a:b] without a leading 'from/at/in' and a trailing ', Country': 'from Bharathiar
    University, India' → 'Bharathiar University' (a ' - City' tail went in `_strip_place`)."""
    lead = INSTITUTION_LEAD_RE.match(text, a, b)
    if lead and lead.end() < b:
        a = lead.end()
    tail = COUNTRY_TAIL_RE.search(text, a, b)
    if tail and _is_country(tail.group(1)):
        b = tail.start()
    return a, b


# "Universitat … — Graduated Cum laude with a 9.76": a note on the result after a spaced dash
NOTE_TAIL_RE = re.compile(
    r"\s+[—–]\s+(?=(?:[A-Z][a-z]+ed|with|gpa|grade|cgpa|score|mention|honou?rs)\b)", re.I
)


def _strip_note(p: Part) -> Part:
    """The entry without a note on how it went ('— Completed coursework with', '— GPA 3.8')."""
    m = NOTE_TAIL_RE.search(p.text)
    if m is None or m.start() == 0:
        return p
    return Part(p.start, p.start + m.start(), p.text[: m.start()], kind_hint=p.kind_hint)


def _strip_place(p: Part, *, unpunctuated: bool = False) -> Part:
    """'Osmania University - Hyderabad, Telangana' → the institution without where it is; in a
    CV that lost its punctuation also a trailing city and region with no separator ('Sri
    venkateswara University Nellore Andhra Pradesh')."""
    inst = _institution_at(p.text) if unpunctuated else None
    if inst is not None:
        name_end = p.text.find(" ", inst)
        runs = city_region_runs(p.text, after=name_end + 1 if name_end > 0 else None)
        ends = [r[0] for r in runs if r[1] == len(p.text) and r[0] > inst]
        if ends:
            la, lb = trim(p.text[: ends[0]])
            return Part(p.start + la, p.start + lb, p.text[la:lb], kind_hint=p.kind_hint)
    m = PLACE_TAIL_RE.search(p.text)
    if m is None or m.start() == 0:
        return p
    tail = p.text[m.end() :].strip(STRIP)
    if not (is_place(tail) or _is_country(tail)):
        return p
    la, lb = trim(p.text[: m.start()])
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
        la, lb = trim(piece)
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
    if hit and (
        ((hit[0] > 0 or len(_compact(text[hit[0] : hit[1]])) <= 3) and _ends_with_institution(text))
        or (_institution_at(text[hit[0] : hit[1]]) == 0 and text[hit[1] :].strip()[:1].isupper())
    ):
        # "Springfield High School", "Dr. R. K. Rao College"; "Gymnasium Wolfach" names a school
        return "institution"
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
    unpunctuated = ctx.breaks_lost

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
    date_last, first_unknown, dense, dated_slot = _slot_mode(rows)
    ended = False  # the current entry got its closing date: only a grade line may follow
    after_header = False  # the row above was an entry's dated line holding only its dated slot
    for base, stripped, cut, ranges in rows:
        n_words = len(stripped.split())
        if n_words > 30 or (n_words > 14 and not ranges and not degree_match(stripped)):
            continue
        if _column_header(stripped):  # "COURSE | INSTITUTE | BOARD | YEAR | %"
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
        pieces = [
            _strip_place(q, unpunctuated=unpunctuated)
            for q in _edu_parts(
                [_strip_note(d) for d in _date_free(stripped, ranges, base + cut)],
                unpunctuated=unpunctuated,
            )
        ]
        if len(pieces) == 1 and "degree" not in cur and "institution" not in cur:
            pieces = _split_unknown_pair(pieces[0])
        for p in pieces:
            if GRADE_RE.match(p.text):
                cur.setdefault("grade", (p, None))
                continue
            kind = _edu_part_kind(p.text)
            if kind == "unknown" and p.kind_hint:
                kind = p.kind_hint + "_guess"
            if (
                kind == "unknown"
                and dated_slot
                and ranges
                and len(pieces) == 1
                and p.text[:1].isupper()
            ):
                kind = dated_slot + "_guess"
            if kind == "unknown":
                lower_ok = after_header and not cut  # "Orsys | 2019" / "formation React JS"
                if location_part(p.text) or is_place(p.text):
                    continue
                if not (p.text[:1].isupper() or lower_ok):
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
        after_header = bool(ranges) and len(pieces) == 1 and dated_slot is not None
    close()
    return entries


class SlotMode(NamedTuple):
    """How a section writes its entries."""

    date_last: bool  # the year on its own line closes each entry
    first_unknown: str  # the slot an unknown first line fills
    dense: bool  # the lines mostly name degrees and schools (else keep what lexicons back)
    dated_slot: str | None  # the slot the text beside an entry's dates always fills


def _slot_mode(rows: list[EduRow]) -> SlotMode:
    """Read the section's rows once for the conventions its entries share."""
    dated = [n for n, r in enumerate(rows) if r[3]]
    date_last = (
        bool(dated)
        and not rows[0][3]
        and dated[0] <= 3
        and not any(_date_free(r[1], r[3], 0) for r in rows if r[3])
    )
    kinds = [_edu_part_kind(r[1]) for r in rows]
    first_unknown = "institution" if _institution_first(kinds) else "degree"
    named = sum(1 for k in kinds if k != "unknown")
    dense = len(rows) <= WIDE_SECTION_ROWS or named >= DENSE_SHARE * len(rows)
    return SlotMode(date_last, first_unknown, dense, _dated_slot(rows))


def _dated_slot(rows: list[EduRow]) -> str | None:
    """'Orsys | Nov 2019 – Nov 2019' among 'CLEVER INSTITUTE | Dec 2020 – …' and
    'Université d'Orsay | Dec 1996 – …': when the one named text beside the dates is always the
    same slot (in a section with at least two such lines), unknown text alone beside dates fills
    it too."""
    votes: Counter[str] = Counter()
    for _, text, _, ranges in rows:
        parts = _edu_parts(_date_free(text, ranges, 0)) if ranges else []
        if len(parts) == 1:  # the date shares its line with one slot only
            votes[_edu_part_kind(parts[0].text)] += 1
    if votes.total() < 2:
        return None  # no repeated pattern
    for slot, other in (("institution", "degree"), ("degree", "institution")):
        if votes[slot] >= 1 and votes[other] == 0:
            return slot
    return None


def _edu_rows(ctx: Context, section: Section) -> list[EduRow]:
    """The section's lines as rows; a line ending in 'in' / 'of' / '&' continues on the next
    ('Bachelor of Engineering in' + 'ELECTRONICS')."""
    lines = list(content_lines(ctx, section))
    blocks = {(ln.page, ln.block) for _, ln, _ in lines}
    right = max(
        (ln.bbox[2] for ln in ctx.layout.lines if (ln.page, ln.block) in blocks), default=0.0
    )  # the right edge of the section's column: where a line wraps
    rows = []
    n = 0
    while n < len(lines):
        i, line, off = lines[n]
        body = line.text[off:]
        while (
            n + 1 < len(lines)
            and lines[n + 1][0] == i + 1
            and (
                (
                    len(lines[n + 1][1].text.split()) <= 4
                    and (
                        DANGLING_RE.search(body)
                        or _cut_after_at(body, lines[n + 1][1].text)
                        or _hanging(lines[n][1], lines[n + 1][1], right)
                    )
                )
                # a school's dates right-aligned on its row, read as a line of their own
                or lines[n][1].beside(lines[n + 1][1])
            )
        ):
            n += 1
            i = lines[n][0]
            body = body + "\n" + lines[n][1].text
        rows.append(_edu_row(body, line.start + off))
        n += 1
    return rows


HANGING_TOLERANCE = 2.0  # points between a wrapped line's left edge and its value column


def _hanging(line: Line, nxt: Line, right: float) -> bool:
    """'2004 - 2011 | Bachelor of … in Egypt, Alexandria' / 'University' indented to where the
    text after the label's '|' starts: the value wrapped under its own column, because the
    next line's first word would not have fitted before the column's right edge (PDF only)."""
    bar = line.text.find(" | ")
    if bar < 0 or line.xs is None or nxt.xs is None or nxt.page != line.page:
        return False
    value_x = line.xs[bar + 3]  # geometry first: the date search is the costly test
    if abs(nxt.bbox[0] - value_x) > HANGING_TOLERANCE or nxt.bbox[0] <= line.bbox[0] + 20:
        return False
    if not nxt.text.strip() or find_date_ranges(nxt.text):
        return False
    first = len(nxt.text.split()[0])
    lead = len(nxt.text) - len(nxt.text.lstrip())
    width = nxt.xs[lead + first] - nxt.xs[lead]
    space = line.size * 0.25 if line.size else 2.5
    return line.bbox[2] + space + width > right


def _cut_after_at(body: str, nxt: str) -> bool:
    """'Bachelor of Science bei Universität' + 'Eilenburg': a line whose 'at <school>' tail is one
    or two words, then a short capitalised line with no date, degree or place — the school's
    name wrapped at the column edge."""
    tails = AT_RE.split(body)
    nxt = nxt.strip()
    return (
        len(tails) == 2
        and 1 <= len(tails[1].split()) <= 2
        and len(nxt.split()) <= 3
        and nxt[:1].isupper()
        and not BULLET_RE.match(nxt)
        and not re.search(r"\d", nxt)
        and degree_match(nxt) is None
        and not (is_place(nxt) or location_part(nxt) or _is_country(nxt))
    )


# Words of an education table's header row (the column names over its entries).
COLUMN_WORDS = frozenset(
    "course courses degree degrees qualification qualifications examination exam institute "
    "institution university board school college year years passing percentage cgpa gpa "
    "marks grade class specialization specialisation stream duration name score result "
    "session batch pass passed out aggregate obtained of the and in % sl s.no no. sr".split()
)


def _column_header(text: str) -> bool:
    """A table header row naming its columns ("Course | Institute | Board | Year | %")."""
    words = [w for w in re.split(r"[\s|/,:()&.-]+", text.lower()) if w]
    named = {w for w in words if w in COLUMN_WORDS and len(w) > 3}
    return len(named) >= 2 and all(w in COLUMN_WORDS for w in words)


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


def _institution_first(kinds: list[str]) -> bool:
    """Whether this section writes the school before the degree (votes of adjacent lines)."""
    votes = 0
    for a, b in itertools.pairwise(kinds):
        if {a, b} == {"degree", "institution"}:
            votes += 1 if a == "institution" else -1
    return votes > 0


def _education_entry(ctx: Context, e: dict[str, tuple[Part, object]]) -> EducationEntry:
    entry = EducationEntry()
    doc = doc_evidence(ctx)
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
        a, b = _bare_institution(ctx.layout.text, p.start, p.end)
        entry.institution = ctx.make(a, b, "institution", ev, "education.institution")
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
