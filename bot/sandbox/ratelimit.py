"""Telegram's flood limits as sliding windows: one per bot, one per chat.

The bot's sender is supposed to keep to ~30 messages a second overall and one
a second per chat; the sandbox answers 429 with ``retry_after`` the moment it
does not, so a test (or a benchmark) sees every breach rather than a
statistical average.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

# Methods that put or change a message in a chat; only these count.
_COUNTED_EXACT = frozenset({"copymessage", "copymessages", "forwardmessage", "forwardmessages"})


def is_rate_limited(method: str) -> bool:
    """Whether ``method`` counts against the flood limits (send*, edit*, copy, forward)."""
    name = method.lower()
    if name == "sendchataction":
        return False
    return name.startswith(("send", "edit")) or name in _COUNTED_EXACT


class SlidingWindow:
    """At most ``limit`` events in any ``window`` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._events: deque[float] = deque()

    def retry_after(self, now: float) -> float:
        """Seconds until one more event would fit; 0 if it fits now."""
        while self._events and self._events[0] <= now - self.window:
            self._events.popleft()
        if len(self._events) < self.limit:
            return 0.0
        return self._events[len(self._events) - self.limit] + self.window - now

    def record(self, now: float) -> None:
        self._events.append(now)


class RateLimiter:
    """The bot-wide window plus one window per chat."""

    def __init__(
        self,
        global_rate: int,
        per_chat_rate: int,
        window: float,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._global = SlidingWindow(global_rate, window)
        self._per_chat_rate = per_chat_rate
        self._window = window
        self._chats: dict[int, SlidingWindow] = {}
        self._now = now

    def check(self, chat_id: int | None) -> int:
        """0 if a send may go now, else Telegram's ``retry_after`` (whole seconds, at least 1)."""
        now = self._now()
        wait = self._global.retry_after(now)
        if chat_id is not None:
            wait = max(wait, self._chat(chat_id).retry_after(now))
        return 0 if wait <= 0 else max(1, math.ceil(wait))

    def record(self, chat_id: int | None) -> None:
        """Count one accepted send."""
        now = self._now()
        self._global.record(now)
        if chat_id is not None:
            self._chat(chat_id).record(now)

    def _chat(self, chat_id: int) -> SlidingWindow:
        window = self._chats.get(chat_id)
        if window is None:
            window = self._chats[chat_id] = SlidingWindow(self._per_chat_rate, self._window)
        return window
