"""A candidate's current record as analyst rows: one table per entity, optionally pseudonymised.

Entities: candidates (one row each, multi-valued fields joined with "; "), experience, education,
skills and languages (one row per item). Every row starts with the candidate's key: its id, or,
pseudonymised, a keyed hash (HMAC-SHA256 with the installation's secret) of the document's
SHA-256, stable across exports and not reversible without the secret.

Pseudonymised rows leave out the name, e-mail, phone, links, file name, the location as written
(city, region and country stay), the summary and the job descriptions (free text that often holds
contact details). Every remaining text is scrubbed of anything shaped like an e-mail address, a
URL or a phone number, and of the candidate's own name, e-mail and phone wherever they appear.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from data.export import ExportCandidate
from data.export import key as node_key
from parsing.jsonresume import to_jsonresume

ENTITIES = ("candidates", "experience", "education", "skills", "languages")
ID = "candidate_id"
KEY = "candidate_key"
JOIN = "; "
REMOVED = "[removed]"
LEVELS = ("secondary", "certificate", "diploma", "associate", "bachelor", "master", "doctorate")
CANDIDATE_COLUMNS = (
    "file",
    "status",
    "batch_id",
    "uploaded_at",
    "last_activity_at",
    "name",
    "email",
    "phone",
    "location",
    "city",
    "region",
    "country",
    "headline",
    "summary",
    "links",
    "total_experience_years",
    "current_title",
    "current_company",
    "n_positions",
    "highest_degree",
    "skills",
    "languages",
    "certifications",
    "model_version",
)
ENTITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "candidates": CANDIDATE_COLUMNS,
    "experience": (
        "position",
        "title",
        "company",
        "location",
        "start",
        "end",
        "current",
        "description",
    ),
    "education": ("position", "degree", "level", "field", "institution", "start", "end", "grade"),
    "skills": ("skill", "as_written"),
    "languages": ("language", "fluency", "as_written"),
}
PERSONAL = frozenset({"file", "name", "email", "phone", "location", "summary", "links"})
FREE_TEXT = frozenset({"description"})
DATE_COLUMNS = frozenset({"start", "end"})  # ISO partial dates: "2021-02" or "2021"
TIME_COLUMNS = frozenset({"uploaded_at", "last_activity_at"})
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL_RE = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|net|org|io|dev|me)/\S*", re.I)
PHONE_RE = re.compile(r"\+?\(?\d[\d\s()./-]{5,}\d")
MIN_PHONE_DIGITS = 7
ISO_DATE_RE = re.compile(r"^\d{4}(-\d{2})?$")

Row = dict[str, Any]
Tables = dict[str, list[Row]]


def columns(entity: str, *, pseudonymise: bool) -> tuple[str, ...]:
    """The columns of one entity's table, the candidate key first."""
    cols = ENTITY_COLUMNS[entity]
    if pseudonymise:
        cols = tuple(c for c in cols if c not in PERSONAL and c not in FREE_TEXT)
    return (KEY if pseudonymise else ID, *cols)


def candidate_key(secret: bytes, sha256: str) -> str:
    """The pseudonymous key of a candidate: stable for this installation, not reversible."""
    return hmac.new(secret, sha256.encode(), hashlib.sha256).hexdigest()[:24]


# --- values (field nodes are JSON: {"value", "normalized", "confidence", ...}) -------------------

Node = dict[str, Any] | None


def _text(node: Node) -> str | None:
    v = node.get("value") if node else None
    return None if v in (None, "") else str(v)


def _key(node: Node) -> str | None:
    v = node_key(node)
    return None if v in (None, "") else str(v)


def _date(node: Node) -> str | None:
    """ISO partial date of a start/end; None for 'present' or anything unreadable."""
    v = node_key(node)
    return v if isinstance(v, str) and ISO_DATE_RE.match(v) else None


def _number(node: Node) -> float | None:
    try:
        v = node_key(node)
        return None if v is None or isinstance(v, bool) else float(v)
    except (TypeError, ValueError):
        return None


def _place(node: Node) -> dict[str, Any]:
    norm = node.get("normalized") if node else None
    return norm if isinstance(norm, dict) else {}


def _highest(levels: Iterable[str | None]) -> str | None:
    known = [lv for lv in levels if lv in LEVELS]
    return max(known, key=LEVELS.index) if known else None


def _language(entry: dict[str, Any]) -> str:
    name = _key(entry.get("language")) or ""
    level = _key(entry.get("fluency"))
    return f"{name} ({level})" if level else name


def _joined(values: Iterable[str | None]) -> str | None:
    return JOIN.join(v for v in values if v) or None


# --- tables ------------------------------------------------------------------------------------


