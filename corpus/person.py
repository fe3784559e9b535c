"""A synthetic person and their CV content, deterministic from one integer seed.

Everything that ends up in the ground truth (names, dates and their precision, printed skill and
certification names, degree strings) is decided here, so every layout of the same person has the
same ground truth; layouts only decide how it looks.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from corpus import content as C
from parsing import lexicon

YM = tuple[int, int]
ITALIAN_CITIES = (
    "Milano",
    "Roma",
    "Torino",
    "Napoli",
    "Bologna",
    "Firenze",
    "Genova",
    "Verona",
    "Padova",
    "Bari",
    "Palermo",
    "Catania",
    "Trieste",
    "Brescia",
    "Bergamo",
    "Modena",
    "Parma",
    "Pisa",
    "Lecce",
    "Perugia",
    "Vicenza",
    "Trento",
    "Udine",
    "Ancona",
    "Cagliari",
)
NOW: YM = (2025, 6)  # fixed "today": the corpus must not depend on the clock

DEGREES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "bachelor": (
            "Bachelor of Science in {field}",
            "B.Sc. in {field}",
            "BSc {field}",
            "B.S. in {field}",
            "Bachelor of Arts in {field}",
            "BA in {field}",
            "Bachelor of Engineering in {field}",
        ),
        "master": (
            "Master of Science in {field}",
            "M.Sc. in {field}",
            "MSc {field}",
            "M.S. in {field}",
            "Master of Arts in {field}",
            "MBA",
            "MA in {field}",
        ),
        "doctorate": ("PhD in {field}", "Ph.D. in {field}", "Doctor of Philosophy in {field}"),
        "secondary": ("High School Diploma", "A-Levels", "International Baccalaureate"),
    },
    "en_IN": {
        "bachelor": (
            "B.Tech in {field}",
            "B.E. in {field}",
            "Bachelor of Technology in {field}",
            "B.Sc. in {field}",
            "B.Com",
        ),
        "master": ("M.Tech in {field}", "MBA", "M.Sc. in {field}", "MCA"),
        "doctorate": ("Ph.D. in {field}",),
        "secondary": ("HSC", "12th (CBSE)", "Class XII", "SSC"),
    },
    "de": {
        "bachelor": (
            "Bachelor of Science {field}",
            "B.Sc. {field}",
            "B.A. {field}",
            "Bachelor of Engineering {field}",
            "Bachelor {field}",
        ),
        "master": (
            "M.Sc. {field}",
            "Master of Science {field}",
            "M.A. {field}",
            "Master {field}",
            "Diplom-Ingenieur (Dipl.-Ing.) {field}",
            "Diplom {field}",
        ),
        "doctorate": ("Promotion (Dr. rer. nat.) {field}", "Dr.-Ing. {field}", "Promotion {field}"),
        "secondary": ("Abitur", "Allgemeine Hochschulreife", "Fachhochschulreife"),
    },
    "fr": {
        "bachelor": (
            "Licence en {field}",
            "Licence professionnelle {field}",
            "DUT {field}",
            "BTS {field}",
            "Bachelor {field}",
        ),
        "master": (
            "Master {field}",
            "Master 2 {field}",
            "Diplôme d'ingénieur {field}",
            "Master en {field}",
        ),
        "doctorate": ("Doctorat en {field}",),
        "secondary": ("Baccalauréat scientifique", "Baccalauréat", "Bac S"),
    },
    "es": {
        "bachelor": (
            "Grado en {field}",
            "Licenciatura en {field}",
            "Técnico Superior en {field}",
            "Ingeniería Técnica en {field}",
        ),
        "master": ("Máster en {field}", "Máster Universitario en {field}", "MBA"),
        "doctorate": ("Doctorado en {field}",),
        "secondary": ("Bachillerato", "Bachillerato de Ciencias"),
    },
    "nl": {
        "bachelor": ("Bachelor {field}", "HBO Bachelor {field}", "BSc {field}", "HBO {field}"),
        "master": (
            "Master {field}",
            "WO Master {field}",
            "MSc {field}",
            "Master of Science {field}",
        ),
        "doctorate": ("Promotie {field}", "PhD {field}"),
        "secondary": ("VWO", "HAVO", "Gymnasium"),
    },
}


@dataclass(frozen=True, slots=True)
class Job:
    """One experience entry; end None = still there."""

    title: str
    company: str
    start: YM
    end: YM | None
    city: str
    bullets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Study:
    """One education entry; `show_start` False = only the end date is printed."""

    degree: str
    institution: str
    start: YM
    end: YM
    show_start: bool
    note: str


@dataclass(frozen=True, slots=True)
class Spoken:
    """A spoken language: printed name, English name, printed level."""

    printed: str
    english: str
    level: str


@dataclass(frozen=True, slots=True)
class Cert:
    """A certification as printed, with issuer and year."""

    name: str
    issuer: str
    year: int


@dataclass(frozen=True, slots=True)
class Extra:
    """A distractor entry (volunteering, project) that looks like a job but is not one."""

    role: str
    org: str
    start: YM
    end: YM | None
    text: str


@dataclass(frozen=True, slots=True)
class Person:
    """A synthetic CV: content plus the formatting decisions that affect ground truth."""

    seed: int
    lang: str
    locale: str
    country: str
    profile: str
    name: str
    headline: str
    email: str
    phone: str | None
    location: str
    address: str
    links: tuple[str, ...]
    summary: str
    jobs: tuple[Job, ...]
    education: tuple[Study, ...]
    skills: tuple[str, ...]
    skill_kinds: tuple[int, ...]  # 0 technical, 1 tools, 2 soft (for grouped skill lists)
    languages: tuple[Spoken, ...]
    certs: tuple[Cert, ...]
    volunteer: tuple[Extra, ...]
    projects: tuple[Extra, ...]
    awards: tuple[str, ...]
    interests: tuple[str, ...]
    date_style: str
    present: str
    use_since: bool
    dash: str
    script: str  # "latin", "cyrillic", "greek", "ja" or "zh": decides fonts


@lru_cache(maxsize=32)
def _faker(locale: str) -> Any:
    """One Faker per locale (creating them is the slow part); reseeded per person."""
    from faker import Faker

    return Faker(locale)


def _seeded(locale: str, seed: int) -> Any:
    """The locale's Faker, reseeded: output depends only on (locale, seed), never on history."""
    fake = _faker(locale)
    fake.seed_instance(seed)
    return fake


