"""Confidence bands shared by every page: green at or above auto-accept, amber, red."""

from __future__ import annotations

AMBER_FROM = 0.6


def band(confidence: float, auto_accept: float) -> str:
    """'green', 'amber' or 'red' for a confidence."""
    if confidence >= auto_accept:
        return "green"
    if confidence >= AMBER_FROM:
        return "amber"
    return "red"


BAND_ICON = {"green": "🟢", "amber": "🟠", "red": "🔴"}
