"""Long work after the update's commit: statistics, charts, workbooks (later: card PDFs).

An update's transaction holds the only writer lock, so whatever a handler does inside it
stalls every villager and the sender. A handler that owes slow work answers at once and
records the work with ``unit.after_commit(job)``; once the update's transaction has
committed (the inbox row is done), the dispatcher hands the jobs here. Each runs outside
any transaction, a few at a time: it reads through ``reading()`` (a unit of work over a
read connection, which takes no writer lock), does its CPU-heavy part in a worker process
(``in_process``: pure Python in a thread would share the interpreter lock with the event
loop and slow every answer; the workers run at a lower priority than the bot), and
returns the calls it owes, which are queued in their own short transaction. A crash in
between loses the job (the person asks again), never the update.

The runner also remembers, per job key (e.g. one person's statistics), whether a job is
in the making and when the last ones started, so a handler can refuse more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ParamSpec, TypeVar

from telegram import Bot

from bot.calls import Call
from bot.edge.roster_desk import RosterDesk
from bot.retention import files_folder
from handlers.context import Job, Setup
from storage.db import Database
from storage.unit_of_work import UnitOfWork, reading, unit_of_work

log = logging.getLogger(__name__)

# Tests only: while the file this names exists, a started job waits before its work (so a
# test can act while a workbook is "being built" without depending on machine speed).
HOLD_ENV = "LIANXIN_HOLD_LONG_WORK"
KEEP_STARTS = 100  # start times remembered per key, for per-minute limits
NICE = 10  # worker processes yield the CPU to the bot's event loop
P = ParamSpec("P")
T = TypeVar("T")


def lower_priority() -> None:
    """In a worker process: let the bot (answers to people) have the CPU first."""
    with contextlib.suppress(OSError):
        os.nice(NICE)


class Workers:
    """Worker processes for CPU-heavy parts, started on first use (spawned: a fork of a
    process with threads may inherit a held lock) and kept, so a chart does not pay for
    importing matplotlib each time."""

    def __init__(self, count: int) -> None:
        self._count = count
        self._pool: ProcessPoolExecutor | None = None

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self._count, multiprocessing.get_context("spawn"), initializer=lower_priority
            )
        future = self._pool.submit(fn, *args, **kwargs)
        return await asyncio.wrap_future(future)

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)


@dataclass(frozen=True)
class Work:
    """What a job may use (``handlers.context.LongContext``): reads (never the writer),
    worker processes, the setup, the update's moment."""

    db: Database
    setup: Setup
    now: datetime
    workers: Workers
    bot: Bot | None = None
    on_outbox: Callable[[], None] = lambda: None

    def reading(self) -> AbstractAsyncContextManager[UnitOfWork]:
        return reading(self.db, self.now)

    async def in_process(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args)`` in a worker process (``fn`` and its arguments are pickled)."""
        return await self.workers.run(fn, *args, **kwargs)

    async def tell(self, *calls: Call) -> None:
        """Queue ``calls`` now, before the job is done (its progress), in their own short
        transaction."""
        async with unit_of_work(self.db, self.setup.clock.now()) as work:
            work.send(*calls)
        self.on_outbox()

    def file_path(self, stem: str, suffix: str) -> Path:
        """A new file beside the database, for the sender to upload (kept: the outbox row
        may be retried after a restart)."""
        folder = self.setup.config.database.path.parent / "files"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{stem}-{self.now.strftime('%Y%m%d%H%M%S%f')}.{suffix}"

    @property
    def roster(self) -> RosterDesk:
        """Rosters sent in Telegram: downloaded, kept privately, checked and imported."""
        if self.bot is None:
            raise RuntimeError("this runner has no bot to download files with")
        folder = files_folder(self.setup.config)
        return RosterDesk(
            self.db, self.bot, self.setup.clock, folder, self.setup.config.roster.options()
        )


class LongWork:
    """Runs jobs after commit, ``workers`` at a time; their calls go out in their own
    transaction."""

    def __init__(
        self,
        db: Database,
        services: Setup,
        on_outbox: Callable[[], None],
        workers: int,
        bot: Bot | None = None,
    ) -> None:
        self._db = db
        self._bot = bot
        self._services = services
        self._on_outbox = on_outbox
        self._slots = asyncio.Semaphore(workers)
        self._tasks: set[asyncio.Task[None]] = set()
        self._busy: set[str] = set()
        self._starts: dict[str, deque[datetime]] = {}
        self._workers = Workers(workers)

    def busy(self, key: str) -> bool:
        """A job with this key is waiting or running."""
        return key in self._busy

    def started_since(self, key: str, since: datetime) -> int:
        """How many jobs with this key were submitted at ``since`` or later."""
        starts = self._starts.get(key)
        if starts is None:
            return 0
        while starts and starts[0] < since:
            starts.popleft()
        if not starts:
            del self._starts[key]
        return len(starts)

    def submit(self, jobs: Sequence[Job], now: datetime) -> None:
        """Start ``jobs`` (recorded by an update whose transaction has committed)."""
        for job in jobs:
            if job.key is not None:
                self._busy.add(job.key)
                self._starts.setdefault(job.key, deque(maxlen=KEEP_STARTS)).append(now)
            task = asyncio.create_task(self._run(job, now), name=f"long work: {job.name}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait until every job submitted so far is done (tests, benchmarks)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Stop: jobs in the making are dropped (the person asks again)."""
        for task in list(self._tasks):
            task.cancel()
        await self.drain()
        await self._workers.close()

    async def _run(self, job: Job, now: datetime) -> None:
        try:
            async with self._slots:
                await _held()
                context = Work(
                    self._db, self._services, now, self._workers, self._bot, self._on_outbox
                )
                calls = await job.run(context)
        except Exception:
            log.exception("long work %s failed", job.name)
            calls = [] if job.chat is None else [self._apology(job.chat)]
        finally:
            if job.key is not None:
                self._busy.discard(job.key)
        if calls:
            async with unit_of_work(self._db, self._services.clock.now()) as work:
                work.send(*calls)
            self._on_outbox()

    def _apology(self, chat: int) -> Call:
        text = self._services.texts("reply.internal_error")
        return Call(chat, "sendMessage", {"chat_id": chat, "text": text})


async def _held() -> None:
    hold = os.environ.get(HOLD_ENV)
    while hold and os.path.exists(hold):  # noqa: ASYNC110, ASYNC240 - a test gate, polled
        await asyncio.sleep(0.05)
