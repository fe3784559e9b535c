"""The format-neutral CV document: a person plus a layout's style choices, as printable text.

`build_document` turns a `Person` into headings, entry headers, bullets and lists; the PDF, DOCX
and TXT renderers only place these strings, so every format prints exactly the same values.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from corpus import content as C
from corpus.person import YM, Extra, Job, Person, Study
from parsing import lexicon

Run = tuple[str, str]  # (text, "b" bold | "i" italic | "r" regular)
ENTRY_LINES = ("title_comma", "company_dash", "title_at", "pipe", "stacked", "company_stacked")
DATE_PLACES = ("right", "left", "own_line", "inline", "pipe")
SKILL_STYLES = ("comma", "bullets", "grouped", "pipe", "columns")


@dataclass(frozen=True, slots=True)
class Style:
    """Visual decisions of one (person, layout) rendering; none of them changes ground truth."""

    font: str
    size: float
    bullet: str
    entry_line: str
    date_place: str
    skill_style: str
    contact_style: str
    heading_case: str
    accent: tuple[float, float, float]
    group_roles: bool
    section_order: tuple[str, ...]


@dataclass(slots=True)
class Block:
    """One entry: header lines, the dates placed apart (None = already in the lines), bullets."""

    lines: list[list[Run]]
    dates: str | None
    bullets: list[str] = field(default_factory=list)
    indent: bool = False


@dataclass(slots=True)
class Section:
    """A titled section; exactly one of text / blocks / items / groups is used."""

    key: str
    heading: str
    text: str = ""
    blocks: list[Block] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    groups: list[tuple[str, list[str]]] = field(default_factory=list)


@dataclass(slots=True)
class Document:
    """Everything a renderer prints, in reading order."""

    name: str
    headline: str
    contact: list[tuple[str, str]]  # (kind, text): email, phone, address, link
    sections: list[Section]
    style: Style
    lang: str
    script: str

    def section(self, key: str) -> Section | None:
        """The section with this key, if the CV has one."""
        return next((s for s in self.sections if s.key == key), None)


def fmt_ym(ym: YM, style: str, lang: str) -> str:
    """A year-month exactly as this CV prints it."""
    y, m = ym
    return {
        "mon": lambda: f"{C.MONTH_ABBR[lang][m - 1]} {y}",
        "month": lambda: f"{C.MONTH_FULL[lang][m - 1]} {y}",
        "mm/yyyy": lambda: f"{m:02d}/{y}",
        "mm.yyyy": lambda: f"{m:02d}.{y}",
        "mm-yyyy": lambda: f"{m:02d}-{y}",
        "iso": lambda: f"{y}-{m:02d}",
        "year": lambda: str(y),
    }[style]()


def gt_ym(ym: YM | None, style: str) -> str:
    """Ground-truth date: as precise as printed; None (open end) is "present"."""
    if ym is None:
        return "present"
    return str(ym[0]) if style == "year" else f"{ym[0]}-{ym[1]:02d}"


def date_range(p: Person, start: YM, end: YM | None) -> str:
    """A printed date range in the CV's language and date style."""
    dash = p.dash
    if p.date_style in ("iso", "mm-yyyy") and dash.strip() in ("-", "–"):
        dash = " – "  # 2019-03-2021-05 would be unreadable
    if end is None and p.use_since:
        return f"{C.SINCE[p.lang]} {fmt_ym(start, p.date_style, p.lang)}"
    end_text = p.present if end is None else fmt_ym(end, p.date_style, p.lang)
    return f"{fmt_ym(start, p.date_style, p.lang)}{dash}{end_text}"


def study_dates(p: Person, s: Study) -> str:
    """Education dates: a range, or the end date alone."""
    if s.show_start:
        return date_range(p, s.start, s.end)
    return fmt_ym(s.end, p.date_style, p.lang)


