"""The committed fixture corpus is complete, small, and matches the current generator."""

from __future__ import annotations

import json

from corpus.fixtures import FIXTURE_DIR
from corpus.generate import ground_truth
from corpus.layouts import LAYOUTS
from corpus.person import generate_person

MAX_BYTES = 3_000_000


def test_fixture_corpus_has_one_cv_per_layout_in_all_formats() -> None:
    lines = [json.loads(ln) for ln in (FIXTURE_DIR / "index.jsonl").read_text().splitlines()]
    assert {line["layout"] for line in lines} == set(LAYOUTS)
    for line in lines:
        assert {f.rsplit(".", 1)[1] for f in line["files"]} == {"pdf", "docx", "txt"}
        for rel in [line["gt"], *line["files"]]:
            assert (FIXTURE_DIR / rel).stat().st_size > 0
    total = sum(p.stat().st_size for p in FIXTURE_DIR.rglob("*") if p.is_file())
    assert total < MAX_BYTES


def test_fixture_ground_truth_is_current() -> None:
    """Fails when the generator changed: run `python -m corpus.fixtures` and commit the result."""
    from corpus.generate import person_seed

    for raw in (FIXTURE_DIR / "index.jsonl").read_text().splitlines():
        line = json.loads(raw)
        _, seed, index = line["id"].split("_")
        person = generate_person(person_seed(int(seed), int(index)))
        stored = json.loads((FIXTURE_DIR / line["gt"]).read_text(encoding="utf-8"))
        assert stored == ground_truth(person), line["id"]
