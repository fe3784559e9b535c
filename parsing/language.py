"""The CV's main language from function words (en, de, fr, es, nl, it, pt) and script."""

from __future__ import annotations

import re
from collections import Counter

STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the and of to in for with on at from as by is was were my i have has "
        "this that an be are our we".split()
    ),
    "de": frozenset(
        "der die das und mit von für im in zu auf bei ist war ich als eine ein "
        "des dem den sowie bis seit".split()
    ),
    "fr": frozenset(
        "le la les et de des du en pour avec dans sur au aux une un est été je "
        "chez par depuis".split()
    ),
    "es": frozenset(
        "el la los las y de del en para con por una un es fue como desde hasta al mi".split()
    ),
    "nl": frozenset(
        "de het een en van voor met in op bij als is was ik aan naar tot sinds zijn werd".split()
    ),
    "it": frozenset("il lo la gli le e di del della per con in su una un è sono come".split()),
    "pt": frozenset("o a os as e de do da dos das em para com por uma um é foi como".split()),
}
SCRIPTS = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
)
MIN_HITS = 3


def detect_language(text: str, hint: str | None = None) -> str | None:
    """ISO 639-1 code of the main language; `hint` (the headings' language) breaks near-ties."""
    sample = text[:20000]
    for code, pattern in SCRIPTS:
        if len(pattern.findall(sample)) > 0.2 * max(1, len(re.findall(r"\w", sample))):
            return code
    words = re.findall(r"[^\W\d_]+", sample.lower())
    counts: Counter[str] = Counter()
    for w in words:
        for lang, stop in STOPWORDS.items():
            if w in stop:
                counts[lang] += 1
    if not counts:
        return hint
    best, n = counts.most_common(1)[0]
    if hint and hint in counts and counts[hint] >= 0.8 * n:
        return hint
    if n < MIN_HITS:
        return hint or best
    return best
