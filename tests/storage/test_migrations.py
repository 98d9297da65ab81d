"""Migrations: an empty database and every intermediate version reach the latest."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import psycopg
import pytest

from storage import migrate
from storage.db import Database
from tests.conftest import START

INSERT_ORPHAN_MEMBER = """
INSERT INTO members (user_id, household_id, code, bound_at)
VALUES (1, 'no such household', 'no such code', '2026-01-01T00:00:00.000000Z')
"""


async def schema(db: Database) -> list[tuple[str, str]]:
    async with db.read() as tx:
        rows = await tx.fetchall(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
        )
    return [(r[0], r[1]) for r in rows]


async def test_empty_database_reaches_latest(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    applied = await migrate.upgrade(db, START)
    assert [m.version for m in applied] == [m.version for m in migrate.available()]
    assert await migrate.current_version(db) == migrate.available()[-1].version
    assert await migrate.upgrade(db, START) == []  # a second run changes nothing
    await db.close()


@pytest.mark.parametrize("start", [m.version for m in migrate.available()])
async def test_every_intermediate_version_reaches_the_same_schema(
    tmp_path: Path, start: int
) -> None:
    fresh = await Database.open(tmp_path / "fresh.db")
    await migrate.upgrade(fresh, START)
    stepped = await Database.open(tmp_path / "stepped.db")
    await migrate.upgrade(stepped, START, target=start)
    assert await migrate.current_version(stepped) == start
    await migrate.upgrade(stepped, START)
    assert await schema(stepped) == await schema(fresh)
    await fresh.close()
    await stepped.close()


async def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    await migrate.upgrade(db, START)
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO schema_migrations VALUES (999, 'future', '2030-01-01T00:00:00.000000Z')"
        )
    with pytest.raises(migrate.MigrationError, match="newer than this program"):
        await migrate.upgrade(db, START)
    await db.close()


async def test_wal_and_foreign_keys_are_on(sqlite_db: Database) -> None:
    """SQLite only: PRAGMAs and WAL are SQLite's (PostgreSQL always checks foreign keys;
    the test below holds on both)."""
    async with sqlite_db.read() as tx:
        assert await tx.scalar("PRAGMA journal_mode") == "wal"
        assert await tx.scalar("PRAGMA foreign_keys") == 1


async def test_a_row_pointing_at_nothing_is_refused(db: Database) -> None:
    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.ForeignKeyViolation)):
        async with db.transaction() as tx:
            await tx.execute(INSERT_ORPHAN_MEMBER)
    async with db.read() as tx:
        assert await tx.scalar("SELECT count(*) FROM members") == 0


async def write_then_fail(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
        raise RuntimeError("handler blew up")


async def test_a_failed_transaction_leaves_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError):
        await write_then_fail(db)
    async with db.read() as tx:
        assert await tx.scalar("SELECT count(*) FROM meta") == 0


async def write_once(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO meta (key, value) VALUES ('k', 'v') ON CONFLICT DO NOTHING")


async def read_once(db: Database) -> None:
    async with db.read() as tx:
        await tx.scalar("SELECT count(*) FROM meta")


@pytest.mark.parametrize("use", [write_once, read_once])
async def test_a_task_cancelled_at_any_point_leaves_no_transaction_open(
    db: Database, use: Callable[[Database], Coroutine[Any, Any, None]]
) -> None:
    """Stopping the bot cancels its loops wherever they are; the database must stay usable."""
    for steps in range(200):
        task = asyncio.create_task(use(db))
        for _ in range(steps % 7):
            await asyncio.sleep(0)  # cancel at a different point each time
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await write_once(db)  # raises "cannot start a transaction within a transaction"


async def test_the_region_tree_is_filled_for_regions_already_stored(tmp_path: Path) -> None:
    """Migration 0012 builds the closure table from the parent links an older database
    holds (a cycle, which an old database might hold, ends too)."""
    db = await Database.open(tmp_path / "a.db")
    await migrate.upgrade(db, START, target=11)
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO regions (id, name, level, parent_id) VALUES (?, ?, ?, ?)",
            [
                ("C", "县", "county", None),
                ("T", "镇", "township", "C"),
                ("V", "村", "village", "T"),
                ("X", "甲", "village", "Y"),
                ("Y", "乙", "village", "X"),
            ],
        )
    await migrate.upgrade(db, START)
    async with db.read() as tx:
        rows = await tx.fetchall("SELECT ancestor_id, region_id, depth FROM region_tree")
    assert {(r[0], r[1], r[2]) for r in rows} == {
        ("C", "C", 0), ("T", "T", 0), ("V", "V", 0), ("C", "T", 1), ("T", "V", 1),
        ("C", "V", 2), ("X", "X", 0), ("Y", "Y", 0), ("X", "Y", 1), ("Y", "X", 1),
    }  # fmt: skip
    await db.close()
