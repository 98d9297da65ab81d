"""Long-polls getUpdates and stores every update before confirming it to Telegram.

Telegram forgets an update once a later getUpdates asks for an offset past it. So the
offset only moves after the batch is committed to the inbox: a crash at any moment
leaves each update either stored or still held by Telegram.

The offset is asked for only to confirm a stored batch. Otherwise (at start, after an
empty poll) getUpdates goes without one and Telegram sends whatever it still holds:
after a restart that is what was not yet confirmed (stored duplicates are recognised),
and it stays right when Telegram starts its ids again, lower, which an offset
remembered from before would silently skip.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter

from bot.clock import Clock
from bot.edge.lanes import lane_of
from storage import inbox, leases
from storage.db import Database
from storage.faults import fault_of
from storage.inbox import StoredUpdate

log = logging.getLogger(__name__)

RECEIVER = "receiver"  # the lease of the getUpdates loop
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


class Ingest:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Clock,
        poll_timeout: float,
        on_stored: Callable[[], None],
    ) -> None:
        self._db = db
        self._bot = bot
        self._clock = clock
        self._timeout = int(poll_timeout)
        self._on_stored = on_stored
        self.stored = 0

    async def run(self) -> None:
        offset: int | None = None
        failures = 0
        while True:
            try:
                batch = await self._fetch(offset)
            except InvalidToken:
                raise
            except (NetworkError, Conflict, RetryAfter) as trouble:
                failures += 1
                delay = min(2.0**failures, 60.0)
                log.warning("getUpdates failed (%s); retrying in %.0fs", trouble, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            if not batch:
                offset = None  # everything before is confirmed; take whatever comes next
                continue
            await store_updates(self._db, batch, self._clock)
            self.stored += len(batch)
            offset = max(int(u["update_id"]) for u in batch) + 1
            self._on_stored()

    async def _fetch(self, offset: int | None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"timeout": self._timeout, "allowed_updates": ALLOWED_UPDATES}
        if offset is not None:
            params["offset"] = offset
        result = await self._bot.do_api_request(
            "getUpdates", api_kwargs=params, read_timeout=self._timeout + 15
        )
        if not isinstance(result, list):
            raise NetworkError(f"getUpdates answered {type(result).__name__}, not a list")
        return [u for u in result if isinstance(u, dict) and isinstance(u.get("update_id"), int)]


async def store_updates(db: Database, batch: list[dict[str, Any]], clock: Clock) -> None:
    rows = [
        StoredUpdate(int(u["update_id"]), lane_of(u), json.dumps(u, ensure_ascii=False))
        for u in batch
    ]
    await inbox.store(db, rows, clock.now())


async def receive_while_held(
    db: Database, ingest: Ingest, me: str, clock: Clock, lease: timedelta
) -> None:
    """Poll only while this process holds the "receiver" lease (storage.leases).

    Telegram serves getUpdates to one poller per bot (a second gets 409 Conflict), so of
    several processes on one database one polls and every one handles and sends. The
    holder renews its lease a third of a lease apart; the others ask as often, and one of
    them takes over within a lease of the holder's death. A holder that cannot renew in
    time stops polling (a batch it was storing meanwhile is stored at most twice: the
    inbox knows a redelivered update). On SQLite the lease is always this process's.
    """
    polling: asyncio.Task[None] | None = None
    try:
        while True:
            try:
                held = await leases.take(db, RECEIVER, me, clock.now(), lease)
            except Exception as error:  # an unusable database stops the bot in one line
                raise (fault_of(error) or error) from None
            if held and polling is None:
                log.info("this process receives the updates (getUpdates)")
                polling = asyncio.create_task(ingest.run(), name="getUpdates")
            elif not held and polling is not None:
                log.warning("another process receives the updates now")
                polling.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await polling
                polling = None
            done = await _sleep_or_end(polling, lease.total_seconds() / 3)
            if done is not None:
                done.result()  # the loop ended: raise what ended it (a refused token)
                return
    finally:
        if polling is not None:
            polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await polling


async def _sleep_or_end(
    polling: asyncio.Task[None] | None, seconds: float
) -> asyncio.Task[None] | None:
    """Wait ``seconds``; the polling task if it ended meanwhile."""
    if polling is None:
        await asyncio.sleep(seconds)
        return None
    done, _ = await asyncio.wait([polling], timeout=seconds)
    return polling if done else None
