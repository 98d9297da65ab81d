"""A newcomer's /help during a flood, through the sandbox with the real bot in this process.

50 unbound villagers send 40 messages each at once (2,000 in all; the bot answers every
one, one a second per chat), then a newcomer sends /help. Prints how long the newcomer
waited for the answer (target: under 10 s; the issue measured 55 s before the sender and
the dispatcher took chats in turn), and how long the flood's answers took to drain
against the rate limit's minimum.

    .venv/bin/python -m benchmarks.fairness [--users 50] [--messages 40]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from benchmarks.sandboxed import bot_config
from bot.clock import SystemClock
from bot.edge.runtime import start_bot, stop_bot
from bot.sandbox.server import Sandbox

FLOODER_IDS = 200_000
NEWCOMER_ID = 300_000


async def run(users: int, messages: int) -> None:
    sandbox = Sandbox()
    await sandbox.start()
    flood = users * messages
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        config = bot_config(sandbox, root, "fairness.db")
        running = await start_bot(config, SystemClock())
        try:
            flooders = [sandbox.user(FLOODER_IDS + n, f"村民{n}") for n in range(users)]
            newcomer = sandbox.user(NEWCOMER_ID, "李新来")
            started = time.monotonic()
            for n in range(messages):
                for person in flooders:
                    await person.send_text(f"第{n}条：路灯坏了")
            asked = time.monotonic()
            await newcomer.command("help")
            await sandbox.wait_until(
                lambda: any(r.chat_id == NEWCOMER_ID for r in sandbox.sent), timeout=600
            )
            answered = next(r.at for r in sandbox.sent if r.chat_id == NEWCOMER_ID)
            before = sum(1 for r in sandbox.sent if r.chat_id < NEWCOMER_ID and r.at <= answered)

            def flood_answers() -> int:
                return sum(1 for r in sandbox.sent if FLOODER_IDS <= r.chat_id < NEWCOMER_ID)

            await sandbox.wait_until(lambda: flood_answers() >= flood, timeout=flood)
            drained = max(r.at for r in sandbox.sent if r.chat_id < NEWCOMER_ID) - started
        finally:
            await stop_bot(running)
            await sandbox.stop()
    rate = config.sender.messages_per_second
    print(f"flood: {users} villagers x {messages} messages = {flood}, then a newcomer's /help")
    print(
        f"the newcomer's answer came {answered - asked:.2f}s after /help "
        f"(target < 10 s), after {before} of the flood's {flood} answers"
    )
    print(
        f"the flood's answers drained in {drained:.1f}s "
        f"(minimum at {rate:g} a second: {flood / rate:.1f}s); "
        f"429s from the sandbox: {sandbox.stats.too_many_requests}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=40)
    args = parser.parse_args()
    asyncio.run(run(args.users, args.messages))


if __name__ == "__main__":
    main()
