"""Fuzz the parse entry point: any bytes in, a typed ParsedCV out, never an exception.

CI runs a short budget in-process (`parse_bytes`). The long run goes through `parse_isolated`, so
a crash inside pdfium or zlib is caught as a `failed` status instead of killing the run:

    CVASSIST_FUZZ_EXAMPLES=5000 make fuzz
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import GENERATED

from parsing.model import ParsedCV, Status
from parsing.pipeline import parse_bytes
from parsing.sandbox import parse_isolated

EXAMPLES = int(os.environ.get("CVASSIST_FUZZ_EXAMPLES", "25"))
LONG_RUN = EXAMPLES > 100
PARSE: Callable[[bytes, str], ParsedCV] = parse_isolated if LONG_RUN else parse_bytes
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SEEDS = {
    p.name: p.read_bytes()
    for p in sorted((GENERATED / "docs").glob("gen_2024_0000[0-2]__*"))
    if p.suffix in (".pdf", ".docx", ".txt")
}
HEADERS = [b"%PDF-1.7\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b""]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[bytes, str]:
    """A fixture CV with a few bytes overwritten, a slice cut out or repeated, or truncated."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[name])
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["overwrite", "cut", "repeat", "truncate"]))
        if op == "overwrite":
            data[at : at + 8] = draw(st.binary(min_size=1, max_size=8))
        elif op == "cut":
            del data[at : at + draw(st.integers(1, 4096))]
        elif op == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 2048))]
        else:
            del data[at:]
        if not data:
            break
    return bytes(data), name


def _check(parsed: ParsedCV, data: bytes) -> None:
    assert isinstance(parsed, ParsedCV) and isinstance(parsed.status, Status)
    assert parsed.sha256 == hashlib.sha256(data).hexdigest()
    if not parsed.status.usable:
        assert parsed.message and not parsed.fields.iter_fields()


@FUZZ
@given(st.sampled_from(HEADERS), st.binary(max_size=4096), st.sampled_from(["cv.pdf", "cv.docx"]))
def test_random_bytes_give_a_typed_status(header: bytes, body: bytes, name: str) -> None:
    data = header + body
    _check(PARSE(data, name), data)


@FUZZ
@given(mutated())
def test_mutated_cvs_give_a_typed_status(case: tuple[bytes, str]) -> None:
    data, name = case
    _check(PARSE(data, name), data)


@FUZZ
@given(st.text(max_size=2000))
def test_any_text_file_parses(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    parsed = PARSE(data, "cv.txt")
    _check(parsed, data)
