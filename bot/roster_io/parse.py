"""Rows of text into regions, cadres, households and links, noting every bad cell.

A row with a bad cell still gives its item (the bad cell left empty) whenever its id and
its references can be read, so that the checks across tables see it: a bad phone must
not hide an unknown region in the same row until the phone is fixed (every problem in
one pass). Nothing with a problem is ever imported. A row without even that (no id, a
misspelt level) is left out but its id is remembered, so that a household pointing at
it is not reported a second time as pointing at nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TypeVar

from bot.domain.roster import (
    LEVEL_NAMES,
    RANK_NAMES,
    Cadre,
    Department,
    Household,
    Link,
    Rank,
    Region,
    normalise_phone,
)
from bot.domain.roster_check import Place, Problem
from bot.roster_io.sources import RawTable

_TIER = re.compile(r"^\d+(\.0+)?$")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")  # what Excel writes for a long number
T = TypeVar("T")


class RowReader:
    """One data row: its cells by column name, and the problems found in them."""

    def __init__(self, raw: RawTable, index: dict[str, int], number: int, cells: list[str]):
        self.place = Place(raw.where, number)
        self._index = index
        self._cells = cells
        self.problems: list[Problem] = []

    def text(self, column: str) -> str:
        position = self._index.get(column)
        if position is None or position >= len(self._cells):
            return ""
        return self._cells[position]

    def optional(self, column: str) -> str | None:
        return self.text(column) or None

    def required(self, column: str) -> str:
        value = self.text(column)
        if not value:
            self._problem(column, "required")
        return value

    def _problem(self, column: str, reason: str, **params: object) -> None:
        self.problems.append(Problem(self.place.where, self.place.row, column, reason, params))

    def choice(self, column: str, names: Mapping[str, T], reason: str) -> T | None:
        value = self.required(column)
        found = names.get(value.lower())
        if found is None and value:
            self._problem(column, reason, value=value)
        return found

    def phone(self, column: str, *, required: bool) -> str:
        value = self.required(column) if required else self.text(column)
        if not value:
            return ""
        phone = normalise_phone(value)
        if phone is None:
            reason = "phone_scientific" if _SCIENTIFIC.match(value) else "bad_phone"
            self._problem(column, reason, value=value)
            return ""
        return phone

    def number(self, column: str, low: float, high: float) -> float | None:
        """An optional number in [low, high] (a coordinate, a radius)."""
        value = self.text(column)
        if not value:
            return None
        try:
            found = float(value)
        except ValueError:
            found = None
        if found is None or not low <= found <= high:
            self._problem(column, "bad_number", value=value, low=low, high=high)
            return None
        return found

    def tier(self) -> int:
        value = self.required("tier")
        if value and (not _TIER.match(value) or int(float(value)) < 1):
            self._problem("tier", "bad_tier", value=value)
            return 0
        return int(float(value)) if value else 0


Build = Callable[[RowReader], T]


def read_region(row: RowReader) -> Region | None:
    region_id, name = row.required("id"), row.required("name")
    level = row.choice("level", LEVEL_NAMES, "bad_level")
    lat, lon = row.number("lat", -90, 90), row.number("lon", -180, 180)
    radius = row.number("radius_m", 1, 100_000)
    if (lat is None) != (lon is None) and not row.problems:
        row.problems.append(Problem(row.place.where, row.place.row, "lat", "half_centre", {}))
    if not region_id or level is None:  # the level decides what may hang below it
        return None
    parent, contact = row.optional("parent_id"), row.optional("discipline_contact")
    return Region(
        region_id, name, level, parent, contact, lat, lon, radius, row.optional("hotline")
    )


def read_cadre(row: RowReader, ranks: Mapping[str, Rank] = RANK_NAMES) -> Cadre | None:
    cadre_id, name = row.required("id"), row.required("name")
    rank = row.choice("rank", ranks, "bad_rank")
    phone = row.phone("phone", required=True)
    region_id = row.required("region_id")
    if not (cadre_id and region_id):
        return None
    backup, supervises = row.optional("backup_id"), row.optional("supervises")
    rank = rank or Rank.VILLAGE_CADRE  # only checked: a row with a problem is not imported
    return Cadre(cadre_id, name, rank, row.text("unit"), phone, region_id, backup, supervises)


def read_household(row: RowReader) -> Household | None:
    household_id, head = row.required("id"), row.required("head_name")
    region_id = row.required("region_id")
    phone = row.phone("phone", required=False)
    if not (household_id and region_id):
        return None
    return Household(household_id, head, region_id, row.text("address"), phone)


def read_link(row: RowReader) -> Link | None:
    household_id, cadre_id = row.required("household_id"), row.required("cadre_id")
    tier = row.tier()
    return Link(household_id, cadre_id, tier) if household_id and cadre_id else None


def read_department(row: RowReader) -> Department | None:
    department_id, name = row.required("id"), row.required("name")
    region_id, contact_id = row.required("region_id"), row.required("contact_id")
    if not (department_id and region_id and contact_id):
        return None
    return Department(department_id, name, region_id, contact_id)
