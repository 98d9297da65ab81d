"""Two senders on one database (two processes' worth) send each call once, each chat's
calls in order, and a sweep runs in one of them only."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import timedelta
from typing import Any, cast

from telegram import Bot

from bot.calls import Call
from bot.clock import ManualClock
from bot.config import SenderConfig
from bot.edge.sender import Sender
from bot.edge.ticks import in_turn
from storage import outbox
from storage.db import Database


class SharedTelegram:
    """One bot's chats as both senders reach them: what arrived, per chat, and from whom."""

    def __init__(self) -> None:
        self.chats: dict[int, list[str]] = defaultdict(list)
        self.by: dict[str, int] = defaultdict(int)

    def bot(self, name: str) -> Bot:
        telegram = self

        class Door:
            async def do_api_request(self, method: str, api_kwargs: dict[str, Any]) -> Any:
                await asyncio.sleep(0.001)  # a round trip: the other sender runs meanwhile
                telegram.chats[api_kwargs["chat_id"]].append(api_kwargs["text"])
                telegram.by[name] += 1
                return {"message_id": len(telegram.chats[api_kwargs["chat_id"]])}

        return cast(Bot, Door())


async def test_two_senders_send_each_call_once_and_each_chat_in_order(
    db: Database, clock: ManualClock
) -> None:
    chats, each = 10, 5
    calls = [
        Call(chat, "sendMessage", {"chat_id": chat, "text": f"{chat}:{n}"})
        for n in range(each)
        for chat in range(1, chats + 1)
    ]
    async with db.transaction() as tx:
        await outbox.enqueue(tx, calls, clock.now())
    telegram = SharedTelegram()
    config = SenderConfig(per_chat_interval="0.001s", messages_per_second=30)  # type: ignore[arg-type]
    senders = [Sender(db, telegram.bot(name), clock, config, me=name) for name in ("one", "two")]
    running = [asyncio.create_task(s.run()) for s in senders]
    try:
        async with asyncio.timeout(60):
            while sum(map(len, telegram.chats.values())) < chats * each:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            while {s for s, _ in await counts(db)} != {"sent"}:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
    assert {chat: texts for chat, texts in telegram.chats.items()} == {
        chat: [f"{chat}:{n}" for n in range(each)] for chat in range(1, chats + 1)
    }  # each once, in order
    assert sum(telegram.by.values()) == chats * each


async def counts(db: Database) -> dict[tuple[str, outbox.Priority], int]:
    async with db.read() as tx:
        return await outbox.counts(tx)


async def test_a_sweep_runs_in_one_process_until_its_holder_stops_renewing(
    db: Database, clock: ManualClock
) -> None:
    runs: list[str] = []

    async def sweep(name: str) -> bool:
        async def job() -> None:
            runs.append(name)

        return await in_turn(db, "deadlines", name, clock, timedelta(seconds=90), job)

    for _ in range(3):  # every minute, in both processes
        assert await sweep("one")
        assert not await sweep("two")
        clock.advance(timedelta(seconds=60))
    clock.advance(timedelta(seconds=60))  # "one" was killed: its lease ends
    assert await sweep("two")
    assert not await sweep("one")  # restarted under its own old name, it waits its turn
    assert runs == ["one", "one", "one", "two"]


async def test_two_processes_share_the_bot_s_messages_per_second(
    db: Database, clock: ManualClock
) -> None:
    """Telegram counts the bot's messages, not a process's: with two senders alive each
    paces at half of ``messages_per_second``; once one is gone (its lease ended) the other
    has the whole budget again."""
    telegram = SharedTelegram()
    config = SenderConfig(messages_per_second=30)
    one = Sender(db, telegram.bot("one"), clock, config, me="one", lease=timedelta(seconds=60))
    two = Sender(db, telegram.bot("two"), clock, config, me="two", lease=timedelta(seconds=60))

    async def look(sender: Sender) -> int:
        task = asyncio.create_task(sender.run())  # one turn: renews, finds nothing, sleeps
        async with asyncio.timeout(30):
            while not sender.renewed:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return sender.processes

    assert await look(one) == 1  # alone
    assert await look(two) == 2  # "one" is alive: each sends 15 a second
    assert two.pace == 15
    clock.advance(timedelta(seconds=61))  # "one" was killed: its lease has ended
    fresh = Sender(db, telegram.bot("two"), clock, config, me="two", lease=timedelta(seconds=60))
    assert await look(fresh) == 1
    assert fresh.pace == 30
