"""Playing Telegram users: villagers and cadres talking to the bot.

A :class:`SandboxUser` does what a person does in their private chat with the
bot (type, tap a deep link, send a photo or a voice note, share a location,
press a button, block the bot) and each action becomes the Update Telegram
would deliver, queued for getUpdates or pushed to the webhook. Reading the
chat is inherited from :class:`~bot.sandbox.chat_view.ChatView`.
"""

from __future__ import annotations

import copy
import re
import secrets
from typing import Any

from bot.sandbox.chat_view import ChatView
from bot.sandbox.chats import UserInfo
from bot.sandbox.files import TINY_MP4, TINY_OGG, TINY_PNG, media_object, photo_sizes
from bot.sandbox.markup import detect_entities, utf16_len
from bot.sandbox.state import CallbackQuery, SandboxState

_DEEP_LINK_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class SandboxUser(ChatView):
    """One person in their private chat with the bot."""

    # --- typing ---------------------------------------------------------------------

    async def send_text(self, text: str) -> dict[str, Any]:
        """Type and send ``text`` (commands and links get their entities, as in a client)."""
        return self._send(_with_entities({"text": text}, "text", "entities"))

    async def command(self, name: str, args: str = "") -> dict[str, Any]:
        """Send ``/name args``, always with a bot_command entity at offset 0."""
        text = f"/{name} {args}" if args else f"/{name}"
        found = detect_entities(text)
        if not found or found[0]["offset"] != 0:
            command = {"type": "bot_command", "offset": 0, "length": utf16_len(f"/{name}")}
            found.insert(0, command)
        return self._send({"text": text, "entities": found})

    async def start(self, payload: str | None = None) -> dict[str, Any]:
        """Open the bot (from a ``t.me/<bot>?start=<payload>`` link when ``payload`` is given).

        Like the client's Restart button, this also unblocks a blocked bot.
        """
        if payload is not None and not _DEEP_LINK_PAYLOAD.match(payload):
            raise ValueError(f"Telegram refuses deep-link payload {payload!r}")
        if self._chat.blocked:
            self.unblock()
        return await self.send_text(f"/start {payload}" if payload else "/start")

    async def reply_to(self, message_id: int, text: str) -> dict[str, Any]:
        """Reply to a message of this chat with ``text``."""
        target = self._chat.get(message_id)
        if target is None:
            raise LookupError(f"no message {message_id} in chat {self.id}")
        replied = copy.deepcopy(target)
        replied.pop("reply_to_message", None)
        content = _with_entities({"text": text}, "text", "entities")
        return self._send({**content, "reply_to_message": replied})

    # --- attachments ----------------------------------------------------------------

    async def send_photo(
        self, data: bytes = TINY_PNG, caption: str | None = None
    ) -> dict[str, Any]:
        """Send a photo; Telegram makes two sizes of it."""
        stored = self._state.files.add("photo", data, _image_mime(data))
        return self._send(_captioned({"photo": photo_sizes(self._state.files, stored)}, caption))

    async def send_voice(self, data: bytes = TINY_OGG, duration: int = 3) -> dict[str, Any]:
        """Send a voice note (what villagers who cannot type do)."""
        stored = self._state.files.add("voice", data, "audio/ogg")
        voice = media_object(stored, with_name=False, duration=duration)
        return self._send({"voice": voice})

    async def send_video(
        self,
        data: bytes = TINY_MP4,
        *,
        duration: int = 5,
        width: int = 640,
        height: int = 360,
        caption: str | None = None,
    ) -> dict[str, Any]:
        stored = self._state.files.add("video", data, "video/mp4", "video.mp4")
        video = media_object(stored, duration=duration, width=width, height=height)
        return self._send(_captioned({"video": video}, caption))

    async def send_document(
        self,
        data: bytes,
        file_name: str,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> dict[str, Any]:
        stored = self._state.files.add("document", data, mime_type, file_name)
        return self._send(_captioned({"document": media_object(stored)}, caption))

    async def send_location(
        self, latitude: float, longitude: float, *, live_period: int | None = None
    ) -> dict[str, Any]:
        """Send a location; with ``live_period`` (seconds, 60-86400 or 0x7FFFFFFF for
        "until stopped") share a live one, as the attachment menu's 「共享实时位置」 does."""
        location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
        if live_period is not None:
            if not (60 <= live_period <= 86400 or live_period == 0x7FFFFFFF):
                raise ValueError(f"live_period {live_period} is not 60-86400 or 0x7FFFFFFF")
            location["live_period"] = live_period
        return self._send({"location": location})

    async def move_location(
        self, message: dict[str, Any] | int, latitude: float, longitude: float
    ) -> dict[str, Any]:
        """The phone moves while sharing a live location: Telegram edits that message and
        delivers it as an ``edited_message`` (same id, the original ``date``, a new
        ``edit_date``). Refused, as Telegram does, once the live period is over."""
        message_id = message if isinstance(message, int) else int(message["message_id"])
        current = self._chat.get(message_id)
        if current is None or self._chat.is_from_bot(current):
            raise LookupError(f"no message {message_id} of user {self.id}")
        location = current.get("location")
        if not isinstance(location, dict) or "live_period" not in location:
            raise LookupError(f"message {message_id} is not a live location")
        now = self._state.clock.unix()
        if now > int(current["date"]) + int(location["live_period"]):
            raise LookupError(f"the live period of message {message_id} is over")
        moved = {
            **current,
            "location": {**location, "latitude": latitude, "longitude": longitude},
            "edit_date": now,
        }
        self._chat.store(moved)
        self._state.updates.push("edited_message", copy.deepcopy(moved))
        return copy.deepcopy(moved)

    async def send_contact(
        self,
        phone_number: str,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        user_id: int | None = None,
    ) -> dict[str, Any]:
        """Share a contact; pass ``user_id=user.id`` for one's own (the request_contact button)."""
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or self.info.first_name,
        }
        if last_name:
            contact["last_name"] = last_name
        if user_id is not None:
            contact["user_id"] = user_id
        return self._send({"contact": contact})

    async def send_sticker(self, emoji: str = "👍") -> dict[str, Any]:
        """Send a sticker, something the bot may well not handle."""
        stored = self._state.files.add("sticker", b"RIFF\x00\x00\x00\x00WEBP", "image/webp")
        sticker = {
            **stored.ids(),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._send({"sticker": sticker})

    # --- buttons ----------------------------------------------------------------------

    async def press(
        self, message: dict[str, Any] | int, *, data: str | None = None, text: str | None = None
    ) -> str:
        """Press the inline button with this ``data`` or ``text``; returns the query id."""
        if (data is None) == (text is None):
            raise ValueError("press() needs exactly one of data= or text=")
        current = self._bot_message(message)
        button = _find_button(current, data, text)
        if "callback_data" not in button:
            raise LookupError(f"button {button.get('text')!r} sends no callback_data")
        return self._callback(current, str(button["callback_data"]))

    async def press_raw(self, message_id: int, data: str) -> str:
        """Send a callback query with arbitrary (possibly forged) ``data`` for a bot message."""
        return self._callback(self._bot_message(message_id), data)

    # --- blocking -----------------------------------------------------------------------

    def block(self) -> None:
        """The user blocks the bot: sends get 403 and the bot gets a my_chat_member update."""
        if not self._chat.blocked:
            self._chat.blocked = True
            self._member_update("member", "kicked")

    def unblock(self) -> None:
        if self._chat.blocked:
            self._chat.blocked = False
            self._member_update("kicked", "member")

    # --- plumbing -------------------------------------------------------------------------

    def _send(self, content: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat
        if chat.blocked:
            raise RuntimeError(f"user {self.id} blocked the bot; call start() or unblock() first")
        message = {
            "message_id": chat.next_message_id(),
            "from": self.info.as_user(),
            "chat": self.info.as_chat(),
            "date": self._state.clock.unix(),
            **content,
        }
        chat.store(message)
        self._state.updates.push("message", copy.deepcopy(message))
        return copy.deepcopy(message)

    def _bot_message(self, message: dict[str, Any] | int) -> dict[str, Any]:
        message_id = message if isinstance(message, int) else int(message["message_id"])
        current = self._chat.get(message_id)
        if current is None or not self._chat.is_from_bot(current):
            raise LookupError(f"no bot message {message_id} in chat {self.id}")
        return current

    def _callback(self, message: dict[str, Any], data: str) -> str:
        query_id = f"{len(self._state.callbacks) + 1}{secrets.randbelow(10**9):09d}"
        self._state.callbacks[query_id] = CallbackQuery(
            id=query_id,
            user_id=self.id,
            message_id=int(message["message_id"]),
            data=data,
            created_at=self._state.clock.time(),
        )
        payload = {
            "id": query_id,
            "from": self.info.as_user(),
            "message": copy.deepcopy(message),
            "chat_instance": self._chat.chat_instance,
            "data": data,
        }
        self._state.updates.push("callback_query", payload)
        return query_id

    def _member_update(self, old: str, new: str) -> None:
        bot = self._state.bot_user

        def member(status: str) -> dict[str, Any]:
            banned = {"until_date": 0} if status == "kicked" else {}
            return {"user": bot, "status": status, **banned}

        payload = {
            "chat": self.info.as_chat(),
            "from": self.info.as_user(),
            "date": self._state.clock.unix(),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        self._state.updates.push("my_chat_member", payload)


class UserDirectory:
    """The sandbox's users by id; asking twice for one id gives the same user."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self._users: dict[int, SandboxUser] = {}

    def user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh",
    ) -> SandboxUser:
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        info = UserInfo(user_id, first_name, last_name, username, language_code)
        self._state.chats.ensure(info)
        user = self._users[user_id] = SandboxUser(self._state, info)
        self._state.notifier.notify()
        return user

    def get(self, user_id: int) -> SandboxUser | None:
        return self._users.get(user_id)


def _with_entities(content: dict[str, Any], field: str, entities_field: str) -> dict[str, Any]:
    found = detect_entities(str(content[field]))
    return {**content, entities_field: found} if found else content


def _captioned(content: dict[str, Any], caption: str | None) -> dict[str, Any]:
    if not caption:
        return content
    return _with_entities({**content, "caption": caption}, "caption", "caption_entities")


def _image_mime(data: bytes) -> str:
    return "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"


def _find_button(message: dict[str, Any], data: str | None, text: str | None) -> dict[str, Any]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    buttons: list[dict[str, Any]] = [button for row in rows for button in row]
    for button in buttons:
        if data is not None and button.get("callback_data") == data:
            return button
        if text is not None and button.get("text") == text:
            return button
    wanted = f"data={data!r}" if data is not None else f"text={text!r}"
    offered = [(button.get("text"), button.get("callback_data")) for button in buttons]
    raise LookupError(
        f"message {message['message_id']} has no button with {wanted}; "
        f"its buttons (text, data) are {offered}"
    )
