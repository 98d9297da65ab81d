"""绑定率 over SQLite, against a roster small enough to count by hand.

县 C ─ 镇 T1 ─ 村 V1 ─ 组 G1: H1 (two phones), H2 (none)
                    └─ 村 V2:           H3 (one phone), H4 (none), H5 (one phone, removed later)
       镇 T2 ─ 村 V3:                   H6 (none)
So: V1 1/2, V2 2/3 (then 1/2 once H5 leaves the roster), V3 0/1; T1 3/5, T2 0/1; C 3/6.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.announce import Binding
from bot.domain.roster import Cadre, Household, Level, Rank, Region, Roster
from storage.announce import binding, binding_whole
from storage.db import Database
from storage.people import People
from storage.roster_import import import_roster
from storage.stats import Stats
from tests.sample import card_code

NOW = datetime(2031, 3, 4, 1, 0, tzinfo=UTC)
REGIONS = (
    Region("C", "和平县", Level.COUNTY, None),
    Region("T1", "东坪镇", Level.TOWNSHIP, "C"),
    Region("T2", "西岭乡", Level.TOWNSHIP, "C"),
    Region("V1", "柳树村", Level.VILLAGE, "T1"),
    Region("V2", "杨家村", Level.VILLAGE, "T1"),
    Region("V3", "石门村", Level.VILLAGE, "T2"),
    Region("G1", "柳树村一组", Level.GROUP, "V1"),
)
HOMES = {"H1": "G1", "H2": "G1", "H3": "V2", "H4": "V2", "H5": "V2", "H6": "V3"}
PHONES = {"H1": [11, 12], "H3": [31], "H5": [51]}
CADRE = Cadre("K1", "孙丽", Rank.TOWNSHIP_SECRETARY, "东坪镇", "13900000001", "T1", None, "T1")


def roster(without: str = "") -> Roster:
    homes = tuple(Household(h, f"户主{h}", r) for h, r in HOMES.items() if h != without)
    return Roster(REGIONS, (CADRE,), homes, ())


async def small_county(db: Database) -> None:
    await import_roster(db, roster(), prune=False, dry_run=False, now=NOW)
    for household, users in PHONES.items():
        code = await card_code(db, NOW, household=household)
        async with db.transaction() as tx:
            for user in users:
                await People(tx).add_member(user, household, code, NOW)


def rates(lines: list[Binding]) -> dict[str, tuple[int, int]]:
    return {b.region_id: (b.bound, b.households) for b in lines}


async def test_binding_rate_per_village_township_and_county(db: Database) -> None:
    await small_county(db)
    async with db.read() as tx:
        assert rates(await binding(tx, "C", "village")) == {
            "V1": (1, 2),  # two phones on H1 count once
            "V2": (2, 3),
            "V3": (0, 1),
        }
        assert rates(await binding(tx, "C", "township")) == {"T1": (3, 5), "T2": (0, 1)}
        whole = await binding_whole(tx, "C")
        assert (whole.name, whole.bound, whole.households) == ("和平县", 3, 6)
        assert whole.rate == 0.5
        assert rates(await binding(tx, "T1", "village")) == {"V1": (1, 2), "V2": (2, 3)}
        # the workbook's lines: the region, its townships, its villages
        lines = await Stats(tx).binding("T1")
        assert [b.region_id for b in lines] == ["T1", "V1", "V2"]


async def test_a_household_removed_from_the_roster_no_longer_counts(db: Database) -> None:
    await small_county(db)
    await import_roster(db, roster(without="H5"), prune=True, dry_run=False, now=NOW)
    async with db.read() as tx:
        assert rates(await binding(tx, "T1", "village")) == {"V1": (1, 2), "V2": (1, 2)}
        assert (await binding_whole(tx, "T1")).households == 4
