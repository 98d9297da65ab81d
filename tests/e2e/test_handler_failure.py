"""A handler that raises: its update is marked failed, nothing it wrote is kept, the person
gets an apology, and ``lianxin inbox failed`` / ``retry`` show it and hand it back.

No product handler fails on purpose and the product has no test hook for it, so this
test runs the bot in-process (the same ``start_bot`` that ``lianxin run`` uses, against
the sandbox) and adds one test-only handler that raises. It sits in group 1, after the
account bookkeeping (group -1) and the normal answer (group 0), so the transaction it
spoils has already written an account row and queued an answer: both must be undone.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.config import load_config
from bot.edge.runtime import Running, start_bot, stop_bot
from bot.i18n import Texts
from bot.sandbox.server import Sandbox
from handlers.context import LianxinContext
from storage.db import Database
from tests.e2e.harness import agreeing, write_config
from tests.e2e.support import copies, lianxin, replying_to

TRIGGER = "会出错"
SELECT_LANE = "SELECT update_id, status, error, payload FROM inbox WHERE lane = ?"
SELECT_SEEN = "SELECT updates_seen FROM accounts WHERE user_id = ?"
SELECT_OWED = "SELECT payload FROM outbox WHERE lane = ? AND method = 'sendMessage'"


class Trap:
    """The test-only handler: raises on messages with TRIGGER while armed."""

    def __init__(self) -> None:
        self.armed = True

    async def handle(self, update: Update, context: LianxinContext) -> None:
        if self.armed:
            raise RuntimeError("test handler failed on purpose")


@pytest.fixture
async def bot_in_process(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> AsyncIterator[tuple[Running, Trap, Path]]:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # start_bot sets it; keep it to this test
    config_path = write_config(tmp_path, sandbox, database_url=database_url)
    running = await start_bot(load_config(config_path, environ={}), agreeing(sandbox))
    trap = Trap()
    running.app.add_handler(MessageHandler(filters.Regex(TRIGGER), trap.handle), group=1)
    yield running, trap, config_path
    await stop_bot(running)


async def test_a_failing_handler_leaves_nothing_but_an_apology(
    sandbox: Sandbox, bot_in_process: tuple[Running, Trap, Path]
) -> None:
    running, trap, config = bot_in_process
    apology = Texts("zh")("reply.internal_error")
    villager = sandbox.user(1001, "王秀英")
    await villager.start()
    await villager.wait_for_text("王秀英")
    assert await scalar(running.db, SELECT_SEEN, villager.user_id) == 1

    failing = await villager.send_text(f"这条消息{TRIGGER}")
    await villager.wait_for_text(apology)
    later = await villager.send_text("路灯坏了")
    await villager.wait_for(replying_to(later["message_id"]))  # the villager is still served

    rows = await inbox_rows(running.db, villager.user_id)
    update_id, status, error = rows[failing["message_id"]]
    assert status == "failed"
    assert "test handler failed on purpose" in error
    assert rows[later["message_id"]][1] == "done"
    # What the failing update's handlers wrote was rolled back: its account count and its
    # answer (quoting it); the apology was queued instead.
    assert await scalar(running.db, SELECT_SEEN, villager.user_id) == 2
    owed = [json.loads(p) for p in await fetch_column(running.db, SELECT_OWED, villager.id)]
    assert [call["text"] for call in owed].count(apology) == 1
    assert not [call for call in owed if quotes(call, failing["message_id"])]
    assert copies(villager, failing["message_id"]) == 0

    listed = await lianxin("--config", str(config), "inbox", "failed")
    assert listed.code == 0, listed.output
    assert f"\t{update_id}\t" in f"\t{listed.stdout}"  # the update is named
    assert "test handler failed on purpose" in listed.stdout
    assert "1 failed update(s)" in listed.stdout

    trap.armed = False  # the fault is mended; hand the update back
    retried = await lianxin("--config", str(config), "inbox", "retry")
    assert retried.code == 0, retried.output
    assert retried.stdout.startswith("1 update(s) handed back")
    answer = await villager.wait_for(replying_to(failing["message_id"]), timeout=60)
    assert "还没有绑定联系卡" in answer["text"]
    rows = await inbox_rows(running.db, villager.user_id)
    assert rows[failing["message_id"]][1] == "done"
    assert await scalar(running.db, SELECT_SEEN, villager.user_id) == 3
    listed = await lianxin("--config", str(config), "inbox", "failed")
    assert listed.stdout == "0 failed update(s)\n"


def quotes(call: dict[str, Any], message_id: int) -> bool:
    return bool(call.get("reply_parameters", {}).get("message_id") == message_id)


async def inbox_rows(db: Database, lane: int) -> dict[int, tuple[int, str, str]]:
    """Stored updates of one chat by message id: (update_id, status, error)."""
    async with db.read() as tx:
        rows = await tx.fetchall(SELECT_LANE, (lane,))
    return {
        int(json.loads(r["payload"])["message"]["message_id"]): (
            int(r["update_id"]),
            str(r["status"]),
            str(r["error"]),
        )
        for r in rows
    }


async def scalar(db: Database, sql: str, *params: object) -> Any:
    async with db.read() as tx:
        return await tx.scalar(sql, params)


async def fetch_column(db: Database, sql: str, *params: object) -> list[Any]:
    async with db.read() as tx:
        return [row[0] for row in await tx.fetchall(sql, params)]
