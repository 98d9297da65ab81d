"""``lianxin db backup PATH`` while the bot is busy: a consistent copy, and no overwriting."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.sandbox.server import Sandbox
from storage import migrate
from storage.db import Database
from tests.e2e.conftest import StartBot
from tests.e2e.support import lianxin

VILLAGERS = 10
SELECT_VILLAGER_ROWS = "SELECT count(*) FROM inbox WHERE lane >= ? AND lane < ?"
FIRST_VILLAGER = 2001


@pytest.mark.sqlite_only(reason="a copy of SQLite's file; PostgreSQL's is pg_dump's")
async def test_a_backup_taken_while_villagers_write_is_consistent(
    sandbox: Sandbox, start_bot: StartBot, tmp_path: Path
) -> None:
    bot = await start_bot()
    people = [sandbox.user(FIRST_VILLAGER + i, f"村民{i}") for i in range(VILLAGERS)]
    streaming = True

    async def stream() -> None:
        round_ = 0
        while streaming:
            for person in people:
                await person.send_text(f"第{round_}条消息")
            round_ += 1
            await asyncio.sleep(0.2)  # a steady trickle, not a measurement

    streamer = asyncio.create_task(stream())
    try:
        # The bot is at work: some answers have gone out before the backup starts.
        await sandbox.wait_until(lambda: len(sandbox.sent) >= VILLAGERS)
        copy = tmp_path / "backups" / "lianxin-copy.db"
        backup = await lianxin("--config", str(bot.config), "db", "backup", str(copy))
        await sandbox.wait_until(lambda: len(sandbox.sent) >= 3 * VILLAGERS)  # still at work
    finally:
        streaming = False
        await streamer
    assert backup.code == 0, backup.output
    assert str(copy) in backup.stdout

    db = await Database.open(copy)
    try:
        async with db.read() as tx:
            assert await tx.scalar("PRAGMA integrity_check") == "ok"
            stored = await tx.scalar(
                SELECT_VILLAGER_ROWS, (FIRST_VILLAGER, FIRST_VILLAGER + VILLAGERS)
            )
        assert await migrate.current_version(db) == migrate.available()[-1].version
    finally:
        await db.close()
    assert stored >= VILLAGERS


@pytest.mark.sqlite_only(reason="a copy of SQLite's file; PostgreSQL's is pg_dump's")
async def test_a_backup_never_overwrites(start_bot: StartBot, tmp_path: Path) -> None:
    bot = await start_bot()
    upgrade = await lianxin("--config", str(bot.config), "db", "upgrade")  # the database exists
    assert upgrade.code == 0, upgrade.output

    existing = tmp_path / "precious.db"
    existing.write_bytes(b"not to be touched")
    refused = await lianxin("--config", str(bot.config), "db", "backup", str(existing))
    assert refused.code == 1
    assert refused.lines == [f"lianxin: {existing}: already exists; choose a new file name"]
    assert existing.read_bytes() == b"not to be touched"

    size = bot.database.stat().st_size
    refused = await lianxin("--config", str(bot.config), "db", "backup", str(bot.database))
    assert refused.code == 1
    assert refused.lines == [
        f"lianxin: {bot.database}: the backup must not overwrite the database"
    ]
    assert bot.database.stat().st_size == size
