"""Who is linked to whom: regions, cadres, households and the links between them.

Ids are the county's own, as written in its roster spreadsheet; a re-import updates
by id. These are plain values: the import validates them (``bot.roster_io``), storage
keeps them (``storage.roster_import``), the bot shows them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"
    GROUP = "group"


# A child is exactly one step below its parent... or more: a group directly under a
# township is allowed (small townships skip villages); a parent must be strictly above.
LEVEL_ORDER = {Level.COUNTY: 0, Level.TOWNSHIP: 1, Level.VILLAGE: 2, Level.GROUP: 3}


class Rank(StrEnum):
    COUNTY_LEADER = "county_leader"
    SECTION_CHIEF = "section_chief"
    TOWNSHIP_SECRETARY = "township_secretary"
    TOWNSHIP_CADRE = "township_cadre"
    VILLAGE_CADRE = "village_cadre"
    GRID_WORKER = "grid_worker"


@dataclass(frozen=True)
class Region:
    id: str
    name: str
    level: Level
    parent_id: str | None
    discipline_contact: str | None = None  # a cadre id: confidential complaints below go here
    # A village's area for stays' evidence (bot.domain.stays): a centre and a radius.
    lat: float | None = None
    lon: float | None = None
    radius_m: float | None = None
    hotline: str | None = None  # a service hotline printed on the contact cards below


@dataclass(frozen=True)
class Cadre:
    id: str
    name: str
    rank: Rank
    unit: str
    phone: str
    region_id: str
    backup_id: str | None = None
    supervises: str | None = None  # a region id: its escalations, digests and statistics


@dataclass(frozen=True)
class Household:
    id: str
    head_name: str
    region_id: str
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class HouseholdDetails:
    """A household as messages show it: its head, address, phone and village's name."""

    id: str
    head_name: str
    address: str
    phone: str
    village: str


@dataclass(frozen=True)
class Link:
    household_id: str
    cadre_id: str
    tier: int  # 1 = first contact, then up the chain


@dataclass(frozen=True)
class Department:
    """A department or linked unit (挂钩单位, 水利局, 供电所 …) a supervisor may assign a
    case to (交办): it serves ``region_id`` and the regions below it, through its contact."""

    id: str
    name: str
    region_id: str
    contact_id: str


@dataclass(frozen=True)
class Roster:
    """A whole roster as read from a workbook or folder, before or after validation."""

    regions: tuple[Region, ...] = ()
    cadres: tuple[Cadre, ...] = ()
    households: tuple[Household, ...] = ()
    links: tuple[Link, ...] = ()
    # The optional fifth sheet: None when the file has none (the stored ones stay).
    departments: tuple[Department, ...] | None = None


@dataclass(frozen=True)
class LinkedCadre:
    """A cadre as a household sees it on its card and in "my cadres"."""

    tier: int
    cadre: Cadre


# How counties write levels and ranks in their spreadsheets; exports use the English codes.
LEVEL_NAMES: dict[str, Level] = {
    **{level.value: level for level in Level},
    "县": Level.COUNTY,
    "乡镇": Level.TOWNSHIP,
    "乡": Level.TOWNSHIP,
    "镇": Level.TOWNSHIP,
    "村": Level.VILLAGE,
    "组": Level.GROUP,
}
RANK_NAMES: dict[str, Rank] = {
    **{rank.value: rank for rank in Rank},
    "县级领导": Rank.COUNTY_LEADER,
    "科级干部": Rank.SECTION_CHIEF,
    "乡镇书记": Rank.TOWNSHIP_SECRETARY,
    "乡镇干部": Rank.TOWNSHIP_CADRE,
    "村干部": Rank.VILLAGE_CADRE,
    "网格员": Rank.GRID_WORKER,
}

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(0(?:[12]\d|[3-9]\d{2}))(\d{7,8})$")  # 010, 02x: 3 digits; else 4
_SEPARATORS = re.compile(r"[\s\-()（）]+")


def normalise_phone(text: str) -> str | None:
    """``13812345678`` or ``0871-1234567``; None if it is neither.

    Spreadsheets bring phones with spaces, dashes, full-width digits, a ``+86`` or a
    trailing ``.0`` (Excel stored the number as a float); cards and calls need one form.
    """
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    digits = digits.removesuffix(".0")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if _MOBILE.match(digits):
        return digits
    landline = _LANDLINE.match(digits)
    if landline:
        return f"{landline[1]}-{landline[2]}"
    return None
