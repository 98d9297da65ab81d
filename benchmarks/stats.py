"""How long /stats and the monthly workbook take for a county of 100,000 households and
1,000,000 requests (a year of them, ~83,000 a month: far more than Heping's 13,263).

Targets: the /stats summary (every figure of the period, counted in SQL) under 0.5 s, for
the whole county and for one township (the time of the chart's data is printed beside it);
a month's xlsx export under 10 s.
Run: ``.venv/bin/python -m benchmarks.stats [--scale 1.0]``; building the county takes a
few minutes at full size (``--scale 0.3``: 30,000 households and 300,000 requests, the
same regions and cadres; the targets are for full size).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import report
from bot.domain import stats
from bot.i18n import Texts
from bot.services import stats as figures
from storage import migrate, region_tree
from storage import stats as store
from storage.db import Database
from storage.timefmt import to_db
from storage.unit_of_work import reading

TOWNSHIPS, VILLAGES, GROUPS = 20, 15, 3
HOUSEHOLDS, REQUESTS, CADRES = 100_000, 1_000_000, 8_600
SUMMARY_TARGET, EXPORT_TARGET = 0.5, 10.0
ZONE = ZoneInfo("Asia/Shanghai")
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)

INSERT_REGION = "INSERT INTO regions (id, name, level, parent_id) VALUES (?, ?, ?, ?)"
INSERT_CADRE = """
INSERT INTO cadres (id, name, rank, unit, phone, region_id, backup_id, supervises)
VALUES (?, ?, ?, '', '13900000000', ?, NULL, ?)
"""
INSERT_HOUSEHOLD = """
INSERT INTO households (id, head_name, region_id, address, phone) VALUES (?, ?, ?, '', '')
"""
INSERT_REQUEST = """
INSERT INTO requests (id, number, household_id, category, status, handler_id, tier, filed_at,
    first_response_at, respond_by, resolve_by, resolved_at, resolution, closed_at, outcome,
    reopened)
VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
INSERT_EVENT = """
INSERT INTO request_events (request_id, at, kind, actor, handler_id, detail)
VALUES (?, ?, ?, 'x', ?, ?)
"""
CATEGORIES = ("road", "water", "power", "health", "housing", "policy", "dispute", "other")


def _villages() -> list[str]:
    return [f"T{t:02}V{v:02}" for t in range(TOWNSHIPS) for v in range(VILLAGES)]


def _regions() -> Iterator[tuple[str, str, str, str | None]]:
    yield ("C", "和平县", "county", None)
    for t in range(TOWNSHIPS):
        yield (f"T{t:02}", f"第{t}镇", "township", "C")
        for v in range(VILLAGES):
            yield (f"T{t:02}V{v:02}", f"第{t}镇{v}村", "village", f"T{t:02}")
            for g in range(GROUPS):
                yield (f"T{t:02}V{v:02}G{g}", f"{v}村{g}组", "group", f"T{t:02}V{v:02}")


def _cadres() -> Iterator[tuple[str, str, str, str, str | None]]:
    yield ("K0000", "县长", "county_leader", "C", "C")
    villages = _villages()
    for c in range(1, CADRES):
        village = villages[c % len(villages)]
        supervises = village[:3] if c <= TOWNSHIPS else None
        yield (f"K{c:04}", f"干部{c}", "village_cadre", village, supervises)


def _requests(rng: random.Random) -> Iterator[tuple[object, ...]]:
    seconds = int((NOW - YEAR_START).total_seconds())
    for n in range(1, REQUESTS + 1):
        household = rng.randrange(HOUSEHOLDS)
        filed = YEAR_START + timedelta(seconds=rng.randrange(seconds))
        respond_by, resolve_by = filed + timedelta(days=1), filed + timedelta(days=7)
        first = filed + timedelta(hours=rng.expovariate(1 / 10)) if rng.random() < 0.95 else None
        resolved = closed = outcome = resolution = None
        status = "open" if first is None else "acknowledged"
        if first is not None and rng.random() < 0.85:
            resolved = first + timedelta(days=rng.expovariate(1 / 4))
            resolution, status = "resolved", "resolved"
            if resolved < NOW and rng.random() < 0.9:
                closed = resolved + timedelta(hours=rng.expovariate(1 / 20))
                outcome = rng.choice(("satisfied", "satisfied", "satisfied", "partly", "timeout"))
                status = "closed"
        yield (
            n,
            f"LX-2026-{n:07d}",
            f"H{household:06d}",
            CATEGORIES[n % len(CATEGORIES)],
            status,
            f"K{1 + household % (CADRES - 1):04}",
            to_db(filed),
            None if first is None else to_db(first),
            to_db(respond_by),
            to_db(resolve_by),
            None if resolved is None else to_db(resolved),
            resolution,
            None if closed is None else to_db(closed),
            outcome,
            int(rng.random() < 0.03),
        )


