"""A service-day broadcast through the sandbox with the real bot in this process:
N bound cadres (8,600 as in Heping county) and one sweep on the morning of a service day.

First, the sender's pick time with 600, 8,600 and 50,000 calls pending (the sender
against an instant fake Telegram, so that only the picking is timed; the former
query, ``outbox.ready``, is timed beside it). Then the broadcast: the time from the
sweep to the last reminder accepted by the sandbox against the configured rate's
minimum (N / ``sender.messages_per_second``) and the rate limit's (N / 30), the 429
answers the sandbox gave (each one answered by the sender waiting and retrying), and a
check that every cadre got exactly one reminder: none lost, none doubled.

    .venv/bin/python -m benchmarks.broadcast [--cadres 8600] [--picks 600,8600,50000]
                                             [--picks-only]

The sandbox keeps Telegram's limits (30 messages a second per bot, 1 a second per chat)
and answers 429 beyond them; the sender keeps under them (``[sender]``), so the
duration is the pace, not the bot.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from benchmarks.sandboxed import bot_config, clock_at
from bot.calls import Call, Priority
from bot.clock import SystemClock
from bot.config import SenderConfig
from bot.domain.roster import Cadre, Level, Rank, Region, Roster
from bot.edge import schedules
from bot.edge.runtime import start_bot, stop_bot
from bot.edge.sender import Sender
from bot.i18n import Texts
from bot.sandbox.server import Sandbox
from handlers.context import Setup
from handlers.reminders import render
from storage import codes, migrate, outbox
from storage.db import Database
from storage.people import People
from storage.roster_import import import_roster

ZONE = ZoneInfo("Asia/Shanghai")
CADRE_IDS = 5_000_000
GLOBAL_RATE = 30  # the sandbox's (and Telegram's) messages a second per bot
# The bot's settings for this benchmark, beside the sandbox's own.
EXTRA = """

[schedule]
service_days = [15]
sweep_every = "1h"

[schedule.reception]
county_leader = ""
township_secretary = ""

