"""Reads run on read connections beside the one writer (WAL): a long read never waits for
an update's transaction, an update never waits for a read, and a read begun after a
commit sees it."""

from __future__ import annotations

import asyncio
import sqlite3

import psycopg
import pytest

from storage.db import Database

COUNT = "SELECT count(*) FROM meta"
INSERT = "INSERT INTO meta (key, value) VALUES (?, 'v')"


async def test_a_read_does_not_wait_for_an_open_write(db: Database) -> None:
    writing, release = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as tx:
            await tx.execute(INSERT, ("during",))
            writing.set()
            await release.wait()  # a handler still at work inside its transaction

    task = asyncio.create_task(writer())
    await writing.wait()
    async with asyncio.timeout(10), db.read() as tx:
        assert await tx.scalar(COUNT) == 0  # not committed yet: not seen
    release.set()
    await task
    async with db.read() as tx:
        assert await tx.scalar(COUNT) == 1  # committed before this read began: seen


async def test_a_write_does_not_wait_for_an_open_read(db: Database) -> None:
    async with db.read() as reading:
        assert await reading.scalar(COUNT) == 0
        async with asyncio.timeout(10), db.transaction() as tx:
            await tx.execute(INSERT, ("while reading",))
        assert await reading.scalar(COUNT) == 0  # the read keeps its snapshot
    async with db.read() as tx:
        assert await tx.scalar(COUNT) == 1


async def test_reads_side_by_side_and_never_a_write(db: Database) -> None:
    async def count() -> int:
        async with db.read() as tx:
            value: int = await tx.scalar(COUNT)
            await asyncio.sleep(0.01)
            return value

    assert await asyncio.gather(*(count() for _ in range(10))) == [0] * 10
    refused: dict[str, tuple[type[Exception], str]] = {
        "sqlite": (sqlite3.OperationalError, "readonly"),
        "postgresql": (psycopg.errors.ReadOnlySqlTransaction, "read-only transaction"),
    }
    error, words = refused[db.dialect]
    with pytest.raises(error, match=words):
        async with db.read() as tx:
            await tx.execute(INSERT, ("sneaky",))
    async with db.read() as tx:
        assert await tx.scalar(COUNT) == 0
