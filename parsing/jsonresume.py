"""Export a ParsedCV as a JSON Resume document (jsonresume.org schema v1)."""

from __future__ import annotations

import re
from typing import Any

from parsing.model import Field, ParsedCV

ISO_RE = re.compile(r"^\d{4}(-\d{2})?$")


def _text(f: Field | None) -> str | None:
    if f is None or f.value is None:
        return None
    return str(f.value)


def _date(f: Field | None) -> str | None:
    """ISO 8601 partial date; 'present' is expressed by leaving endDate out."""
    if f is None:
        return None
    v = f.normalized if f.normalized is not None else f.value
    return v if isinstance(v, str) and ISO_RE.match(v) else None


def _put(d: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, "", [], {}):
        d[key] = value


def to_jsonresume(parsed: ParsedCV) -> dict[str, Any]:
    """The JSON Resume view of a parse (values only: confidences stay in the native format)."""
    f = parsed.fields
    basics: dict[str, Any] = {}
    _put(basics, "name", _text(f.name))
    _put(basics, "label", _text(f.headline))
    _put(basics, "email", f.email.key if f.email else None)
    _put(basics, "phone", (f.phone.normalized or f.phone.value) if f.phone else None)
    _put(basics, "summary", _text(f.summary))
    if f.location is not None:
        loc = f.location.normalized if isinstance(f.location.normalized, dict) else {}
        location = {k: v for k, v in loc.items() if k in ("city", "region", "countryCode") and v}
        if not location:
            location = {"address": str(f.location.value)}
        basics["location"] = location
    profiles = []
    for link in f.links or []:
        norm = link.normalized if isinstance(link.normalized, dict) else {}
        url = norm.get("url") or str(link.value)
        network = norm.get("network", "Website")
        if network == "Website" and "url" not in basics:
            basics["url"] = url
        else:
            m = re.search(r"https?://[^/]+/(?:in/|u/)?([^/?#]+)", url)
            profile = {"network": network, "url": url}
            _put(profile, "username", m.group(1) if m else None)
            profiles.append(profile)
    _put(basics, "profiles", profiles)

    work = []
    for e in f.experience or []:
        w: dict[str, Any] = {}
        _put(w, "name", _text(e.company))
        _put(w, "position", _text(e.title))
        _put(w, "location", _text(e.location))
        _put(w, "startDate", _date(e.start))
        _put(w, "endDate", _date(e.end))
        _put(w, "summary", _text(e.description))
        work.append(w)
    education = []
    for ed in f.education or []:
        d: dict[str, Any] = {}
        _put(d, "institution", _text(ed.institution))
        _put(d, "studyType", _text(ed.degree))
        _put(d, "area", _text(ed.field))
        _put(d, "startDate", _date(ed.start))
        _put(d, "endDate", _date(ed.end))
        _put(d, "score", _text(ed.grade))
        education.append(d)
    skills = [{"name": str(s.normalized or s.value)} for s in f.skills or []]
    languages = []
    for lang in f.languages or []:
        item: dict[str, Any] = {}
        _put(item, "language", str(lang.language.key) if lang.language else None)
        _put(item, "fluency", str(lang.fluency.key) if lang.fluency else None)
        languages.append(item)
    certificates = [{"name": str(c.value)} for c in f.certifications or []]

    doc: dict[str, Any] = {"basics": basics}
    _put(doc, "work", work)
    _put(doc, "education", education)
    _put(doc, "skills", skills)
    _put(doc, "languages", languages)
    _put(doc, "certificates", certificates)
    doc["meta"] = {
        "version": "v1.0.0",
        "canonical": "https://jsonresume.org/schema",
        "cvassist": {"sha256": parsed.sha256, "model_version": parsed.model_version},
    }
    return doc
