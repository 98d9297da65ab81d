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
import json
import logging
from collections.abc import Callable
from typing import Any

from telegram import Bot
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter

from bot.clock import Clock
from bot.edge.lanes import lane_of
from storage import inbox
from storage.db import Database
from storage.inbox import StoredUpdate

log = logging.getLogger(__name__)

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
