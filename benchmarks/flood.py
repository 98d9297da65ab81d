"""One villager floods their request with follow-ups; how long does another household's new
request take to reach the same cadre? Through the sandbox, with the real bot in this
process (as ``benchmarks.requests``).

    .venv/bin/python -m benchmarks.flood [--messages 300] [--photos 0] [--at-once]

王秀英's phone (H0001) files a request, then sends ``--messages`` texts (and
``--photos`` photos) at once; once the bot has handled them all (or right away, with
``--at-once``), 李大山's phone (H0002, the same first contact 郑小红) files a new request.
Prints that request's delay from the villager's message to the case reaching the cadre
(target: under 5 s), how long the flood took to reach the cadre whole, in how many
messages, and how many answers the flooding villager got.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
import time
from datetime import datetime
from pathlib import Path

from benchmarks.sandboxed import bot_config
from bot.clock import SystemClock
from bot.edge.runtime import start_bot, stop_bot
from bot.roster_cli import import_path
from bot.sandbox.server import Sandbox
from storage import codes, migrate
from storage.db import Database
from storage.people import People

SAMPLE_ROSTER = Path(__file__).resolve().parents[1] / "bot" / "samples" / "roster"
CADRE, FLOODER, NEIGHBOUR = 900_007, 100_001, 100_002
NUMBER = re.compile(r"LX-\d{4}-\d{6}")


async def _prepare(path: Path, now: datetime) -> None:
    """The sample county; 郑小红 (K007) bound, one phone each for H0001 and H0002."""
    db = await Database.open(path)
    try:
        await migrate.upgrade(db, now)
        outcome = await import_path(db, SAMPLE_ROSTER, prune=False, dry_run=False)
        if outcome.problems:
            raise RuntimeError(outcome.problems[0])
        async with db.transaction() as tx:
            people = People(tx)
            code = await codes.issue(tx, now, cadre_id="K007")
            await people.bind_cadre("K007", CADRE, code, now)
            for user, household in ((FLOODER, "H0001"), (NEIGHBOUR, "H0002")):
                code = await codes.issue(tx, now, household_id=household)
                await people.add_member(user, household, code, now)
    finally:
        await db.close()


def _number(sandbox: Sandbox, user_id: int) -> str | None:
    for record in sandbox.sent:
        found = NUMBER.search(str(record.message.get("text") or ""))
        if record.chat_id == user_id and found:
            return found.group()
    return None


def _to_cadre(sandbox: Sandbox, number: str) -> list[tuple[float, str]]:
    return [
        (r.at, str(r.message.get("text") or r.message.get("caption") or ""))
        for r in sandbox.sent
        if r.chat_id == CADRE and number in str(r.message.get("text") or r.message.get("caption"))
    ]


async def run(messages: int, photos: int, at_once: bool) -> None:
    sandbox = Sandbox()
    await sandbox.start()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        config = bot_config(sandbox, root, "bench.db")
        await _prepare(config.database.path, SystemClock().now())
        running = await start_bot(config, SystemClock())
        try:
            sandbox.user(CADRE, "郑小红")
            flooder = sandbox.user(FLOODER, "秀英")
            neighbour = sandbox.user(NEIGHBOUR, "大山")
            await flooder.send_text("自来水停了三天")
            await sandbox.wait_until(lambda: _number(sandbox, FLOODER) is not None, timeout=30)
            first = _number(sandbox, FLOODER) or ""
            await sandbox.wait_until(lambda: bool(_to_cadre(sandbox, first)), timeout=30)
            before = len(_to_cadre(sandbox, first))

            flood = [f"补充第{n:04d}条" for n in range(messages)]
            handled = running.dispatcher.handled + messages + photos
            started = time.monotonic()
            for text in flood:
                await flooder.send_text(text)
            for _ in range(photos):
                await flooder.send_photo()
            if not at_once:  # the worst case: the flood's relays are all owed already
                await sandbox.wait_until(
                    lambda: running.dispatcher.handled >= handled, timeout=600
                )
            asked = time.monotonic()
            await neighbour.send_text("我家的电表烧了")
            await sandbox.wait_until(lambda: _number(sandbox, NEIGHBOUR) is not None, timeout=60)
            second = _number(sandbox, NEIGHBOUR) or ""
            await sandbox.wait_until(lambda: bool(_to_cadre(sandbox, second)), timeout=600)
            delay = _to_cadre(sandbox, second)[0][0] - asked

            def whole() -> bool:
                got = "".join(text for _, text in _to_cadre(sandbox, first))
                media = sum(1 for r in sandbox.sent if r.chat_id == CADRE and "photo" in r.message)
                return all(t in got for t in flood) and media >= photos

            await sandbox.wait_until(whole, timeout=600)
            relays = _to_cadre(sandbox, first)[before:]
            took = relays[-1][0] - started
            answers = sum(
                1 for r in sandbox.sent if r.chat_id == FLOODER and "reply_to_message" in r.message
            )
        finally:
            await stop_bot(running)
            await sandbox.stop()
    when = "with the flood" if at_once else "once the flood is handled"
    print(f"flood: {messages} texts and {photos} photos from one villager, at once")
    print(
        f"another household's new request ({when}) -> its cadre: {delay:.2f}s (target: under 5 s)"
    )
    print(f"the flood reached the cadre whole in {took:.1f}s, in {len(relays)} message(s)")
    print(f"answers to the flooding villager: {answers - 1} (plus the first receipt)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--photos", type=int, default=0)
    parser.add_argument("--at-once", action="store_true", help="not waiting for the handling")
    args = parser.parse_args()
    asyncio.run(run(args.messages, args.photos, args.at_once))


if __name__ == "__main__":
    main()
