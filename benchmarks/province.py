"""A province on PostgreSQL: N counties (default 10), each the county of ``benchmarks.stats``
(100,000 households, 1,000,000 requests over 2026), one schema per county (``county_01``
...), beside the same county on SQLite.

Prints, PostgreSQL and SQLite side by side: requests filed per second through the use case
a villager's message reaches (``bot.services.filing.file_or_join`` in a unit of work: who
is asking, filing, the receipt and case card rendered and queued in the outbox, commit)
with 1, 2 and 4 processes, all filing into one county and spread over as many counties;
a county's /stats (its figures and chart, target under 1 s); the provincial /stats (the
same queries in every county's schema, combined here: the sum of the counties); and a
county's month workbook (``bot.services.stats.report`` and ``bot.report.xlsx``, as
``lianxin report``).

    .venv/bin/python -m benchmarks.province [--counties 10] [--scale 1.0] [--url URL]

Without ``--url`` (or ``LIANXIN_BENCH_PG``) a throwaway server is started in /tmp
(``tests/pg_cluster.py``, fsync off). Counties are built with COPY on PostgreSQL and
``executemany`` on SQLite from the same generator (``benchmarks.stats``, county 1 with
the same seed on both). ``--scale 0.01`` is a hundredth of every county.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import multiprocessing
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg import sql as pgsql

from benchmarks import stats as county
from bot import province_read, report
from bot.config import DeadlinesConfig, RequestsConfig
from bot.domain import stats
from bot.domain.accounts import Account
from bot.domain.province import combined
from bot.domain.requests import Content
from bot.edge.province import ProvinceCounties
from bot.i18n import Texts
from bot.services import accounts, filing
from bot.services import province as provincial
from bot.services import stats as figures
from bot.services.identity import identify
from handlers import villager_requests
from handlers.context import View
from storage import migrate, region_tree
from storage.db import Database
from storage.pg import PgDatabase
from storage.timefmt import to_db
from storage.unit_of_work import reading, unit_of_work

COUNTY_TARGET = 1.0  # seconds, a county's /stats
PROCESSES = (1, 2, 4)
FILINGS = 200  # requests each process files in a run (fewer if the county is small)
VILLAGER_IDS, CADRE_IDS = 100_000_000, 900_000_000
IDLE = RequestsConfig().conversation_idle
DEADLINES = DeadlinesConfig().table()
SAID = "村口的路灯坏了，晚上看不见路"
QUOTA = {"county_leader": 2}

# Who can file: a villager bound to each of the first households, every cadre bound (the
# case card has a chat to go to). One live code per household and per cadre.
INSERT_CODE_HOUSEHOLD = "INSERT INTO codes (code, household_id, issued_at) VALUES (?, ?, ?)"
INSERT_MEMBER = "INSERT INTO members (user_id, household_id, code, bound_at) VALUES (?, ?, ?, ?)"
INSERT_CODE_CADRE = "INSERT INTO codes (code, cadre_id, issued_at) VALUES (?, ?, ?)"
INSERT_CADRE_ACCOUNT = (
    "INSERT INTO cadre_accounts (cadre_id, user_id, code, bound_at) VALUES (?, ?, ?, ?)"
)
# COPY's columns, in the order of benchmarks.stats' rows.
COPY_CADRES = (
    "COPY cadres (id, name, rank, unit, phone, region_id, backup_id, supervises) FROM STDIN"
)
COPY_HOUSEHOLDS = "COPY households (id, head_name, region_id, address, phone) FROM STDIN"
COPY_REQUESTS = """
COPY requests (id, number, household_id, category, status, handler_id, tier, filed_at,
    first_response_at, respond_by, resolve_by, resolved_at, resolution, closed_at, outcome,
    reopened) FROM STDIN
"""
COPY_EVENTS = "COPY request_events (request_id, at, kind, actor, handler_id, detail) FROM STDIN"
# Rows given their ids: the identity columns continue after them.
RESYNC = "SELECT setval(pg_get_serial_sequence({table}, 'id'), (SELECT max(id) FROM {name}))"
ANALYZE = "ANALYZE regions, region_tree, cadres, households, requests, request_events"


def seed(number: int) -> int:
    """County ``number``'s generator seed; county 1's is ``benchmarks.stats``' own."""
    return 6 + number - 1


def schema(number: int) -> str:
    return f"county_{number:02}"


# --- building ------------------------------------------------------------------------------


def _cadre_rows() -> Iterator[tuple[object, ...]]:
    for cadre_id, name, rank, region, supervises in county._cadres():
        yield (cadre_id, name, rank, "", "13900000000", region, None, supervises)


