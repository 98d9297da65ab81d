"""Webhook mode: the sandbox pushes updates to the real bot process instead of serving getUpdates.

What it must keep from polling: an update is in the inbox before Telegram gets its 200
(so a crash right after the 200 loses nothing and answers once), and a request without
the secret token is refused and leaves nothing behind.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import aiohttp

from bot.sandbox.server import Sandbox
from tests.e2e.conftest import StartBot
from tests.e2e.harness import database_of
from tests.e2e.support import copies, replying_to

SECRET = "e2e-webhook-secret_42"
HOOK_PATH = "/telegram/hook"
SELECT_LANE = "SELECT update_id, status, payload FROM inbox WHERE lane = ? ORDER BY update_id"
SELECT_UPDATE = "SELECT status FROM inbox WHERE update_id = ?"
COUNT_INBOX = "SELECT count(*) FROM inbox"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_section(port: int, secret: str | None = SECRET) -> str:
    line = f'secret_token = "{secret}"' if secret is not None else ""
    return f"""
[webhook]
listen = "127.0.0.1"
port = {port}
path = "{HOOK_PATH}"
public_url = "http://127.0.0.1:{port}{HOOK_PATH}"
{line}
"""


async def start_in_webhook_mode(start_bot: StartBot, secret: str | None = SECRET) -> str:
    """Start the bot in webhook mode; returns the URL it listens on."""
    port = free_port()
    await start_bot(mode="webhook", extra=webhook_section(port, secret))
    return f"http://127.0.0.1:{port}{HOOK_PATH}"


async def test_a_villager_is_answered_in_webhook_mode(
    sandbox: Sandbox, start_bot: StartBot
) -> None:
    url = await start_in_webhook_mode(start_bot)
    villager = sandbox.user(1001, "王秀英")
    await villager.start()
    greeting = await villager.wait_for_text("王秀英")
    assert "连心" in greeting["text"]
    sent = await villager.send_text("村口的路灯坏了")
    answer = await villager.wait_for(replying_to(sent["message_id"]))
    assert "还没有绑定联系卡" in answer["text"]

    hook = sandbox.state.updates.webhook
    assert hook is not None
    assert hook.url == url
    assert hook.secret_token == SECRET
    assert sandbox.stats.calls["getUpdates"] == 0  # pushed, never polled
    assert sandbox.webhook_deliveries == 2


async def test_an_update_is_stored_before_the_200_and_answered_once_after_a_crash(
    sandbox: Sandbox, start_bot: StartBot
) -> None:
    port = free_port()
    bot = await start_bot(mode="webhook", extra=webhook_section(port))
    villager = sandbox.user(1001, "王秀英")
    await villager.start()
    await villager.wait_for_text("王秀英")  # the bot is up and answering

    # The answer's first attempt fails, so it cannot leave before the kill below.
    sandbox.fail_next(1, 500, "sendMessage")
    delivered = sandbox.webhook_deliveries
    sent = await villager.send_text("有人吗？")

    def taken() -> bool:
        return sandbox.webhook_deliveries > delivered

    await sandbox.wait_until(taken)
    await bot.kill()  # SIGKILL right after the bot answered 200

    rows = await inbox_rows(bot.config, villager.user_id)
    assert sent["message_id"] in [message_id for message_id, _ in rows]
    assert sandbox.pending_updates() == 0  # Telegram will not deliver it again

    await bot.start()
    await villager.wait_for(replying_to(sent["message_id"]))
    later = await villager.send_text("路灯坏了")
    await villager.wait_for(replying_to(later["message_id"]))  # the lane is in order
    assert copies(villager, sent["message_id"]) == 1
    statuses = dict(await inbox_rows(bot.config, villager.user_id))
    assert statuses[sent["message_id"]] == "done"


async def test_a_restarted_bot_sends_the_answer_its_killed_predecessor_was_sending_at_once(
    sandbox: Sandbox, start_bot: StartBot
) -> None:
    """Killed after the update was handled, with the answer's first attempt refused: the
    answer waits in the outbox, leased to the dead process. Its restart takes it at once
    (SQLite: the file is its alone; PostgreSQL: the dead process has no session left),
    not when the lease ends (60 s, more than ``wait_for`` waits), and sends it once."""
    port = free_port()
    bot = await start_bot(mode="webhook", extra=webhook_section(port))
    villager = sandbox.user(1001, "王秀英")
    await villager.start()
    await villager.wait_for_text("王秀英")

    sandbox.fail_next(1, 500, "sendMessage")
    failures = sandbox.stats.injected_failures
    sent = await villager.send_text("有人吗？")

    def refused() -> bool:
        return sandbox.stats.injected_failures > failures

    await sandbox.wait_until(refused)
    await bot.kill()  # before its retry (2 s later): the answer is in the outbox, leased

    await bot.start()
    await villager.wait_for(replying_to(sent["message_id"]))
    assert copies(villager, sent["message_id"]) == 1
    assert dict(await inbox_rows(bot.config, villager.user_id))[sent["message_id"]] == "done"


async def test_a_wrong_secret_token_is_refused_and_nothing_is_stored(
    sandbox: Sandbox, start_bot: StartBot, tmp_path: Path
) -> None:
    url = await start_in_webhook_mode(start_bot)
    villager = sandbox.user(1001, "王秀英")
    await villager.start()
    await villager.wait_for_text("王秀英")  # the bot is up and answering
    forged = {
        "update_id": 987_654_321,
        "message": {
            "message_id": 77,
            "date": sandbox.clock.unix(),
            "from": villager.info.as_user(),
            "chat": villager.info.as_chat(),
            "text": "假的更新",
        },
    }
    config = tmp_path / "config.toml"
    before = await scalar(config, COUNT_INBOX)

    async with aiohttp.ClientSession() as session:
        for headers in ({"X-Telegram-Bot-Api-Secret-Token": "not-the-secret"}, {}):
            async with session.post(url, json=forged, headers=headers) as response:
                assert response.status in (401, 403)
        assert await scalar(config, COUNT_INBOX) == before
        assert await scalar(config, SELECT_UPDATE, forged["update_id"]) is None

        # The same request with the right secret is taken: the refusal was the secret's.
        answers = len(villager.messages())
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with session.post(url, json=forged, headers=headers) as response:
            assert response.status == 200
    assert await scalar(config, SELECT_UPDATE, forged["update_id"]) is not None

    def answered() -> bool:
        return len(villager.messages()) > answers

    await sandbox.wait_until(answered)  # and handled, like any update


async def test_without_a_configured_secret_a_random_one_refuses_forged_updates(
    sandbox: Sandbox, start_bot: StartBot, tmp_path: Path
) -> None:
    """No ``secret_token`` in the file: the bot makes one, registers it with setWebhook,
    and a post without it (or with a guess) acts as nobody."""
    url = await start_in_webhook_mode(start_bot, secret=None)
    villager = sandbox.user(1001, "王秀英")
    await villager.start()
    await villager.wait_for_text("王秀英")  # Telegram's own calls carry the secret
    hook = sandbox.state.updates.webhook
    assert hook is not None
    assert hook.secret_token is not None
    assert len(hook.secret_token) >= 32
    forged = {
        "update_id": 987_654_322,
        "message": {
            "message_id": 78,
            "date": sandbox.clock.unix(),
            "from": villager.info.as_user(),
            "chat": villager.info.as_chat(),
            "text": "/start",
        },
    }
    config = tmp_path / "config.toml"
    before = await scalar(config, COUNT_INBOX)
    answers = len(villager.messages())
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {SECRET_KEY: ""}, {SECRET_KEY: SECRET}):
            async with session.post(url, json=forged, headers=headers) as response:
                assert response.status == 403
    assert await scalar(config, COUNT_INBOX) == before
    assert await scalar(config, SELECT_UPDATE, forged["update_id"]) is None
    later = await villager.send_text("还在吗")  # the real updates still come through
    await villager.wait_for(replying_to(later["message_id"]))
    assert len(villager.messages()) == answers + 1  # the forged /start got no answer


SECRET_KEY = "X-Telegram-Bot-Api-Secret-Token"


async def inbox_rows(config: Path, lane: int) -> list[tuple[int, str]]:
    """(message_id, status) of each stored update in the villager's chat."""
    async with database_of(config) as db, db.read() as tx:
        rows = await tx.fetchall(SELECT_LANE, (lane,))
    return [(int(json.loads(r["payload"])["message"]["message_id"]), r["status"]) for r in rows]


async def scalar(config: Path, sql: str, *params: object) -> Any:
    async with database_of(config) as db, db.read() as tx:
        return await tx.scalar(sql, params)
