"""Everything the sandbox remembers, independent of HTTP.

Bot API method handlers and the test-side user API both work on one
:class:`SandboxState`; the server only parses requests into calls on it. That
split keeps the rules (who may send what, what a message looks like) testable
without sockets and keeps the HTTP layer thin.
"""

from __future__ import annotations

import copy
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.chats import ChatStore
from bot.sandbox.clock import Notifier, SandboxClock
from bot.sandbox.commands import CommandMenus
from bot.sandbox.files import FileStore
from bot.sandbox.updates import UpdateQueue

CALLBACK_QUERY_LIFETIME = 15 * 60.0


@dataclass(frozen=True)
class SentRecord:
    """One message the bot sent or edited, as the benchmark and tests see it."""

    at: float  # time.monotonic() when the sandbox accepted it
    method: str
    chat_id: int
    message: dict[str, Any]


@dataclass
class SandboxStats:
    """Counters for benchmarks: calls by method, 429 answers, injected failures."""

    calls: Counter[str] = field(default_factory=Counter)
    too_many_requests: int = 0
    injected_failures: int = 0


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot said with ``answerCallbackQuery``."""

    text: str | None
    show_alert: bool
    url: str | None


@dataclass
class CallbackQuery:
    """A button press waiting for (or given) its answer."""

    id: str
    user_id: int
    message_id: int
    data: str
    created_at: float
    answer: CallbackAnswer | None = None


class SandboxState:
    """The bot's identity and every chat, file, update, menu and record of one sandbox."""

    def __init__(self, token: str, bot_username: str) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("a bot token looks like '123456:secret'")
        self.token = token
        self.bot_id = int(bot_id)
        self.bot_username = bot_username
        self.clock = SandboxClock()
        self.notifier = Notifier()
        self.chats = ChatStore(self.bot_id)
        self.files = FileStore()
        self.updates = UpdateQueue(self.notifier)
        self.menus = CommandMenus()
        self.callbacks: dict[str, CallbackQuery] = {}
        self.sent: list[SentRecord] = []
        self.stats = SandboxStats()
        self.default_menu_button: dict[str, Any] = {"type": "commands"}
        # setMyDescription / setMyShortDescription: (field, language_code or "") -> text.
        self.descriptions: dict[tuple[str, str], str] = {}

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot as the ``from`` of its messages."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Lianxin Sandbox",
            "username": self.bot_username,
        }

    def me(self) -> dict[str, Any]:
        """The ``getMe`` answer: the bot user with its capability flags."""
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def record_sent(self, method: str, chat_id: int, message: dict[str, Any]) -> None:
        """Remember a successful send or edit and wake the waiters."""
        snapshot = copy.deepcopy(message)
        self.sent.append(SentRecord(time.monotonic(), method, chat_id, snapshot))
        self.notifier.notify()

    def live_callback(self, query_id: str) -> CallbackQuery | None:
        """The query if it may still be answered: known, unanswered, under 15 minutes old."""
        query = self.callbacks.get(query_id)
        if query is None or query.answer is not None:
            return None
        if self.clock.time() - query.created_at > CALLBACK_QUERY_LIFETIME:
            return None
        return query