# What villagers send (the workbook's 诉求内容): words, or a voice message (a fifth);
# and what the handler writes resolving (办结说明).
SAID = (
    '{"text": "村口的路塌了一块，下雨天孩子上学很危险，请尽快派人来看看"}',
    '{"text": "家里停电两天了"}',
    '{"text": "自来水管漏水，麻烦帮忙联系维修"}',
    '{"text": "低保申请交上去一个月了还没有消息，想问问进度"}',
    '{"media": "voice", "file_id": "AwACAgUAAxkBAAIB"}',
)
NOTE = '{"text": "已联系维修队处理，今天修好"}'


def _events(rng: random.Random) -> Iterator[tuple[object, ...]]:
    stamp = to_db(YEAR_START)
    for n in range(1, REQUESTS + 1):
        yield (n, stamp, "filed", "K0001", SAID[n % len(SAID)])
        if rng.random() < 0.05:
            yield (n, stamp, "escalated", "K0002", "{}")
        if rng.random() < 0.05:
            yield (n, stamp, "explained", "K0002", NOTE)
        elif rng.random() < 0.8:
            yield (n, stamp, "resolved", "K0002", NOTE)


async def build(db: Database) -> None:
    rng = random.Random(6)  # noqa: S311 - synthetic data, not a secret
    groups = [f"{v}G{g}" for v in _villages() for g in range(GROUPS)]
    async with db.transaction() as tx:
        await tx.executemany(INSERT_REGION, list(_regions()))
        await region_tree.rebuild(tx)  # as the roster import does
        await tx.executemany(INSERT_CADRE, list(_cadres()))
        households = (
            (f"H{h:06d}", f"户主{h}", groups[h % len(groups)]) for h in range(HOUSEHOLDS)
        )
        await tx.executemany(INSERT_HOUSEHOLD, households)
        await tx.executemany(INSERT_REQUEST, _requests(rng))
        await tx.executemany(INSERT_EVENT, _events(rng))
    await db.executescript("ANALYZE;")


async def timed_summary(db: Database, region: str, period: stats.Period) -> tuple[float, int]:
    """The /stats summary: every figure, with its medians and 90th percentiles."""
    began = time.perf_counter()
    async with db.read() as tx:
        figures = await store.region_figures(tx, region, period, NOW)
    f = figures
    spread = (f.first_response_median, f.first_response_p90, f.resolution_median, f.resolution_p90)
    if None in spread:
        raise SystemExit(f"{region}: no response or resolution times")
    return time.perf_counter() - began, figures.filed


async def timed_chart(db: Database, region: str, period: stats.Period) -> float:
    """What /stats adds for its chart: requests and median first response per day."""
    began = time.perf_counter()
    async with db.read() as tx:
        await store.region_days(tx, region, period, ZONE)
    return time.perf_counter() - began


async def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "bench.db")
        await migrate.upgrade(db, NOW)
        began = time.perf_counter()
        await build(db)
        print(
            f"built {HOUSEHOLDS:,} households, {REQUESTS:,} requests in "
            f"{time.perf_counter() - began:.1f}s"
        )
        month = stats.month_of(date(2026, 11, 1), ZONE)
        failed = False
        for label, region in (("county", "C"), ("township", "T03")):
            seconds, filed = await timed_summary(db, region, month)
            seconds, filed = await timed_summary(db, region, month)  # warm, as in service
            print(
                f"/stats this month, {label}: {seconds:.3f}s ({filed:,} filed; target "
                f"{SUMMARY_TARGET}s)"
            )
            failed |= seconds > SUMMARY_TARGET
            print(f"  and its chart's data: {await timed_chart(db, region, month):.3f}s")
        began = time.perf_counter()
        async with reading(db, NOW) as work:
            data = await figures.report(work, "C", month)
        if data is None:
            raise SystemExit("region C missing")
        read = time.perf_counter() - began
        content = report.xlsx(data, Texts("zh"), ZONE, {"county_leader": 2})
        (Path(folder) / "month.xlsx").write_bytes(content)
        seconds = time.perf_counter() - began
        count = len(data.lines)
        print(
            f"xlsx export of a month, county: {seconds:.1f}s ({count:,} rows, "
            f"{len(content) / 1e6:.1f} MB; target {EXPORT_TARGET}s): reading {read:.1f}s, "
            f"writing {seconds - read:.1f}s"
        )
        failed |= seconds > EXPORT_TARGET
        await db.close()
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="of 100k households, 1M requests")
    scale = parser.parse_args().scale
    HOUSEHOLDS, REQUESTS = int(HOUSEHOLDS * scale), int(REQUESTS * scale)
    sys.exit(asyncio.run(main()))
