"""A thin JSON control API for drivers in another process (the demo, benchmarks).

It mirrors the in-process user API: ``POST /_sandbox/users/{id}/{action}``
performs one action as that user (creating the user on first use, with the
names given in the body), and ``GET /_sandbox/chats/{id}/messages?after=N``
reads what the bot sent. Nothing here holds rules of its own.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.sandbox.files import TINY_OGG, TINY_PNG
from bot.sandbox.state import SandboxState
from bot.sandbox.users import SandboxUser, UserDirectory

Action = Callable[[SandboxUser, dict[str, Any]], Awaitable[Any]]


async def _text(user: SandboxUser, body: dict[str, Any]) -> Any:
    return await user.send_text(str(body["text"]))


async def _start(user: SandboxUser, body: dict[str, Any]) -> Any:
    payload = body.get("payload")
    return await user.start(str(payload) if payload else None)


async def _photo(user: SandboxUser, body: dict[str, Any]) -> Any:
    return await user.send_photo(_data(body, TINY_PNG), body.get("caption"))


async def _voice(user: SandboxUser, body: dict[str, Any]) -> Any:
    return await user.send_voice(_data(body, TINY_OGG), int(body.get("duration", 3)))


async def _location(user: SandboxUser, body: dict[str, Any]) -> Any:
    live = body.get("live_period")
    return await user.send_location(
        float(body["latitude"]),
        float(body["longitude"]),
        live_period=int(live) if live is not None else None,
    )


async def _contact(user: SandboxUser, body: dict[str, Any]) -> Any:
    user_id = body.get("user_id")
    return await user.send_contact(
        str(body["phone_number"]),
        body.get("first_name"),
        user_id=int(user_id) if user_id is not None else None,
    )


async def _press(user: SandboxUser, body: dict[str, Any]) -> Any:
    message_id = int(body["message_id"])
    query_id = await user.press(message_id, data=body.get("data"), text=body.get("text"))
    return {"query_id": query_id}


ACTIONS: dict[str, Action] = {
    "text": _text,
    "start": _start,
    "photo": _photo,
    "voice": _voice,
    "location": _location,
    "contact": _contact,
    "press": _press,
}


def _data(body: dict[str, Any], default: bytes) -> bytes:
    encoded = body.get("data_base64")
    return base64.b64decode(encoded) if encoded else default


class ControlApi:
    """The ``/_sandbox/`` routes over one sandbox's users and chats."""

    def __init__(self, state: SandboxState, users: UserDirectory) -> None:
        self._state = state
        self._users = users

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/_sandbox/users/{user_id}/{action}", self._user_action),
            web.get("/_sandbox/chats/{chat_id}/messages", self._messages),
        ]

    async def _user_action(self, request: web.Request) -> web.Response:
        action = ACTIONS.get(request.match_info["action"])
        if action is None:
            return _error(404, f"unknown action {request.match_info['action']!r}")
        try:
            body = await request.json() if request.can_read_body else {}
            if not isinstance(body, dict):
                raise TypeError("the body must be a JSON object")
            user = self._user(int(request.match_info["user_id"]), body)
            result = await action(user, body)
        except KeyError as exc:
            return _error(400, f"bad request: missing {exc}")
        except LookupError as exc:
            return _error(404, str(exc))
        except RuntimeError as exc:
            return _error(409, str(exc))
        except (ValueError, TypeError) as exc:
            return _error(400, f"bad request: {exc}")
        return web.json_response({"ok": True, "result": result})

    def _user(self, user_id: int, body: dict[str, Any]) -> SandboxUser:
        return self._users.user(
            user_id,
            str(body.get("first_name") or f"User {user_id}"),
            last_name=body.get("last_name"),
            username=body.get("username"),
            language_code=body.get("language_code", "zh"),
        )

    async def _messages(self, request: web.Request) -> web.Response:
        try:
            chat_id = int(request.match_info["chat_id"])
            after = int(request.query["after"]) if "after" in request.query else None
        except ValueError as exc:
            return _error(400, f"bad request: {exc}")
        chat = self._state.chats.get(chat_id)
        if chat is None:
            return _error(404, f"no chat {chat_id}")
        return web.json_response({"ok": True, "result": chat.bot_messages(after)})


def _error(status: int, description: str) -> web.Response:
    return web.json_response({"ok": False, "description": description}, status=status)
