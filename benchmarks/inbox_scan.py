"""The dispatcher's scan for pending updates, as the inbox's history grows.

Builds an inbox of N handled updates (the history a county keeps until it is purged)
plus 200 pending ones over 50 chats, and times ``inbox.pending`` (what the dispatcher
runs on every wake, under the database lock) beside the former query, which walked the
table by id. Target: flat in N.

    .venv/bin/python -m benchmarks.inbox_scan [--history 10000,1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from bot.clock import SystemClock
from storage import inbox, migrate
from storage.db import Database
from storage.inbox import StoredUpdate
from storage.timefmt import to_db

# Fixture data only: history written straight in as handled rows (the bot would take
# hours to handle a million updates), and the former scan, to compare.
INSERT_HANDLED = """
INSERT INTO inbox (update_id, lane, payload, received_at, status, handled_at)
VALUES (?, ?, ?, ?, 'done', ?)
"""
FORMER_SCAN = "SELECT id, lane FROM inbox WHERE status = 'pending' ORDER BY id LIMIT ?"
RUNS = 50


def _payload(n: int) -> str:
    message = {
        "message_id": n,
        "from": {"id": 100_000 + n % 5000, "is_bot": False, "first_name": "村民"},
        "chat": {"id": 100_000 + n % 5000, "type": "private", "first_name": "村民"},
        "date": 1_790_000_000 + n,
        "text": "村口的路灯坏了，晚上看不见路，老人出门不方便，请尽快派人来修。" * 3,
    }
    return json.dumps({"update_id": n, "message": message}, ensure_ascii=False)


async def _timed(db: Database) -> tuple[float, float]:
    started = time.perf_counter()
    for _ in range(RUNS):
        rows = await inbox.pending(db, limit=1000, per_lane=4)
    now = (time.perf_counter() - started) / RUNS
    if len(rows) != 200:  # 50 chats, 4 each
        raise SystemExit(f"FAILED: the scan found {len(rows)} rows, not 200")
    started = time.perf_counter()
    for _ in range(RUNS):
        async with db.read() as tx:
            await tx.fetchall(FORMER_SCAN, (1000,))
    former = (time.perf_counter() - started) / RUNS
    return now, former


async def run(history: int) -> None:
    clock = SystemClock()
    stamp = to_db(clock.now())
    with tempfile.TemporaryDirectory() as directory:
        db = await Database.open(Path(directory) / "inbox.db")
        try:
            await migrate.upgrade(db, clock.now())
            for start in range(0, history, 50_000):
                batch = [
                    (n, 100_000 + n % 5000, _payload(n), stamp, stamp)
                    for n in range(start, min(history, start + 50_000))
                ]
                async with db.transaction() as tx:
                    await tx.executemany(INSERT_HANDLED, batch)
            pending = [
                StoredUpdate(history + n, 900_000 + n % 50, _payload(history + n))
                for n in range(200)
            ]
            await inbox.store(db, pending, clock.now())
            size = (Path(directory) / "inbox.db").stat().st_size
            now, former = await _timed(db)
        finally:
            await db.close()
    print(
        f"history {history:>9,} rows ({size / 1e6:.0f} MB): the scan takes {now * 1e3:.2f} ms "
        f"(the former scan: {former * 1e3:.2f} ms), 200 pending over 50 chats"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--history", default="10000,1000000", help="handled rows to keep")
    args = parser.parse_args()
    for history in (int(n) for n in args.history.split(",") if n):
        asyncio.run(run(history))


if __name__ == "__main__":
    main()
