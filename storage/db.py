"""The one door to the database: a connection with WAL and foreign keys, and transactions.

SQLite allows one writer at a time, so every write goes through ``transaction()``,
which serialises them with a lock and makes each one all-or-nothing. Repositories
take the ``Tx`` it yields; nothing outside ``storage/`` sees a cursor.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from storage.faults import check_file

Row = aiosqlite.Row
Params = Sequence[Any] | dict[str, Any]

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    # FULL: a committed update survives a power cut, not only a crash; the inbox
    # promise ("stored before confirmed to Telegram") depends on it.
    "PRAGMA synchronous = FULL",
    "PRAGMA busy_timeout = 10000",
)


class Tx:
    """An open transaction. Repositories run their statements through it."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        cursor = await self._conn.execute(sql, params)
        count = cursor.rowcount
        await cursor.close()
        return count

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT; return the new row's id."""
        cursor = await self._conn.execute(sql, params)
        rowid = cursor.lastrowid
        await cursor.close()
        if rowid is None:  # pragma: no cover - sqlite always sets it after an INSERT
            raise RuntimeError("INSERT returned no row id")
        return rowid

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        async with self._conn.execute(sql, params) as cursor:
            row: Row | None = await cursor.fetchone()
            return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]


class Database:
    """A SQLite database file opened for the bot (or a command) for its lifetime."""

    def __init__(self, path: Path, conn: aiosqlite.Connection) -> None:
        self.path = path
        self._conn = conn
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Database:
        path.parent.mkdir(parents=True, exist_ok=True)
        check_file(path)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so nothing is
        # committed behind our back.
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        try:
            for pragma in _PRAGMAS:
                await conn.execute(pragma)
        except BaseException:
            await conn.close()  # its thread would keep the process alive after the error
            raise
        return cls(path, conn)

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """One write transaction: committed if the block ends, rolled back if it raises."""
        async with self._lock:
            await self._begin("BEGIN IMMEDIATE")
            try:
                yield Tx(self._conn)
            except BaseException:
                await asyncio.shield(self._conn.execute("ROLLBACK"))
                raise
            await asyncio.shield(self._conn.execute("COMMIT"))

    async def _begin(self, statement: str) -> None:
        """BEGIN, so that a task cancelled meanwhile does not leave a transaction open.

        aiosqlite runs the statement in its own thread whatever happens to the awaiting
        task; cancelled there, the BEGIN still happens and nothing would end it, and every
        later transaction would fail (seen when the bot stops). So wait it out and undo it.
        """
        begin = asyncio.ensure_future(self._conn.execute(statement))
        try:
            await asyncio.shield(begin)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await begin
                await self._conn.execute("ROLLBACK")
            raise

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        """A consistent read (a deferred transaction that writes nothing)."""
        async with self._lock:
            await self._begin("BEGIN")
            try:
                yield Tx(self._conn)
            finally:
                await asyncio.shield(self._conn.execute("ROLLBACK"))

    async def executescript(self, script: str) -> None:
        async with self._lock:
            await self._conn.executescript(script)

    async def backup_to(self, target: Path) -> None:
        """An online, consistent copy (SQLite's backup API) while the bot keeps running."""
        target.parent.mkdir(parents=True, exist_ok=True)
        async with self._lock, aiosqlite.connect(target) as dest:
            await self._conn.backup(dest)
