"""How long a purge takes, and how long it holds the database, on a year of history.

A county at ~2,000 requests a day leaves ~2.5 KB of inbox and outbox rows per request.
The history here is ``--rows`` handled updates and as many sent messages (a fifth of them
reminders with a dedup key), ~1 KB each, three quarters older than the retention. Printed:
creating migration 0010's indexes on that history, the first purge (everything old at
once), the longest wait of a tiny transaction run every 20 ms meanwhile (what a villager's
update waits behind the purge), and a second purge (nothing left to do: the daily case).
Run: ``.venv/bin/python -m benchmarks.retention [--rows N]`` (default 300,000).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import retention
from bot.config import Config
from storage import migrate
from storage.db import Database
from storage.timefmt import to_db

NOW = datetime(2026, 11, 20, tzinfo=UTC)
PAYLOAD = '{"chat_id": 1, "text": "' + "王秀英 13812345678 家里停水了，" * 30 + '"}'
INSERT_INBOX = """
INSERT INTO inbox (id, update_id, lane, payload, received_at, status, handled_at)
VALUES (?, ?, ?, ?, ?, 'done', ?)
"""
INSERT_OUTBOX = """
INSERT INTO outbox (lane, method, payload, priority, created_at, not_before, status, sent_at,
                    source_inbox_id, dedup_key)
VALUES (?, 'sendMessage', ?, 0, ?, ?, 'sent', ?, ?, ?)
"""
DROP_INDEXES = """
DROP INDEX inbox_handled;
DROP INDEX outbox_done;
DROP INDEX outbox_source;
DROP INDEX request_events_villager;
"""


async def build(db: Database, rows: int) -> None:
    step = timedelta(days=365) / rows
    for start in range(0, rows, 10_000):
        inbox, outbox = [], []
        for n in range(start, min(start + 10_000, rows)):
            at = to_db(NOW - timedelta(days=365) + n * step)
            inbox.append((n + 1, n + 1, n % 5000, PAYLOAD, at, at))
            dedup = f"svc:{n}" if n % 5 == 0 else None
            outbox.append((n % 5000, PAYLOAD, at, at, at, n + 1, dedup))
        async with db.transaction() as tx:
            await tx.executemany(INSERT_INBOX, inbox)
            await tx.executemany(INSERT_OUTBOX, outbox)


async def probe(db: Database, stop: asyncio.Event, waits: list[float]) -> None:
    while not stop.is_set():
        began = time.perf_counter()
        async with db.transaction() as tx:
            await tx.execute("SELECT 1")
        waits.append(time.perf_counter() - began)
        await asyncio.sleep(0.02)


async def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = await Database.open(Path(folder) / "lianxin.db")
        try:
            await measure(db, Path(folder), rows)
        finally:
            await db.close()


async def measure(db: Database, folder: Path, rows: int) -> None:
    await migrate.upgrade(db, NOW)
    began = time.perf_counter()
    await build(db, rows)
    print(f"history: {rows:,} handled updates and {rows:,} sent messages "
          f"({(folder / 'lianxin.db').stat().st_size / 1e6:,.0f} MB) "
          f"built in {time.perf_counter() - began:.0f} s")  # fmt: skip
    await db.executescript(DROP_INDEXES)
    began = time.perf_counter()
    await db.executescript(next(m.sql for m in migrate.available() if m.version == 13))
    print(f"migration 0010's indexes on that history: {time.perf_counter() - began:.1f} s")

    config = Config.model_validate({"database": {"path": str(folder / "x.db")}})
    stop, waits = asyncio.Event(), list[float]()
    prober = asyncio.create_task(probe(db, stop, waits))
    began = time.perf_counter()
    report = await retention.purge(db, config, NOW)
    first = time.perf_counter() - began
    stop.set()
    await prober
    r = report.rows
    print(f"first purge: {first:.1f} s for {r.inbox:,} updates, {r.outbox:,} messages "
          f"deleted and {r.blanked:,} blanked; a transaction waited at most "
          f"{max(waits) * 1000:.0f} ms behind it (median "
          f"{sorted(waits)[len(waits) // 2] * 1000:.1f} ms, {len(waits)} probes)")  # fmt: skip
    began = time.perf_counter()
    again = await retention.purge(db, config, NOW)
    print(f"second purge (nothing old left): {(time.perf_counter() - began) * 1000:.0f} ms,"
          f" {again.total} rows")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    asyncio.run(main(parser.parse_args().rows))
