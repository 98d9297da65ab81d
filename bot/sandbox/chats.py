"""Users and their private chats with the bot.

A chat keeps every message in its latest state (edits replace, deletions
remove), so both the Bot API methods and the test-side readers see what a
user's phone would show. Message ids count up per chat, shared by the user's
and the bot's messages, as in a real private chat.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.errors import bad_request, forbidden


@dataclass
class UserInfo:
    """A Telegram user the test plays."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    def as_user(self) -> dict[str, Any]:
        """The ``User`` object (``from`` of the user's messages)."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        user.update(self._names())
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def as_chat(self) -> dict[str, Any]:
        """The ``Chat`` object of the private chat with this user."""
        chat: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        chat.update(self._names())
        return chat

    def _names(self) -> dict[str, Any]:
        names: dict[str, Any] = {}
        if self.last_name:
            names["last_name"] = self.last_name
        if self.username:
            names["username"] = self.username
        return names


@dataclass
class Chat:
    """The private chat between the bot and one user."""

    user: UserInfo
    bot_id: int
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    last_message_id: int = 0
    blocked: bool = False
    reply_keyboard: dict[str, Any] | None = None
    menu_button: dict[str, Any] | None = None
    actions: list[str] = field(default_factory=list)
    chat_instance: str = field(default_factory=lambda: str(secrets.randbelow(10**18)))

    @property
    def id(self) -> int:
        return self.user.id

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id

    def store(self, message: dict[str, Any]) -> None:
        self.messages[message["message_id"]] = message

    def get(self, message_id: int) -> dict[str, Any] | None:
        return self.messages.get(message_id)

    def is_from_bot(self, message: dict[str, Any]) -> bool:
        return bool(message.get("from", {}).get("id") == self.bot_id)

    def iter_bot_messages(self, after: int | None = None) -> Iterator[dict[str, Any]]:
        """The bot's messages above id ``after``, oldest first, live (not copies).

        Messages are stored in id order and edits replace them in place, so the
        dict's order is the chat's order: no sorting on every wake-up of a waiter.
        """
        for message_id, message in self.messages.items():
            if (after is None or message_id > after) and self.is_from_bot(message):
                yield message

    def bot_messages(self, after: int | None = None) -> list[dict[str, Any]]:
        """Copies of the bot's messages, oldest first, each in its latest edit state."""
        return [copy.deepcopy(message) for message in self.iter_bot_messages(after)]


class ChatStore:
    """Every chat the bot can talk to; a chat exists once its user is known."""

    def __init__(self, bot_id: int) -> None:
        self._bot_id = bot_id
        self._chats: dict[int, Chat] = {}

    def ensure(self, user: UserInfo) -> Chat:
        """The chat with ``user``, created on first contact (idempotent)."""
        chat = self._chats.get(user.id)
        if chat is None:
            chat = Chat(user=user, bot_id=self._bot_id)
            self._chats[user.id] = chat
        return chat

    def get(self, chat_id: int) -> Chat | None:
        return self._chats.get(chat_id)

    def require(self, chat_id: int) -> Chat:
        """The chat, or Telegram's "chat not found"."""
        chat = self._chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def reachable(self, chat_id: int) -> Chat:
        """A chat the bot may send to: known and not blocked."""
        chat = self.require(chat_id)
        if chat.blocked:
            raise forbidden("bot was blocked by the user")
        return chat

    def all(self) -> list[Chat]:
        return list(self._chats.values())
