"""Webhook delivery: the secret header, order, retries after errors, and the 409 for polling."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import Conflict

from bot.sandbox import Sandbox


@dataclass
class Receiver:
    """A little webhook server that fails its first ``failures`` deliveries."""

    failures: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[str | None] = field(default_factory=list)
    attempts: int = 0
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if self.attempts <= self.failures:
            return web.Response(status=500)
        self.secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        self.received.append(await request.json())
        return web.Response(text="ok")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    target = Receiver()
    app = web.Application()
    app.router.add_post("/hook", target.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    target.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield target
    await runner.cleanup()


async def test_updates_are_posted_in_order_with_the_secret(
    bot: Bot, sandbox: Sandbox, receiver: Receiver
) -> None:
    user = sandbox.user(1001, "王大爷")
    await bot.set_webhook(receiver.url, secret_token="s3cret")
    await user.send_text("一")
    await user.send_text("二")
    await sandbox.wait_until(lambda: len(receiver.received) == 2, timeout=5)
    assert [u["message"]["text"] for u in receiver.received] == ["一", "二"]
    assert receiver.secrets == ["s3cret", "s3cret"]
    assert sandbox.pending_updates() == 0
    assert (await bot.get_webhook_info()).url == receiver.url


async def test_a_failed_delivery_is_retried(
    bot: Bot, sandbox: Sandbox, receiver: Receiver
) -> None:
    receiver.failures = 2
    user = sandbox.user(1001, "王大爷")
    await bot.set_webhook(receiver.url)
    await user.send_text("坚持")
    await sandbox.wait_until(lambda: len(receiver.received) == 1, timeout=5)
    assert receiver.attempts == 3
    assert receiver.received[0]["message"]["text"] == "坚持"
    info = await bot.get_webhook_info()
    assert info.last_error_message is not None
    assert "500" in info.last_error_message
    assert sandbox.webhook_deliveries == 1


async def test_get_updates_conflicts_with_a_webhook(
    bot: Bot, sandbox: Sandbox, receiver: Receiver
) -> None:
    await bot.set_webhook(receiver.url)
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_drop_pending_updates(bot: Bot, sandbox: Sandbox, receiver: Receiver) -> None:
    user = sandbox.user(1001, "王大爷")
    await user.send_text("旧的")
    await bot.delete_webhook(drop_pending_updates=True)
    assert sandbox.pending_updates() == 0
    assert (await bot.get_webhook_info()).pending_update_count == 0
