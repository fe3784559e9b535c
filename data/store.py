"""Content-addressed file store: `<root>/ab/cd/<sha256>`, written via temp file + fsync + rename.

The bytes are durable before the database row that names them commits, so a crash can leave an
orphan file (harmless, re-used by the next upload of the same bytes) but never a row without bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from settings import get_settings

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def write_atomic(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write via a temp file in the same folder + fsync + rename, so a crash leaves the old file
    or the new one, never half of it (mode: permissions; None = owner-only, as mkstemp makes)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        if mode is not None:
            os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class FileStore:
    """Bytes keyed by their SHA-256 under one root directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @staticmethod
    def relpath(sha256: str) -> str:
        """The stored path relative to the root ('ab/cd/<sha>'); rejects anything but a digest."""
        if not SHA256_RE.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def path(self, sha256: str) -> Path:
        """Absolute path of a stored digest (it may not exist)."""
        return self.root / self.relpath(sha256)

    def exists(self, sha256: str) -> bool:
        """True when the bytes of this digest are stored."""
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> str:
        """Store `data` durably and return its SHA-256; storing the same bytes again is a no-op."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.is_file() and target.stat().st_size == len(data):
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, data)
        _fsync_dir(target.parent)
        return digest

    def get(self, sha256: str) -> bytes:
        """The stored bytes; FileNotFoundError when absent."""
        return self.path(sha256).read_bytes()

    def delete(self, sha256: str) -> bool:
        """Remove the bytes (erasure); False when they were not there."""
        target = self.path(sha256)
        try:
            target.unlink()
        except FileNotFoundError:
            return False
        _fsync_dir(target.parent)
        return True


def _fsync_dir(path: Path) -> None:
    """Make a rename or unlink in `path` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def default_store() -> FileStore:
    """The store under the configured data directory."""
    return FileStore(get_settings().data_dir / "files")


def put(data: bytes, *, store: FileStore | None = None) -> str:
    """Store bytes in the default (or given) store; returns the SHA-256."""
    return (store or default_store()).put(data)


def get(sha256: str, *, store: FileStore | None = None) -> bytes:
    """Bytes of a stored digest."""
    return (store or default_store()).get(sha256)


def delete(sha256: str, *, store: FileStore | None = None) -> bool:
    """Remove a stored digest's bytes."""
    return (store or default_store()).delete(sha256)
