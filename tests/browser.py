"""Browser-test helpers: `streamlit run app.py`, Debian's Chromium, sign-in, screenshots.

A Streamlit session lives as long as its websocket: after `sign_in`, move between pages with the
sidebar (`page.goto` opens a new session, which is signed out again). With CVASSIST_SCREENSHOTS=1
`shot` refreshes docs/screenshots/ (otherwise a temporary folder, so a test run leaves the tree
clean).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("CVASSIST_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "cvassist-screenshots"
)
SIGNED_IN = "Signed in as {}"


def require_chromium() -> ModuleType:
    """playwright.sync_api; skips the calling test module when Chromium or Playwright is absent."""
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian chromium is not installed at /usr/bin/chromium", allow_module_level=True
        )
    return pytest.importorskip("playwright.sync_api")


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium (a Playwright Browser), closed on exit."""
    sync_api = require_chromium()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# --- the app server -------------------------------------------------------------------------------


def free_port() -> int:
    """An unused TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    """Block until the server answers its health check (or fail with the reason)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("streamlit did not become healthy")


@contextmanager
def running_app(data_dir: Path, db_url: str, **env: str) -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port (CVASSIST_AUTH=local and no embedded
    workers unless given); yields its URL and stops the server and its workers on exit."""
    port = free_port()
    full_env = {
        **os.environ,
        "CVASSIST_DATA_DIR": str(data_dir),
        "CVASSIST_DATABASE_URL": db_url,
        "CVASSIST_AUTH": "local",
        "CVASSIST_EMBEDDED_WORKERS": "0",
        **env,
    }
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        f"--server.port={port}", "--server.address=127.0.0.1", "--server.headless=true",
        "--server.fileWatcherType=none", "--browser.gatherUsageStats=false",
    ]  # fmt: skip
    log = (data_dir / "streamlit.log").open("wb")
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the server and its parse workers
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


# --- pages ----------------------------------------------------------------------------------------


def idle(page) -> None:
    """Wait until the app finished its current run (the 'running' widget is gone) and the
    page's images have loaded (a grid edited while a page image still loads can drop it)."""
    time.sleep(0.3)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')"
        " && [...document.images].every(i => i.complete)",
        timeout=30_000,
    )
    time.sleep(0.3)


def shot(page, name: str, *, full_page: bool = True) -> None:
    """Save a screenshot of the page as SHOTS/<name>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def submit_sign_in(page, username: str, password: str) -> None:
    """Fill the sign-in form and press Sign in (without waiting for the outcome)."""
    page.get_by_role("textbox", name="User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_in(page, username: str, password: str, *, url: str | None = None) -> None:
    """Fill the sign-in form (opening `url` first when given) and wait until signed in."""
    if url is not None:
        page.goto(url)
    page.get_by_role("textbox", name="User name").wait_for(timeout=90_000)  # a cold server
    submit_sign_in(page, username, password)
    page.get_by_text(SIGNED_IN.format(username)).wait_for()
