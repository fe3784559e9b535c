"""Streaming export writers: each takes candidates one at a time and writes as it goes.

CSV: one row per candidate (multi-valued fields joined with "; "), UTF-8. XLSX: openpyxl's
write-only mode (rows go to temporary files, not memory), a sheet per entity, typed cells (dates as
dates, numbers as numbers). JSON: an array with one object per candidate, its entities nested.
JSON Resume: an array of jsonresume.org v1 documents. Cells a spreadsheet would run as a formula
(text starting with "=", "@", or "+"/"-" not followed by a number) are written as plain text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from correction.export_rows import (
    DATE_COLUMNS,
    ENTITIES,
    ID,
    KEY,
    Tables,
    columns,
    plain,
    resume,
    tables,
)
from data.export import ExportCandidate

FLUSH_ROWS = 200  # CSV rows buffered between writes to the output
NUMBER_RE = re.compile(r"^[+-]?[\d\s().]+$")  # phone numbers and signed numbers are not formulas
FORMULA_START = ("=", "@", "+", "-", "\t", "\r")
MONTH_FORMAT = "yyyy-mm"
YEAR_FORMAT = "yyyy"
TIME_FORMAT = "yyyy-mm-dd hh:mm"

Keyer = Callable[[ExportCandidate], str | None]  # the pseudonymous key; None = not pseudonymised


def defused(text: str) -> str:
    """Text a spreadsheet would run as a formula, prefixed with ' so it stays text (OWASP)."""
    if text.startswith(FORMULA_START) and not NUMBER_RE.match(text):
        return "'" + text
    return text


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return defused(value)
    return value


class ExportWriter:
    """Base of the writers: `add` one candidate at a time, then `close` once."""

    def __init__(self, out: BinaryIO, *, keyer: Keyer) -> None:
        self.out = out
        self.keyer = keyer
        self.count = 0

    entities: tuple[str, ...] = ENTITIES  # the tables this format writes

    def tables(self, c: ExportCandidate) -> Tables:
        """The candidate's entity rows (pseudonymised when the writer has a key)."""
        return tables(c, key=self.keyer(c), entities=self.entities)

    def add(self, c: ExportCandidate) -> None:
        """Write one candidate."""
        raise NotImplementedError

    def close(self) -> None:
        """Finish the file (the output stays open: it is the caller's)."""


class CsvWriter(ExportWriter):
    """One row per candidate, the candidates table's columns."""

    entities = ("candidates",)

    def __init__(self, out: BinaryIO, *, keyer: Keyer, pseudonymise: bool) -> None:
        super().__init__(out, keyer=keyer)
        self.cols = columns("candidates", pseudonymise=pseudonymise)
        self.buf = io.StringIO()
        self.csv = csv.writer(self.buf, lineterminator="\r\n")
        self.csv.writerow(self.cols)

    def add(self, c: ExportCandidate) -> None:
        """Write one candidate's row (buffered)."""
        row = self.tables(c)["candidates"][0]
        self.csv.writerow([_csv_value(row.get(k)) for k in self.cols])
        self.count += 1
        if self.count % FLUSH_ROWS == 0:
            self._flush()

    def _flush(self) -> None:
        self.out.write(self.buf.getvalue().encode("utf-8"))
        self.buf.seek(0)
        self.buf.truncate()

    def close(self) -> None:
        """Write what is still buffered."""
        self._flush()


def _partial_date(text: str) -> tuple[date, str]:
    """'2021-02' → (2021-02-01, 'yyyy-mm'); '2021' → (2021-01-01, 'yyyy')."""
    if len(text) == 4:
        return date(int(text), 1, 1), YEAR_FORMAT
    return date(int(text[:4]), int(text[5:7]), 1), MONTH_FORMAT


class XlsxWriter(ExportWriter):
    """A workbook in write-only mode with one sheet per entity."""

    def __init__(self, out: BinaryIO, *, keyer: Keyer, pseudonymise: bool) -> None:
        super().__init__(out, keyer=keyer)
        self.book = Workbook(write_only=True)
        self.sheets = {}
        self.cols = {e: columns(e, pseudonymise=pseudonymise) for e in ENTITIES}
        for entity in ENTITIES:
            sheet = self.book.create_sheet(entity)
            sheet.freeze_panes = "A2"
            header = []
            for name in self.cols[entity]:
                cell = WriteOnlyCell(sheet, value=name)
                cell.font = Font(bold=True)
                header.append(cell)
            sheet.append(header)
            self.sheets[entity] = sheet

    def _cell(self, sheet: Any, column: str, value: Any) -> Any:
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, datetime):  # Excel has no time zones: UTC, as the column says
            cell = WriteOnlyCell(sheet, value=value.astimezone(UTC).replace(tzinfo=None))
            cell.number_format = TIME_FORMAT
            return cell
        if column in DATE_COLUMNS and isinstance(value, str):
            day, fmt = _partial_date(value)
            cell = WriteOnlyCell(sheet, value=day)
            cell.number_format = fmt
            return cell
        cell = WriteOnlyCell(sheet, value=str(value))
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell

    def add(self, c: ExportCandidate) -> None:
        """Append the candidate's rows to every sheet."""
        for entity, rows in self.tables(c).items():
            sheet = self.sheets[entity]
            for row in rows:
                sheet.append([self._cell(sheet, k, row.get(k)) for k in self.cols[entity]])
        self.count += 1

    def close(self) -> None:
        """Write the workbook (openpyxl zips the sheets' temporary files into `out`)."""
        self.book.save(self.out)


class _ArrayWriter(ExportWriter):
    """A JSON array written one element at a time."""

    def __init__(self, out: BinaryIO, *, keyer: Keyer) -> None:
        super().__init__(out, keyer=keyer)
        self.out.write(b"[")

    def element(self, c: ExportCandidate) -> Any:
        """The JSON value of one candidate."""
        raise NotImplementedError

    def add(self, c: ExportCandidate) -> None:
        """Write one element."""
        text = json.dumps(self.element(c), ensure_ascii=False, default=plain)
        self.out.write((",\n" if self.count else "\n").encode() + text.encode("utf-8"))
        self.count += 1

    def close(self) -> None:
        """Close the array."""
        self.out.write(b"\n]\n")


class JsonWriter(_ArrayWriter):
    """One object per candidate: the candidates row with its entities nested as lists."""

    def element(self, c: ExportCandidate) -> Any:
        """The candidate row, with experience, education, skills and languages as lists."""
        tabs = self.tables(c)
        item = {k: plain(v) for k, v in tabs["candidates"][0].items()}
        for entity in ENTITIES[1:]:
            item[entity] = [
                {k: plain(v) for k, v in row.items() if k not in (ID, KEY)} for row in tabs[entity]
            ]
        return item


class JsonResumeWriter(_ArrayWriter):
    """An array of JSON Resume documents."""

    def element(self, c: ExportCandidate) -> Any:
        """The candidate's JSON Resume document."""
        return resume(c, key=self.keyer(c))


def make_writer(fmt: str, out: BinaryIO, *, keyer: Keyer, pseudonymise: bool) -> ExportWriter:
    """The writer for a format (csv, xlsx, json, jsonresume); ValueError for another."""
    if fmt == "csv":
        return CsvWriter(out, keyer=keyer, pseudonymise=pseudonymise)
    if fmt == "xlsx":
        return XlsxWriter(out, keyer=keyer, pseudonymise=pseudonymise)
    if fmt == "json":
        return JsonWriter(out, keyer=keyer)
    if fmt == "jsonresume":
        return JsonResumeWriter(out, keyer=keyer)
    raise ValueError(f"unknown export format {fmt!r}")
