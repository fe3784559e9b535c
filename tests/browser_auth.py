"""Browser-test helpers for sign-in: start `streamlit run app.py` with local accounts, sign in.

A Streamlit session lives as long as its websocket: after `sign_in`, move between pages with the
sidebar (`page.goto` opens a new session, which is signed out again).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from support import ROOT

SIGNED_IN = "Signed in as {}"


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
    """`streamlit run app.py` on a free loopback port (CVASSIST_AUTH=local unless given);
    yields its URL and stops the server and its workers on exit."""
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
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def sign_in(page, username: str, password: str, *, url: str | None = None) -> None:
    """Fill the sign-in form (opening `url` first when given) and wait until signed in."""
    if url is not None:
        page.goto(url)
    page.get_by_role("textbox", name="User name").wait_for(timeout=90_000)  # a cold server
    page.get_by_role("textbox", name="User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_text(SIGNED_IN.format(username)).wait_for()
