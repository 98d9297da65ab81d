"""``lianxin run`` keeps personal data its owner's only, and purges on its own: the
database with its -wal and -shm (on SQLite), the files/ folder and the charts in it are
0600/0700 however loose the shell's umask, and the retention sweep deletes old handled
updates and strangers while the bot runs, keeping what is still to handle."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.server import Sandbox
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ROOT, database_of
from tests.e2e.test_binding import SETTINGS, lianxin, printed_codes
from tests.e2e.test_requests_cadre import County

RETENTION = """
[retention]
sweep_every = "1s"
"""
OLD = "2020-01-01T00:00:00.000000Z"
INSERT_HANDLED = (
    "INSERT INTO inbox (update_id, lane, payload, received_at, status, handled_at) "
    'VALUES (?, 1, \'{"message": {"text": "13812345678"}}\', ?, ?, ?)'
)
INSERT_STRANGER = (
    "INSERT INTO accounts (user_id, first_name, first_seen, last_seen) VALUES (9999, '路人', ?, ?)"
)
SELECT_OLD_UPDATES = "SELECT update_id FROM inbox WHERE update_id >= 900001"
SELECT_STRANGER = "SELECT user_id FROM accounts WHERE user_id = 9999"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def loose_umask() -> Iterator[None]:
    """The bot is started from a shell whose umask (022) makes files world-readable."""
    before = os.umask(0o022)
    yield
    os.umask(before)


async def test_the_running_bot_keeps_its_files_private_and_purges_old_rows(
    sandbox: Sandbox, start_bot: StartBot, backend: str
) -> None:
    bot = await start_bot(extra=SETTINGS + RETENTION)
    await lianxin(bot.config, "roster", "import", str(ROOT / "bot" / "samples" / "roster"))
    county = County(bot, sandbox, await printed_codes(bot), await printed_codes(bot, "--cadres"))
    township = await county.cadre("K003", "孙丽")  # supervises T01
    await township.command("stats")
    chart = await township.wait_for(lambda m: "photo" in m)

    database = bot.database
    files = database.parent / "files"
    if backend == "sqlite":  # PostgreSQL's files are its server's
        side = [Path(f"{database}-wal"), Path(f"{database}-shm")]
        assert [oct(mode(p)) for p in (database, *side)] == ["0o600"] * 3
    assert oct(mode(files)) == "0o700"
    charts = list(files.iterdir())
    assert charts
    assert {oct(mode(p)) for p in charts} == {"0o600"}

    async with database_of(bot.config) as db, db.transaction() as tx:
        # history from long ago, beside today's
        await tx.executemany(
            INSERT_HANDLED, [(900001, OLD, "done", OLD), (900002, OLD, "failed", OLD)]
        )
        await tx.execute(INSERT_STRANGER, (OLD, OLD))

    async def left() -> tuple[list[int], list[int]]:
        async with database_of(bot.config) as db, db.read() as tx:
            inbox = [int(r[0]) for r in await tx.fetchall(SELECT_OLD_UPDATES)]
            strangers = [int(r[0]) for r in await tx.fetchall(SELECT_STRANGER)]
        return inbox, strangers

    async with asyncio.timeout(60):
        while await left() != ([900002], []):  # noqa: ASYNC110 - another process sweeps
            await asyncio.sleep(0.2)
    await township.command("stats")  # the bot carries on
    await township.wait_for(lambda m: "photo" in m, after=chart["message_id"])
