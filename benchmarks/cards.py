"""How fast ``lianxin cards`` prints a county's household cards (issue 13: 3,000 households
in under 10 s; reportlab's own QR drawing took 84 s).

Builds a county of 3 townships, 30 villages and 3,000 households (three linked cadres
each, a township hotline), issues the codes as ``lianxin cards`` does, and renders the
A6 PDF with the packaged Chinese font, once with one process and once with the QR codes
encoded by worker processes (what the command does). Prints cards per second, the
seconds, and the PDF's size.
Run: ``.venv/bin/python benchmarks/cards.py [households]``.
"""

from __future__ import annotations

import asyncio
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from bot import cards
from bot.domain.codes import HouseholdCard
from bot.domain.roster import Cadre, Household, Level, Link, Rank, Region, Roster
from bot.roster_cli import import_path
from bot.roster_io import write_roster
from storage import codes, migrate
from storage.db import Database
from storage.unit_of_work import unit_of_work

TOWNSHIPS, VILLAGES_PER_TOWNSHIP, TARGET_SECONDS = 3, 10, 10.0
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


def _regions() -> Iterator[Region]:
    yield Region("C", "东坪县", Level.COUNTY, None)
    for t in range(TOWNSHIPS):
        yield Region(f"T{t}", f"第{t}镇", Level.TOWNSHIP, "C", hotline=f"0797-8{t}00000")
        for v in range(VILLAGES_PER_TOWNSHIP):
            yield Region(f"T{t}V{v}", f"第{t}镇第{v}村", Level.VILLAGE, f"T{t}")


def county(households: int) -> Roster:
    villages = [f"T{t}V{v}" for t in range(TOWNSHIPS) for v in range(VILLAGES_PER_TOWNSHIP)]
    cadres = [Cadre("KC", "县领导甲", Rank.COUNTY_LEADER, "县委", "13900000000", "C")]
    for t in range(TOWNSHIPS):
        cadres.append(
            Cadre(
                f"KT{t}", f"镇书记{t}", Rank.TOWNSHIP_SECRETARY, "镇委", f"1390000010{t}", f"T{t}"
            )
        )
    for i, village in enumerate(villages):
        cadres.append(
            Cadre(
                f"KV{i:02}", f"村干部{i}", Rank.VILLAGE_CADRE, "村委", f"139000002{i:02}", village
            )
        )
    homes, links = [], []
    for h in range(households):
        village = villages[h % len(villages)]
        homes.append(Household(f"H{h:05}", f"户主{h}", village, f"{village}{h}号", f"138{h:08}"))
        links += [
            Link(f"H{h:05}", f"KV{h % len(villages):02}", 1),
            Link(f"H{h:05}", f"KT{village[1]}", 2),
            Link(f"H{h:05}", "KC", 3),
        ]
    return Roster(tuple(_regions()), tuple(cadres), tuple(homes), tuple(links))


async def build(folder: Path, households: int) -> list[HouseholdCard]:
    write_roster(folder / "roster", county(households))
    db = await Database.open(folder / "lianxin.db")
    try:
        await migrate.upgrade(db, NOW)
        outcome = await import_path(db, folder / "roster", prune=False, dry_run=False)
        if outcome.report is None:
            sys.exit(f"the county roster has problems: {outcome.problems[:5]}")
        async with unit_of_work(db, NOW) as unit:
            found, _ = await codes.household_cards(unit.tx, NOW, "C")
        return found
    finally:
        await db.close()


def render(found: list[HouseholdCard], workers: int) -> tuple[float, float, int]:
    """Seconds on the clock, CPU seconds (this process and its workers), the PDF's bytes."""
    sheet = cards.Sheet(
        "lianxin_bot",
        "zh",
        3,
        {"county_leader": "每月1日", "township_secretary": "每周一"},
        (15, 16),
    )
    font = cards.find_font(None)
    start, cpu = time.perf_counter(), _cpu()
    data = cards.pdf(found, sheet, "a6", font, workers=workers)
    return time.perf_counter() - start, _cpu() - cpu, len(data)


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the QR workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main() -> None:
    households = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    with tempfile.TemporaryDirectory() as tmp:
        found = asyncio.run(build(Path(tmp), households))
    print(f"{len(found)} household cards, font: {cards.find_font(None).origin}")
    for workers in sorted({1, os.cpu_count() or 1}):
        seconds, cpu, size = render(found, workers)
        print(
            f"{workers} process(es): {len(found) / seconds:,.0f} cards/s, {seconds:.1f} s "
            f"(target < {TARGET_SECONDS:.0f} s for 3,000; CPU {cpu:.1f} s), "
            f"PDF {size / 1e6:.1f} MB"
        )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
