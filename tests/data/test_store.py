"""The content-addressed file store."""

from __future__ import annotations

import hashlib

import pytest

from data.store import FileStore


def test_put_get_delete(store: FileStore) -> None:
    data = b"%PDF-1.4 synthetic bytes"
    digest = store.put(data)
    assert digest == hashlib.sha256(data).hexdigest()
    path = store.root / digest[:2] / digest[2:4] / digest
    assert path.read_bytes() == data
    assert store.get(digest) == data
    assert store.put(data) == digest  # same bytes again: same file, nothing else written
    assert [p.name for p in store.root.rglob("*") if p.is_file()] == [digest]  # no temp files
    assert store.delete(digest) is True
    assert not store.exists(digest)
    assert store.delete(digest) is False
    with pytest.raises(FileNotFoundError):
        store.get(digest)


@pytest.mark.parametrize("bad", ["../../etc/passwd", "ABC", "a" * 63, "g" * 64, ""])
def test_only_digests_name_files(store: FileStore, bad: str) -> None:
    with pytest.raises(ValueError):
        store.get(bad)
