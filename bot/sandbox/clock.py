"""The sandbox's notion of time and its change notification.

Telegram's clock decides message ``date`` values and when a callback query is
too old to answer; tests move it with :meth:`SandboxClock.advance` instead of
sleeping. :class:`Notifier` is how waiters (long polls, ``wait_for``) learn
that something changed, so nothing in the sandbox polls with fixed sleeps.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class SandboxClock:
    """Wall-clock time plus an offset that only tests change."""

    def __init__(self) -> None:
        self._offset = 0.0

    def time(self) -> float:
        """Unix time as Telegram sees it."""
        return time.time() + self._offset

    def unix(self) -> int:
        """Unix time in whole seconds, as in a Message's ``date``."""
        return int(self.time())

    def advance(self, seconds: float) -> None:
        """Move Telegram's clock forward (e.g. to expire callback queries)."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        self._offset += seconds


class Notifier:
    """Wakes every waiter whenever the sandbox state changes."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.version = 0

    def notify(self) -> None:
        """Record a change; everyone waiting re-checks their condition."""
        self.version += 1
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        within: float | None,
        describe: Callable[[], str] | None = None,
    ) -> None:
        """Return once ``predicate()`` holds; raise ``TimeoutError`` after ``within`` seconds."""
        try:
            async with asyncio.timeout(within):
                while not predicate():
                    await self._event.wait()
        except TimeoutError:
            detail = describe() if describe is not None else "condition not met"
            raise TimeoutError(f"after {within}s: {detail}") from None
