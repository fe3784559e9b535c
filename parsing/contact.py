"""Contact details: e-mails, phones (E.164 via phonenumbers), links (typed), countries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from parsing.lexicon import fold

EMAIL_RE = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])"
)
URL_RE = re.compile(
    r"(?<![@\w.])(?:(?:https?://|www\.)[^\s<>\"'|,;()]+"
    r"|(?:[a-z0-9-]+\.)*(?:linkedin\.com|github\.com|gitlab\.com|bitbucket\.org|twitter\.com|x\.com"
    r"|stackoverflow\.com|medium\.com|behance\.net|dribbble\.com|kaggle\.com|xing\.com"
    r"|facebook\.com|instagram\.com|youtube\.com)/[^\s<>\"'|,;()]*"
    r"|[a-z0-9][a-z0-9-]{1,62}(?:\.[a-z0-9-]{2,62})*\.(?:com|io|dev|me|net|org|de|fr|es|nl|co|ai|app"
    r"|tech|info|blog|page|site|xyz|uk|eu|ch|at|be|pl|it|se|in|ca|us|pub)(?:/[^\s<>\"'|,;()]*)?)"
    r"(?![\w@])",
    re.I,
)
NETWORKS = {
    "linkedin.com": "LinkedIn",
    "github.com": "GitHub",
    "gitlab.com": "GitLab",
    "bitbucket.org": "Bitbucket",
    "twitter.com": "Twitter",
    "x.com": "Twitter",
    "stackoverflow.com": "StackOverflow",
    "medium.com": "Medium",
    "behance.net": "Behance",
    "dribbble.com": "Dribbble",
    "kaggle.com": "Kaggle",
    "xing.com": "Xing",
    "facebook.com": "Facebook",
    "instagram.com": "Instagram",
    "youtube.com": "YouTube",
}
LANGUAGE_REGIONS = {
    "de": "DE",
    "fr": "FR",
    "es": "ES",
    "nl": "NL",
    "it": "IT",
    "pt": "PT",
    "pl": "PL",
    "sv": "SE",
    "en": "US",
}


@dataclass(frozen=True, slots=True)
class Match:
    """A value found at text[start:end] with its normalised form."""

    start: int
    end: int
    value: str
    normalized: object = None
    valid: bool = True


def find_emails(text: str) -> list[Match]:
    """E-mail addresses, lower-cased as normalised form."""
    return [
        Match(m.start(), m.end(), m.group(0), m.group(0).lower()) for m in EMAIL_RE.finditer(text)
    ]


def find_phones(text: str, region: str | None) -> list[Match]:
    """Phone numbers in E.164; valid ones first-class, merely possible ones marked invalid."""
    out: list[Match] = []
    seen: set[tuple[int, int]] = set()
    blanked = _blank_dialling_noise(text)
    for leniency in (phonenumbers.Leniency.VALID, phonenumbers.Leniency.POSSIBLE):
        for m in phonenumbers.PhoneNumberMatcher(blanked, region or "US", leniency=leniency):
            key = (m.start, m.end)
            if key in seen or any(a < m.end and m.start < b for a, b in seen):
                continue
            digits = re.sub(r"\D", "", m.raw_string)
            if len(digits) < 7 or _looks_like_date(m.raw_string):
                continue
            if re.search(r"[\d+]\s?$", blanked[max(0, m.start - 2) : m.start]):
                continue  # the tail of a longer number ('+49 (0)115 0682590' → '0682590')
            seen.add(key)
            e164 = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
            valid = phonenumbers.is_valid_number(m.number)
            out.append(Match(m.start, m.end, text[m.start : m.end], e164, valid))
    out.sort(key=lambda x: x.start)
    return out


# Dialling habits the matcher does not read, blanked in place so offsets stay: the trunk
# prefix in brackets after a country code ("+49 (0)115 …", "+44 (0)20 …", "+353 (0)1 …") and
# Mexico's former mobile '1' ("+52 1 55 …", dropped from the numbering plan in 2019).
DIALLING_NOISE_RE = re.compile(r"(\+\d{1,3})(\s?\(0\))|(\+52)(\s1)(?=\s\d)")


def _blank_dialling_noise(text: str) -> str:
    def blank(m: re.Match[str]) -> str:
        code = m.group(1) or m.group(3)
        return code + " " * (len(m.group(0)) - len(code))

    return DIALLING_NOISE_RE.sub(blank, text)


def calling_code(region: str) -> int:
    """The international calling code of a region ('DE' → 49; 0 if unknown)."""
    return phonenumbers.country_code_for_region(region)


def _looks_like_date(raw: str) -> bool:
    return bool(re.fullmatch(r"\s*(19|20)\d\d\s*[-–/]\s*(19|20)\d\d\s*", raw)) or bool(
        re.fullmatch(r"\s*\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\s*", raw)
    )


def normalize_url(url: str) -> str:
    """Canonical https URL: scheme added, trailing punctuation dropped."""
    u = url.strip().rstrip(".,;:)")
    if not re.match(r"https?://", u, re.I):
        u = "https://" + u
    return u


def link_network(url: str) -> str:
    """LinkedIn, GitHub, ... or 'Website' for anything else."""
    host = re.sub(r"^https?://", "", url, flags=re.I).split("/")[0].lower()
    host = host.removeprefix("www.")
    for domain, name in NETWORKS.items():
        if host == domain or host.endswith("." + domain):
            return name
    return "Website"


def find_links(text: str, emails: list[Match] | None = None) -> list[Match]:
    """URLs and bare profile links; e-mail domains are not links."""
    email_spans = [(e.start, e.end) for e in (emails if emails is not None else find_emails(text))]
    out: list[Match] = []
    for m in URL_RE.finditer(text):
        if any(a <= m.start() < b for a, b in email_spans):
            continue
        raw = m.group(0).rstrip(".,;:)")
        if re.fullmatch(r"[\d.]+", raw) or "." not in raw:
            continue
        url = normalize_url(raw)
        out.append(
            Match(m.start(), m.start() + len(raw), raw, {"network": link_network(url), "url": url})
        )
    return out


@lru_cache(maxsize=1)
def country_index() -> dict[str, str]:
    """Lower-cased country names, common short names and alpha-2/3 codes → ISO alpha-2."""
    import pycountry

    out: dict[str, str] = {}
    for c in pycountry.countries:
        code = c.alpha_2
        for attr in ("name", "common_name", "official_name"):
            val = getattr(c, attr, None)
            if val:
                out[val.lower()] = code
        out[c.alpha_3.lower()] = code
        out[c.alpha_2.lower()] = code
    extra = {
        "usa": "US",
        "u.s.a.": "US",
        "u.s.": "US",
        "united states of america": "US",
        "uk": "GB",
        "england": "GB",
        "scotland": "GB",
        "wales": "GB",
        "great britain": "GB",
        "deutschland": "DE",
        "germany": "DE",
        "frankreich": "FR",
        "france": "FR",
        "españa": "ES",
        "espana": "ES",
        "spanien": "ES",
        "nederland": "NL",
        "netherlands": "NL",
        "the netherlands": "NL",
        "holland": "NL",
        "niederlande": "NL",
        "pays-bas": "NL",
        "italia": "IT",
        "schweiz": "CH",
        "suisse": "CH",
        "österreich": "AT",
        "belgië": "BE",
        "belgique": "BE",
        "polska": "PL",
        "sverige": "SE",
        "brasil": "BR",
        "россия": "RU",
        "russia": "RU",
        "south korea": "KR",
        "korea": "KR",
        "vietnam": "VN",
        "iran": "IR",
        "czech republic": "CZ",
        "turkey": "TR",
        "türkiye": "TR",
        "india": "IN",
        "uae": "AE",
    }
    out.update(extra)
    # without accents too: 'México', 'Perú' and 'Türkiye' are often printed with them
    out.update({fold(k): v for k, v in list(out.items()) if fold(k) not in out})
    return out


@lru_cache(maxsize=1)
def subdivision_index() -> dict[str, str]:
    """Folded names of states, provinces, regions (ISO 3166-2) → ISO country code.

    Names shared by several countries are left out (ambiguous)."""
    import pycountry

    seen: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        if len(sub.name) < 4:
            continue
        seen.setdefault(fold(sub.name), set()).add(sub.country_code)
    return {name: next(iter(codes)) for name, codes in seen.items() if len(codes) == 1}


# Subdivision types that name a large region people give as their place ("Tamil Nadu",
# "Ontario", "Bayern"), not a municipality or district that shares a name with a person.
REGION_TYPES = frozenset(
    {"State", "Province", "Region", "Land", "Canton", "Union territory", "Autonomous region",
     "Autonomous community", "Voivodship", "Regional state", "Territory"}
)  # fmt: skip


@lru_cache(maxsize=1)
def region_names() -> frozenset[str]:
    """Folded names of states, provinces and regions of every country, ambiguous ones too
    ("Punjab" is India's and Pakistan's)."""
    import pycountry

    return frozenset(
        fold(sub.name)
        for sub in pycountry.subdivisions
        if sub.type in REGION_TYPES and len(sub.name) >= 4
    )


US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM "
    "NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC".split()
)


# Country codes that, standing alone, are more often a degree or a word: "BE", "MA", "IT", "IN".
BARE_CODE_WORDS = frozenset("BE BA BS MA MS ME MD PG IT IN AM AS TO NO OR AT ID IS".split())


def country_code(part: str, n_parts: int) -> str | None:
    """ISO country code of a location part; 'CA' after a city is California, not Canada."""
    p = part.strip().strip(".")
    if len(p) == 3 and not p.isupper():
        return None  # "Mar", "Can": words, not ISO alpha-3 codes
    if len(p) == 2:
        if not p.isupper() or (n_parts < 2 and p in BARE_CODE_WORDS):
            return None
        if p in US_STATES and n_parts <= 2:
            return None
    return country_index().get(p.lower()) or country_index().get(fold(p))


def region_for(country_code: str | None, language: str | None) -> str | None:
    """Default phone region: the CV's country, else the region its language suggests."""
    if country_code:
        return country_code
    return LANGUAGE_REGIONS.get(language or "")
