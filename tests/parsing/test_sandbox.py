"""parse_isolated: a parse that hangs, burns CPU, eats memory or aborts never hurts the caller."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from support import GENERATED, SHARED

from parsing.model import ParsedCV, Status
from parsing.pipeline import parse_bytes
from parsing.sandbox import Limits, parse_isolated, warm_up
from settings import Settings

CV_PDF = GENERATED / "docs" / "gen_2024_00000__classic.pdf"
DOUBLE_FLATE = SHARED / "hostile" / "generated" / "double_flate_1gb.pdf"
FAST = Limits(wall_s=3.0, cpu_s=2, memory_mb=256)
TEXT = b"Jane Example\njane@example.com\n"


def _hang(data: bytes, filename: str) -> ParsedCV:
    time.sleep(60)
    return parse_bytes(data, filename)


def _burn(data: bytes, filename: str) -> ParsedCV:
    while True:
        pass


def _hog(data: bytes, filename: str) -> ParsedCV:
    blocks = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GB, far over the budget
    return parse_bytes(data, filename + str(len(blocks)))


def _abort(data: bytes, filename: str) -> ParsedCV:
    os.abort()


def _bug(data: bytes, filename: str) -> ParsedCV:
    raise RuntimeError("a bug in the parser")


@pytest.fixture(autouse=True, scope="module")
def _warm() -> None:
    """Load the parser once before any timing (the first fork would otherwise pay for it)."""
    warm_up()


def _gone(pid: int, timeout: float = 10.0) -> bool:
    """True once the process no longer runs (exited, or a zombie waiting to be reaped)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


def _assert_failure(parsed: ParsedCV, status: Status, data: bytes) -> None:
    import hashlib

    assert parsed.status is status
    assert parsed.sha256 == hashlib.sha256(data).hexdigest()
    assert parsed.message and "Error" not in parsed.message and parsed.message.endswith(".")
    assert not parsed.fields.iter_fields()


def test_isolated_parse_equals_in_process_parse() -> None:
    data = CV_PDF.read_bytes()
    isolated = parse_isolated(data, CV_PDF.name)
    direct = parse_bytes(data, CV_PDF.name)
    assert isolated.status is Status.OK
    assert isolated.sha256 == direct.sha256
    assert isolated.fields == direct.fields
    assert isolated.fields.email is not None


def test_hung_parse_is_killed_at_the_wall_limit_with_its_children() -> None:
    started = time.monotonic()
    pidfile = Path(f"/tmp/cvassist-sandbox-{os.getpid()}.pid")

    def spawn_and_hang(data: bytes, filename: str) -> ParsedCV:
        child = subprocess.Popen(["sleep", "60"])
        pidfile.write_text(str(child.pid))
        return _hang(data, filename)

    parsed = parse_isolated(TEXT, "cv.txt", parser=spawn_and_hang, limits=FAST)
    assert time.monotonic() - started < FAST.wall_s + 3
    _assert_failure(parsed, Status.TIMEOUT, TEXT)
    assert "3-second" in (parsed.message or "")
    grandchild = int(pidfile.read_text())
    pidfile.unlink()
    assert _gone(grandchild)


def test_cpu_burner_is_stopped_by_the_cpu_limit() -> None:
    started = time.monotonic()
    limits = Limits(wall_s=30.0, cpu_s=1, memory_mb=256)
    parsed = parse_isolated(TEXT, "cv.txt", parser=_burn, limits=limits)
    assert time.monotonic() - started < 10
    _assert_failure(parsed, Status.TIMEOUT, TEXT)


def test_memory_hog_is_too_large_and_the_parent_stays_flat() -> None:
    me = psutil.Process()
    before = me.memory_info().rss
    for _ in range(3):
        parsed = parse_isolated(TEXT, "cv.txt", parser=_hog, limits=FAST)
        _assert_failure(parsed, Status.TOO_LARGE, TEXT)
    assert me.memory_info().rss - before < 50 * 1024 * 1024


def test_native_abort_is_a_failed_parse_and_the_caller_lives_on() -> None:
    parsed = parse_isolated(TEXT, "cv.txt", parser=_abort, limits=FAST)
    _assert_failure(parsed, Status.FAILED, TEXT)
    assert "kept" in (parsed.message or "")
    assert parse_isolated(TEXT, "cv.txt").status.usable  # the next document is unaffected


def test_parser_exception_is_a_failed_parse() -> None:
    _assert_failure(parse_isolated(TEXT, "cv.txt", parser=_bug, limits=FAST), Status.FAILED, TEXT)


def test_prechecks_run_before_any_child() -> None:
    data = b"%PDF-1.4\n" + b"x" * (2 * 1024 * 1024)
    settings = Settings(max_file_mb=1.0)
    started = time.monotonic()
    parsed = parse_isolated(data, "big.pdf", parser=_hang, limits=FAST, settings=settings)
    assert time.monotonic() - started < 1.0  # the hanging parser never ran
    _assert_failure(parsed, Status.TOO_LARGE, data)
    assert "1 MB" in (parsed.message or "")


@pytest.mark.skipif(not DOUBLE_FLATE.exists(), reason="../shared/hostile is not beside the project")
def test_pdfium_abort_on_a_bomb_is_contained_even_without_prechecks() -> None:
    bomb = DOUBLE_FLATE.read_bytes()

    def unchecked(data: bytes, filename: str) -> ParsedCV:
        return parse_bytes(bomb, filename)  # parse_bytes alone has no decompression check

    limits = Limits(wall_s=20.0, cpu_s=15, memory_mb=512)
    parsed = parse_isolated(TEXT, "bomb.pdf", parser=unchecked, limits=limits)
    assert parsed.status in (Status.FAILED, Status.TOO_LARGE, Status.MALFORMED)
    assert parsed.message


def test_limits_come_from_settings() -> None:
    settings = Settings(parse_timeout_s=7.5, parse_cpu_s=4, parse_memory_mb=300)
    assert Limits.from_settings(settings) == Limits(wall_s=7.5, cpu_s=4, memory_mb=300)


CALLER = """
import os, sys, time
from parsing.sandbox import Limits, parse_isolated

def hang(data, name):
    open(sys.argv[1], "w").write(str(os.getpid()))
    time.sleep(120)

parse_isolated(b"Jane", "cv.txt", parser=hang, limits=Limits(wall_s=120, cpu_s=60, memory_mb=256))
"""


def test_a_killed_caller_takes_its_parse_child_with_it(tmp_path: Path) -> None:
    from support import ROOT

    pidfile = tmp_path / "child.pid"
    caller = subprocess.Popen([sys.executable, "-c", CALLER, str(pidfile)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not pidfile.exists() or not pidfile.read_text():
            assert time.monotonic() < deadline and caller.poll() is None
            time.sleep(0.1)
        child = int(pidfile.read_text())
        assert psutil.pid_exists(child)
    finally:
        caller.kill()  # the app dies outright (SIGKILL): no Python cleanup runs
        caller.wait()
    assert _gone(child)
