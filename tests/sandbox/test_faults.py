"""Injected failures and latency, as PTB experiences them."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter

from bot.sandbox import Sandbox


async def test_a_502_is_a_network_error_and_then_things_work(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.user(1001, "王大爷")
    sandbox.fail_next(1, 502)
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(1001, "一")
    assert type(caught.value) is NetworkError
    assert sandbox.sent == []
    await bot.send_message(1001, "一")
    assert sandbox.stats.injected_failures == 1


async def test_failures_can_target_one_method(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(1001, "王大爷")
    sandbox.fail_next(2, 500, method="sendMessage")
    await bot.get_me()
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(1001, "一")
    await bot.send_message(1001, "二")
    assert [m["text"] for m in user.messages()] == ["二"]
    assert sandbox.stats.injected_failures == 2


async def test_an_injected_429_carries_retry_after(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.user(1001, "王大爷")
    sandbox.fail_next(1, 429)
    with pytest.raises(RetryAfter):
        await bot.send_message(1001, "一")


async def test_delay_slows_every_response(bot: Bot, sandbox: Sandbox) -> None:
    loop = asyncio.get_running_loop()
    sandbox.delay(0.2)
    began = loop.time()
    await bot.get_me()
    assert loop.time() - began >= 0.2
    sandbox.delay(0)
    began = loop.time()
    await bot.get_me()
    assert loop.time() - began < 0.2


def test_fail_next_refuses_nonsense(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="n >= 1"):
        sandbox.fail_next(0)
    with pytest.raises(ValueError, match="HTTP error status"):
        sandbox.fail_next(1, 200)


async def test_a_lost_answer_still_delivers_the_message(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(1001, "王大爷")
    sandbox.fail_next(1, 502, method="sendMessage", after_send=True)
    with pytest.raises(NetworkError):
        await bot.send_message(1001, "请求 #1 已登记")
    assert [m["text"] for m in user.messages()] == ["请求 #1 已登记"]
    assert len(sandbox.sent) == 1
