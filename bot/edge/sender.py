"""Delivers the outbox within Telegram's limits, most urgent first, never losing a call.

- Pacing: message calls (send*, edit*, copy*, forward*) leave at most
  ``messages_per_second`` in all and one per ``per_chat_interval`` per chat; other
  calls (answering a button, setting the menu) are not paced.
- Order: each chat (lane) has one call in flight at a time, its head: the most urgent,
  oldest pending call. Interactive calls go before bulk ones across all chats.
- Failures: 429 makes that chat wait ``retry_after``;
  network errors and 5xx retry with exponential backoff for as long as it takes; a
  call Telegram refuses for good (400, 403) is marked failed with the reason.
- A call is marked sent as soon as Telegram accepts it; only a crash between
  Telegram's answer and that commit can send it twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
import warnings
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBUserWarning

from bot.clock import Clock
from bot.config import SenderConfig
from storage import outbox
from storage.db import Database
from storage.outbox import PendingCall
from storage.timefmt import from_db

log = logging.getLogger(__name__)

# We call Bot API methods by their own names with stored parameters on purpose.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)

_PACED_PREFIXES = ("send", "edit", "copy", "forward")
_FILE_MARK = "$file"
_BATCH = 64


def is_paced(method: str) -> bool:
    return method.startswith(_PACED_PREFIXES) and method != "sendChatAction"


class Sender:
    def __init__(self, db: Database, bot: Bot, clock: Clock, config: SenderConfig) -> None:
        self._db = db
        self._bot = bot
        self._clock = clock
        self._config = config
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(config.concurrency)
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._lane_free_at: dict[int, float] = {}
        self._next_slot = 0.0
        self._per_chat = config.per_chat_interval.total_seconds()
        self.sent = 0
        # Lanes whose call finished since the current pick began: a read runs beside the
        # writer (WAL), so it may still show that call pending. They wait for the next pick.
        self._finished: set[int] = set()

    def wake(self) -> None:
        """New calls are in the outbox."""
        self._wake.set()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            picked = await self._pick_and_launch(loop)
            if picked:
                continue
            await self._sleep_until_something_changes(loop)

    async def drain(self) -> None:
        """Wait for the calls in flight to finish (for shutdown)."""
        if self._in_flight:
            await asyncio.gather(*list(self._in_flight.values()), return_exceptions=True)

    async def _pick_and_launch(self, loop: asyncio.AbstractEventLoop) -> int:
        launched = 0
        self._finished.clear()
        for call in await outbox.ready(self._db, self._clock.now(), _BATCH):
            if call.lane in self._in_flight or call.lane in self._finished:
                continue
            if self._lane_free_at.get(call.lane, 0) > loop.time():
                continue
            if is_paced(call.method):
                delay = self._next_slot - loop.time()
                # Waiting for the global slot: a more urgent call may arrive meanwhile.
                if delay > 0 and (launched or await self._woken_within(delay)):
                    return launched or 1
                now = loop.time()
                self._next_slot = max(self._next_slot, now) + 1 / self._config.messages_per_second
                self._lane_free_at[call.lane] = now + self._per_chat
            await self._slots.acquire()
            self._in_flight[call.lane] = asyncio.create_task(self._deliver(call))
            launched += 1
        return launched

    async def _woken_within(self, seconds: float) -> bool:
        try:
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        except TimeoutError:
            return False
        return True

    async def _sleep_until_something_changes(self, loop: asyncio.AbstractEventLoop) -> None:
        """Sleep until woken, a chat's interval ends, or a postponed call is due."""
        waits = [t - loop.time() for t in self._lane_free_at.values() if t > loop.time()]
        due = await outbox.next_due(self._db)
        if due is not None:
            waits.append((from_db(due) - self._clock.now()).total_seconds())
        positive = [w for w in waits if w > 0]
        timeout = min([*positive, 5.0])
        self._forget_free_lanes(loop)
        await self._woken_within(max(timeout, 0.01))

    def _forget_free_lanes(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        for lane in [lane for lane, t in self._lane_free_at.items() if t <= now]:
            del self._lane_free_at[lane]

    async def _deliver(self, call: PendingCall) -> None:
        try:
            await self._attempt(call)
        except Exception:  # never let one call kill the sender; it stays pending
            log.exception("outbox call %s: unexpected error", call.id)
            await outbox.postpone(self._db, call.id, self._backoff(call), "unexpected error")
        finally:
            self._in_flight.pop(call.lane, None)
            self._finished.add(call.lane)
            self._slots.release()
            self.wake()

    async def _attempt(self, call: PendingCall) -> None:
        loop = asyncio.get_running_loop()
        try:
            result = await self._bot.do_api_request(
                call.method, api_kwargs=_materialise(call.params)
            )
        except RetryAfter as flood:
            wait = _seconds(flood.retry_after)
            log.warning("429 on %s to %s: waiting %.1fs", call.method, call.lane, wait)
            # Only this chat waits: under a global flood every chat gets its own 429 and
            # waits too, while one chat's flood must not hold back everyone else's answers.
            self._lane_free_at[call.lane] = loop.time() + wait
            until = self._clock.now() + timedelta(seconds=wait)
            await outbox.postpone(self._db, call.id, until, f"429 retry after {wait:g}s")
        except BadRequest as refused:
            if "message is not modified" in refused.message:
                await outbox.mark_sent(self._db, call.id, None, self._clock.now())
                return
            await self._give_up(call, refused)
        except Forbidden as refused:
            await self._give_up(call, refused)
        except NetworkError as trouble:  # includes timeouts and 5xx
            log.warning("outbox call %s: %s; will retry", call.id, trouble)
            await outbox.postpone(self._db, call.id, self._backoff(call), str(trouble))
        except TelegramError as refused:
            await self._give_up(call, refused)
        else:
            message_id = result.get("message_id") if isinstance(result, dict) else None
            await outbox.mark_sent(self._db, call.id, message_id, self._clock.now())
            self.sent += 1

    async def _give_up(self, call: PendingCall, error: TelegramError) -> None:
        """Refused for good: marked failed, and whatever the call owes on failure (telling
        the person whose words did not arrive) queued in the same transaction."""
        log.error("outbox call %s (%s to %s) refused: %s", call.id, call.method, call.lane, error)
        reason = f"{type(error).__name__}: {error.message}"
        if await outbox.give_up(self._db, call.id, reason, self._clock.now()):
            self.wake()

    def _backoff(self, call: PendingCall) -> datetime:
        base = min(2.0**call.attempts, self._config.max_backoff.total_seconds())
        jitter = random.uniform(0, base / 4)  # noqa: S311 - spreading retries, not a secret
        return self._clock.now() + timedelta(seconds=base + jitter)


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _materialise(params: dict[str, Any]) -> dict[str, Any]:
    """Turn ``{"$file": path, "filename": name}`` values into uploads; the rest is JSON."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, dict) and _FILE_MARK in value:
            path = Path(value[_FILE_MARK])
            out[key] = InputFile(path.read_bytes(), filename=value.get("filename", path.name))
        else:
            out[key] = value
    return out
