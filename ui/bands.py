"""Confidence bands as pages show them (the rule itself lives in correction.bands)."""

from __future__ import annotations

from correction.bands import AMBER_FROM, band

__all__ = ["AMBER_FROM", "BAND_LABEL", "band"]

# Text labels, not emoji: they render everywhere (headless browsers, terminals, screen readers).
BAND_LABEL = {"green": "● green", "amber": "● amber", "red": "● red"}
