"""The parse output contract (`ParsedCV`), serialising exactly to shared/spec/parsed-cv.schema.json.

This module imports nothing heavy: the UI, the database layer and the CLI all depend on it.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PField

SCHEMA_VERSION = "1"


class Status(StrEnum):
    """Outcome of one parse; everything but ok/partial means nothing was extracted."""

    OK = "ok"
    PARTIAL = "partial"
    EMPTY_TEXT = "empty_text"
    ENCRYPTED = "encrypted"
    MALFORMED = "malformed"
    UNSUPPORTED = "unsupported"
    TOO_LARGE = "too_large"
    TOO_MANY_PAGES = "too_many_pages"
    TIMEOUT = "timeout"
    FAILED = "failed"

    @property
    def usable(self) -> bool:
        """True when the parse produced fields a recruiter can review."""
        return self in (Status.OK, Status.PARTIAL)


class Source(BaseModel):
    """Where a value came from: page, box in PDF points (top-left origin) and char span."""

    model_config = ConfigDict(extra="allow")

    page: int | None = PField(default=None, ge=1)
    bbox: tuple[float, float, float, float] | None = None
    start: int | None = None
    end: int | None = None
    text: str | None = None


class Field(BaseModel):
    """One extracted value with its confidence, provenance and the extractor that produced it."""

    model_config = ConfigDict(extra="allow")

    value: Any
    normalized: Any = None
    confidence: float = PField(ge=0.0, le=1.0)
    source: Source | None = None
    extractor: str = ""

    @property
    def key(self) -> Any:
        """The value used for comparison: the normalized form where there is one."""
        return self.normalized if self.normalized is not None else self.value


class ExperienceEntry(BaseModel):
    """One employment entry; each component is a Field or None (not found)."""

    model_config = ConfigDict(extra="allow")

    title: Field | None = None
    company: Field | None = None
    location: Field | None = None
    start: Field | None = None
    end: Field | None = None
    description: Field | None = None


class EducationEntry(BaseModel):
    """One education entry; degree.normalized is a level (bachelor, master, ...)."""

    model_config = ConfigDict(extra="allow")

    degree: Field | None = None
    field: Field | None = None
    institution: Field | None = None
    start: Field | None = None
    end: Field | None = None
    grade: Field | None = None


class LanguageEntry(BaseModel):
    """A spoken language and, where stated, its fluency (CEFR level or 'native')."""

    model_config = ConfigDict(extra="allow")

    language: Field | None = None
    fluency: Field | None = None


class Fields(BaseModel):
    """All extracted fields. None = not found; [] = the section exists but holds nothing."""

    model_config = ConfigDict(extra="allow")

    name: Field | None = None
    email: Field | None = None
    phone: Field | None = None
    location: Field | None = None
    headline: Field | None = None
    summary: Field | None = None
    links: list[Field] | None = None
    total_experience_years: Field | None = None
    experience: list[ExperienceEntry] | None = None
    education: list[EducationEntry] | None = None
    skills: list[Field] | None = None
    languages: list[LanguageEntry] | None = None
    certifications: list[Field] | None = None

    def iter_fields(self) -> list[tuple[str, Field]]:
        """Every Field with its path (e.g. 'experience[1].title'), in document-review order."""
        out: list[tuple[str, Field]] = []
        for name in ("name", "email", "phone", "location", "headline", "summary"):
            f = getattr(self, name)
            if f is not None:
                out.append((name, f))
        for i, f in enumerate(self.links or []):
            out.append((f"links[{i}]", f))
        if self.total_experience_years is not None:
            out.append(("total_experience_years", self.total_experience_years))
        for group in ("experience", "education", "languages"):
            for i, entry in enumerate(getattr(self, group) or []):
                for comp, f in entry:
                    if isinstance(f, Field):
                        out.append((f"{group}[{i}].{comp}", f))
        for group in ("skills", "certifications"):
            for i, f in enumerate(getattr(self, group) or []):
                out.append((f"{group}[{i}]", f))
        return out


class ParsedCV(BaseModel):
    """One parsed document: status, warnings and every field with confidence and source."""

    model_config = ConfigDict(extra="allow")

    schema_version: str = SCHEMA_VERSION
    file: str
    sha256: str = PField(pattern=r"^[0-9a-f]{64}$")
    status: Status
    message: str | None = None
    warnings: list[str] = PField(default_factory=list)
    pages: int | None = None
    language: str | None = None
    parse_ms: float | None = None
    model_version: str | None = None
    fields: Fields = PField(default_factory=Fields)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict in the schema's shape (None-valued keys are omitted)."""
        return self.model_dump(mode="json", exclude_none=True)

    def to_json(self, indent: int | None = None) -> str:
        """Serialise to the schema's JSON."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes) -> ParsedCV:
        """Inverse of to_json."""
        return cls.model_validate_json(text)
