"""Experience entries: title, company and location picked from date-anchored blocks."""

from __future__ import annotations

import re
from dataclasses import replace

from parsing import lexicon
from parsing.contact import US_STATES
from parsing.dates import PRESENT, find_date_ranges, month_index, total_years
from parsing.extractors.base import Context
from parsing.extractors.entry_blocks import (
    Block,
    Part,
    company_score,
    doc_evidence,
    group_blocks,
    is_place,
    location_part,
    title_score,
)
from parsing.gazetteer import city_country
from parsing.model import ExperienceEntry, Field
from parsing.nlp import entities
from parsing.sections import Section

# Evidence strengths (see parsing/confidence.py for the weights they scale).
UNSUPPORTED_DOUBT = {"title": 3.0, "company": 1.0}
INHERITED_DOUBT = 3.0
WEAK_LEXICON = 0.3  # an all-caps token alone scores 0.12: not enough to trust the position
ENTRY_KINDS = ("experience", "education")
# "• Worked as a Maintenance Engineer in Hamad Medical Corporation, Qatar :2015-2017",
# "3 YEAR experience as ELECTRICAL SUPERVISOR in DEP CONSTRUCTION PVT LTD": a job in a sentence.
COMPANY_WORDS = r"[A-Z0-9][\w&.'’-]*(?:\s+(?:[A-Z0-9&(][\w&.'’()-]*|of|and|de|the))*"
WORKED_AS_RE = re.compile(
    r"(?i:\b(?:worked|working|employed|served|experience|experiance|experince|\d+\s*years?)"
    r"\s+as)\s+(?:(?i:an?)\s+)?(?P<title>[^,;:.()]{2,60}?)\s+(?i:in|at|with|for)\s+"
    rf"(?P<company>{COMPANY_WORDS})"
)
# "Worked for ONGC as an interpreter from Feb 2005", "Currently work in Home Credit India as a
# sales Associate", "Worked for Hotel President ( As an Security Manager)"
WORKED_FOR_RE = re.compile(
    r"(?i:\b(?:worked|working|work|employed|serve|served|serving)\s+(?:in|at|for|with))\s+"
    rf"(?P<company>{COMPANY_WORDS}?)\s*\(?\s*(?i:as)\s+(?:(?i:an?)\s+)?"
    r"(?P<title>[^,;:.()]{2,60}?)(?=\s+(?i:from|since|for|till|until)\b|\s*[,;:.()]|\s*$)"
)


def _place_suffix(p: Part) -> list[Part]:
    """'Le Figaro (France)' → 'Le Figaro' + place 'France'."""
    m = re.search(r"\s*\(([^()]{2,40})\)$", p.text)
    inner = m.group(1) if m else ""
    if not m or not (location_part(inner) or is_place(inner) or city_country(inner)):
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
            sited=True,
        ),
        Part(p.start + inner, p.start + inner + len(m.group(1)), m.group(1), place=True),
    ]


