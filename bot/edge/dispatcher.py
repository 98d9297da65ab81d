"""Feeds stored updates to the PTB Application: in order within a chat, chats side by side.

Fair across chats: each scan takes at most ``_PER_LANE`` pending rows of a chat (a chat
asks for more when it has handled those), and chats take turns for the handler slots;
so a newcomer's message waits for one round of the chats at work, not for their
backlogs.

Each update is handled inside one transaction that also writes the calls it owes to
the outbox and marks the inbox row done, so a crash leaves it either wholly handled
or still pending; never half.

Several processes on one database (README "Several processes on one database"): a scan
leases the rows it takes (``inbox.claim``) to this process, a chat at a time, and only
chats no other process holds; the leases are renewed at each scan (every few seconds)
and handed back at a clean stop. An update is handled only while its row is still this
process's: one whose lease ended and was taken over drops that chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.calls import Call
from bot.edge.longwork import LongWork
from handlers.context import Setup, Unit, current_unit
from storage import inbox
from storage.db import Database
from storage.faults import DatabaseFault, fault_of
from storage.unit_of_work import unit_of_work

log = logging.getLogger(__name__)
_PER_LANE = 4  # pending rows of one chat taken per scan
_SCAN_LIMIT = 1000
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class _NotMine(Exception):
    """The row was handled already, or is another process's now."""


class _HandlerFailed(Exception):
    def __init__(self, error: BaseException) -> None:
        super().__init__(repr(error))
        self.error = error


class Dispatcher:
    def __init__(
        self,
        db: Database,
        application: AnyApplication,
        setup: Setup,
        on_outbox: Callable[[], None],
        concurrency: int = 8,
        *,
        me: str = "dispatcher",
        lease: timedelta = timedelta(seconds=60),
    ) -> None:
        self._db = db
        self._app = application
        self._setup = setup
        self._on_outbox = on_outbox
        self._me = me  # this process, as it leases inbox rows
        self._lease = lease
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(concurrency)
        self._queued: set[int] = set()
        self._lanes: dict[int, deque[int]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._fault: DatabaseFault | None = None
        self.handled = 0
        # Long work the handlers record runs after their update's commit (longwork.py).
        self.work = LongWork(db, setup, on_outbox, setup.config.stats.workers, bot=application.bot)

    def wake(self) -> None:
        """New rows are in the inbox."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            self._wake.clear()
            if self._fault is not None:
                raise self._fault
            await self._scan()
            # The timeout is only a safety net (rows re-queued by an administrator).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5.0):
                    await self._wake.wait()

    async def drain(self) -> None:
        """Handle what is pending, then return (for tests and tools)."""
        while True:
            if self._fault is not None:
                raise self._fault
            await self._scan()
            if not self._workers:
                return
            while self._workers:
                await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    async def _scan(self) -> None:
        try:
            rows = await inbox.claim(
                self._db,
                self._me,
                self._setup.clock.now(),
                self._lease,
                limit=_SCAN_LIMIT,
                per_lane=_PER_LANE,
            )
        except Exception as error:
            raise (fault_of(error) or error) from None
        for row in rows:
            if row.id in self._queued:
                continue
            self._queued.add(row.id)
            self._lanes.setdefault(row.lane, deque()).append(row.id)
            if row.lane not in self._workers:
                self._workers[row.lane] = asyncio.create_task(self._work(row.lane))

    async def _work(self, lane: int) -> None:
        queue = self._lanes[lane]
        try:
            while queue and self._fault is None:
                inbox_id = queue[0]
                async with self._slots:
                    mine = await self._handle(inbox_id)
                queue.popleft()
                self._queued.discard(inbox_id)
                if not mine:  # the chat is another process's now: its rows are too
                    self._queued.difference_update(queue)
                    queue.clear()
        finally:
            del self._workers[lane]
            if not queue:
                del self._lanes[lane]
                self.wake()  # the chat may have more rows than one scan takes

    async def _handle(self, inbox_id: int) -> bool:
        """Handle one row; False if it was not this process's to handle (any more)."""
        now = self._setup.clock.now()
        try:
            # One unit of work: what the handlers write, the calls they owe and the row
            # marked done commit together (storage.unit_of_work).
            async with unit_of_work(self._db, now, handling=inbox_id) as work:
                payload = await inbox.payload_if_mine(work.tx, inbox_id, self._me)
                if payload is None:
                    raise _NotMine  # nothing of this unit may commit (not even "done")
                unit = Unit(work, self._setup, runner=self.work)
                update = Update.de_json(json.loads(payload), self._app.bot)
                token = current_unit.set(unit)
                try:
                    await self._app.process_update(update)
                finally:
                    current_unit.reset(token)
                if unit.failure is not None:
                    raise _HandlerFailed(unit.failure)
            self.work.submit(unit.jobs, now)  # committed: the long work may start
        except _NotMine:
            return False
        except _HandlerFailed as failed:
            if self._stopping_for(failed.error):
                return True
            await self._record_failure(inbox_id, failed.error)
        except Exception as error:  # a bad payload or a storage error: keep the row, say so
            if self._stopping_for(error):
                return True
            log.exception("update %s could not be handled", inbox_id)
            await self._record_failure(inbox_id, error)
        self.handled += 1
        self._on_outbox()
        return True

    async def release(self) -> None:
        """Hand this process's rows not yet handled to the others (a clean stop)."""
        await inbox.release(self._db, self._me)

    def _stopping_for(self, error: BaseException) -> bool:
        """An unusable database stops the bot (the row stays pending for the next start)."""
        fault = fault_of(error)
        if fault is None:
            return False
        if self._fault is None:
            self._fault = fault
        self.wake()
        return True

    async def _record_failure(self, inbox_id: int, error: BaseException) -> None:
        """Nothing the handler wrote is kept; the row is marked failed and the sender is told."""
        log.error("update %s failed: %r", inbox_id, error, exc_info=error)
        now = self._setup.clock.now()
        try:
            async with unit_of_work(self._db, now, handling=inbox_id) as work:
                work.fail(repr(error)[:2000])
                lane = await inbox.lane_of(work.tx, inbox_id)
                if lane:
                    text = self._setup.texts("reply.internal_error")
                    work.send(Call(lane, "sendMessage", {"chat_id": lane, "text": text}))
        except Exception as trouble:
            if not self._stopping_for(trouble):
                raise
