"""`cvassist demo --if-empty` (what `make run` calls): loads the synthetic CVs once, never twice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support import ROOT


def _demo(data_dir: Path) -> str:
    env = {**os.environ, "CVASSIST_DATA_DIR": str(data_dir), "CVASSIST_DATABASE_URL": ""}
    out = subprocess.run(
        [sys.executable, "-c", "import cli; cli.main(['demo', '--if-empty'])"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    assert "Traceback" not in out.stderr
    return out.stdout


def test_demo_loads_once_into_an_empty_database(tmp_path: Path) -> None:
    first = _demo(tmp_path)
    assert "11 files: 11 parsed, 0 failed to parse" in first
    assert (tmp_path / "cvassist.sqlite").exists()
    second = _demo(tmp_path)
    assert "already has candidates" in second