def _merge_places(parts: list[Part]) -> list[Part]:
    """'Pune' + 'Maharashtra' (a city part before a region/country part) → one place part."""
    out: list[Part] = []
    for p in parts:
        if (
            out
            and location_part(p.text)
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


Assigned = tuple[Part | None, Part | None, Part | None, dict[str, float], dict[str, float]]


def _unseparated_header(p: Part) -> tuple[Part, Part, Part | None] | None:
    """Title, employer and place of a header that lost its punctuation ("Cloud Security
    Engineer Teccorps Ltd Pune Maharashtra"): the title ends at its last title word, the
    employer runs on to a trailing city and region. None when that does not read."""
    words = list(re.finditer(r"\S+", p.text))
    end = len(words)
    if end > 1 and words[-1].group(0) in US_STATES:  # "… Oklahoma City OK"
        end -= 1
    else:
        for n in (2, 1):  # "Tamil Nadu", "Maharashtra"
            if end > n and location_part(" ".join(w.group(0) for w in words[end - n :])):
                end -= n
                break
    for n in (3, 2, 1):  # the city (before its region, or alone: "… Limited Dehra Dun")
        if end > n + 1 and city_country(" ".join(w.group(0) for w in words[end - n : end])):
            end -= n
            break
    titled = [k for k in range(end) if words[k].group(0).lower() in lexicon.title_words()]
    if not titled or titled[-1] + 1 >= end:
        return None
    cut = titled[-1] + 1
    company = p.text[words[cut].start() : words[end - 1].end()]
    if not company[:1].isupper() or title_score(company) > 0:
        return None

    def part(a: int, b: int, place: bool = False) -> Part:
        return Part(p.start + a, p.start + b, p.text[a:b], place=place)

    title = part(0, words[cut - 1].end())
    employer = part(words[cut].start(), words[end - 1].end())
    place = part(words[end].start(), words[-1].end(), True) if end < len(words) else None
    return title, employer, place


def _assign(
    ctx: Context, parts: list[Part], orgs: list[tuple[int, int]], order_hint: str | None
) -> Assigned:
    """Pick (title, company, location) among header parts, with the evidence for each; `orgs`
    are the document offsets of what NER read as organisations in the header."""
    parts = _merge_places([q for p in parts for q in _place_suffix(p)])
    restored = ctx.layout.meta.get("line_breaks_restored")
    for split in map(_unseparated_header, parts if restored else []):
        if split is not None:  # a guess: the punctuation that told the parts apart is gone
            title, company, place = split
            guess = {"pattern_guess": 1.0, "lexicon": 1.0}
            return title, company, place, dict(guess), dict(guess)
    hinted_t = next((p for p in parts if p.kind_hint == "title"), None)
    hinted_c = next((p for p in parts if p.kind_hint == "company"), None)
    if hinted_t or hinted_c:  # "Designation : …" / "Company : …" say which is which
        return hinted_t, hinted_c, None, {"labelled": 1.0}, {"labelled": 1.0}
    cands = [p for p in parts if not p.place and not location_part(p.text)]
    loc = next((p for p in parts if p.place or location_part(p.text)), None)
    if not cands:
        return None, None, loc, {}, {}
    scored = []
    for p in cands:
        t, c = title_score(p.text), company_score(p.text)
        if any(a < p.end and p.start < b for a, b in orgs):
            c += 1.0
        if p.sited:  # an employer is written with where it is; a title or department is not
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


def _within(ctx: Context, inner: Block, outer: Block) -> bool:
    """`inner`'s date range lies inside `outer`'s (a role inside its employer's years)."""
    if inner.date is None or outer.date is None or not inner.date.start or not outer.date.start:
        return False
    today = ctx.today
    i0, o0 = month_index(inner.date.start, today), month_index(outer.date.start, today)
    i1 = month_index(inner.date.end or inner.date.start, today, end=True)
    o1 = month_index(outer.date.end or outer.date.start, today, end=True)
    return None not in (i0, o0, i1, o1) and o0 <= i0 <= i1 <= o1  # type: ignore[operator]


def _sole_part(blk: Block) -> Part | None:
    """The one header part of a block that is not its place, if it has exactly one."""
    parts = [p for p in blk.parts if not p.place and not location_part(p.text)]
    return parts[0] if len(parts) == 1 else None


def _group_header(
    ctx: Context, blocks: list[Block], assigned: list[Assigned], n: int
) -> Part | None:
    """Block n names only an employer and its dates, and the next block is a role alone inside
    those dates: the heading of several roles at one company. Its one part is the employer even
    when read as a title, if the role below reads more like a title than it does."""
    blk = blocks[n]
    if blk.date is None or blk.desc or n + 1 >= len(blocks):
        return None
    head, role = _sole_part(blk), _sole_part(blocks[n + 1])
    if head is None or role is None or not _within(ctx, blocks[n + 1], blk):
        return None
    pt, pc = assigned[n][:2]
    if pc is head or (pt is head and title_score(role.text) > title_score(head.text)):
        return head
    return None


def _date_fields(ctx: Context, blk: Block) -> tuple[Field | None, Field | None]:
    if blk.date is None or blk.date_abs is None:
        return None, None
    a, b = blk.date_abs
    raw = ctx.layout.text[a:b]
    r = blk.date
    doc = doc_evidence(ctx)
    ev = ({"precise": 1.0} if r.start and "-" in r.start else {}) | doc
    start = ctx.make(a, b, "date", ev, "dates.rules", value=raw.strip(), normalized=r.start)
    end = None
    if r.end:
        eev = ({"precise": 1.0} if r.end == PRESENT or "-" in r.end else {}) | doc
        end = ctx.make(a, b, "date", eev, "dates.rules", value=raw.strip(), normalized=r.end)
    return start, end


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
        ps = [p for p in blk.parts if not location_part(p.text)]
        if len(ps) < 2 or any(p.after_at for p in ps):
            continue
        d0 = title_score(ps[0].text) - company_score(ps[0].text)
        d1 = title_score(ps[1].text) - company_score(ps[1].text)
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
        blocks = group_blocks(ctx, section, allow_single=False)
        if not blocks:
            blocks = group_blocks(ctx, section, allow_single=True)
        hint = _order_hint(ctx, blocks)
        parts = [p for blk in blocks for p in blk.parts]
        ner_flat = entities([p.text for p in parts]) if parts else []
        # ORG spans in document offsets: the parts _assign compares are split and merged from
        # these (a place in brackets, a city before its region), so lists would not line up
        orgs = [
            (p.start + s, p.start + e)
            for p, ents in zip(parts, ner_flat, strict=True)
            for s, e, lab in ents
            if lab == "ORG"
        ]
        assigned = [_assign(ctx, blk.parts, orgs, hint) for blk in blocks]
        prev_company: Field | None = None
        group: Block | None = None  # the employer heading whose roles follow, with its dates
        for n, (blk, (pt, pc, loc, tev, cev)) in enumerate(zip(blocks, assigned, strict=True)):
            head = _group_header(ctx, blocks, assigned, n)
            if head is not None:
                # "08/2011 – Present | Nordwind Logistics" over its roles: the employer of the
                # entries below, not an entry of its own
                hev = cev if pc is head else {"pattern_consistent": 1.0}
                prev_company = ctx.make(
                    head.start, head.end, "company", hev | doc_evidence(ctx), "experience.header"
                )
                group = blk
                continue
            if group is not None and not _within(ctx, blk, group):
                prev_company = group = None
            if hint and "pattern_guess" in tev:
                tev.pop("pattern_guess")
                cev.pop("pattern_guess", None)
                tev["pattern_consistent"] = cev["pattern_consistent"] = 1.0
            entry = ExperienceEntry()
            doc = doc_evidence(ctx)
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
                        # under an employer heading whose dates hold the role: well backed
                        {"inherited": 1.0 if group is not None else INHERITED_DOUBT} | doc,
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
    if not out:  # no entry blocks anywhere: the jobs may be told in sentences
        out = [e for section in sections for e in _worked_as_entries(ctx, section)]
    return out


def _worked_as_entries(ctx: Context, section: Section) -> list[ExperienceEntry]:
    """Jobs told in sentences ('Worked as X in Y from 2015 to 2017'), for CVs whose experience
    lines form no entry blocks; a company cut at the line end continues on the next line."""
    out: list[ExperienceEntry] = []
    lines = ctx.layout.lines
    doc = doc_evidence(ctx)
    for i in range(section.first, section.last):
        line = lines[i]
        text = line.text
        nxt = lines[i + 1] if i + 1 < section.last else None
        m = WORKED_AS_RE.search(text) or WORKED_FOR_RE.search(text)
        if m is None:
            continue
        a = line.start + m.start("company")
        b = line.start + m.end("company")
        while b > a and ctx.layout.text[b - 1] in ".,;:(":  # "… in Jeweler Showroom."
            b -= 1
        if nxt is not None and m.end("company") == len(text.rstrip()) and nxt.text[:1].isupper():
            cont = re.match(r"[A-Z0-9&][\w&.'’-]*(?:\s+[A-Z0-9&][\w&.'’-]*)*", nxt.text)
            if cont and not find_date_ranges(cont.group(0)):
                b = nxt.start + cont.end()  # "… in VOLTECH ENGINEERS" / "PRIVATE LTD"
        ev = {"separator": 1.0, "pattern_guess": 1.0} | doc
        tev = ev | ({"lexicon": 1.0} if title_score(m.group("title")) > 0 else {})
        entry = ExperienceEntry(
            title=ctx.make(
                line.start + m.start("title"), line.start + m.end("title"), "title", tev,
                "experience.sentence",
            ),
            company=ctx.make(a, b, "company", ev, "experience.sentence", value=" ".join(
                ctx.layout.text[a:b].split())),
        )  # fmt: skip
        tail = ctx.layout.text[line.start + m.end() : (nxt.end if nxt else line.end)]
        ranges = [r for r in find_date_ranges(tail) if r.kind in ("range", "since")]
        if ranges:
            r = ranges[0]
            at = line.start + m.end() + r.start_pos
            span = (at, line.start + m.end() + r.end_pos)
            entry.start = ctx.make(*span, "date", ["precise"], "experience.sentence",
                                   normalized=r.start)  # fmt: skip
            if r.end:
                entry.end = ctx.make(*span, "date", ["precise"], "experience.sentence",
                                     normalized=r.end)  # fmt: skip
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
