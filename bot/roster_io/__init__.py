"""Roster files in and out: a workbook or a folder of CSVs, to and from domain values.

No SQL and no Telegram here: ``load`` gives a roster with the place of every row and
every problem found, ``write_roster`` writes one back. Problems that stop a file from
being read at all raise ``RosterFileError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path

from bot.domain.roster import RANK_NAMES, Rank, Roster
from bot.domain.roster_check import Place, PlacedRoster, Problem, check
from bot.domain.roster_sheet import SheetOptions
from bot.roster_io import one_sheet
from bot.roster_io.columns import header_index
from bot.roster_io.one_sheet import SheetFile
from bot.roster_io.parse import (
    Build,
    RowReader,
    T,
    read_cadre,
    read_department,
    read_household,
    read_link,
    read_region,
)
from bot.roster_io.sources import RawTable, RosterFileError, read_tables
from bot.roster_io.write import write_roster

__all__ = ["RosterFileError", "SheetFile", "load", "read", "write_roster"]
Loaded = tuple[PlacedRoster, list[Problem]]


def read(path: Path, options: SheetOptions | None = None) -> Loaded | SheetFile:
    """The roster at ``path``: the four-sheet workbook or folder of CSVs, loaded and
    checked; or, for a workbook without those sheets (or a single CSV), the lines of a
    one-sheet 花名册, which still need their ids (``bot.domain.roster_assemble``)."""
    options = options or SheetOptions()
    try:
        return load(path, options.ranks)
    except RosterFileError as error:
        if not all(p.reason in ("missing_sheet", "single_csv") for p in error.problems):
            raise
        found = one_sheet.read_file(path, options.headers)
        if found is None:
            hint = Problem(path.name, None, None, "no_sheet_header")
            raise RosterFileError([*error.problems, hint]) from None
        return found


def load(path: Path, ranks: Mapping[str, Rank] = RANK_NAMES) -> Loaded:
    """The four-sheet roster at ``path`` and every problem in it (none: it may be imported)."""
    raws = read_tables(path)
    problems: list[Problem] = []
    indexes = []
    for raw in raws:
        index, found = header_index(raw.table, raw.header, raw.where, raw.header_row)
        indexes.append(index)
        problems.extend(found)
    if any(p.reason == "missing_column" for p in problems):
        raise RosterFileError(problems)  # every row would be wrong; say what the header lacks
    by_name = {raw.table.name: raw for raw in raws}
    regions, cadres = by_name["regions"], by_name["cadres"]
    households, links = by_name["households"], by_name["links"]
    sheet = by_name.get("departments")
    department_rows = (
        _rows(sheet, indexes[raws.index(sheet)], read_department, problems) if sheet else None
    )
    region_rows = _rows(regions, indexes[0], read_region, problems)
    cadre_rows = _rows(cadres, indexes[1], partial(read_cadre, ranks=ranks), problems)
    household_rows = _rows(households, indexes[2], read_household, problems)
    link_rows = _rows(links, indexes[3], read_link, problems)
    placed = PlacedRoster(
        Roster(
            tuple(region_rows[0]),
            tuple(cadre_rows[0]),
            tuple(household_rows[0]),
            tuple(link_rows[0]),
            tuple(department_rows[0]) if department_rows is not None else None,
        ),
        region_places=region_rows[1],
        cadre_places=cadre_rows[1],
        household_places=household_rows[1],
        link_places=link_rows[1],
        department_places=department_rows[1] if department_rows is not None else (),
        unreadable={
            "regions": region_rows[2],
            "cadres": cadre_rows[2],
            "households": household_rows[2],
        },
    )
    order = {raw.where: position for position, raw in enumerate(raws)}
    found = sorted(problems + check(placed), key=lambda p: (order.get(p.where, -1), p.row or 0))
    return placed, found


def _rows(
    raw: RawTable, index: dict[str, int], build: Build[T | None], problems: list[Problem]
) -> tuple[list[T], list[Place], frozenset[str]]:
    """The items of one table that could be read, their places, and the ids of the rest."""
    items: list[T] = []
    places: list[Place] = []
    unreadable: set[str] = set()
    for number, cells in raw.rows:
        row = RowReader(raw, index, number, cells)
        item = build(row)
        problems.extend(row.problems)  # the item too, if it reads: its references are checked
        if item is None:
            if row.text("id"):
                unreadable.add(row.text("id"))
        else:
            items.append(item)
            places.append(row.place)
    return items, places, frozenset(unreadable)
