"""Flood limits: one message a second per chat, a bot-wide rate, 429 with retry_after."""

from __future__ import annotations

import asyncio
import datetime as dtm

import pytest
from telegram.error import RetryAfter

from bot.sandbox.ratelimit import RateLimiter, is_rate_limited
from tests.sandbox.conftest import SandboxFactory, bot_for


async def test_two_messages_to_one_chat_within_a_second_get_429(
    make_sandbox: SandboxFactory,
) -> None:
    sandbox = await make_sandbox()
    user = sandbox.user(1001, "王大爷")
    async with bot_for(sandbox) as bot:
        await bot.send_message(1001, "一")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(1001, "二")
        await bot.send_chat_action(1001, "typing")  # chat actions are not counted
    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    assert sandbox.stats.too_many_requests == 1
    assert [m["text"] for m in user.messages()] == ["一"]  # the rejected one was not delivered
    assert len(sandbox.sent) == 1


async def test_edits_count_against_the_chat(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox()
    sandbox.user(1001, "王大爷")
    async with bot_for(sandbox) as bot:
        sent = await bot.send_message(1001, "一")
        with pytest.raises(RetryAfter):
            await bot.edit_message_text("二", chat_id=1001, message_id=sent.message_id)


async def test_the_global_rate_spans_chats(make_sandbox: SandboxFactory) -> None:
    sandbox = await make_sandbox(global_rate=3)
    for user_id in range(1, 5):
        sandbox.user(user_id, f"村民{user_id}")
    async with bot_for(sandbox) as bot:
        for user_id in range(1, 4):
            await bot.send_message(user_id, "通知")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(4, "通知")
    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    assert sandbox.stats.too_many_requests == 1
    assert sandbox.stats.calls["sendMessage"] == 4


async def test_a_rejected_send_goes_through_once_the_window_passes(
    make_sandbox: SandboxFactory,
) -> None:
    sandbox = await make_sandbox(rate_window=0.2)
    user = sandbox.user(1001, "王大爷")
    async with bot_for(sandbox) as bot:
        await bot.send_message(1001, "一")
        with pytest.raises(RetryAfter):
            await bot.send_message(1001, "二")
        await asyncio.sleep(0.25)
        await bot.send_message(1001, "二")
    assert [m["text"] for m in user.messages()] == ["一", "二"]


def test_sliding_window_counts_only_recent_sends() -> None:
    now = [100.0]
    limiter = RateLimiter(global_rate=2, per_chat_rate=1, window=1.0, now=lambda: now[0])
    assert limiter.check(1) == 0
    limiter.record(1)
    assert limiter.check(1) == 1  # per chat
    assert limiter.check(2) == 0
    limiter.record(2)
    now[0] = 100.5
    assert limiter.check(3) == 1  # globally two in the last second
    now[0] = 101.01
    assert limiter.check(1) == 0
    assert limiter.check(3) == 0


def test_sliding_window_rounds_long_waits_up() -> None:
    now = [0.0]
    limiter = RateLimiter(global_rate=30, per_chat_rate=1, window=3.0, now=lambda: now[0])
    limiter.record(1)
    now[0] = 0.5
    assert limiter.check(1) == 3  # 2.5 s left, rounded up


@pytest.mark.parametrize(
    ("method", "counted"),
    [
        ("sendMessage", True),
        ("sendPhoto", True),
        ("editMessageText", True),
        ("copyMessage", True),
        ("forwardMessage", True),
        ("sendChatAction", False),
        ("answerCallbackQuery", False),
        ("getUpdates", False),
        ("getFile", False),
        ("setMyCommands", False),
    ],
)
def test_which_methods_count(method: str, counted: bool) -> None:
    assert is_rate_limited(method) is counted
