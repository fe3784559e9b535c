"""Rewrite tests/golden/<fixture>.json from the current parser: `python scripts/regen_golden.py`.

A golden file is a stable projection of the parse of one generated fixture: status, language and
every field's path, value, normalized form, confidence (2 decimals) and source page/char span.
Timings and boxes are left out so that only a change in what a recruiter sees shows up in a diff.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from parsing.model import ParsedCV  # noqa: E402
from parsing.pipeline import parse_bytes  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "generated"
GOLDEN = ROOT / "tests" / "golden"
SUFFIXES = frozenset({".pdf", ".docx", ".txt"})
# "Present" is resolved against today's date (total_experience_years); pin it so files stay put.
TODAY = date(2026, 1, 15)
LIST_FIELDS = (
    "links",
    "experience",
    "education",
    "skills",
    "languages",
    "certifications",
)


def fixture_files() -> list[Path]:
    """Every CV document of the generated fixture set (ground-truth JSON and index excluded)."""
    return sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def golden_path(fixture: Path) -> Path:
    """tests/golden/<fixture file name>.json."""
    return GOLDEN / f"{fixture.name}.json"


def parse_fixture(fixture: Path) -> ParsedCV:
    """The parse the golden file records (`parse_path` semantics with a pinned 'today')."""
    return parse_bytes(fixture.read_bytes(), fixture.name, today=TODAY)


def project(parsed: ParsedCV) -> dict[str, Any]:
    """The stable, reviewable part of a parse: no timings, no boxes, rounded confidences."""
    fields: dict[str, Any] = {}
    for path, f in parsed.fields.iter_fields():
        item: dict[str, Any] = {"value": f.value, "normalized": f.normalized}
        item["confidence"] = round(f.confidence, 2)
        if f.source is not None:
            item["source"] = {"page": f.source.page, "start": f.source.start, "end": f.source.end}
        fields[path] = item
    counts = {}
    for name in LIST_FIELDS:
        items = getattr(parsed.fields, name)
        counts[name] = None if items is None else len(items)  # None = no such section
    return {
        "file": parsed.file,
        "sha256": parsed.sha256,
        "status": parsed.status.value,
        "message": parsed.message,
        "warnings": parsed.warnings,
        "pages": parsed.pages,
        "language": parsed.language,
        "model_version": parsed.model_version,
        "list_lengths": counts,
        "fields": fields,
    }


def _one_line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def render(projection: dict[str, Any]) -> str:
    """The golden file's JSON text: one line per top-level key and per field, for short diffs."""
    lines = ["{"]
    for key, value in projection.items():
        if key != "fields":
            lines.append(f"  {_one_line(key)}: {_one_line(value)},")
    items = [f"    {_one_line(k)}: {_one_line(v)}" for k, v in projection["fields"].items()]
    lines += ['  "fields": {', ",\n".join(items), "  }", "}"] if items else ['  "fields": {}', "}"]
    return "\n".join(line for line in lines if line) + "\n"


def regenerate() -> list[Path]:
    """Write every golden file and delete those whose fixture is gone; returns the written paths."""
    GOLDEN.mkdir(parents=True, exist_ok=True)
    written = []
    for fixture in fixture_files():
        out = golden_path(fixture)
        out.write_text(render(project(parse_fixture(fixture))), encoding="utf-8")
        written.append(out)
    for stale in set(GOLDEN.glob("*.json")) - set(written):
        stale.unlink()
    return written


def main() -> int:
    """Entry point: regenerate and say how many files were written."""
    written = regenerate()
    print(f"wrote {len(written)} golden files to {GOLDEN.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
