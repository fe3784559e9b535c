"""Fixtures of the UI tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser import chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium, shared by a browser-test module's tests."""
    with chromium() as b:
        yield b
