"""Reading a roster file into rows of text: a workbook, or a folder of four CSV files.

What Chinese Excel produces is the norm here: sheets and headers in Chinese, CSV in
GB18030 or UTF-8 with a BOM, phones turned into floats. Everything that stops a file
from being read at all is collected and raised as one ``RosterFileError``.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from bot.cells import unquote
from bot.domain.roster_check import Problem
from bot.roster_io import guards
from bot.roster_io.columns import TABLES, Table

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
Row = tuple[int, list[str]]  # (row number as Excel shows it, trimmed cells)


@dataclass(frozen=True)
class RawTable:
    table: Table
    where: str  # "households.csv", "roster.xlsx [农户]"
    header_row: int
    header: list[str]
    rows: list[Row]


class RosterFileError(Exception):
    """The file cannot be read as a roster at all; ``problems`` say why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.reason for p in problems))
        self.problems = problems


def read_tables(path: Path) -> list[RawTable]:
    """The tables of the roster at ``path``, in order (an optional one the file does not
    have is left out), or RosterFileError."""
    where = str(path)
    if path.is_dir():
        return _read_folder(path)
    if not path.exists():
        raise RosterFileError([Problem(where, None, None, "not_found")])
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return _read_workbook(path)
    reason = {".xls": "old_xls", ".csv": "single_csv"}.get(suffix, "wrong_extension")
    raise RosterFileError([Problem(where, None, None, reason)])


def _matches(name: str, table: Table) -> bool:
    return name.strip().lower() in (table.name, table.chinese)


def _read_folder(folder: Path) -> list[RawTable]:
    files = {entry.stem: entry for entry in folder.iterdir() if entry.suffix.lower() == ".csv"}
    tables, problems = [], []
    for table in TABLES:
        found = [entry for stem, entry in files.items() if _matches(stem, table)]
        if not found and table.optional:
            continue
        if not found:
            params = {"file": f"{table.name}.csv", "chinese": f"{table.chinese}.csv"}
            problems.append(Problem(str(folder), None, None, "missing_file", params))
            continue
        try:
            tables.append(_read_csv(table, found[0]))
        except RosterFileError as error:
            problems.extend(error.problems)
    if problems:
        raise RosterFileError(problems)
    return tables


def decode_text(data: bytes, where: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM ("Unicode text"), else GB18030; a
    GB18030 reading full of rare characters was another encoding (Big5, Shift-JIS)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        encodings: tuple[str, ...] = ("utf-8",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding != "gb18030" or not guards.looks_misread(text):
            return text
        break
    legacy = guards.legacy_encoding(data)
    if legacy is None:
        raise RosterFileError([Problem(where, None, None, "encoding")])
    raise RosterFileError([Problem(where, None, None, "legacy_encoding", {"encoding": legacy})])


def _read_csv(table: Table, path: Path) -> RawTable:
    where = path.name
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RosterFileError([_unreadable(where, error)]) from None
    text = decode_text(data, where)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _table(table, where, ([unquote(c.strip()) for c in row] for row in rows))
    except csv.Error as error:
        raise RosterFileError([_unreadable(where, error)]) from None


def _unreadable(where: str, error: Exception) -> Problem:
    return Problem(where, None, None, "unreadable", {"error": str(error)})


def _table(table: Table, where: str, rows: Iterable[list[str]]) -> RawTable:
    """The first non-empty row is the header; empty rows are skipped but still counted."""
    header: list[str] | None = None
    header_row = 1
    data: list[Row] = []
    for number, cells in enumerate(rows, start=1):
        if not any(cells):
            continue
        if header is None:
            header, header_row = cells, number
        else:
            data.append((number, cells))
    return RawTable(table, where, header_row, header or [], data)


def _read_workbook(path: Path) -> list[RawTable]:
    refused = guards.check_workbook(path)
    if refused is not None:
        raise RosterFileError([refused])
    try:
        return _sheets(path)
    except RosterFileError:
        raise
    except Exception as error:  # whatever openpyxl's parsers meet in a damaged file
        problem = Problem(str(path), None, None, "damaged", {"error": first_line(error)})
        raise RosterFileError([problem]) from None


def _sheets(path: Path) -> list[RawTable]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        tables, problems = [], []
        for table in TABLES:
            sheets = [name for name in book.sheetnames if _matches(name, table)]
            if not sheets and table.optional:
                continue
            if not sheets:
                params = {"sheet": table.name, "chinese": table.chinese}
                problems.append(Problem(path.name, None, None, "missing_sheet", params))
                continue
            sheet = book[sheets[0]]
            sheet.reset_dimensions()
            rows = _cells(sheet.iter_rows(values_only=True))
            tables.append(_table(table, f"{path.name} [{sheets[0]}]", rows))
    finally:
        book.close()
    if problems:
        raise RosterFileError(problems)
    return tables


def first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:200]


def _cells(rows: Iterator[tuple[object, ...]]) -> Iterator[list[str]]:
    for row in rows:
        yield [cell_text(value) for value in row]


def cell_text(value: object) -> str:
    """A cell as the administrator typed it: 13812345678.0 (a float to Excel) is a phone."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
