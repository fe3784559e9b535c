"""Deployment safety for personal data: Streamlit config, shared caches, dependency advisories."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from support import ROOT

CONFIG = ROOT / ".streamlit" / "config.toml"
IGNORES = ROOT / "security" / "pip-audit-ignore.txt"
UI_FILES = [*sorted((ROOT / "ui").rglob("*.py")), ROOT / "app.py"]
CACHES = {"cache_data", "cache_resource", "experimental_memo", "experimental_singleton", "cache"}
EXPECTED = {
    ("server", "maxUploadSize"): 10,
    ("server", "enableCORS"): True,
    ("server", "enableXsrfProtection"): True,
    ("server", "address"): "127.0.0.1",
    ("server", "enableStaticServing"): False,
    ("client", "showErrorDetails"): "none",
    ("client", "showErrorLinks"): False,
    ("browser", "gatherUsageStats"): False,
}


def _model_names() -> set[str]:
    """Class names of the persisted and parsed models: none may be cached across users."""
    names: set[str] = set()
    for path in (ROOT / "data" / "models.py", ROOT / "parsing" / "model.py"):
        tree = ast.parse(path.read_text())
        names |= {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    return names - {"Status"}


def cache_violations(path: Path, forbidden: set[str]) -> list[str]:
    """Why each st.cache_* use in this file could hold candidate data (empty = fine)."""
    out: list[str] = []
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for dec in node.decorator_list:
            target = dec.func if isinstance(dec, ast.Call) else dec
            kind = target.attr if isinstance(target, ast.Attribute) else ""
            if kind not in CACHES:
                continue
            where = f"{path.name}:{node.lineno} {node.name}"
            if kind != "cache_resource":
                out.append(f"{where}: st.{kind} pickles values shared by every user")
            elif path.name != "resources.py":
                out.append(f"{where}: cache_resource loaders belong in ui/resources.py")
            elif node.returns is None:
                out.append(f"{where}: a cached loader must declare what it returns")
            else:
                used = {n.id for n in ast.walk(node.returns) if isinstance(n, ast.Name)}
                used |= {
                    n.value
                    for n in ast.walk(node.returns)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                }
                if bad := sorted(word for word in used for m in forbidden if m in word):
                    out.append(f"{where}: returns candidate data ({', '.join(bad)})")
    return out


def test_streamlit_config_is_safe_for_personal_data() -> None:
    config = tomllib.loads(CONFIG.read_text())
    for (section, key), value in EXPECTED.items():
        assert config.get(section, {}).get(key) == value, f"{section}.{key}"
    hosts = config["server"].get("allowedHosts")
    assert hosts and "*" not in hosts  # a Host allow-list against DNS rebinding


def test_streamlit_reads_the_security_settings() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "streamlit", "config", "show"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    for line in (
        "maxUploadSize = 10",
        'showErrorDetails = "none"',
        "enableXsrfProtection = true",
        "gatherUsageStats = false",
        'address = "127.0.0.1"',
        "enableCORS = true",
    ):
        assert f"\n{line}\n" in out, line


def test_no_cached_function_in_the_ui_returns_candidate_data() -> None:
    forbidden = _model_names()
    assert {"Candidate", "ParsedCV", "Document"} <= forbidden
    problems = [p for path in UI_FILES for p in cache_violations(path, forbidden)]
    assert problems == []


def test_the_cache_check_catches_candidate_data(tmp_path: Path) -> None:
    page = tmp_path / "review.py"
    page.write_text(
        "import streamlit as st\n"
        "@st.cache_data\n"
        "def load(cid: int) -> dict: ...\n"
        "@st.cache_resource()\n"
        "def record(cid: int) -> 'Candidate': ...\n"
    )
    res = tmp_path / "resources.py"
    res.write_text(
        "import streamlit as st\n@st.cache_resource\ndef cv(sha: str) -> list[ParsedCV]: ...\n"
    )
    problems = cache_violations(page, {"Candidate", "ParsedCV"})
    problems += cache_violations(res, {"Candidate", "ParsedCV"})
    assert len(problems) == 3
    assert "pickles" in problems[0] and "resources.py" in problems[1] and "ParsedCV" in problems[2]


def _ignored() -> list[str]:
    lines = [ln.split("#", 1)[0].strip() for ln in IGNORES.read_text().splitlines()]
    return [ln for ln in lines if ln]


def test_dependencies_have_no_known_vulnerabilities() -> None:
    audit = ROOT / ".venv" / "bin" / "pip-audit"
    if not audit.exists():
        pytest.skip("pip-audit is not installed (pip install -e '.[dev]')")
    cmd = [str(audit), "--local", "--skip-editable", "--progress-spinner", "off", "-f", "json"]
    for vuln in _ignored():
        cmd += ["--ignore-vuln", vuln]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    report = json.loads(proc.stdout or "{}")
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    if deps and not audited:
        pytest.skip(f"PyPI's advisory API is unreachable: 0 of {len(deps)} packages audited")
    found = [f"{d['name']} {d['version']}: {v['id']}" for d in audited for v in d.get("vulns", [])]
    assert found == [], "fix, or document each in security/pip-audit-ignore.txt"
