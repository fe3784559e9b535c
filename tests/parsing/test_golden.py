"""Golden files: the parse of every generated fixture matches tests/golden/<file>.json.

After an intended parser change, run `python scripts/regen_golden.py` (or set REGENERATE = True
for one run) and review the diff of tests/golden/ like any other code change.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support import ROOT

REGENERATE = False
MAX_DIFF_LINES = 120


def _load_script() -> ModuleType:
    path = ROOT / "scripts" / "regen_golden.py"
    spec = importlib.util.spec_from_file_location("regen_golden", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("regen_golden", module)
    spec.loader.exec_module(module)
    return module


regen = _load_script()
FIXTURE_FILES: list[Path] = regen.fixture_files()


def _changed_paths(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Human summary: which top-level keys and field paths were added, removed or changed."""
    out = [f"~ {k}" for k in old.keys() | new.keys() if k != "fields" and old.get(k) != new.get(k)]
    of, nf = old.get("fields", {}), new.get("fields", {})
    out += [f"- {p}" for p in of if p not in nf]
    out += [f"+ {p}" for p in nf if p not in of]
    out += [f"~ {p}" for p in of if p in nf and of[p] != nf[p]]
    return sorted(out, key=lambda s: s[2:])


def _report(fixture: Path, expected_text: str, actual_text: str) -> str:
    summary = _changed_paths(json.loads(expected_text), json.loads(actual_text))
    diff = list(
        difflib.unified_diff(
            expected_text.splitlines(),
            actual_text.splitlines(),
            fromfile=f"golden/{fixture.name}.json",
            tofile="current parse",
            lineterm="",
            n=0,
        )
    )
    if len(diff) > MAX_DIFF_LINES:
        diff = [*diff[:MAX_DIFF_LINES], f"... {len(diff) - MAX_DIFF_LINES} more diff lines"]
    return "\n".join(
        [
            f"{fixture.name}: the parse differs from its golden file.",
            "Changed: " + ", ".join(summary),
            *diff,
            "If the change is intended, run `python scripts/regen_golden.py` and commit the diff.",
        ]
    )


def test_regenerate_flag_is_off() -> None:
    assert REGENERATE is False


def test_fixture_set_is_not_empty() -> None:
    assert len(FIXTURE_FILES) >= 30


def test_no_golden_file_without_a_fixture() -> None:
    expected = {regen.golden_path(f).name for f in FIXTURE_FILES}
    stale = sorted(p.name for p in regen.GOLDEN.glob("*.json") if p.name not in expected)
    assert not stale, f"golden files without a fixture (run scripts/regen_golden.py): {stale}"


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.name)
def test_parse_matches_golden(fixture: Path) -> None:
    actual_text = regen.render(regen.project(regen.parse_fixture(fixture)))
    golden = regen.golden_path(fixture)
    if REGENERATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual_text, encoding="utf-8")
        return
    assert golden.exists(), f"{golden.name} is missing: run `python scripts/regen_golden.py`"
    expected_text = golden.read_text(encoding="utf-8")
    if json.loads(expected_text) != json.loads(actual_text):
        pytest.fail(_report(fixture, expected_text, actual_text), pytrace=False)