def _ascii(text: str) -> str:
    """Accent-free lower-case letters only, for e-mail addresses and URL slugs."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", folded.lower())


def _months_between(a: YM, b: YM) -> int:
    return (b[0] - a[0]) * 12 + b[1] - a[1]


def _add_months(a: YM, n: int) -> YM:
    idx = a[0] * 12 + a[1] - 1 + n
    return (idx // 12, idx % 12 + 1)


def _digits(rng: random.Random, pattern: str) -> str:
    return "".join(str(rng.randint(0, 9)) if ch == "#" else ch for ch in pattern)


def _script(name: str, locale: str) -> str:
    if locale in ("ja_JP", "zh_CN"):
        return locale[:2]
    for ch in name:
        n = ord(ch)
        if 0x0400 <= n <= 0x04FF:
            return "cyrillic"
        if 0x0370 <= n <= 0x03FF:
            return "greek"
    return "latin"


def _name(rng: random.Random, fake: Any, locale: str) -> tuple[str, str, str]:
    """(printed full name, first name, last name) with particles and hyphens now and then."""
    male = rng.random() < 0.5
    if locale == "ru_RU":
        first = fake.first_name_male() if male else fake.first_name_female()
        last = fake.last_name_male() if male else fake.last_name_female()
    else:
        first = fake.first_name_male() if male else fake.first_name_female()
        last = fake.last_name()
    if locale in ("ja_JP", "zh_CN"):
        sep = " " if locale == "ja_JP" else ""
        return f"{last}{sep}{first}", first, last
    r = rng.random()
    particles = {
        "nl": ("van", "van der", "de", "van den", "van de"),
        "de": ("von", "von der"),
        "fr": ("de", "Le", "du"),
        "es": ("de la", "del", "de"),
        "it": ("di", "De", "Di"),
        "pt": ("da", "dos"),
    }.get(locale[:2])
    if particles and r < 0.25 and not last.lower().startswith(particles):
        last = f"{rng.choice(particles)} {last}"
    elif r < 0.38 and locale[:2] in ("de", "fr", "es", "en", "pl", "nl"):
        last = f"{last}-{fake.last_name()}"
    if locale[:2] == "es" and rng.random() < 0.5 and " " not in last:
        last = f"{last} {fake.last_name()}"  # two surnames
    if rng.random() < 0.1 and locale[:2] in ("fr", "de", "en"):
        first = f"{first}-{fake.first_name_male() if male else fake.first_name_female()}"
    return f"{first} {last}", first, last


def _city_name(fake: Any, locale: str) -> str:
    """A city from Faker (its it_IT city list is a set, so its order depends on the hash seed)."""
    if locale == "it_IT":
        return str(fake.random_element(ITALIAN_CITIES))
    return str(fake.city_name() if hasattr(fake, "city_name") else fake.city())


def _city_region(fake: Any, locale: str) -> tuple[str, str | None]:
    city = _city_name(fake, locale)
    region = None
    for attr in ("state_abbr", "state", "province", "region", "prefecture"):
        if hasattr(fake, attr):
            region = getattr(fake, attr)()
            break
    if locale == "pt_BR":
        region = fake.estado_sigla()
    return city, region


def _location(rng: random.Random, fake: Any, locale: str) -> tuple[str, str, str]:
    """(ground-truth location, printed address line containing it, city)."""
    cc, country, _ = C.COUNTRY[locale]
    city, region = _city_region(fake, locale)
    r = rng.random()
    if locale == "en_US":
        parts = [city, region] if r < 0.5 else [city, region, cc]
    elif r < 0.3 and region:
        parts = [city, region, cc]
    elif r < 0.6:
        parts = [city, cc]
    else:
        parts = [city, country]
    loc = ", ".join(p for p in parts if p)
    if rng.random() < 0.4 and locale not in ("ja_JP", "zh_CN"):
        street = fake.street_address()
        if locale in ("en_US", "en_GB", "en_IN"):
            address = f"{street}, {loc}"
        else:
            address = f"{street}, {fake.postcode()} {loc}"
    else:
        address = loc
    return loc, address, city


def _company(rng: random.Random, fake: Any, lang: str, cc: str) -> str:
    suffix = rng.choice(C.COMPANY_SUFFIX_BY_COUNTRY.get(cc, ("Ltd",)))
    r = rng.random()
    name = fake.company() if r < 0.45 else ""
    if not name or "," in name or len(name) > 38:
        if r < 0.75:
            name = f"{rng.choice(C.BRAND_STEMS)} {rng.choice(C.INDUSTRY_NOUNS[lang])} {suffix}"
        else:
            last = fake.last_name()
            name = f"{last} {rng.choice(C.INDUSTRY_NOUNS[lang])} {suffix}"
    return name


def _title_pool(lang: str, group: str) -> tuple[str, ...]:
    groups = lexicon.job_title_groups()
    english = groups[("en", group)]
    if lang == "en":
        return english
    return groups[(lang, "all")] + english[:20]


def _promote(rng: random.Random, title: str, pool: tuple[str, ...]) -> str:
    """A plausible next title for the same person at the same company."""
    if title.split()[0] in ("Junior", "Graduate"):
        return title.split(" ", 1)[1]
    if title.split()[0] not in ("Senior", "Lead", "Head", "Chief") and title[:1].isupper():
        return f"{rng.choice(('Senior', 'Lead'))} {title}"
    return rng.choice(pool)


def _skills(rng: random.Random, cats: tuple[str, ...], n: int) -> tuple[list[str], list[int]]:
    lex = lexicon.skill_lexicon()
    by_cat: dict[str, list[str]] = {}
    for name in lex.names:
        by_cat.setdefault(lex.categories[name], []).append(name)
    raw = _alias_forms()
    chosen: list[str] = []
    kinds: list[int] = []
    n_soft = rng.randint(0, min(4, n // 3))
    while len(chosen) < n - n_soft:
        cat = rng.choice(cats)
        canon = rng.choice(by_cat[cat])
        if canon in chosen:
            continue
        chosen.append(canon)
        kinds.append(1 if cat in ("office", "design", "erp_crm", "devops") else 0)
    for canon in rng.sample(by_cat["soft_skill"], n_soft):
        chosen.append(canon)
        kinds.append(2)
    printed = []
    for canon in chosen:
        forms = raw.get(canon, ())
        use = [f for f in forms if len(f) > 2 and f.lower() not in lexicon.AMBIGUOUS_SKILLS]
        printed.append(rng.choice(use) if use and rng.random() < 0.2 else canon)
    return printed, kinds


@lru_cache(maxsize=1)
def _alias_forms() -> dict[str, tuple[str, ...]]:
    """Canonical skill -> aliases exactly as written in skills.tsv."""
    out: dict[str, tuple[str, ...]] = {}
    for line in (lexicon.LEXICON_DIR / "skills.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, _cat, aliases = ([*line.split("\t"), "", ""])[:3]
        out[name] = tuple(filter(None, aliases.split("|")))
    return out


def _timeline(rng: random.Random, n_jobs: int, career_start: YM) -> list[tuple[YM, YM | None]]:
    """Reverse-chronological (start, end) pairs ending now or shortly before."""
    spans: list[tuple[YM, YM | None]] = []
    end: YM | None = None if rng.random() < 0.65 else _add_months(NOW, -rng.randint(1, 14))
    cursor = end or NOW
    total = max(_months_between(career_start, cursor), n_jobs * 8)
    for i in range(n_jobs):
        left = n_jobs - i
        length = max(4, int(total / left * rng.uniform(0.5, 1.4)))
        if left == 1:
            length = max(4, total)
        start = _add_months(cursor, -length)
        spans.append((start, end))
        total -= length
        gap = rng.choice((0, 0, 0, 1, 2, 3))
        end = _add_months(start, -gap) if gap else start
        if rng.random() < 0.3 and gap == 0:
            end = _add_months(start, -1)
        cursor = end
    return spans


def _bullets(rng: random.Random, lang: str, skills: list[str], k: int) -> tuple[str, ...]:
    out = []
    for template in rng.sample(C.BULLETS[lang], k):
        out.append(
            template.format(
                n=rng.randint(3, 12),
                pct=rng.choice((12, 15, 20, 25, 30, 40)),
                thing=rng.choice(C.THINGS[lang]),
                metric=rng.choice(C.METRICS[lang]),
                skill=rng.choice(skills),
                skill2=rng.choice(skills),
            )
        )
    return tuple(out)


def _education(
    rng: random.Random, lang: str, locale: str, field_group: str, grad: YM, seed: int
) -> list[Study]:
    key = "en_IN" if locale == "en_IN" else lang
    templates = DEGREES[key]
    fields = lexicon.field_groups()[(lang, field_group)]
    inst_templates = C.INSTITUTIONS[key]
    fake_locale = locale if lang == "en" or locale[:2] == lang else C.LOCALES[lang][0]
    fake = _seeded(fake_locale, seed)
    levels = rng.choice(
        (
            ["bachelor"],
            ["master", "bachelor"],
            ["master", "bachelor", "secondary"],
            ["bachelor", "secondary"],
            ["doctorate", "master"],
            ["master"],
        )
    )
    out: list[Study] = []
    end = grad
    for level in levels:
        field = rng.choice(fields)
        degree = rng.choice(templates[level]).format(field=field)
        city = _city_name(fake, fake_locale)
        if level == "secondary":
            inst = rng.choice(C.SCHOOLS[key]).format(city=city, name=fake.last_name())
            years = 3
        else:
            inst = rng.choice(inst_templates).format(city=city)
            years = {"bachelor": 3, "master": 2, "doctorate": 4}[level] + rng.randint(0, 1)
        end_month = rng.choice((6, 7, 9, 12, 2))
        end = (end[0], end_month)
        start = (end[0] - years, rng.choice((9, 10, 4)))
        note = rng.choice(("", "", "GPA 3.7/4.0", "Note: 1,7", "Mention bien", "cum laude"))
        out.append(Study(degree, inst, start, end, rng.random() < 0.7, note))
        end = _add_months(start, -rng.randint(0, 4))
    return out


def _languages(rng: random.Random, lang: str, native: str) -> list[Spoken]:
    idx = C.CV_LANGS.index(lang)
    codes = [native if native in C.LANGUAGE_NAMES else "en"]
    if "en" not in codes:
        codes.append("en")
    if lang not in codes:
        codes.append(lang)
    extra = [c for c in C.LANGUAGE_NAMES if c not in codes]
    codes += rng.sample(extra, rng.randint(0, 2))
    levels = ["native", "C1", "B2", "B1", "A2"]
    out = []
    for i, code in enumerate(codes):
        level = "native" if i == 0 else rng.choice(levels[1:])
        printed_level = rng.choice(C.LEVEL_WORDS[lang][level])
        if level != "native" and rng.random() < 0.3:
            printed_level = f"{printed_level} ({level})"
        out.append(
            Spoken(C.LANGUAGE_NAMES[code][idx], C.ENGLISH_LANGUAGE_NAME[code], printed_level)
        )
    return out


def _certs(rng: random.Random, profile: str, grad_year: int) -> list[Cert]:
    pool = lexicon.certifications()
    tech = ("software", "data", "it")
    keys = {
        "software": ("AWS", "Azure", "Google Cloud", "Kubernetes", "Scrum", "Oracle", "HashiCorp"),
        "data": ("Data", "Databricks", "Tableau", "Snow", "Machine Learning", "Azure", "Google"),
        "it": ("Cisco", "CompTIA", "ITIL", "Red Hat", "Linux", "Security", "Microsoft"),
        "finance": ("Financial", "Accountant", "CFA", "Audit", "SAP", "Fraud", "Money"),
        "healthcare": ("Life Support", "Nursing", "Clinical", "Coding", "Medical"),
        "engineering": ("Six Sigma", "SolidWorks", "Engineer", "AutoCAD", "LEED", "ISO"),
        "logistics": ("Supply", "Logistics", "ADR", "Stapler", "CIPS", "Inventory"),
        "hr": ("SHRM", "Human Resources", "CIPD", "Ausbilder"),
        "marketing": ("HubSpot", "Google Ads", "Google Analytics", "Meta", "Marketing"),
        "sales": ("Salesforce", "HubSpot", "Scrum"),
        "legal": ("Privacy", "Datenschutz", "ISO/IEC"),
        "design": ("Adobe", "UX", "Usability"),
    }[profile]
    relevant = [c for c in pool if any(k.lower() in (c.name + c.issuer).lower() for k in keys)]
    general = [
        c
        for c in pool
        if c.issuer
        in ("Project Management Institute", "PeopleCert", "Scrum.org", "ETS", "British Council")
    ]
    n = rng.choice((0, 1, 1, 2, 2, 3, 4)) if profile in tech else rng.choice((0, 0, 1, 1, 2, 3))
    picked = rng.sample(relevant, min(n, len(relevant)))
    if rng.random() < 0.25:
        picked.append(rng.choice(general))
    out = []
    for c in dict.fromkeys(picked):
        forms = [a for a in c.aliases if len(a) > 3]
        name = rng.choice(forms) if forms and rng.random() < 0.3 else c.name
        out.append(Cert(name, c.issuer, rng.randint(grad_year, NOW[0])))
    return out


def _extras(rng: random.Random, lang: str, city: str) -> tuple[list[Extra], list[Extra]]:
    volunteer = []
    for role, org in rng.sample(C.VOLUNTEER[lang], rng.choice((0, 1, 1, 2))):
        start = (rng.randint(2008, 2022), rng.randint(1, 12))
        end = None if rng.random() < 0.4 else _add_months(start, rng.randint(6, 30))
        volunteer.append(Extra(role, f"{org} {city}", start, end, ""))
    projects = []
    for title in rng.sample(C.PROJECTS[lang], rng.choice((0, 0, 1, 2))):
        start = (rng.randint(2012, 2024), rng.randint(1, 12))
        end = _add_months(start, rng.randint(2, 12))
        end = None if end > NOW else end
        projects.append(
            Extra(C.PROJECT_ROLE[lang], title, start, end, rng.choice(C.THINGS[lang]).capitalize())
        )
    return volunteer, projects


def generate_person(rng_seed: int) -> Person:
    """A complete synthetic person; the same seed always gives the same person."""
    rng = random.Random(rng_seed)
    lang = rng.choices(C.CV_LANGS, weights=C.LANG_WEIGHTS)[0]
    locale = rng.choices(C.LOCALES[lang], weights=C.LOCALE_WEIGHTS[lang])[0]
    fake = _seeded(locale, rng_seed)
    cc, _country, native = C.COUNTRY[locale]
    profile = rng.choices(list(C.PROFILES), weights=C.PROFILE_WEIGHTS)[0]
    title_group, skill_cats, field_group = C.PROFILES[profile]
    name, first, last = _name(rng, fake, locale)
    script = _script(name, locale)
    location, address, city = _location(rng, fake, locale)

    user = f"{_ascii(first)}.{_ascii(last)}" if script == "latin" else _ascii(fake.user_name())
    user = user.strip(".") or f"cv{rng_seed}"
    domain = rng.choice(
        (
            "gmail.com",
            "outlook.com",
            "proton.me",
            "yahoo.com",
            "gmx.de",
            "web.de",
            "orange.fr",
            "hotmail.es",
            "ziggo.nl",
            "icloud.com",
        )
    )
    email = f"{user}@{domain}" if rng.random() < 0.8 else f"{user}{rng.randint(1, 99)}@{domain}"
    phone = None if rng.random() < 0.07 else _digits(rng, rng.choice(C.PHONE_FORMATS[cc]))
    slug = user.replace(".", "-") + ("" if rng.random() < 0.6 else str(rng.randint(1, 999)))
    links = []
    if rng.random() < 0.7:
        links.append(
            rng.choice(
                (
                    f"linkedin.com/in/{slug}",
                    f"https://www.linkedin.com/in/{slug}",
                    f"www.linkedin.com/in/{slug}",
                )
            )
        )
    if profile in ("software", "data", "it", "design") and rng.random() < 0.6:
        links.append(rng.choice((f"github.com/{slug}", f"https://github.com/{slug}")))
    if rng.random() < 0.15:
        links.append(rng.choice((f"https://{_ascii(last) or slug}.dev", f"www.{slug}.com")))

    age = rng.randint(23, 58)
    grad: YM = (NOW[0] - age + rng.randint(21, 25), 7)
    grad = min(grad, (NOW[0] - 1, 7))
    n_skills = rng.randint(6, 25)
    skills, kinds = _skills(rng, skill_cats, n_skills)
    tech_skills = [s for s, k in zip(skills, kinds, strict=True) if k != 2] or skills

    pool = _title_pool(lang, title_group)
    n_jobs = rng.randint(2, 6)
    spans = _timeline(rng, n_jobs, _add_months(grad, 1))
    titles = [rng.choice(pool) for _ in spans]
    companies = [_company(rng, fake, lang, cc) for _ in spans]
    if n_jobs >= 2 and rng.random() < 0.45:  # promotion: two consecutive roles, one company
        i = rng.randrange(n_jobs - 1)
        companies[i] = companies[i + 1]
        titles[i] = _promote(rng, titles[i + 1], pool) if lang == "en" else rng.choice(pool)
    jobs = []
    for (start, end), title, company in zip(spans, titles, companies, strict=True):
        k = rng.choice((0, 1, 2, 2, 3, 3, 4))
        jobs.append(
            Job(
                title,
                company,
                start,
                end,
                _city_region(fake, locale)[0],
                _bullets(rng, lang, tech_skills, k),
            )
        )
    education = _education(rng, lang, locale, field_group, grad, rng_seed + 1)

    headline = jobs[0].title
    years = max(1, NOW[0] - grad[0])
    summary = rng.choice(C.SUMMARY[lang]).format(
        title=headline,
        years=years,
        area=rng.choice(C.AREAS[lang]),
        trait=rng.choice(C.TRAITS[lang]),
    )
    volunteer, projects = _extras(rng, lang, city)
    awards = tuple(
        f"{a} {rng.randint(grad[0], NOW[0])}"
        for a in rng.sample(C.AWARDS[lang], rng.choice((0, 0, 1, 2)))
    )
    date_style = rng.choice(C.DATE_STYLES[lang])
    return Person(
        seed=rng_seed,
        lang=lang,
        locale=locale,
        country=cc,
        profile=profile,
        name=name,
        headline=headline,
        email=email,
        phone=phone,
        location=location,
        address=address,
        links=tuple(links),
        summary=summary,
        jobs=tuple(jobs),
        education=tuple(education),
        skills=tuple(skills),
        skill_kinds=tuple(kinds),
        languages=tuple(_languages(rng, lang, native)),
        certs=tuple(_certs(rng, profile, grad[0])),
        volunteer=tuple(volunteer),
        projects=tuple(projects),
        awards=awards,
        interests=tuple(rng.sample(C.INTERESTS[lang], rng.randint(2, 5))),
        date_style=date_style,
        present=rng.choice(C.PRESENT[lang]),
        use_since=lang != "en" and rng.random() < 0.3 and date_style != "year",
        dash=rng.choice(C.DASHES[:4] if lang != "en" else C.DASHES),
        script=script,
    )
