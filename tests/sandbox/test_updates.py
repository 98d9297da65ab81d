"""getUpdates as Telegram serves it: long polls, offsets that forget, filters, conflicts."""

from __future__ import annotations

import asyncio
import datetime as dtm

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Conflict

from bot.sandbox import Sandbox
from tests.sandbox.conftest import bot_for


async def test_a_long_poll_returns_as_soon_as_a_user_writes(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(1001, "王大爷")
    loop = asyncio.get_running_loop()
    began = loop.time()
    poll = asyncio.create_task(bot.get_updates(timeout=20))
    await sandbox.wait_until(lambda: sandbox.stats.calls["getUpdates"] == 1)
    await user.send_text("水管漏了")
    updates = await asyncio.wait_for(poll, 5)
    assert loop.time() - began < 2
    assert [u.message.text for u in updates if u.message] == ["水管漏了"]


async def test_a_long_poll_without_updates_times_out_empty(bot: Bot) -> None:
    assert await bot.get_updates(timeout=dtm.timedelta(seconds=0.2)) == ()


async def test_confirmed_updates_are_forgotten_forever(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(1001, "王大爷")
    for text in ("一", "二", "三"):
        await user.send_text(text)
    first = await bot.get_updates()
    assert [u.update_id for u in first] == [10001, 10002, 10003]
    assert sandbox.pending_updates() == 3  # fetched is not confirmed
    rest = await bot.get_updates(offset=first[1].update_id)
    assert [u.message.text for u in rest if u.message] == ["二", "三"]
    again = await bot.get_updates()
    assert [u.update_id for u in again] == [10002, 10003]
    await bot.get_updates(offset=again[-1].update_id + 1)
    assert sandbox.pending_updates() == 0


async def test_negative_offset_keeps_only_the_last_updates(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(1001, "王大爷")
    for text in ("一", "二", "三"):
        await user.send_text(text)
    last = await bot.get_updates(offset=-1)
    assert [u.message.text for u in last if u.message] == ["三"]
    assert sandbox.pending_updates() == 1


async def test_limit(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(1001, "王大爷")
    for text in ("一", "二", "三"):
        await user.send_text(text)
    assert len(await bot.get_updates(limit=2)) == 2


async def test_allowed_updates_filters_new_updates(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(1001, "王大爷")
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("好", callback_data="ok")]])
    sent = await bot.send_message(1001, "?", reply_markup=buttons)
    await bot.get_updates(allowed_updates=["message"])
    await user.press(sent.message_id, data="ok")
    await user.send_text("文字")
    updates = await bot.get_updates()
    assert [u.message is not None for u in updates] == [True]


async def test_a_second_poller_ends_the_first_with_conflict(sandbox: Sandbox) -> None:
    async with bot_for(sandbox) as first, bot_for(sandbox) as second:
        poll = asyncio.create_task(first.get_updates(timeout=20))
        await sandbox.wait_until(lambda: sandbox.stats.calls["getUpdates"] == 1)
        await second.get_updates(timeout=0)
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(poll, 5)


async def test_user_messages_are_proper_updates(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(1001, "王大爷", username="wang", language_code="zh-hans")
    await user.start("card_42")
    await user.command("help", "me")
    await user.send_location(25.04, 102.71)
    await user.send_contact("13800000000", user_id=user.id)
    await user.send_sticker()
    updates = await bot.get_updates()
    start, help_, location, contact, sticker = (u.message for u in updates)
    assert start is not None
    assert start.text == "/start card_42"
    assert start.parse_entities() == {start.entities[0]: "/start"}
    assert start.from_user is not None
    assert start.from_user.language_code == "zh-hans"
    assert help_ is not None
    assert help_.text == "/help me"
    assert location is not None
    assert location.location is not None
    assert location.location.latitude == pytest.approx(25.04)
    assert contact is not None
    assert contact.contact is not None
    assert contact.contact.user_id == 1001
    assert sticker is not None
    assert sticker.sticker is not None
    assert [u.message.message_id for u in updates if u.message] == [1, 2, 3, 4, 5]


async def test_deep_link_payloads_are_checked(sandbox: Sandbox) -> None:
    user = sandbox.user(1001, "王大爷")
    with pytest.raises(ValueError, match="deep-link payload"):
        await user.start("has space")