def tables(
    c: ExportCandidate, *, key: str | None = None, entities: tuple[str, ...] = ENTITIES
) -> Tables:
    """The candidate's rows of these entities; `key` given = pseudonymised with that key."""
    f = c.fields
    ident: Row = {KEY: key} if key is not None else {ID: c.candidate_id}
    experience: list[dict[str, Any]] = f.get("experience") or []
    education: list[dict[str, Any]] = f.get("education") or []
    skills: list[dict[str, Any]] = f.get("skills") or []
    languages = [g for g in f.get("languages") or [] if g.get("language")]
    place = _place(f.get("location"))
    first = experience[0] if experience else {}
    cand: Row = {
        **ident,
        "file": c.file_name,
        "status": c.status,
        "batch_id": c.batch_id,
        "uploaded_at": c.uploaded_at,
        "last_activity_at": c.last_activity_at,
        "name": _text(f.get("name")),
        "email": _key(f.get("email")),
        "phone": _key(f.get("phone")),
        "location": _text(f.get("location")),
        "city": place.get("city"),
        "region": place.get("region"),
        "country": place.get("countryCode"),
        "headline": _text(f.get("headline")),
        "summary": _text(f.get("summary")),
        "links": _joined(_text(x) for x in f.get("links") or []),
        "total_experience_years": _number(f.get("total_experience_years")),
        "current_title": _text(first.get("title")),
        "current_company": _text(first.get("company")),
        "n_positions": len(experience),
        "highest_degree": _highest(_key(e.get("degree")) for e in education),
        "skills": _joined(_key(s) for s in skills),
        "languages": _joined(_language(g) for g in languages),
        "certifications": _joined(_text(x) for x in f.get("certifications") or []),
        "model_version": c.model_version,
    }
    out: Tables = {"candidates": [cand]}
    if "experience" in entities:
        out["experience"] = [
            {
                **ident,
                "position": i,
                "title": _text(e.get("title")),
                "company": _text(e.get("company")),
                "location": _text(e.get("location")),
                "start": _date(e.get("start")),
                "end": _date(e.get("end")),
                "current": node_key(e.get("end")) == "present",
                "description": _text(e.get("description")),
            }
            for i, e in enumerate(experience, 1)
        ]
    if "education" in entities:
        out["education"] = [
            {
                **ident,
                "position": i,
                "degree": _text(e.get("degree")),
                "level": level if (level := _key(e.get("degree"))) in LEVELS else None,
                "field": _text(e.get("field")),
                "institution": _text(e.get("institution")),
                "start": _date(e.get("start")),
                "end": _date(e.get("end")),
                "grade": _text(e.get("grade")),
            }
            for i, e in enumerate(education, 1)
        ]
    if "skills" in entities:
        out["skills"] = [{**ident, "skill": _key(s), "as_written": _text(s)} for s in skills]
    if "languages" in entities:
        out["languages"] = [
            {
                **ident,
                "language": _key(g.get("language")),
                "fluency": _key(g.get("fluency")),
                "as_written": _text(g.get("fluency")),
            }
            for g in languages
        ]
    if key is None:
        return out
    scrub = Scrubber.of(f)
    return {
        entity: [scrub.row(r, columns(entity, pseudonymise=True)) for r in rows]
        for entity, rows in out.items()
    }


class Scrubber:
    """Removes contact details and the candidate's own identifiers from text."""

    def __init__(self, terms: Iterable[str]) -> None:
        words = sorted({t for t in terms if len(t) >= 3}, key=len, reverse=True)
        alternatives = "|".join(re.escape(w) for w in words)
        self.own = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I) if words else None

    @classmethod
    def of(cls, fields: dict[str, Any]) -> Scrubber:
        """A scrubber for one candidate: its name (and each part), e-mail and phone."""
        terms: list[str] = []
        for name in ("name", "email", "phone"):
            node = fields.get(name) or {}
            for v in (node.get("value"), node.get("normalized")):
                if isinstance(v, str):
                    terms += [v, *v.split()]
                    if name == "email":
                        terms.append(v.split("@")[0])
        return cls(terms)

    def text(self, value: str) -> str:
        """The text without e-mails, URLs, phone numbers or the candidate's identifiers."""
        value = EMAIL_RE.sub(REMOVED, value)
        value = URL_RE.sub(REMOVED, value)
        value = PHONE_RE.sub(_phone, value)
        return self.own.sub(REMOVED, value) if self.own is not None else value

    def row(self, row: Row, keep: tuple[str, ...]) -> Row:
        """The row reduced to `keep`, its texts scrubbed (dates and keys left as they are)."""
        out = {}
        for col in keep:
            v = row.get(col)
            keep_as_is = col in DATE_COLUMNS or col == KEY
            out[col] = self.text(v) if isinstance(v, str) and not keep_as_is else v
        return out

    def tree(self, value: Any) -> Any:
        """Every string inside a JSON-like value scrubbed."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.tree(v) for v in value]
        if isinstance(value, dict):
            return {k: self.tree(v) for k, v in value.items()}
        return value


def _phone(m: re.Match[str]) -> str:
    digits = sum(ch.isdigit() for ch in m.group())
    return REMOVED if digits >= MIN_PHONE_DIGITS else m.group()


# --- JSON Resume --------------------------------------------------------------------------------


def resume(c: ExportCandidate, *, key: str | None = None) -> dict[str, Any]:
    """The JSON Resume document of a candidate (pseudonymised when `key` is given)."""
    doc = to_jsonresume(c.record())
    meta = doc["meta"]["cvassist"]
    meta["status"] = c.status
    meta["uploaded_at"] = c.uploaded_at.isoformat()
    if key is None:
        meta["candidate_id"] = c.candidate_id
        return doc
    basics = doc["basics"]
    for k in ("name", "email", "phone", "url", "profiles", "summary"):
        basics.pop(k, None)
    where = basics.get("location", {})
    basics["location"] = {k: v for k, v in where.items() if k in ("city", "region", "countryCode")}
    if not basics["location"]:
        basics.pop("location")
    for job in doc.get("work", []):
        job.pop("summary", None)
    meta.pop("sha256", None)
    meta["candidate_key"] = key
    scrub = Scrubber.of(c.fields)
    # meta is ours (schema URL, key, versions), not the candidate's: left as it is
    return {k: v if k == "meta" else scrub.tree(v) for k, v in doc.items()}


def plain(value: Any) -> Any:
    """A value as JSON: timestamps as ISO 8601 text."""
    return value.isoformat() if isinstance(value, datetime) else value
