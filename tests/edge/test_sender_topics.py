"""A request's case card is kept up to date in place: an edit with a topic is made to the
last message sent with it, a chat that has none gets it as a new message, and a card
Telegram no longer lets us edit comes again as a new one. Every message about a request
is remembered, so a swipe-reply to it finds the request."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest
from telegram import Bot
from telegram.error import BadRequest

from bot.calls import Call
from bot.clock import ManualClock
from bot.config import SenderConfig
from bot.edge.sender import Sender
from storage import outbox
from storage.db import Database

CHAT = 7
REQUEST = 41


class FakeTelegram:
    """Numbers the messages it is sent; refuses to edit the ones in ``too_old``."""

    def __init__(self) -> None:
        self.made: list[tuple[str, dict[str, Any]]] = []
        self.too_old: set[int] = set()
        self.next_id = 100

    async def do_api_request(self, method: str, api_kwargs: dict[str, Any]) -> dict[str, Any]:
        self.made.append((method, api_kwargs))
        if method == "editMessageText":
            if api_kwargs["message_id"] in self.too_old:
                raise BadRequest("Message can't be edited")
            return {"message_id": api_kwargs["message_id"]}
        self.next_id += 1
        return {"message_id": self.next_id}


def card(text: str) -> Call:
    params = {"chat_id": CHAT, "text": text}
    return Call(CHAT, "editMessageText", params, request_id=REQUEST, topic="card")


async def deliver(db: Database, clock: ManualClock, telegram: FakeTelegram, *calls: Call) -> None:
    async with db.transaction() as tx:
        await outbox.enqueue(tx, list(calls), clock.now())
    config = SenderConfig(per_chat_interval="0.01s")  # type: ignore[arg-type]
    sender = Sender(db, cast(Bot, telegram), clock, config)
    running = asyncio.create_task(sender.run())
    async with asyncio.timeout(60):
        while len(telegram.made) < len(calls) or sender.backlog:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running


async def test_the_first_card_is_sent_and_the_next_ones_edit_it(
    db: Database, clock: ManualClock
) -> None:
    telegram = FakeTelegram()
    await deliver(db, clock, telegram, card("新诉求"), card("已响应"))
    assert [(m, p.get("message_id"), p["text"]) for m, p in telegram.made] == [
        ("sendMessage", None, "新诉求"),
        ("editMessageText", 101, "已响应"),
    ]


async def test_a_card_that_can_no_longer_be_edited_comes_again_as_a_new_message(
    db: Database, clock: ManualClock
) -> None:
    telegram = FakeTelegram()
    await deliver(db, clock, telegram, card("新诉求"))
    telegram.too_old.add(101)
    await deliver(db, clock, telegram, card("已逾期"), card("已办结"))
    assert [(m, p.get("message_id"), p["text"]) for m, p in telegram.made[1:]] == [
        ("editMessageText", 101, "已逾期"),
        ("sendMessage", None, "已逾期"),
        ("editMessageText", 102, "已办结"),
    ]


async def test_every_message_about_a_request_finds_it_again(
    db: Database, clock: ManualClock
) -> None:
    telegram = FakeTelegram()
    about = Call(CHAT, "sendMessage", {"chat_id": CHAT, "text": "回执"}, request_id=REQUEST)
    other = Call(CHAT, "sendMessage", {"chat_id": CHAT, "text": "帮助"})
    await deliver(db, clock, telegram, about, other)
    async with db.read() as tx:
        store = outbox.Outbox(tx)
        assert await store.request_of_message(CHAT, 101) == REQUEST
        assert await store.request_of_message(CHAT, 102) is None
        assert await store.request_of_message(CHAT + 1, 101) is None
        assert await store.messages_about(CHAT, REQUEST) == [101]
