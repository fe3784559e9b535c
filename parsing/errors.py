"""One small error hierarchy: each DocumentLoadError carries the status a recruiter will see."""

from __future__ import annotations

from parsing.model import Status


class CVError(Exception):
    """Base of every error this project raises on purpose."""


class DocumentLoadError(CVError):
    """The bytes cannot be turned into a Layout; `status` and the message are user-facing."""

    status: Status = Status.MALFORMED

    def __init__(self, message: str, status: Status | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status


class UnsupportedFormat(DocumentLoadError):
    """Not a PDF, DOCX or text file."""

    status = Status.UNSUPPORTED


class EncryptedDocument(DocumentLoadError):
    """Password-protected document."""

    status = Status.ENCRYPTED


class TooLarge(DocumentLoadError):
    """Over the configured size limit (or would expand past a safe size)."""

    status = Status.TOO_LARGE


class TooManyPages(DocumentLoadError):
    """Over the configured page limit."""

    status = Status.TOO_MANY_PAGES


class EmptyText(DocumentLoadError):
    """No text layer (a scan) and no OCR result."""

    status = Status.EMPTY_TEXT
