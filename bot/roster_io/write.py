"""Writing a roster back in the format it is read in, so a county can edit and re-import.

CSV files get a BOM because Excel opens BOM-less UTF-8 as the local code page and shows
mojibake; workbook cells are written as text so that phones and ids stay as typed, and
so that a name beginning with ``=`` stays a name, never a formula (``bot.cells``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot import private
from bot.cells import csv_rows
from bot.domain.roster import Roster
from bot.domain.roster_check import Problem
from bot.roster_io.columns import TABLES
from bot.roster_io.sources import RosterFileError

Cells = Sequence[str | int]


def write_roster(path: Path, roster: Roster) -> None:
    """``path`` ending in .xlsx: one workbook; anything else: a folder of CSV files (one
    per table, ``departments`` too)."""
    tables = _tables(roster)
    try:
        if path.suffix.lower() == ".xlsx":
            _write_workbook(path, tables)
        else:
            _write_folder(path, tables)
    except OSError as error:
        problem = Problem(str(path), None, None, "unwritable", {"error": str(error)})
        raise RosterFileError([problem]) from None


def _number(value: float | None) -> str:
    """A coordinate or radius as written back: empty when the roster gives none."""
    return "" if value is None else str(value)


def _tables(roster: Roster) -> dict[str, Iterator[Cells]]:
    return {
        "regions": (
            (r.id, r.name, r.level.value, r.parent_id or "", r.discipline_contact or "",
             _number(r.lat), _number(r.lon), _number(r.radius_m), r.hotline or "")
            for r in roster.regions
        ),
        "cadres": (
            (c.id, c.name, c.rank.value, c.unit, c.phone, c.region_id, c.backup_id or "",
             c.supervises or "")
            for c in roster.cadres
        ),
        "households": (
            (h.id, h.head_name, h.region_id, h.address, h.phone) for h in roster.households
        ),
        "links": ((k.household_id, k.cadre_id, k.tier) for k in roster.links),
        "departments": (
            (d.id, d.name, d.region_id, d.contact_id) for d in roster.departments or ()
        ),
    }  # fmt: skip


def _write_folder(folder: Path, tables: dict[str, Iterator[Cells]]) -> None:
    private.folder(folder)
    for table in TABLES:
        with private.open_text(folder / f"{table.name}.csv", "utf-8-sig") as out:
            writer = csv.writer(out)
            writer.writerow([column.name for column in table.columns])
            writer.writerows(csv_rows(tables[table.name]))


def _write_workbook(path: Path, tables: dict[str, Iterator[Cells]]) -> None:
    private.folder(path.parent)
    book = openpyxl.Workbook(write_only=True)
    for table in TABLES:
        sheet = book.create_sheet(table.name)
        sheet.append([column.name for column in table.columns])
        for row in tables[table.name]:
            sheet.append([_cell(sheet, value) for value in row])
    with private.open_binary(path) as out:
        book.save(out)


def _cell(sheet: WriteOnlyWorksheet, value: str | int) -> Cell | str | int:
    """Text stays text, whatever it starts with: openpyxl would write ``=...`` as a live
    formula and ``#N/A`` as an error, so those become explicit inline strings (the rest
    it writes as text anyway). Characters XML cannot hold are left out."""
    if isinstance(value, int):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith("=") and value not in ERROR_CODES:
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell
