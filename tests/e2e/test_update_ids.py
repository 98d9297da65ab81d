"""Telegram's update ids are not unique for ever; a villager's message must not be taken
for an old one.

Telegram picks the next id at random after a week without updates, and a new Bot API
server starts again at 1. Here the bot's database outlives one sandbox, and a second
sandbox (ids from 1 again) delivers new messages with ids the inbox has seen before.
"""

from __future__ import annotations

from pathlib import Path

from bot.sandbox.server import Sandbox
from tests.e2e.conftest import StartBot
from tests.e2e.harness import BotProcess, pin, write_config


async def test_messages_with_reused_update_ids_are_answered(
    sandbox: Sandbox, start_bot: StartBot, tmp_path: Path, database_url: str
) -> None:
    bot = await start_bot()
    first = sandbox.user(1001, "王秀英")
    for n in range(3):
        await first.send_text(f"第{n}条")
    await first.wait_for(lambda _m: len(first.messages()) >= 3)
    assert await bot.stop() == 0

    later = Sandbox()  # a new Telegram: update ids start at 1 again
    await later.start()
    try:
        config = write_config(tmp_path, later, database_url=database_url)  # the same database
        again = BotProcess(config, tmp_path / "bot-later.log", pin(later, bot.now()))
        await again.start()
        try:
            second = later.user(1002, "李大山")
            await second.start()
            await second.send_text("我家的水管坏了")
            await second.wait_for(lambda _m: len(second.messages()) >= 2, timeout=60)
        finally:
            code = await again.stop()
            if code != 0:
                print(again.log_text()[-5000:])
        assert code == 0
    finally:
        await later.stop()
