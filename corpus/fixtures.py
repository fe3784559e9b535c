"""Regenerate the committed fixture corpus: `python -m corpus.fixtures` (one CV per layout)."""

from __future__ import annotations

import shutil
from pathlib import Path

from corpus.generate import FORMATS, generate
from corpus.layouts import LAYOUTS

FIXTURE_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "generated"
FIXTURE_SEED = 2024


def regenerate(out: Path = FIXTURE_DIR) -> int:
    """Rewrite the fixture directory from scratch; returns the number of CVs written."""
    if out.exists():
        shutil.rmtree(out)
    layouts = tuple(LAYOUTS)
    return len(generate(out, len(layouts), FIXTURE_SEED, FORMATS, layouts))


if __name__ == "__main__":
    print(f"wrote {regenerate()} fixture CVs to {FIXTURE_DIR}")