def _head(title: str, org: str, dates: str, st: Style, lang: str) -> Block:
    kind = st.entry_line
    at = C.AT_WORD[lang]
    lines: list[list[Run]] = {
        "title_comma": [[(title, "b"), (", ", "r"), (org, "r")]],
        "company_dash": [[(org, "b"), (" — ", "r"), (title, "r")]],
        "title_at": [[(title, "b"), (f" {at} ", "r"), (org, "r")]],
        "pipe": [[(title, "b"), (" | ", "r"), (org, "r")]],
        "stacked": [[(title, "b")], [(org, "i")]],
        "company_stacked": [[(org, "b")], [(title, "i")]],
    }[kind]
    place = st.date_place
    if place == "pipe" or (kind == "pipe" and place in ("inline",)):
        lines[0].append((f" | {dates}", "r"))
        return Block(lines, None)
    if place == "inline":
        lines[0].append((f" ({dates})", "r"))
        return Block(lines, None)
    if place == "own_line":
        lines.append([(dates, "i")])
        return Block(lines, None)
    return Block(lines, dates)


def _job_blocks(p: Person, st: Style) -> list[Block]:
    blocks: list[Block] = []
    jobs = list(p.jobs)
    i = 0
    while i < len(jobs):
        run = [jobs[i]]
        while (
            st.group_roles
            and i + len(run) < len(jobs)
            and jobs[i + len(run)].company == jobs[i].company
        ):
            run.append(jobs[i + len(run)])
        if len(run) > 1:
            company = run[0].company
            span = date_range(p, run[-1].start, run[0].end)
            if st.date_place in ("right", "left"):
                blocks.append(Block([[(company, "b")]], span))
            else:
                blocks.append(Block([[(company, "b"), (f" ({span})", "r")]], None))
            for job in run:
                sub = _role_block(p, job, st)
                sub.indent = True
                blocks.append(sub)
        else:
            blocks.append(_job_block(p, jobs[i], st))
        i += len(run)
    return blocks


def _role_block(p: Person, job: Job, st: Style) -> Block:
    dates = date_range(p, job.start, job.end)
    if st.date_place in ("right", "left"):
        return Block([[(job.title, "b")]], dates, list(job.bullets))
    return Block([[(job.title, "b"), (f" ({dates})", "r")]], None, list(job.bullets))


def _job_block(p: Person, job: Job, st: Style) -> Block:
    block = _head(job.title, job.company, date_range(p, job.start, job.end), st, p.lang)
    block.bullets = list(job.bullets)
    return block


def _extra_block(p: Person, e: Extra, st: Style) -> Block:
    block = _head(e.role, e.org, date_range(p, e.start, e.end), st, p.lang)
    if e.text:
        block.bullets = [e.text]
    return block


def _study_block(p: Person, s: Study, st: Style) -> Block:
    block = _head(s.degree, s.institution, study_dates(p, s), st, p.lang)
    if s.note:
        block.bullets = [s.note]
    return block


def _cert_line(p: Person, i: int, rng: random.Random) -> str:
    c = p.certs[i]
    form = rng.randrange(4)
    return (
        f"{c.name} — {c.issuer} ({c.year})",
        f"{c.name}, {c.issuer}, {c.year}",
        f"{c.year}  {c.name} · {c.issuer}",
        f"{c.name} ({c.issuer})",
    )[form]


def _language_line(spoken_printed: str, level: str, form: int) -> str:
    if "(" in level and form == 1:
        form = 0
    return (
        f"{spoken_printed} — {level}",
        f"{spoken_printed} ({level})",
        f"{spoken_printed}: {level}",
    )[form]


def _heading(rng: random.Random, key: str, lang: str, case: str) -> str:
    options = lexicon.headings()[key][lang]
    text = options[0] if rng.random() < 0.4 else rng.choice(options)
    return text.upper() if case == "upper" else text


