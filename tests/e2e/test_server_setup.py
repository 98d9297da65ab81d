"""What a server clerk and a villager see of a freshly started bot: the descriptions an
empty chat shows, /healthz in webhook mode, and the console hint to the administrator."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from bot.i18n import t
from bot.sandbox.server import Sandbox
from storage import meta
from tests.e2e.conftest import StartBot
from tests.e2e.harness import RUNNING, database_of
from tests.e2e.test_webhook_mode import free_port, webhook_section

ADMIN = 9001
HINT = "管理员 9001 还没有和机器人说过话"


async def healthz(port: int) -> tuple[int, dict[str, Any]]:
    """GET /healthz once the bot listens (it is starting meanwhile)."""
    url = f"http://127.0.0.1:{port}/healthz"
    async with asyncio.timeout(60), aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(url) as response:
                    return response.status, await response.json()
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)  # not listening yet: poll the condition


async def test_webhook_mode_reports_health_and_the_bot_describes_itself(
    sandbox: Sandbox, start_bot: StartBot
) -> None:
    port = free_port()
    await start_bot(mode="webhook", extra=webhook_section(port))
    status, body = await healthz(port)
    assert (status, body["verdict"], body["inbox_waiting"]) == (200, "ok", 0)

    descriptions = sandbox.state.descriptions
    await sandbox.wait_until(lambda: len(descriptions) == 4)
    assert descriptions == {
        ("description", ""): t("zh", "bot.description"),
        ("short_description", ""): t("zh", "bot.short_description"),
        ("description", "en"): t("en", "bot.description"),
        ("short_description", "en"): t("en", "bot.short_description"),
    }
    assert "扫描联系卡" in descriptions[("description", "")]


async def test_an_administrator_who_never_wrote_is_told_how_to_start_the_bot(
    sandbox: Sandbox, start_bot: StartBot
) -> None:
    bot = await start_bot(admins=(ADMIN,))
    await sandbox.wait_until(lambda: RUNNING in bot.log_text(), timeout=60)
    hint = next(line for line in bot.log_text().splitlines() if HINT in line)
    # The username is remembered for ``lianxin cards`` on the server (no token, no option).
    async with database_of(bot.config) as db, db.read() as tx:
        assert await meta.get(tx, meta.BOT_USERNAME) == sandbox.state.bot_username
    assert hint.endswith(
        f"请在 Telegram 打开 https://t.me/{sandbox.state.bot_username} 并发送 /start，"
        "否则收不到管理员通知"
    )
    admin = sandbox.user(ADMIN, "张主任")
    await admin.start()
    await admin.wait_for_text("连心")
    assert await bot.stop() == 0
    await bot.start()
    await sandbox.wait_until(lambda: bot.log_text().count(RUNNING) == 2, timeout=60)
    assert bot.log_text().count(HINT) == 1  # not again: the administrator has written
