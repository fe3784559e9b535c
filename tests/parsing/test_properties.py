"""Property tests: normalisers never raise on any text, and normalising twice changes nothing.

A normaliser that raises on odd input loses a whole CV; one that is not idempotent makes a
recruiter's accepted value differ from what the next parse produces for the same text.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from parsing import lexicon
from parsing.contact import find_emails, find_links, find_phones, normalize_url
from parsing.dates import find_date_ranges, normalize_date
from parsing.extractors.lists import canonical_skill
from parsing.readers.cleanup import clean_line, clean_text, squash_spaces

PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DATE_FORM = re.compile(r"\d{4}(-(0[1-9]|1[0-2]))?|present")
E164 = re.compile(r"\+[1-9]\d{6,14}")
# Text that looks like CV fragments: dates, phones, e-mails, links, accents, bullets, odd spaces.
CV_ALPHABET = st.sampled_from(
    [
        *"0123456789 -–/.,:;()+@_'’•●▪\u00a0\u200b\t\nabcdefghijklmnopqrstuvwxyzéüçñß",
        *("Jan", "Mär", "juin", "Present", "heute", "since", "seit", "2019", "'21", "https://"),
        *("www.", "linkedin.com/in/", "github.com/", ".com", "+44 ", "(0)20 ", "ﬁ", "Ⅻ", "İ"),
    ]
)
CV_TEXT = st.lists(CV_ALPHABET, max_size=40).map("".join)
ANY_TEXT = st.one_of(st.text(max_size=80), CV_TEXT)


@PROPS
@given(ANY_TEXT)
def test_normalize_date_is_total_well_formed_and_idempotent(text: str) -> None:
    out = normalize_date(text)
    if out is not None:
        assert DATE_FORM.fullmatch(out), out
        assert normalize_date(out) == out


@PROPS
@given(ANY_TEXT)
def test_date_ranges_are_ordered_spans_of_the_text(text: str) -> None:
    ranges = find_date_ranges(text)
    ends = 0
    for r in ranges:
        assert ends <= r.start_pos < r.end_pos <= len(text)
        assert r.start is not None or r.end is not None
        ends = r.end_pos


@PROPS
@given(ANY_TEXT, st.sampled_from([None, "GB", "DE", "FR", "ES", "NL", "US"]))
def test_phones_normalise_to_e164_and_reparse_to_themselves(text: str, region: str | None) -> None:
    for m in find_phones(text, region):
        assert 0 <= m.start < m.end <= len(text)
        assert isinstance(m.normalized, str) and E164.fullmatch(m.normalized), m.normalized
        again = find_phones(m.normalized, region)
        assert [p.normalized for p in again] == [m.normalized]


@PROPS
@given(ANY_TEXT)
def test_emails_and_links_normalise_idempotently(text: str) -> None:
    for m in find_emails(text):
        norm = str(m.normalized)
        assert norm == norm.lower() and "@" in norm
        assert [e.normalized for e in find_emails(norm)] == [norm]
    for link in find_links(text):
        url = normalize_url(link.value)
        assert url.lower().startswith(("http://", "https://"))
        assert normalize_url(url) == url


@PROPS
@given(ANY_TEXT)
def test_lexicon_normalise_is_idempotent(text: str) -> None:
    assert lexicon.normalise(lexicon.normalise(text)) == lexicon.normalise(text)


@PROPS
@given(st.one_of(ANY_TEXT, st.sampled_from(["𝑨", "𝐒𝐤𝐢𝐥𝐥𝐬", "Ⓟython"])))
def test_lexicon_fold_is_idempotent(text: str) -> None:
    folded = lexicon.fold(text)
    assert lexicon.fold(folded) == folded


@PROPS
@given(st.one_of(ANY_TEXT, st.sampled_from(sorted(lexicon.skill_lexicon().canonical)[:400])))
def test_skill_canonicalisation_is_a_fixed_point(text: str) -> None:
    canonical, how = canonical_skill(text)
    assert isinstance(how, str)
    if canonical is not None:
        assert canonical_skill(canonical)[0] == canonical


@PROPS
@given(ANY_TEXT)
def test_cleanup_never_raises_and_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
    assert squash_spaces(squash_spaces(text)) == squash_spaces(text)


@PROPS
@given(st.text(max_size=60))
def test_clean_line_keeps_one_x_per_character_boundary(text: str) -> None:
    assume(text)
    xs = [float(i) for i in range(len(text) + 1)]
    out, out_xs = clean_line(text, xs)
    if out_xs is not None:
        assert len(out_xs) == len(out) + 1
        assert out_xs == sorted(out_xs)
