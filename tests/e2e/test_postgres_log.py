"""A bot on PostgreSQL, its password in $LIANXIN_DATABASE_URL as the env file gives it:
people are served, and the password appears nowhere in the bot's log."""

from __future__ import annotations

from pathlib import Path

from bot.config import DATABASE_URL_ENV
from bot.sandbox.server import Sandbox
from tests.conftest import pg_database
from tests.e2e.harness import BotProcess, agreeing, write_config
from tests.pg_cluster import PASSWORD, Cluster


async def test_a_bot_on_postgresql_serves_people_and_never_logs_the_password(
    sandbox: Sandbox, tmp_path: Path, pg_cluster: Cluster, pg_template: str
) -> None:
    async with pg_database(pg_cluster, pg_template) as db:
        config = write_config(tmp_path, sandbox)
        bot = BotProcess(
            config, tmp_path / "bot.log", agreeing(sandbox), env={DATABASE_URL_ENV: db.url}
        )
        await bot.start()
        try:
            villager = sandbox.user(1001, "王秀英")
            await villager.start()
            greeting = await villager.wait_for_text("王秀英")
            assert "连心" in greeting["text"]
            await villager.send_text("村口的路灯坏了")  # a stranger's words: told to bind first
            await villager.wait_for(lambda m: True, after=greeting["message_id"])
        finally:
            code = await bot.stop()
            print(f"----- bot log (exit {code}) -----\n{bot.log_text()[-8000:]}")
        log = bot.log_text()
        assert code == 0, log[-5000:]
        assert " is running (" in log
        assert PASSWORD not in log
        assert not (tmp_path / "lianxin.db").exists()  # PostgreSQL's, not SQLite's file
