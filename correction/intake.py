"""Intake workflow: uploaded bytes → a ParsedCV (storage and background workers come with #4)."""

from __future__ import annotations

from parsing.model import ParsedCV
from parsing.pipeline import parse_bytes


def parse_upload(*, name: str, data: bytes) -> ParsedCV:
    """Parse one uploaded file; never raises (bad files come back with a status and message)."""
    return parse_bytes(data, name)
