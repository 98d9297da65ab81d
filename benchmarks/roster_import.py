"""How long ``lianxin roster import`` takes for a county the size of Heping (seed 001).

Heping has 8,600 cadres and about 100,000 households; with three tiers each that is
300,000 links. The target is under 60 seconds for the whole import (read, check, write).
Then a county's own one-sheet 花名册 (tests/huamingce.py: 3 townships, 30 villages,
3,000 households, merged cells, two cadres a line): first import, and a re-import
that matches every line to the ids the database holds.
Run: ``.venv/bin/python -m benchmarks.roster_import`` (``--sheet-only``: only the 花名册).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.roster import Cadre, Household, Level, Link, Rank, Region, Roster
from bot.roster_cli import import_path
from bot.roster_io import write_roster
from storage import migrate
from storage.db import Database
from tests import huamingce

TOWNSHIPS, VILLAGES_PER_TOWNSHIP, GROUPS_PER_VILLAGE = 20, 15, 3
HOUSEHOLDS, TARGET_SECONDS = 100_000, 60
# 600 county leaders and section chiefs, 100 per township, 20 per village: 8,600.
COUNTY_CADRES, TOWNSHIP_CADRES, VILLAGE_CADRES = 600, 100, 20


def _regions() -> Iterator[Region]:
    yield Region("C", "和平县", Level.COUNTY, None)
    for t in range(TOWNSHIPS):
        yield Region(f"T{t:02}", f"第{t}镇", Level.TOWNSHIP, "C")
        for v in range(VILLAGES_PER_TOWNSHIP):
            village = f"T{t:02}V{v:02}"
            yield Region(village, f"第{t}镇{v}村", Level.VILLAGE, f"T{t:02}")
            for g in range(GROUPS_PER_VILLAGE):
                yield Region(f"{village}G{g}", f"{v}村{g}组", Level.GROUP, village)


def _cadres() -> Iterator[Cadre]:
    phone = iter(range(13900000000, 14000000000))
    for c in range(COUNTY_CADRES):
        rank = Rank.COUNTY_LEADER if c < 100 else Rank.SECTION_CHIEF
        yield Cadre(f"KC{c:03}", f"县干部{c}", rank, "县委", str(next(phone)), "C")
    for t in range(TOWNSHIPS):
        for c in range(TOWNSHIP_CADRES):
            rank = Rank.TOWNSHIP_SECRETARY if c == 0 else Rank.TOWNSHIP_CADRE
            backup = f"KT{t:02}{c ^ 1:02}"  # AB posts in pairs
            township = f"T{t:02}"
            yield Cadre(
                f"KT{t:02}{c:02}", f"镇干部{c}", rank, "镇政府", str(next(phone)), township, backup
            )
            for v in range(VILLAGES_PER_TOWNSHIP) if c < VILLAGE_CADRES else ():
                village = f"{township}V{v:02}"
                rank = Rank.VILLAGE_CADRE if c < 5 else Rank.GRID_WORKER
                yield Cadre(
                    f"KV{t:02}{v:02}{c:02}", f"村干部{c}", rank, "村委", str(next(phone)), village
                )


def synthetic_county() -> Roster:
    households, links = [], []
    villages = TOWNSHIPS * VILLAGES_PER_TOWNSHIP
    for h in range(HOUSEHOLDS):
        t, v, g = h % TOWNSHIPS, (h // TOWNSHIPS) % VILLAGES_PER_TOWNSHIP, h % GROUPS_PER_VILLAGE
        hid = f"H{h:06}"
        households.append(
            Household(hid, f"户主{h}", f"T{t:02}V{v:02}G{g}", f"{g}组{h}号", f"138{h:08}")
        )
        links.append(Link(hid, f"KV{t:02}{v:02}{(h // villages) % VILLAGE_CADRES:02}", 1))
        links.append(Link(hid, f"KT{t:02}{(h // villages) % TOWNSHIP_CADRES:02}", 2))
        links.append(Link(hid, f"KC{h % COUNTY_CADRES:03}", 3))
    return Roster(tuple(_regions()), tuple(_cadres()), tuple(households), tuple(links))


async def _timed_import(db: Database, path: Path) -> float:
    start = time.perf_counter()
    outcome = await import_path(db, path, prune=False, dry_run=False)
    elapsed = time.perf_counter() - start
    if outcome.report is None:
        sys.exit(f"the synthetic roster has problems: {outcome.problems[:5]}")
    return elapsed


async def one_sheet(tmp: str) -> None:
    """The 花名册 of 3,000 households: written, imported, re-imported."""
    lines = huamingce.county()
    path = Path(tmp, "花名册.xlsx")
    huamingce.write(path, lines)
    db = await Database.open(Path(tmp, "sheet.db"))
    await migrate.upgrade(db, datetime.now(UTC))
    first = await _timed_import(db, path)
    again = await _timed_import(db, path)
    await db.close()
    print(f"花名册 xlsx: {len(lines)} households (one sheet) imported in {first:.1f} s")
    print(f"花名册 xlsx: re-import, every id matched, in {again:.1f} s")


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await one_sheet(tmp)
    if "--sheet-only" in sys.argv:
        return
    roster = synthetic_county()
    sizes = f"{len(roster.households)} households, {len(roster.cadres)} cadres, "
    sizes += f"{len(roster.links)} links"
    with tempfile.TemporaryDirectory() as tmp:
        folder, workbook = Path(tmp, "roster"), Path(tmp, "roster.xlsx")
        write_roster(folder, roster)
        write_roster(workbook, roster)
        for label, path in (("csv", folder), ("xlsx", workbook)):
            db = await Database.open(Path(tmp, f"{label}.db"))
            await migrate.upgrade(db, datetime.now(UTC))
            first = await _timed_import(db, path)
            again = await _timed_import(db, path)
            await db.close()
            print(f"{label}: {sizes} imported in {first:.1f} s (target < {TARGET_SECONDS} s)")
            print(f"{label}: re-import, all unchanged, in {again:.1f} s")


if __name__ == "__main__":
    asyncio.run(main())
