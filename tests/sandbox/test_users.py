"""The test-side user API: pressing buttons, waiting for replies, blocking the bot."""

from __future__ import annotations

import asyncio

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest

from bot.sandbox import Sandbox

ACK = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("受理", callback_data="req:ack:7")],
        [InlineKeyboardButton("详情", url="https://example.org/7")],
    ]
)


async def test_a_press_yields_a_callback_query(bot: Bot, sandbox: Sandbox) -> None:
    cadre = sandbox.user(2001, "李书记")
    sent = await bot.send_message(2001, "新请求 #7", reply_markup=ACK)
    query_id = await cadre.press(sent.message_id, data="req:ack:7")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None
    assert (query.id, query.data) == (query_id, "req:ack:7")
    assert query.from_user.id == 2001
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert query.chat_instance
    assert await bot.answer_callback_query(query_id, text="已受理")
    assert cadre.callback_answers() == ["已受理"]


async def test_press_by_button_text_and_raw_data(bot: Bot, sandbox: Sandbox) -> None:
    cadre = sandbox.user(2001, "李书记")
    sent = await bot.send_message(2001, "新请求 #7", reply_markup=ACK)
    await cadre.press(cadre.last(), text="受理")
    await cadre.press_raw(sent.message_id, "req:close:999")
    updates = await bot.get_updates()
    assert [u.callback_query.data for u in updates if u.callback_query] == [
        "req:ack:7",
        "req:close:999",
    ]


async def test_pressing_a_missing_button_is_a_clear_lookup_error(
    bot: Bot, sandbox: Sandbox
) -> None:
    cadre = sandbox.user(2001, "李书记")
    sent = await bot.send_message(2001, "新请求 #7", reply_markup=ACK)
    with pytest.raises(LookupError, match=r"no button with data='req:ack:8'.*受理"):
        await cadre.press(sent.message_id, data="req:ack:8")
    with pytest.raises(LookupError, match="sends no callback_data"):
        await cadre.press(sent.message_id, text="详情")
    with pytest.raises(LookupError, match="no bot message 99"):
        await cadre.press(99, data="x")


async def test_old_or_unknown_queries_cannot_be_answered(bot: Bot, sandbox: Sandbox) -> None:
    cadre = sandbox.user(2001, "李书记")
    sent = await bot.send_message(2001, "新请求 #7", reply_markup=ACK)
    query_id = await cadre.press(sent.message_id, data="req:ack:7")
    sandbox.clock.advance(15 * 60 + 1)
    with pytest.raises(BadRequest, match=r"(?i)query is too old and response timeout expired"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):
        await bot.answer_callback_query("12345")


async def test_wait_for_wakes_on_the_bots_reply(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(1001, "王大爷")
    asked = await user.send_text("路灯坏了")
    waiting = asyncio.create_task(user.wait_for_text("已登记", after=asked["message_id"]))
    await bot.send_message(1001, "请求 #1 已登记")
    reply = await asyncio.wait_for(waiting, 5)
    assert reply["text"] == "请求 #1 已登记"


async def test_wait_for_sees_edits_and_ignores_older_messages(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(1001, "王大爷")
    old = await bot.send_message(1001, "已解决")
    mark = await user.send_text("好的")
    new = await bot.send_message(1001, "处理中")
    waiting = asyncio.create_task(user.wait_for_text("已解决", after=mark["message_id"]))
    await bot.edit_message_text("已解决", chat_id=1001, message_id=new.message_id)
    found = await asyncio.wait_for(waiting, 5)
    assert found["message_id"] == new.message_id != old.message_id
    assert user.messages()[-1]["text"] == "已解决"


async def test_a_wait_that_times_out_says_what_arrived(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(1001, "王大爷")
    await bot.send_message(1001, "请发送位置", reply_markup=ACK)
    with pytest.raises(TimeoutError, match=r"received:\n  #1: text '请发送位置' buttons=\['受理'"):
        await user.wait_for(lambda m: m["text"] == "谢谢", timeout=0.05)
    with pytest.raises(TimeoutError, match="no bot message after message 1"):
        await user.wait_for_text("谢谢", timeout=0.05, after=1)


async def test_blocking_makes_member_updates(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(1001, "王大爷")
    user.block()
    with pytest.raises(RuntimeError, match="blocked the bot"):
        await user.send_text("?")
    await user.start()  # the client's Restart button unblocks
    kicked, member, start = await bot.get_updates()
    assert kicked.my_chat_member is not None
    assert kicked.my_chat_member.new_chat_member.status == "kicked"
    assert member.my_chat_member is not None
    assert member.my_chat_member.new_chat_member.status == "member"
    assert start.message is not None
    assert start.message.text == "/start"


async def test_reply_keyboards_and_replies(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(1001, "王大爷")
    share = ReplyKeyboardMarkup([[KeyboardButton("分享位置", request_location=True), "取消"]])
    prompt = await bot.send_message(1001, "请分享位置", reply_markup=share)
    assert user.reply_keyboard() == [["分享位置", "取消"]]
    await bot.send_message(1001, "好", reply_markup=ReplyKeyboardRemove())
    assert user.reply_keyboard() is None
    reply = await user.reply_to(prompt.message_id, "在村口")
    assert reply["reply_to_message"]["text"] == "请分享位置"


async def test_the_same_id_gives_the_same_user(sandbox: Sandbox) -> None:
    assert sandbox.user(1001, "王大爷") is sandbox.user(1001, "别名")
    with pytest.raises(LookupError, match="sent nothing"):
        sandbox.user(1001, "王大爷").last()
