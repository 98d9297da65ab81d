"""The HTTP control API for drivers in another process, and exact wire answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.sandbox import Sandbox


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def post(http: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> Any:
    async with http.post(url, json=body) as response:
        return response.status, await response.json()


async def test_a_driver_plays_a_user(
    bot: Bot, sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    users = f"{sandbox.url}/_sandbox/users/1001"
    status, started = await post(http, f"{users}/start", {"payload": "card_7", "first_name": "王"})
    assert status == 200
    assert started["result"]["text"] == "/start card_7"
    await post(http, f"{users}/text", {"text": "路灯坏了"})
    await post(http, f"{users}/location", {"latitude": 25.0, "longitude": 102.7})
    await post(http, f"{users}/photo", {"caption": "照片"})
    await post(http, f"{users}/voice", {"duration": 4})
    await post(http, f"{users}/contact", {"phone_number": "138", "user_id": 1001})
    assert len(await bot.get_updates()) == 6

    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("确认", callback_data="req:ok:1")]])
    sent = await bot.send_message(1001, "已解决?", reply_markup=buttons)
    status, pressed = await post(
        http, f"{users}/press", {"message_id": sent.message_id, "data": "req:ok:1"}
    )
    assert status == 200
    assert pressed["result"]["query_id"]

    async with http.get(f"{sandbox.url}/_sandbox/chats/1001/messages?after=6") as response:
        listed = await response.json()
    assert [m["text"] for m in listed["result"]] == ["已解决?"]


async def test_driver_errors_are_plain(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    users = f"{sandbox.url}/_sandbox/users/1001"
    assert (await post(http, f"{users}/text", {}))[0] == 400
    assert (await post(http, f"{users}/dance", {}))[0] == 404
    assert (await post(http, f"{users}/press", {"message_id": 5, "data": "x"}))[0] == 404
    async with http.get(f"{sandbox.url}/_sandbox/chats/77/messages") as response:
        assert response.status == 404


async def test_wire_format_matches_telegram(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    api = f"{sandbox.base_url}{sandbox.token}"
    sandbox.user(1001, "王大爷")
    status, body = await post(http, f"{api}/sendMessage", {"chat_id": 1001, "text": ""})
    assert status == 400
    assert body == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message text is empty",
    }
    status, body = await post(http, f"{api}/nope", {})
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    status, body = await post(http, f"{sandbox.base_url}1:x/getMe", {})
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    async with http.get(f"{api}/getme") as response:
        assert (await response.json())["result"]["id"] == 123456
    status, body = await post(http, f"{api}/sendMessage", {"chat_id": "1001", "text": "JSON"})
    assert status == 200
    assert body["result"]["chat"]["id"] == 1001
