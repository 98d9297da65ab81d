"""A service-day broadcast through the sandbox with the real bot in this process:
N bound cadres (8,600 as in Heping county) and one sweep on the morning of a service day.

Prints the time from the sweep to the last reminder accepted by the sandbox against the
rate limit's minimum (N / 30 messages a second), the 429 answers the sandbox gave (each
one answered by the sender waiting and retrying), and checks that every cadre got
exactly one reminder: none lost, none doubled.

    .venv/bin/python -m benchmarks.broadcast [--cadres 8600]

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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import load_config
from bot.domain.roster import Cadre, Level, Rank, Region, Roster
from bot.edge import schedules
from bot.edge.runtime import start_bot, stop_bot
from bot.edge.unit import Services
from bot.i18n import Texts
from bot.sandbox.server import Sandbox
from storage import codes, migrate
from storage.db import Database
from storage.people import People
from storage.roster_import import import_roster

ZONE = ZoneInfo("Asia/Shanghai")
CADRE_IDS = 5_000_000
GLOBAL_RATE = 30  # the sandbox's (and Telegram's) messages a second per bot


class ShiftedClock:
    """The wall clock moved to a chosen local moment, then running at its real pace
    (the sender's retry times must pass); ``jump`` moves it again."""

    def __init__(self, moment: datetime) -> None:
        self._offset = moment - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def jump(self, by: timedelta) -> None:
        self._offset += by


def _config(sandbox: Sandbox, directory: Path) -> str:
    return f"""
[telegram]
token = "{sandbox.token}"
base_url = "{sandbox.base_url}"
base_file_url = "{sandbox.base_file_url}"
poll_timeout = "5s"

[database]
path = "{directory / "broadcast.db"}"

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
    clock = ShiftedClock(datetime(2026, 3, 15, 7, 0, tzinfo=ZONE))  # before the morning round
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        config_path = root / "config.toml"
        config_path.write_text(_config(sandbox, root), encoding="utf-8")
        config = load_config(config_path, environ={})
        await _prepare(config.database.path, cadres, clock.now())
        for n in range(cadres):  # their chats exist, as after binding
            sandbox.user(CADRE_IDS + n, f"干部{n}")
        running = await start_bot(config, clock)
        try:
            clock.jump(timedelta(minutes=30))  # 07:30 on the 15th: the morning round is due
            services = Services(config, clock, Texts(config.general.language), "bench")
            started = time.monotonic()
            queued = await schedules.sweep(running.db, services, running.sender.wake)
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
            again = await schedules.sweep(running.db, services, running.sender.wake)
        finally:
            await stop_bot(running)
            await sandbox.stop()
    per_chat = Counter(reminders())
    lost = cadres - len(per_chat)
    doubled = sum(1 for n in per_chat.values() if n > 1)
    minimum = cadres / GLOBAL_RATE
    print(f"cadres: {cadres}; reminders queued by the sweep: {queued} in {swept:.2f}s")
    print(
        f"broadcast: {elapsed:.1f}s against the rate limit's minimum {minimum:.1f}s "
        f"({cadres} / {GLOBAL_RATE} a second): {elapsed / minimum:.2f}x, "
        f"{cadres / elapsed:.1f} messages a second"
    )
    print(f"429 answers from the sandbox: {sandbox.stats.too_many_requests} (each retried)")
    print(f"lost: {lost}, doubled: {doubled}, a second sweep queued: {again}")
    if lost or doubled or again:
        raise SystemExit("FAILED: a reminder was lost or doubled")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cadres", type=int, default=8600)
    args = parser.parse_args()
    asyncio.run(run(args.cadres))


if __name__ == "__main__":
    main()
