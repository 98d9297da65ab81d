"""The households a cadre finds by name (/file 王明, /visit 王明), on both backends.

县 C ─ 镇 T1 (孙丽 supervises it) ─ 村一 V1: H1 王明, H2 王明华 (李强 is linked to H2)
                                 └ 村二 V2: H3 王明
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.roster import Cadre, Household, Level, Link, Rank, Region, Roster
from storage.db import Database
from storage.pickers import HouseholdPicks
from storage.roster_import import import_roster

NOW = datetime(2031, 3, 4, 1, 0, tzinfo=UTC)
REGIONS = (
    Region("C", "和平县", Level.COUNTY, None),
    Region("T1", "东坪镇", Level.TOWNSHIP, "C"),
    Region("V1", "村一", Level.VILLAGE, "T1"),
    Region("V2", "村二", Level.VILLAGE, "T1"),
)
CADRES = (
    Cadre("K1", "孙丽", Rank.TOWNSHIP_SECRETARY, "东坪镇", "13900000001", "T1", None, "T1"),
    Cadre("K2", "李强", Rank.VILLAGE_CADRE, "村一", "13900000002", "V1"),
)
HOMES = (
    Household("H1", "王明", "V1"),
    Household("H2", "王明华", "V1"),
    Household("H3", "王明", "V2"),
)


async def county(db: Database) -> None:
    roster = Roster(REGIONS, CADRES, HOMES, (Link("H2", "K2", 1),))
    await import_roster(db, roster, prune=False, dry_run=False, now=NOW)


async def found(db: Database, cadre: str, name: str, supervised: bool) -> list[tuple[str, str]]:
    async with db.read() as tx:
        listed = await HouseholdPicks(tx).named_households(cadre, name, supervised, 10)
    return [(item.household.id, item.group) for item in listed]


async def test_a_supervisor_finds_exact_names_first_then_by_group(db: Database) -> None:
    await county(db)
    assert await found(db, "K1", "王明", supervised=True) == [
        ("H1", "村一"),  # 王明 exactly, in 村一 (一 sorts before 二)
        ("H3", "村二"),  # 王明 exactly
        ("H2", "村一"),  # 王明华 only contains it
    ]


async def test_without_the_supervised_region_only_linked_households_are_found(
    db: Database,
) -> None:
    await county(db)
    assert await found(db, "K1", "王明", supervised=False) == []
    assert await found(db, "K2", "王明", supervised=False) == [("H2", "村一")]
    assert await found(db, "K2", "王明", supervised=True) == [("H2", "村一")]  # supervises none
    assert await found(db, "K1", "张", supervised=True) == []
