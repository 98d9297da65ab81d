"""A call Telegram accepted is never sent again, even when marking it sent fails.

The database refuses writes right after Telegram took the first message (as on a full
disk): the sender must not send it again, must send nothing more until the mark is
written, and must stop the bot when the database stays unwritable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, cast

import pytest
from telegram import Bot

from bot.calls import Call
from bot.clock import ManualClock
from bot.config import SenderConfig
from bot.edge import sender as sender_module
from bot.edge.sender import Sender
from storage import outbox
from storage.db import Database
from storage.faults import DatabaseFault


class FakeTelegram:
    """Accepts every call; the first one also makes the database read-only."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.texts: list[str] = []

    async def do_api_request(self, method: str, api_kwargs: dict[str, Any]) -> dict[str, Any]:
        self.texts.append(api_kwargs["text"])
        if len(self.texts) == 1:
            await self.db.executescript("PRAGMA query_only = ON")  # writes fail from now on
        return {"message_id": len(self.texts)}


async def until(condition: Callable[[], object], timeout: float = 60.0) -> None:  # noqa: ASYNC109
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - the sender's counters have no event
            await asyncio.sleep(0.01)


async def start(
    db: Database, clock: ManualClock
) -> tuple[Sender, FakeTelegram, asyncio.Task[None]]:
    calls = [Call(7, "sendMessage", {"chat_id": 7, "text": t}) for t in ("first", "second")]
    async with db.transaction() as tx:
        await outbox.enqueue(tx, calls, clock.now())
    telegram = FakeTelegram(db)
    config = SenderConfig(per_chat_interval="0.01s")  # type: ignore[arg-type]
    sender = Sender(db, cast(Bot, telegram), clock, config)
    return sender, telegram, asyncio.create_task(sender.run())


async def test_a_delivered_call_is_not_resent_while_its_mark_fails(
    db: Database, clock: ManualClock
) -> None:
    sender, telegram, running = await start(db, clock)
    await until(lambda: telegram.texts)
    await until(lambda: sender.sent == 1)
    await db.executescript("PRAGMA query_only = OFF")  # the disk has room again
    await until(lambda: len(telegram.texts) == 2)
    both_marked = {("sent", outbox.Priority.INTERACTIVE): 2}
    async with asyncio.timeout(60):  # the second mark commits just after Telegram's answer
        while await counts(db) != both_marked:  # noqa: ASYNC110 - the table has no event
            await asyncio.sleep(0.01)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert telegram.texts == ["first", "second"]
    assert await counts(db) == both_marked


async def counts(db: Database) -> dict[tuple[str, outbox.Priority], int]:
    async with db.read() as tx:
        return await outbox.counts(tx)


async def test_an_unwritable_database_stops_the_sender_without_resending(
    db: Database, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bot waits 7 s of failed marks before it stops; the test needs the same retries
    # (at 0.25 s, then 0.75 s) and the same stop, not the 7 s of waiting.
    monkeypatch.setattr(sender_module, "_MARK_PATIENCE", 0.5)
    _, telegram, running = await start(db, clock)
    with pytest.raises(DatabaseFault, match="cannot be written"):
        await asyncio.wait_for(running, timeout=60)
    assert telegram.texts == ["first"]
    await db.executescript("PRAGMA query_only = OFF")
