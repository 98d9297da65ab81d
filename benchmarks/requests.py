"""Requests through the sandbox with the real bot in this process: N villagers of the
sample county each file a request at once.

Prints requests filed per second (first villager message to the last receipt) and the
median and 99th percentile time from a villager's message reaching the sandbox to the
handler's notification leaving the bot (the sandbox's ``sent`` records).

    .venv/bin/python -m benchmarks.requests [--villagers 200] [--per-chat 1.05s]

Telegram allows one message a second per chat, and the sender keeps to it, so one
cadre's notifications queue behind each other: with 200 villagers over the sample
county's five tier-1 cadres, the latency is mostly that pacing, not the bot.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from benchmarks.sandboxed import bot_config
from bot.clock import SystemClock
from bot.edge.runtime import start_bot, stop_bot
from bot.roster_cli import import_path
from bot.sandbox.server import Sandbox
from bot.sandbox.users import SandboxUser
from storage import codes, migrate
from storage.db import Database
from storage.people import People

SAMPLE_ROSTER = Path(__file__).resolve().parents[1] / "bot" / "samples" / "roster"
HOUSEHOLDS = [f"H{n:04d}" for n in range(1, 13)]
CADRES = [f"K{n:03d}" for n in range(1, 13)]
VILLAGER_IDS = 100_000
CADRE_IDS = 900_000
NUMBER = re.compile(r"LX-\d{4}-\d{6}")


async def _prepare(path: Path, villagers: int, now: datetime) -> dict[int, str]:
    """The sample county, every cadre bound, villagers spread over the households;
    returns villager user id -> household id."""
    db = await Database.open(path)
    try:
        await migrate.upgrade(db, now)
        outcome = await import_path(db, SAMPLE_ROSTER, prune=False, dry_run=False)
        if outcome.problems:
            raise RuntimeError(outcome.problems[0])
        homes: dict[int, str] = {}
        async with db.transaction() as tx:
            people = People(tx)
            for n, cadre_id in enumerate(CADRES):
                code = await codes.issue(tx, now, cadre_id=cadre_id)
                await people.bind_cadre(cadre_id, CADRE_IDS + n, code, now)
            for n in range(villagers):
                household = HOUSEHOLDS[n % len(HOUSEHOLDS)]
                code = await codes.issue(tx, now, household_id=household)
                await people.add_member(VILLAGER_IDS + n, household, code, now)
                homes[VILLAGER_IDS + n] = household
    finally:
        await db.close()
    return homes


def _cadre_notice(sandbox: Sandbox, number: str) -> float | None:
    for record in sandbox.sent:
        text = str(record.message.get("text") or "")
        if record.chat_id >= CADRE_IDS and f"诉求 {number}" in text:
            return record.at
    return None


async def run(villagers: int, per_chat: str) -> None:
    sandbox = Sandbox()
    await sandbox.start()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        per_chat_setting = f'[sender]\nper_chat_interval = "{per_chat}"\n'
        config = bot_config(sandbox, root, "bench.db", per_chat_setting)
        homes = await _prepare(config.database.path, villagers, SystemClock().now())
        running = await start_bot(config, SystemClock())
        try:
            for n in range(len(CADRES)):  # their chats exist, as after binding
                sandbox.user(CADRE_IDS + n, f"干部{n}")
            people = [sandbox.user(user_id, f"村民{user_id}") for user_id in homes]
            sent_at: dict[int, float] = {}
            started = time.monotonic()
            for n, person in enumerate(people):
                sent_at[person.user_id] = time.monotonic()
                await person.send_text(f"第 {n} 号诉求：村口的路灯坏了")
            receipts = await _receipts(sandbox, people)
            filed = time.monotonic() - started
            numbers = {user: NUMBER.search(text) for user, text in receipts.items()}
            await sandbox.wait_until(
                lambda: all(m and _cadre_notice(sandbox, m.group()) for m in numbers.values()),
                timeout=villagers * 5,
            )
            latencies = []
            for user, found in numbers.items():
                at = _cadre_notice(sandbox, found.group()) if found else None
                if at is None:
                    raise RuntimeError(f"villager {user}'s request reached no cadre")
                latencies.append(at - sent_at[user])
        finally:
            await stop_bot(running)
            await sandbox.stop()
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"villagers: {villagers}, per-chat interval: {per_chat}")
    print(f"requests filed per second: {villagers / filed:.1f} ({filed:.2f}s for all receipts)")
    print(
        "villager message -> cadre notification: "
        f"median {statistics.median(latencies):.3f}s, p99 {p99:.3f}s, max {latencies[-1]:.3f}s"
    )


async def _receipts(sandbox: Sandbox, people: list[SandboxUser]) -> dict[int, str]:
    def texts() -> dict[int, str]:
        found = {}
        for person in people:
            for message in person.messages():
                text = str(message.get("text") or "")
                if "from" in message and message["from"].get("is_bot") and NUMBER.search(text):
                    found[person.user_id] = text
                    break
        return found

    await sandbox.wait_until(lambda: len(texts()) == len(people), timeout=len(people) * 5)
    return texts()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villagers", type=int, default=200)
    parser.add_argument("--per-chat", default="1.05s", help="sender.per_chat_interval")
    args = parser.parse_args()
    asyncio.run(run(args.villagers, args.per_chat))


if __name__ == "__main__":
    main()