def choose_style(p: Person, rng: random.Random, fixed: dict[str, object]) -> Style:
    """Random style for this rendering, overridden by what the layout fixes."""
    latin1 = all(ord(ch) < 0x250 for ch in p.name + p.address)
    fonts = (
        ("helvetica", "times", "dejavu", "dejavuserif", "dejavucond")
        if latin1
        else ("dejavu", "dejavuserif", "dejavucond")
    )
    order = [
        "summary",
        "experience",
        "education",
        "skills",
        "languages",
        "certifications",
        "projects",
        "volunteer",
        "awards",
        "interests",
        "references",
    ]
    if rng.random() < 0.25:
        order.remove("education")
        order.insert(1, "education")
    if rng.random() < 0.3:
        order.remove("skills")
        order.insert(1, "skills")
    values: dict[str, object] = {
        "font": rng.choice(fonts),
        "size": rng.choice((9.0, 9.5, 10.0, 10.5, 11.0)),
        "bullet": rng.choice(("•", "–", "*", "·")),
        "entry_line": rng.choice(ENTRY_LINES),
        "date_place": rng.choice(("right", "own_line", "inline", "left")),
        "skill_style": rng.choice(SKILL_STYLES),
        "contact_style": rng.choice(("row", "stack", "labels")),
        "heading_case": rng.choice(("upper", "as_is", "as_is")),
        "accent": rng.choice(
            (
                (0.1, 0.25, 0.45),
                (0.55, 0.1, 0.1),
                (0.1, 0.4, 0.3),
                (0.2, 0.2, 0.2),
                (0.35, 0.2, 0.5),
            )
        ),
        "group_roles": rng.random() < 0.5,
        "section_order": tuple(order),
    }
    for key, value in fixed.items():
        values[key] = rng.choice(value) if isinstance(value, list) else value
    if values["font"] in ("helvetica", "times", "courier") and values["bullet"] not in (
        "•",
        "–",
        "*",
        "·",
        "-",
    ):
        values["bullet"] = "•"  # the standard PDF fonts have no ▪ or ►
    if values["entry_line"] == "pipe" and values["date_place"] == "right":
        values["date_place"] = "pipe"
    return Style(**values)  # type: ignore[arg-type]


def build_document(p: Person, layout: str, fixed: dict[str, object]) -> Document:
    """The printable CV of `p` for one layout (deterministic in person seed and layout)."""
    rng = random.Random(f"{p.seed}:{layout}")
    st = choose_style(p, rng, fixed)
    contact: list[tuple[str, str]] = [("email", p.email)]
    if p.phone:
        contact.append(("phone", p.phone))
    contact.append(("address", p.address))
    contact += [("link", link) for link in p.links]
    sections: list[Section] = []
    lang_form = rng.randrange(3)
    for key in st.section_order:
        sec = Section(key, _heading(rng, key, p.lang, st.heading_case))
        if key == "summary":
            sec.text = p.summary
        elif key == "experience":
            sec.blocks = _job_blocks(p, st)
        elif key == "education":
            sec.blocks = [_study_block(p, s, st) for s in p.education]
        elif key == "skills":
            sec.items = list(p.skills)
            labels = C.SKILL_GROUP_LABELS[p.lang]
            for kind in (0, 1, 2):
                group = [s for s, k in zip(p.skills, p.skill_kinds, strict=True) if k == kind]
                if group:
                    sec.groups.append((labels[kind], group))
        elif key == "languages":
            sec.items = [_language_line(s.printed, s.level, lang_form) for s in p.languages]
        elif key == "certifications" and p.certs:
            sec.items = [_cert_line(p, i, rng) for i in range(len(p.certs))]
        elif key == "projects" and p.projects:
            sec.blocks = [_extra_block(p, e, st) for e in p.projects]
        elif key == "volunteer" and p.volunteer:
            sec.blocks = [_extra_block(p, e, st) for e in p.volunteer]
        elif key == "awards" and p.awards:
            sec.items = list(p.awards)
        elif key == "interests":
            sec.items = list(p.interests)
        elif key == "references" and rng.random() < 0.3:
            sec.text = C.REFERENCES[p.lang]
        if sec.text or sec.blocks or sec.items:
            sections.append(sec)
    return Document(p.name, p.headline, contact, sections, st, p.lang, p.script)


def plain(line: list[Run]) -> str:
    """The text of one header line."""
    return "".join(text for text, _ in line)


def contact_texts(doc: Document) -> list[str]:
    """Contact items as printed (with labels when the style uses them)."""
    labels = C.LABELS[doc.lang]
    out = []
    for kind, text in doc.contact:
        if doc.style.contact_style == "labels" and kind in labels:
            out.append(f"{labels[kind]}: {text}")
        else:
            out.append(text)
    return out
