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
from storage.pg import PgDatabase
from tests.conftest import START
from tests.pg_cluster import Cluster
from tests.sample import load_sample
from tests.tenants.counties import database

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


INSERT_REQUEST_0028 = """
INSERT INTO requests (id, number, household_id, category, status, handler_id, tier, filed_at,
                      first_response_at, respond_by, resolve_by, resolved_at)
VALUES (?, ?, 'H0001', 'other', 'resolved', 'K007', 1, '2026-11-02T00:00:00.250000Z',
        ?, '2026-11-03T00:00:00.000000Z', '2026-11-09T00:00:00.000000Z', ?)
"""
INSERT_EVENT_0028 = """
INSERT INTO request_events (request_id, at, kind, actor, handler_id, detail)
VALUES (?, '2026-11-02T01:00:00.000000Z', ?, 'cadre:K007', 'K007', '')
"""
SELECT_STATS_COLUMNS = (
    "SELECT id, marks, first_response_us, resolution_us FROM requests ORDER BY id"
)


async def _stats_columns_filled(db: Database) -> None:
    """Migration 0029 on a county of 0028 with requests and events already stored: the
    marks and durations of what is there, then kept as more is written."""
    await migrate.upgrade(db, START, target=28)
    await load_sample(db)
    async with db.transaction() as tx:
        await tx.execute(
            INSERT_REQUEST_0028,
            (1, "LX-2026-000001", "2026-11-02T01:30:00.500000Z", "2026-11-04T00:00:00.250000Z"),
        )
        await tx.execute(INSERT_REQUEST_0028, (2, "LX-2026-000002", None, None))
        for kind in ("escalated", "taken", "escalated", "filed"):
            await tx.execute(INSERT_EVENT_0028, (1, kind))
    await migrate.upgrade(db, START)
    async with db.read() as tx:
        before = [tuple(r) for r in await tx.fetchall(SELECT_STATS_COLUMNS)]
    assert before == [(1, 1 | 4, 5_400_250_000, 172_800_000_000), (2, 0, None, None)]
    async with db.transaction() as tx:
        await tx.execute(INSERT_EVENT_0028, (2, "explained"))
        await tx.execute(
            "UPDATE requests SET first_response_at = '2026-11-02T00:00:01.250000Z' WHERE id = 2"
        )
    async with db.read() as tx:
        after = [tuple(r) for r in await tx.fetchall(SELECT_STATS_COLUMNS)]
    assert after[1] == (2, 2, 1_000_000, None)


async def test_0029_fills_the_stats_columns_on_sqlite(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.db")
    try:
        await _stats_columns_filled(db)
    finally:
        await db.close()


async def test_0029_fills_the_stats_columns_on_postgresql(pg_cluster: Cluster) -> None:
    async with database(pg_cluster) as url:
        db = await PgDatabase.connect(url, "county_x")
        try:
            await _stats_columns_filled(db)
        finally:
            await db.close()
