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

from bot.calls import KEEP, Call
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
        if method in ("editMessageText", "editMessageReplyMarkup"):
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


async def settle(db: Database, clock: ManualClock, telegram: FakeTelegram, *calls: Call) -> None:
    """Deliver ``calls`` until none is pending (a strip may make no call at all)."""
    async with db.transaction() as tx:
        await outbox.enqueue(tx, list(calls), clock.now())
    config = SenderConfig(per_chat_interval="0.01s")  # type: ignore[arg-type]
    sender = Sender(db, cast(Bot, telegram), clock, config)
    running = asyncio.create_task(sender.run())

    async def pending() -> int:
        async with db.read() as tx:
            return sum(
                n for (status, _), n in (await outbox.counts(tx)).items() if status == "pending"
            )

    async with asyncio.timeout(60):
        while await pending() or sender.backlog:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running


def strip(keep: int | None = None) -> Call:
    params: dict[str, Any] = {"chat_id": CHAT}
    if keep is not None:
        params[KEEP] = keep
    return Call(CHAT, "editMessageReplyMarkup", params, request_id=REQUEST, topic="card")


def sent_card(text: str) -> Call:
    params = {"chat_id": CHAT, "text": text, "reply_markup": {"inline_keyboard": []}}
    return Call(CHAT, "sendMessage", params, request_id=REQUEST, topic="card")


async def test_a_card_sent_anew_takes_the_buttons_off_the_one_before(
    db: Database, clock: ManualClock
) -> None:
    telegram = FakeTelegram()
    await settle(db, clock, telegram, strip(), sent_card("新诉求"))
    await settle(db, clock, telegram, strip(), sent_card("村民补充"), card("已受理"))
    assert [(m, p.get("message_id"), p.get("text")) for m, p in telegram.made] == [
        ("sendMessage", None, "新诉求"),  # no card before it: nothing to strip
        ("editMessageReplyMarkup", 101, None),
        ("sendMessage", None, "村民补充"),
        ("editMessageText", 102, "已受理"),  # the edits go to the newest card
    ]
    assert all(KEEP not in p and "reply_markup" not in p for m, p in telegram.made[1:2])


async def test_a_strip_spares_the_card_about_to_be_edited_and_a_gone_one_is_let_be(
    db: Database, clock: ManualClock
) -> None:
    telegram = FakeTelegram()
    await settle(db, clock, telegram, sent_card("新诉求"))
    await settle(db, clock, telegram, strip(keep=101), card("已受理"))
    assert [m for m, _ in telegram.made] == ["sendMessage", "editMessageText"]

    class Gone(FakeTelegram):
        async def do_api_request(self, method: str, api_kwargs: dict[str, Any]) -> Any:
            if method == "editMessageReplyMarkup":
                self.made.append((method, api_kwargs))
                raise BadRequest("Message to edit not found")
            return await super().do_api_request(method, api_kwargs)

    gone = Gone()
    await settle(db, clock, gone, strip(), sent_card("村民补充"))
    assert [m for m, _ in gone.made] == ["editMessageReplyMarkup", "sendMessage"]
    async with db.read() as tx:
        assert not [k for k in await outbox.counts(tx) if k[0] == "failed"]


async def test_a_card_edited_to_the_same_text_stays_where_it_is(
    db: Database, clock: ManualClock
) -> None:
    """Telegram's "message is not modified" (which PTB hands on capitalised) is no reason
    to send the card again as a new message."""

    class Unchanged(FakeTelegram):
        async def do_api_request(self, method: str, api_kwargs: dict[str, Any]) -> Any:
            if method == "editMessageText" and api_kwargs["text"] == "村民补充":
                self.made.append((method, api_kwargs))
                raise BadRequest(
                    "Bad Request: message is not modified: specified new message content "
                    "and reply markup are exactly the same"
                )
            return await super().do_api_request(method, api_kwargs)

    telegram = Unchanged()
    await settle(db, clock, telegram, sent_card("村民补充"), card("村民补充"), card("村民补充"))
    assert [(m, p.get("message_id")) for m, p in telegram.made] == [
        ("sendMessage", None),
        ("editMessageText", 101),
        ("editMessageText", 101),
    ]
