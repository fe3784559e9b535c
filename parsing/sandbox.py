"""Parse one document in a child process with memory, CPU and wall-clock limits.

Native parsers (pdfium, zlib, lxml) can abort, hang or allocate without bound on hostile files,
and no try/except in the app's own process survives that. `parse_isolated` runs the cheap
pre-checks in the caller, then forks one child per document from the warm caller (spaCy and
the lexicons are loaded once, before the first fork), applies RLIMIT_AS / RLIMIT_CPU in the
child and kills the child's whole process group at the wall-clock limit. The child sends its
ParsedCV back as JSON (the parent never unpickles anything a parse produced). Linux only.
"""

from __future__ import annotations

import ctypes
import faulthandler
import functools
import hashlib
import logging
import multiprocessing as mp
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

from parsing.errors import DocumentLoadError
from parsing.model import ParsedCV, Status
from parsing.pipeline import failed_parse, parse_bytes, printable_name
from parsing.precheck import precheck
from settings import Settings, get_settings

log = logging.getLogger(__name__)

Parser = Callable[[bytes, str], ParsedCV]
MB = 1024 * 1024
MAX_RESULT_BYTES = 64 * MB  # a ParsedCV is a few KB; anything bigger is not a parse result
KILL_GRACE_S = 5.0
WARM_UP_TEXT = b"Jane Example\njane@example.com\n\nExperience\n2020 - 2024 Engineer, Example Ltd\n"
CPU_SIGNALS = (signal.SIGXCPU, signal.SIGKILL)
PR_SET_PDEATHSIG = 1

TIMEOUT_MESSAGE = (
    "Reading this file took longer than the {s:g}-second limit, so it was stopped; it has been "
    "kept, and a simpler PDF or DOCX version will usually work."
)
MEMORY_MESSAGE = (
    "This file needs more memory to read than is safe ({mb} MB), so it was stopped; please ask "
    "for a simpler PDF or DOCX version."
)
CRASH_MESSAGE = (
    "The parser stopped unexpectedly on this file; the file has been kept and the app is "
    "unaffected; try a re-saved PDF or DOCX version."
)

_warm_lock = threading.Lock()
_warmed = False


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-document limits: wall clock (s), CPU time (s) and address-space growth (MB)."""

    wall_s: float
    cpu_s: int
    memory_mb: int

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Limits:
        """The configured limits (CVASSIST_PARSE_TIMEOUT_S, _PARSE_CPU_S, _PARSE_MEMORY_MB)."""
        s = settings or get_settings()
        return cls(wall_s=s.parse_timeout_s, cpu_s=s.parse_cpu_s, memory_mb=s.parse_memory_mb)


def parse_isolated(
    data: bytes,
    filename: str,
    *,
    parser: Parser = parse_bytes,
    limits: Limits | None = None,
    settings: Settings | None = None,
) -> ParsedCV:
    """Pre-check, then parse in a limited child; never raises, never lets the child hurt us."""
    t0 = time.perf_counter()
    settings = settings or get_settings()
    limits = limits or Limits.from_settings(settings)
    name = printable_name(filename)
    digest = hashlib.sha256(data).hexdigest()
    try:
        precheck(data, settings=settings)
    except DocumentLoadError as e:
        return failed_parse(name, digest, e.status, str(e), t0)
    warm_up()
    if parser is parse_bytes:  # the caller's settings (page limit, ...) apply in the child too
        parser = functools.partial(parse_bytes, settings=settings)
    status, payload = _run_child(parser, data, filename, limits)
    if status is Status.OK:
        try:
            return ParsedCV.model_validate_json(payload)
        except ValueError:
            log.warning("sandbox: unreadable result for %s", digest[:12])
            return failed_parse(name, digest, Status.FAILED, CRASH_MESSAGE, t0)
    if status is Status.TIMEOUT:
        return failed_parse(name, digest, status, TIMEOUT_MESSAGE.format(s=limits.wall_s), t0)
    if status is Status.TOO_LARGE:
        return failed_parse(name, digest, status, MEMORY_MESSAGE.format(mb=limits.memory_mb), t0)
    return failed_parse(name, digest, Status.FAILED, CRASH_MESSAGE, t0)


def warm_up() -> None:
    """Load spaCy, lexicons and readers in this process once, so each forked child starts warm."""
    global _warmed
    with _warm_lock:
        if _warmed:
            return
        parse_bytes(WARM_UP_TEXT, "warm-up.txt")
        for module in ("parsing.readers.pdf", "parsing.readers.docx", "pypdfium2", "docx"):
            try:
                __import__(module)
            except ImportError:  # an optional reader missing is the reader's problem, not ours
                log.warning("sandbox: could not preload %s", module)
        _warmed = True


def _run_child(parser: Parser, data: bytes, filename: str, limits: Limits) -> tuple[Status, bytes]:
    """(OK, JSON) from a finished child, or (TIMEOUT | TOO_LARGE | FAILED, b"")."""
    ctx = mp.get_context("fork")  # fork: the child inherits the warm parser, nothing to pickle
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, parser, data, filename, limits), daemon=True)
    try:
        proc.start()
    except OSError as e:  # no process could be made (EAGAIN, ENOMEM): report, never raise
        log.warning("sandbox: could not start a parse process: %s", type(e).__name__)
        recv.close()
        send.close()
        return Status.FAILED, b""
    send.close()
    try:
        if not recv.poll(limits.wall_s):
            return Status.TIMEOUT, b""
        try:
            raw = recv.recv_bytes(MAX_RESULT_BYTES)
        except (EOFError, OSError):  # the child died without a result: find out how below
            raw = b""
    finally:
        recv.close()
        _kill_group(proc)
    return _classify(raw, proc.exitcode)


def _classify(raw: bytes, exitcode: int | None) -> tuple[Status, bytes]:
    if raw.startswith(b"{"):
        return Status.OK, raw
    if raw == b"memory":
        return Status.TOO_LARGE, b""
    if not raw and exitcode is not None and -exitcode in CPU_SIGNALS:  # RLIMIT_CPU's signals
        return Status.TIMEOUT, b""
    log.warning("sandbox: parse child ended with exit code %s", exitcode)
    return Status.FAILED, b""


def _kill_group(proc: mp.process.BaseProcess) -> None:
    """SIGKILL the child and anything it started (its own process group), then reap it."""
    if proc.pid is not None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):  # not yet its own group, or already gone
            if proc.is_alive():
                proc.kill()
    proc.join(KILL_GRACE_S)


def _child(conn: Connection, parser: Parser, data: bytes, filename: str, limits: Limits) -> None:
    """Child body: own process group, hard limits, parse, send JSON (or a failure word)."""
    os.setpgid(0, 0)
    _die_with_parent()
    faulthandler.disable()  # a native crash is reported by the parent as a status, not a dump
    _limit_resources(limits)
    try:
        out = parser(data, filename).model_dump_json().encode()
    except MemoryError:
        out = b"memory"
    except BaseException as e:  # the sandbox boundary: report, never propagate
        log.warning("sandbox: parser raised %s", type(e).__name__)
        out = b"error"
    conn.send_bytes(out)
    conn.close()


def _die_with_parent() -> None:
    """PR_SET_PDEATHSIG: if the caller is killed outright, the kernel kills this child too."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the wall-clock kill still applies
        pass


def _limit_resources(limits: Limits) -> None:
    """RLIMIT_CPU from the limits; RLIMIT_AS = what the warm process already maps + the budget."""
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1))
    with open("/proc/self/statm") as fh:
        mapped = int(fh.read().split()[0]) * resource.getpagesize()
    cap = mapped + limits.memory_mb * MB
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
