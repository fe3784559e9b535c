"""Normalisers and matchers for scoring: when does a predicted value equal a ground-truth value.

Rules (shared/eval README): compare after normalising case, accents and whitespace; names and
organisations by fuzzy token-set match (>= 85); e-mails exactly; phones by their last 9 digits;
links by host + path; dates by year, and by month only where both sides have one.

Guard against token-set leniency: `fuzz.token_set_ratio` scores 100 whenever one side's tokens
are a subset of the other's ("Senior" vs "Senior Software Engineer"). A token-set match
therefore also needs the shorter normalised string to have at least MIN_LENGTH_RATIO of the
longer one's characters; a plain `fuzz.ratio` >= 85 (typos, spacing) matches without the guard.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

import numpy as np
from rapidfuzz import fuzz, process

FUZZY_THRESHOLD = 85.0
MIN_LENGTH_RATIO = 0.5
PHONE_DIGITS = 9
MIN_PHONE_DIGITS = 7  # fewer digits than this ("Upon request") is not a phone number
PRESENT = "present"

# Trailing legal-form tokens that carry no identity ("Oracle India Pvt Ltd" = "Oracle India").
LEGAL_SUFFIXES = frozenset(
    "inc incorporated ltd limited llc llp plc pvt pvtltd private corp corporation co company "
    "gmbh ag sa sas srl bv nv oy ab".split()
)
# Proficiency words that annotators glued to language names ("English Fluent").
LEVEL_WORDS = frozenset(
    "fluent fluently native expert intermediate beginner basic advanced proficient proficiency "
    "professional working full limited elementary conversational bilingual mother tongue good "
    "excellent read write speak reading writing speaking level a1 a2 b1 b2 c1 c2 and".split()
)
PRESENT_WORDS = ("present", "current", "now", "till date", "to date", "today", "ongoing")
MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}

_DROP = re.compile(r"[.'’`]")
_SEPARATORS = re.compile(r"[^0-9a-z+#]+")
_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")
_ISO = re.compile(r"(?<!\d)(19\d\d|20\d\d)-(0?[1-9]|1[0-2])(?!\d)")
_NUMERIC_MY = re.compile(r"(?<!\d)(0?[1-9]|1[0-2])\s*[/.-]\s*(19\d\d|20\d\d)(?!\d)")
_MONTH_NAME = re.compile(r"\b(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b")
_EXTENSION = re.compile(r"(ext\.?|extension|x)\s*\d+\s*$", re.IGNORECASE)

DateKey = tuple[int, int | None] | str  # (year, month|None) or "present"


def strip_accents(text: str) -> str:
    """Remove combining marks (José -> Jose)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize_text(text: object) -> str:
    """Lower-case, accent-free, punctuation as space; dots and apostrophes dropped (B.E. = BE)."""
    if text is None:
        return ""
    s = strip_accents(str(text)).lower()
    s = _DROP.sub("", s)
    return _SEPARATORS.sub(" ", s).strip()


def normalize_org(text: object) -> str:
    """Organisation name without trailing legal-form tokens (kept when nothing else is left)."""
    tokens = normalize_text(text).split()
    while len(tokens) > 1 and tokens[-1] in LEGAL_SUFFIXES:
        tokens.pop()
    return " ".join(tokens)


def normalize_email(text: object) -> str:
    """Lower-cased address without a mailto: prefix."""
    s = str(text or "").strip().lower()
    return s.removeprefix("mailto:").strip()


def normalize_phone(text: object) -> str:
    """The last PHONE_DIGITS digits (extension removed); '' when it has too few digits."""
    s = _EXTENSION.sub("", str(text or ""))
    digits = re.sub(r"\D", "", s)
    return digits[-PHONE_DIGITS:] if len(digits) >= MIN_PHONE_DIGITS else ""


def normalize_url(text: object) -> str:
    """host + path, lower-cased, without scheme, www., query, fragment or trailing slash."""
    s = str(text or "").strip().lower()
    s = re.sub(r"^[a-z][a-z0-9+.-]*://", "", s)
    s = s.removeprefix("www.")
    s = re.split(r"[?#]", s, maxsplit=1)[0]
    return s.rstrip("/")


def split_languages(text: object) -> list[str]:
    """Language names in an item, proficiency words removed ('English Fluent Hindi' -> 2)."""
    return [t for t in normalize_text(text).split() if t not in LEVEL_WORDS and not t.isdigit()]


def parse_date(text: object) -> DateKey | None:
    """(year, month|None) or 'present' from YYYY-MM, YYYY, MM/YYYY, 'Mar 2019', 'Present'."""
    if text is None:
        return None
    s = strip_accents(str(text)).lower().strip()
    if not s:
        return None
    if any(w in s for w in PRESENT_WORDS) and not _YEAR.search(s):
        return PRESENT
    if m := _ISO.search(s):
        return int(m.group(1)), int(m.group(2))
    if m := _NUMERIC_MY.search(s):
        return int(m.group(2)), int(m.group(1))
    if m := _YEAR.search(s):
        month = _MONTH_NAME.search(s[: m.start()])
        return int(m.group(1)), MONTHS[month.group(1)] if month else None
    if any(w in s for w in PRESENT_WORDS):
        return PRESENT
    return None


def dates_match(pred: object, gt: object) -> bool:
    """Same year, and same month where both sides give one; 'present' equals 'present'."""
    a, b = parse_date(pred), parse_date(gt)
    if a is None or b is None:
        return False
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return a[0] == b[0] and (a[1] is None or b[1] is None or a[1] == b[1])


def fuzzy_scores(preds: Sequence[str], gts: Sequence[str]) -> np.ndarray:
    """Guarded fuzzy similarity in [0, 100] of normalised strings (rows preds, cols gts)."""
    if not preds or not gts:
        return np.zeros((len(preds), len(gts)))
    ratio = process.cdist(preds, gts, scorer=fuzz.ratio)
    token_set = process.cdist(preds, gts, scorer=fuzz.token_set_ratio)
    lp = np.array([len(p) for p in preds], dtype=float)[:, None]
    lg = np.array([len(g) for g in gts], dtype=float)[None, :]
    long_enough = np.minimum(lp, lg) >= MIN_LENGTH_RATIO * np.maximum(lp, lg)
    guarded = np.where(long_enough, token_set, np.minimum(token_set, ratio))
    scores = np.maximum(ratio, guarded)
    empty = (lp == 0) | (lg == 0)
    return np.where(empty, 0.0, scores)


def fuzzy_match(pred: str, gt: str, normalize: Callable[[object], str] = normalize_text) -> bool:
    """Guarded fuzzy token-set match (>= FUZZY_THRESHOLD) after normalisation."""
    a, b = normalize(pred), normalize(gt)
    return bool(a and b) and float(fuzzy_scores([a], [b])[0, 0]) >= FUZZY_THRESHOLD


def location_match(pred: str, gt: str) -> bool:
    """Fuzzy match of the whole string, or of the first comma part (the city) on both sides."""
    if fuzzy_match(pred, gt):
        return True
    city_p = normalize_text(str(pred).split(",", 1)[0])
    city_g = normalize_text(str(gt).split(",", 1)[0])
    return bool(city_p and city_g) and fuzz.ratio(city_p, city_g) >= FUZZY_THRESHOLD