[schedule.digest]
supervisors = "off"
"""


async def _prepare(path: Path, cadres: int, now: datetime) -> None:
    """A county of ``cadres`` village cadres, every one bound to a Telegram account."""
    db = await Database.open(path)
    try:
        await migrate.upgrade(db, now)
        roster = Roster(
            regions=(Region("C01", "和平县", Level.COUNTY, None),),
            cadres=tuple(
                Cadre(f"B{n:05d}", f"干部{n}", Rank.VILLAGE_CADRE, "", f"139{n:08d}", "C01")
                for n in range(cadres)
            ),
        )
        await import_roster(db, roster, prune=False, dry_run=False, now=now)
        async with db.transaction() as tx:
            people = People(tx)
            for n in range(cadres):
                code = await codes.issue(tx, now, cadre_id=f"B{n:05d}")
                await people.bind_cadre(f"B{n:05d}", CADRE_IDS + n, code, now)
    finally:
        await db.close()


async def run(cadres: int) -> None:
    sandbox = Sandbox()
    await sandbox.start()
    clock = clock_at(datetime(2026, 3, 15, 7, 0, tzinfo=ZONE))  # before the morning round
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        config = bot_config(sandbox, root, "broadcast.db", EXTRA)
        await _prepare(config.database.path, cadres, clock.now())
        for n in range(cadres):  # their chats exist, as after binding
            sandbox.user(CADRE_IDS + n, f"干部{n}")
        running = await start_bot(config, clock)
        try:
            clock.offset += timedelta(minutes=30)  # 07:30 on the 15th: the morning round is due
            services = Setup(config, clock, Texts(config.general.language), "bench")
            started = time.monotonic()
            queued = await schedules.sweep(running.db, services, running.sender.wake, render)
            swept = time.monotonic() - started

            def reminders() -> list[int]:
                return [
                    s.chat_id
                    for s in sandbox.sent
                    if s.method == "sendMessage" and s.chat_id >= CADRE_IDS
                ]

            # every send so far is a reminder: a cheap condition, checked on every send
            await sandbox.wait_until(lambda: len(sandbox.sent) >= cadres, timeout=cadres)
            last = max(s.at for s in sandbox.sent if s.chat_id >= CADRE_IDS)
            elapsed = last - started
            again = await schedules.sweep(running.db, services, running.sender.wake, render)
        finally:
            await stop_bot(running)
            await sandbox.stop()
    per_chat = Counter(reminders())
    lost = cadres - len(per_chat)
    doubled = sum(1 for n in per_chat.values() if n > 1)
    rate = config.sender.messages_per_second
    minimum = cadres / rate
    print(f"cadres: {cadres}; reminders queued by the sweep: {queued} in {swept:.2f}s")
    print(
        f"broadcast: {elapsed:.1f}s against the configured rate's minimum {minimum:.1f}s "
        f"({cadres} / {rate:g} a second): {elapsed / minimum:.3f}x, "
        f"{cadres / elapsed:.2f} messages a second of {rate:g} configured "
        f"(the rate limit's minimum: {cadres / GLOBAL_RATE:.1f}s at {GLOBAL_RATE} a second)"
    )
    print(f"429 answers from the sandbox: {sandbox.stats.too_many_requests} (each retried)")
    print(f"lost: {lost}, doubled: {doubled}, a second sweep queued: {again}")
    if lost or doubled or again:
        raise SystemExit("FAILED: a reminder was lost or doubled")


class InstantTelegram:
    """Accepts every call at once: the sender's own cost is all that is left to time."""

    def __init__(self, enough: int) -> None:
        self.calls = 0
        self.enough = enough
        self.done = asyncio.Event()

    async def do_api_request(self, method: str, api_kwargs: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(0)
        self.calls += 1
        if self.calls >= self.enough:
            self.done.set()
        return {"message_id": 1}


async def pick_times(pending: int, picks: int = 2000) -> None:
    """The sender's time per pick with ``pending`` calls in the outbox (one per chat, as in
    a broadcast), against the former query that ranked every pending row."""
    clock = SystemClock()
    with tempfile.TemporaryDirectory() as directory:
        db = await Database.open(Path(directory) / "picks.db")
        try:
            await migrate.upgrade(db, clock.now())
            calls = [
                Call(
                    CADRE_IDS + n,
                    "sendMessage",
                    {"chat_id": CADRE_IDS + n, "text": f"提醒 {n}"},
                    Priority.BULK,
                )
                for n in range(pending)
            ]
            async with db.transaction() as tx:
                await outbox.enqueue(tx, calls, clock.now())
            started = time.perf_counter()
            for _ in range(20):
                await outbox.ready(db, clock.now(), 64)
            former = (time.perf_counter() - started) / 20
            # No pacing (only the picking is timed); the configuration caps it at 30.
            config = SenderConfig.model_construct(
                messages_per_second=1e6,
                per_chat_interval=timedelta(seconds=1.05),
                max_backoff=timedelta(minutes=5),
                concurrency=16,
            )
            telegram = InstantTelegram(min(picks, pending))
            sender = Sender(db, cast(Any, telegram), clock, config)
            task = asyncio.create_task(sender.run())
            await telegram.done.wait()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await sender.drain()
        finally:
            await db.close()
    per_pick = (sender.pick_seconds - sender.reload_seconds) / sender.picks
    print(
        f"pending {pending:>6}: a pick takes {per_pick * 1e6:7.1f} µs "
        f"({sender.picks} picks; reading all pending once at start: "
        f"{sender.reload_seconds * 1e3:.0f} ms); the former query: {former * 1e3:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cadres", type=int, default=8600)
    parser.add_argument("--picks", default="600,8600,50000", help="pending counts to time")
    parser.add_argument("--picks-only", action="store_true", help="skip the broadcast")
    args = parser.parse_args()
    for pending in (int(n) for n in args.picks.split(",") if n):
        asyncio.run(pick_times(pending))
    if not args.picks_only:
        asyncio.run(run(args.cadres))


if __name__ == "__main__":
    main()