def _household_rows() -> Iterator[tuple[object, ...]]:
    groups = [f"{v}G{g}" for v in county._villages() for g in range(county.GROUPS)]
    for h in range(county.HOUSEHOLDS):
        yield (f"H{h:06d}", f"户主{h}", groups[h % len(groups)], "", "")


def _event_rows(rng: random.Random) -> Iterator[tuple[object, ...]]:
    for request_id, at, kind, handler_id, detail in county._events(rng):
        yield (request_id, at, kind, "x", handler_id, detail)


def _copy(conn: psycopg.Connection[Any], statement: str, rows: Iterable[Sequence[object]]) -> None:
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _copy_county(url: str, name: str, number: int) -> None:
    """Cadres, households, requests and their events of county ``number`` by COPY, in
    ``benchmarks.stats.build``'s order (the same random draws), then its statistics."""
    rng = random.Random(seed(number))  # noqa: S311 - synthetic data, not a secret
    with psycopg.connect(url, options=f"-c search_path={name}") as conn:
        _copy(conn, COPY_CADRES, _cadre_rows())
        _copy(conn, COPY_HOUSEHOLDS, _household_rows())
        _copy(conn, COPY_REQUESTS, ((*r[:6], 1, *r[6:]) for r in county._requests(rng)))
        _copy(conn, COPY_EVENTS, _event_rows(rng))
        for table in ("requests", "request_events"):
            conn.execute(
                pgsql.SQL(RESYNC).format(table=pgsql.Literal(table), name=pgsql.Identifier(table))
            )
        conn.execute(ANALYZE)


