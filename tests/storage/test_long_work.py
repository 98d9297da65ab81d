"""Long work after commit: a job reads while a write transaction is open, its calls are
queued in a transaction of its own, one job per key is in the making at a time, and a
failing job tells its person instead of vanishing."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from bot.calls import Call
from bot.clock import ManualClock
from bot.config import Config
from bot.edge.longwork import LongWork
from bot.i18n import Texts
from handlers.context import Job, Setup
from handlers.context import LongContext as Work
from storage.db import Database

SELECT_QUEUED = "SELECT lane, payload FROM outbox ORDER BY id"
INSERT_REGION = "INSERT INTO regions (id, name, level) VALUES ('R1', '新村', 'village')"


def runner(db: Database, clock: ManualClock, woken: list[int]) -> LongWork:
    services = Setup(Config(), clock, Texts("zh"), "lianxin_test_bot")
    return LongWork(db, services, lambda: woken.append(1), workers=1)


async def queued(db: Database) -> list[tuple[int, str]]:
    async with db.read() as tx:
        rows = await tx.fetchall(SELECT_QUEUED)
    return [(int(r["lane"]), json.loads(r["payload"])["text"]) for r in rows]


async def test_a_job_reads_beside_an_open_write_and_queues_its_answer(
    db: Database, clock: ManualClock
) -> None:
    woken: list[int] = []
    work = runner(db, clock, woken)
    release = asyncio.Event()

    async def count(job: Work) -> list[Call]:
        async with job.reading() as read:
            seen = await read.stats.region("R1")
        release.set()
        return [Call(7, "sendMessage", {"chat_id": 7, "text": f"saw {seen}"})]

    async with db.transaction() as tx:  # an update's transaction, still open
        await tx.execute(INSERT_REGION)
        work.submit([Job("count", count, key="stats:7", chat=7)], clock.now())
        assert work.busy("stats:7")
        async with asyncio.timeout(10):
            await release.wait()  # the job read while the writer was busy
    await work.drain()
    assert not work.busy("stats:7")
    assert await queued(db) == [(7, "saw None")]  # a snapshot from before the write
    assert woken


async def test_a_failing_job_tells_its_person(db: Database, clock: ManualClock) -> None:
    work = runner(db, clock, [])

    async def broken(_: Work) -> list[Call]:
        raise RuntimeError("chart blew up")

    work.submit([Job("broken", broken, key="stats:8", chat=8)], clock.now())
    await work.drain()
    ((lane, text),) = await queued(db)
    assert lane == 8
    assert text == Texts("zh")("reply.internal_error")
    assert not work.busy("stats:8")


async def test_starts_are_counted_per_key_over_a_window(db: Database, clock: ManualClock) -> None:
    work = runner(db, clock, [])

    async def nothing(_: Work) -> list[Call]:
        return []

    for _ in range(3):
        work.submit([Job("n", nothing, key="stats:9")], clock.now())
        clock.advance(timedelta(seconds=20))
    await work.drain()
    assert work.started_since("stats:9", clock.now() - timedelta(minutes=1)) == 3
    assert work.started_since("stats:9", clock.now() - timedelta(seconds=30)) == 1
    assert work.started_since("stats:10", clock.now() - timedelta(minutes=1)) == 0
    await work.close()