async def _regions(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.executemany(county.INSERT_REGION, list(county._regions()))
        await region_tree.rebuild(tx)  # as the roster import does


async def bind(db: Database, villagers: int) -> None:
    """Bind a villager to each of the first ``villagers`` households and every cadre."""
    at = to_db(county.NOW)
    household_codes = [(f"BH{h:06d}", f"H{h:06d}", at) for h in range(villagers)]
    members = [(VILLAGER_IDS + h, f"H{h:06d}", f"BH{h:06d}", at) for h in range(villagers)]
    cadre_ids = [row[0] for row in county._cadres()]
    cadre_codes = [(f"B{c}", c, at) for c in cadre_ids]
    accounts = [(c, CADRE_IDS + n, f"B{c}", at) for n, c in enumerate(cadre_ids)]
    async with db.transaction() as tx:
        await tx.executemany(INSERT_CODE_HOUSEHOLD, household_codes)
        await tx.executemany(INSERT_MEMBER, members)
        await tx.executemany(INSERT_CODE_CADRE, cadre_codes)
        await tx.executemany(INSERT_CADRE_ACCOUNT, accounts)


async def build_pg(url: str, number: int, villagers: int) -> float:
    began = time.perf_counter()
    db = await PgDatabase.connect(url, schema(number))
    try:
        await migrate.upgrade(db, county.NOW)
        await _regions(db)
        await asyncio.to_thread(_copy_county, url, schema(number), number)
        await bind(db, villagers)
    finally:
        await db.close()
    return time.perf_counter() - began


async def build_sqlite(path: Path, villagers: int) -> float:
    began = time.perf_counter()
    db = await Database.open(path)
    try:
        await migrate.upgrade(db, county.NOW)
        await county.build(db)  # seed(1): county_01's data
        await bind(db, villagers)
    finally:
        await db.close()
    return time.perf_counter() - began


# --- filing, in processes -----------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    engine: str  # "postgresql" or "sqlite"
    where: str  # the URL or the file
    schema: str = ""

    async def open(self) -> Database:
        if self.engine == "postgresql":
            return await PgDatabase.connect(self.where, self.schema)
        return await Database.open(Path(self.where))


async def _file(target: Target, users: Sequence[int], now: datetime, start: Barrier) -> float:
    """File one request for each of ``users`` in turn, each in its own unit of work as the
    dispatcher's (the sender's account noted and who they are resolved, as
    ``handlers.common.record_seen``; the message filed; the receipt and the handler's case
    card rendered and queued), after every process is ready; return the seconds it took.
    No Telegram update and no inbox row: the database work of a villager's message."""
    db = await target.open()
    texts = Texts("zh")
    try:
        async with reading(db, now) as work:  # connected and warm before the clock starts
            await identify(work.people, users[0], ())
        await asyncio.to_thread(start.wait)
        began = time.monotonic()
        for n, user in enumerate(users, 1):
            async with unit_of_work(db, now) as work:
                account = Account(user, user, f"村民{user}", None, None, "zh-hans")
                who = (await accounts.record_seen(work, account, ())).who
                done = await filing.file_or_join(
                    work, who, Content(text=SAID), message_id=n, idle=IDLE, deadlines=DEADLINES
                )
                if not isinstance(done, filing.Filed):
                    raise RuntimeError(f"villager {user} joined a request instead of filing")
                view = View(texts, county.ZONE, now, (), f"bench{user}:{now.timestamp()}")
                work.send(*villager_requests.filed_calls(view, user, n, done))
        return time.monotonic() - began
    finally:
        await db.close()


def _filer(target: Target, users: list[int], now: datetime, start: Barrier, out: Any) -> None:
    """One filing process: its seconds, or its error in one line, on ``out``."""
    try:
        out.put(asyncio.run(_file(target, users, now, start)))
    except Exception as error:
        start.abort()  # if before the start: the others, and the clock, do not wait
        out.put(f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")


# What the filing processes import, once, in the fork server (not this module itself: each
# process still imports it as its main module).
PRELOAD = ("benchmarks.stats", "handlers.villager_requests", "storage.pg", "storage.unit_of_work")


@functools.cache
def _processes() -> multiprocessing.context.ForkServerContext:
    """New processes forked from a server that imported the bot once (a spawned one
    imports it again: seconds each on a busy machine), without this process' loop."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return context


def file_rate(targets: Sequence[Target], per_process: int, round_: int) -> float | str:
    """Requests filed per second by one process per target (several may share one),
    started together, or what stopped a process; each villager files once per round,
    and rounds are 13 hours apart (the conversation idle), so every message files a new
    request."""
    now = county.NOW + round_ * (IDLE + timedelta(hours=1))
    context = _processes()
    start, out = context.Barrier(len(targets) + 1), context.Queue()
    by_target: dict[Target, int] = {}
    workers = []
    for target in targets:
        slot = by_target.get(target, 0)
        by_target[target] = slot + 1
        first = VILLAGER_IDS + slot * per_process
        users = list(range(first, first + per_process))
        workers.append(context.Process(target=_filer, args=(target, users, now, start, out)))
    for worker in workers:
        worker.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a process failed to start
        start.wait(timeout=600)
    began = time.monotonic()
    results: list[float | str] = [out.get(timeout=3600) for _ in workers]
    wall = time.monotonic() - began
    for worker in workers:
        worker.join()
    errors = [r for r in results if isinstance(r, str)]
    if errors:
        return f"failed ({len(errors)} of {len(workers)}): {errors[0]}"
    return len(targets) * per_process / max(wall, *(r for r in results if isinstance(r, float)))


def _rate(found: float | str) -> str:
    return f"{found:.0f}" if isinstance(found, float) else found


# --- /stats and the workbook ----------------------------------------------------------------


def combine_days(parts: Sequence[list[stats.Day]]) -> list[stats.Day]:
    """Counties' chart days as one: requests summed, the median first response pooled
    as the mean of the counties' medians weighed by their requests (the chart's line)."""
    combined: list[stats.Day] = []
    for days in zip(*parts, strict=True):
        filed = sum(d.filed for d in days)
        weighed = [
            (d.first_response_median, d.filed) for d in days if d.first_response_median is not None
        ]
        median = sum(m * n for m, n in weighed) / sum(n for _, n in weighed) if weighed else None
        combined.append(replace(days[0], filed=filed, first_response_median=median))
    return combined


async def county_stats(
    db: Database, period: stats.Period
) -> tuple[stats.Figures, list[stats.Day]]:
    """What /stats counts for a county supervisor: the figures and the chart's days."""
    async with reading(db, county.NOW) as work:
        found = await work.stats.region_figures("C", period, work.now)
        days = await work.stats.region_days("C", period, county.ZONE)
    return found, days


async def timed(db: Database, period: stats.Period) -> tuple[float, int]:
    await county_stats(db, period)  # warm, as in service
    began = time.perf_counter()
    found, _ = await county_stats(db, period)
    return time.perf_counter() - began, found.filed


async def province_stats(dbs: Sequence[Database], period: stats.Period) -> tuple[float, int]:
    """Every county's /stats queries, side by side on its own connection, combined."""
    began = time.perf_counter()
    parts = await asyncio.gather(*(county_stats(db, period) for db in dbs))
    whole = combined(p[0] for p in parts)
    combine_days([p[1] for p in parts])
    if whole.first_response_median is None:
        raise RuntimeError("the province has no response times")
    return time.perf_counter() - began, whole.filed


async def province_bot_stats(
    url: str, counties: int, out: Path, period: stats.Period
) -> tuple[float, int]:
    """What the province's bot counts for its /stats (``bot.edge.province``): each county
    opened through its configuration, its version checked, its figures read, four
    counties at a time, and pooled."""
    path = out / "province.toml"
    tables = "".join(
        f'[counties.c{n:02}.database]\nschema = "{schema(n)}"\n' for n in range(1, counties + 1)
    )
    path.write_text(f'[database]\nurl = "{url}"\n{tables}', encoding="utf-8")
    reader = ProvinceCounties(province_read.counties(path)[1], Texts("zh"))
    await reader.figures(period, county.NOW)  # warm
    began = time.perf_counter()
    found = await reader.figures(period, county.NOW)
    seconds = time.perf_counter() - began
    if combined(c.figures for c in found).first_response_median is None:
        raise RuntimeError("the province has no response times")
    return seconds, sum(c.figures.filed for c in found)


async def province_bot_kept(
    url: str, counties: int, out: Path, period: stats.Period
) -> tuple[float, float, int]:
    """The province bot's background count of its period buttons (本月, 上个月, 本周,
    今年: ``bot.services.province.refresh``), then /stats for ``period`` answered from what
    it kept. Returns both times and the requests filed in ``period``."""
    path = out / "province.toml"  # written by province_bot_stats
    shared, configs = province_read.counties(path)
    reader = ProvinceCounties(configs, Texts("zh"))
    kept = provincial.Kept(shared.province.refresh)
    zone, bounds = county.ZONE, shared.stats.bounds()
    began = time.perf_counter()
    await provincial.refresh(reader, kept, county.NOW, zone, bounds)
    counted = time.perf_counter() - began
    order = provincial.ProvinceOrder(1, "summary", period)
    began = time.perf_counter()
    answer = await provincial.summary(reader, order, county.NOW, zone, bounds, kept)
    seconds = time.perf_counter() - began
    if answer.as_of is not None or answer.total.first_response_median is None:
        raise RuntimeError("the kept figures were not this moment's, or have no durations")
    return counted, seconds, answer.total.filed


async def workbook(db: Database, period: stats.Period, out: Path) -> tuple[float, int, float]:
    began = time.perf_counter()
    async with reading(db, county.NOW) as work:
        data = await figures.report(work, "C", period, county.ZONE)
    if data is None:
        raise RuntimeError("region C missing")
    read = time.perf_counter() - began
    content = await asyncio.to_thread(report.xlsx, data, Texts("zh"), county.ZONE, QUOTA)
    report.write(out, content)
    return time.perf_counter() - began, len(data.lines), read


# --- the run ------------------------------------------------------------------------------


@dataclass
class Column:
    figures: dict[str, str] = field(default_factory=dict)


def _start_server(url: str | None) -> tuple[str, Any]:
    """The URL of a new database ``lianxin_province`` (dropped first if there, kept after the
    run on a server of yours) and the throwaway server started without one (or None)."""
    from tests import pg_cluster

    cluster = None
    if url is None:
        cluster = pg_cluster.start()
        url = cluster.url
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS lianxin_province WITH (FORCE)")
        admin.execute("CREATE DATABASE lianxin_province")
    # A URL still (the configuration takes only postgresql://…), on the new database.
    return urlsplit(url)._replace(path="/lianxin_province").geturl(), cluster


async def run(
    counties: int, scale: float, url: str | None, out: Path, filings: int = FILINGS
) -> int:
    county.HOUSEHOLDS = max(county.TOWNSHIPS, int(100_000 * scale))
    county.REQUESTS = max(100, int(1_000_000 * scale))
    per_process = min(filings, county.HOUSEHOLDS // max(PROCESSES))
    villagers = per_process * max(PROCESSES)
    pg_url, cluster = _start_server(url)
    rows: list[tuple[str, str, str]] = []
    failed = False
    try:
        print(
            f"{counties} counties x {county.HOUSEHOLDS:,} households, "
            f"{county.REQUESTS:,} requests each ({counties * county.REQUESTS:,} in all; "
            f"scale {scale})",
            flush=True,
        )
        builds = []
        for number in range(1, counties + 1):
            builds.append(await build_pg(pg_url, number, villagers))
            print(f"  {schema(number)} built in {builds[-1]:.1f}s", flush=True)
        path = out / "county.db"
        sqlite_build = await build_sqlite(path, villagers)
        print(f"  SQLite county built in {sqlite_build:.1f}s", flush=True)
        rows.append(
            (
                "build, one county",
                f"{statistics.median(builds):.1f}s (median; {sum(builds):.0f}s for all)",
                f"{sqlite_build:.1f}s",
            )
        )
        pg = [Target("postgresql", pg_url, schema(n)) for n in range(1, counties + 1)]
        lite = Target("sqlite", str(path))
        for round_, processes in enumerate(PROCESSES):
            one = file_rate([pg[0]] * processes, per_process, 2 * round_)
            on_lite = file_rate([lite] * processes, per_process, 2 * round_)
            rows.append(
                (f"filed/s, {processes} process(es), one county", _rate(one), _rate(on_lite))
            )
            _progress(rows[-1])
            if processes > 1:
                spread = [pg[i % counties] for i in range(processes)]
                shown = len(set(spread))
                rate = file_rate(spread, per_process, 2 * round_ + 1)
                rows.append(
                    (f"filed/s, {processes} processes, {shown} counties", _rate(rate), "-")
                )
                _progress(rows[-1])
        month = stats.month_of(date(2026, 11, 1), county.ZONE)
        dbs = [await target.open() for target in pg]
        lite_db = await lite.open()
        try:
            pg_seconds, pg_filed = await timed(dbs[0], month)
            lite_seconds, lite_filed = await timed(lite_db, month)
            failed |= pg_seconds > COUNTY_TARGET
            rows.append(
                (
                    f"county /stats, this month (target {COUNTY_TARGET:.0f}s)",
                    f"{pg_seconds:.3f}s ({pg_filed:,} filed)",
                    f"{lite_seconds:.3f}s ({lite_filed:,} filed)",
                )
            )
            await province_stats(dbs, month)  # warm
            seconds, filed = await province_stats(dbs, month)
            rows.append(
                (
                    f"provincial /stats, {counties} counties",
                    f"{seconds:.3f}s ({filed:,} filed)",
                    "-",
                )
            )
            seconds, filed = await province_bot_stats(pg_url, counties, out, month)
            rows.append(
                (
                    f"provincial /stats as its bot reads it, {counties} counties",
                    f"{seconds:.3f}s ({filed:,} filed)",
                    "-",
                )
            )
            # What the province's bot answers with: figures counted in the background.
            counted, seconds, filed = await province_bot_kept(pg_url, counties, out, month)
            rows.append(
                (
                    f"province bot's background count (4 period buttons), {counties} counties",
                    f"{counted:.3f}s",
                    "-",
                )
            )
            rows.append(
                (
                    f"provincial /stats from what the bot kept, {counties} counties",
                    f"{seconds:.4f}s ({filed:,} filed)",
                    "-",
                )
            )
            # The 今年 button: every request of the year, each county's durations pooled.
            year = stats.days(date(2026, 1, 1), date(2026, 12, 31), county.ZONE)
            seconds, filed = await province_bot_stats(pg_url, counties, out, year)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            rows.append(
                (
                    f"provincial /stats as its bot reads it, this year, {counties} counties",
                    f"{seconds:.3f}s ({filed:,} filed; peak memory so far {peak:,.0f} MB)",
                    "-",
                )
            )
            pg_book = await workbook(dbs[0], month, out / "pg.xlsx")
            lite_book = await workbook(lite_db, month, out / "sqlite.xlsx")
            rows.append(
                (
                    "county month workbook",
                    f"{pg_book[0]:.1f}s ({pg_book[1]:,} rows; reading {pg_book[2]:.1f}s)",
                    f"{lite_book[0]:.1f}s ({lite_book[1]:,} rows; reading {lite_book[2]:.1f}s)",
                )
            )
        finally:
            for db in (*dbs, lite_db):
                await db.close()
    finally:
        if cluster is not None:
            cluster.stop()
    _table(rows)
    return 1 if failed else 0


def _progress(row: tuple[str, str, str]) -> None:
    print(f"  {row[0]}: PostgreSQL {row[1]}, SQLite {row[2]}", flush=True)


def _table(rows: list[tuple[str, str, str]]) -> None:
    header = ("", "PostgreSQL", "SQLite")
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(3)]
    for r in (header, *rows):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counties", type=int, default=10)
    parser.add_argument("--scale", type=float, default=1.0, help="of 100k households, 1M requests")
    parser.add_argument("--url", default=os.environ.get("LIANXIN_BENCH_PG"), help="a server")
    parser.add_argument("--filings", type=int, default=FILINGS, help="per process and run")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(run(args.counties, args.scale, args.url, Path(folder), args.filings))


if __name__ == "__main__":
    sys.exit(main())
