"""The one door to the database: a writer connection with WAL and foreign keys, a few
reader connections, and transactions.

SQLite allows one writer at a time, so every write goes through ``transaction()``,
which serialises them with a lock and makes each one all-or-nothing. Reads go through
``read()``, on a pool of read-only connections beside the writer: in WAL mode a reader
sees the last commit made before its first statement and neither waits for the writer
nor holds it up, so a long read (a county's statistics, a workbook) never stalls the
villagers' updates. Repositories take the ``Tx`` either yields; nothing outside
``storage/`` sees a cursor.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot import private
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
# The database holds names, phones and villagers' words: its owner only. SQLite gives the
# -wal and -shm files the database file's mode, so creating that one 0600 is enough.
_SIDE_FILES = ("", "-wal", "-shm", "-journal")


class BackupError(Exception):
    """No backup was made, and nothing was left at its path; the message says why."""


class Tx:
    """An open transaction. Repositories run their statements through it."""

    # The engine's name, for the few statements storage/ must write twice (never read
    # outside storage/): "sqlite" here, "postgresql" for storage.pg.PgTx.
    dialect = "sqlite"

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


READERS = 4  # read connections at most; each is a thread of aiosqlite's


async def _connect(path: Path, pragmas: Sequence[str]) -> aiosqlite.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, so nothing is
    # committed behind our back.
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    try:
        for pragma in pragmas:
            await conn.execute(pragma)
    except BaseException:
        await conn.close()  # its thread would keep the process alive after the error
        raise
    return conn


async def _begin(conn: aiosqlite.Connection, statement: str) -> None:
    """BEGIN, so that a task cancelled meanwhile does not leave a transaction open.

    aiosqlite runs the statement in its own thread whatever happens to the awaiting
    task; cancelled there, the BEGIN still happens and nothing would end it, and every
    later transaction would fail (seen when the bot stops). So wait it out and undo it.
    """
    begin = asyncio.ensure_future(conn.execute(statement))
    try:
        await asyncio.shield(begin)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await begin
            await conn.execute("ROLLBACK")
        raise


class Database:
    """A SQLite database file opened for the bot (or a command) for its lifetime.

    ``storage.pg.PgDatabase`` is the same door to PostgreSQL; ``storage.backend`` opens
    whichever the configuration names."""

    dialect = "sqlite"

    def __init__(self, path: Path, conn: aiosqlite.Connection, readers: int = READERS) -> None:
        self.path = path
        self._conn = conn
        self._lock = asyncio.Lock()
        self._idle: list[aiosqlite.Connection] = []  # read connections not in use
        self._readers: list[aiosqlite.Connection] = []  # every read connection opened
        self._free = asyncio.Semaphore(readers)
        self._closed = False

    @classmethod
    async def open(cls, path: Path, readers: int = READERS) -> Database:
        private.folder(path.parent)
        _private_file(path)
        check_file(path)
        return cls(path, await _connect(path, _PRAGMAS), readers)

    async def close(self) -> None:
        self._closed = True
        async with self._lock:
            await self._conn.close()
        for reader in self._readers:
            await reader.close()
        self._readers.clear()
        self._idle.clear()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """One write transaction: committed if the block ends, rolled back if it raises."""
        async with self._lock:
            await _begin(self._conn, "BEGIN IMMEDIATE")
            try:
                yield Tx(self._conn)
            except BaseException:
                await asyncio.shield(self._conn.execute("ROLLBACK"))
                raise
            await asyncio.shield(self._conn.execute("COMMIT"))

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        """A consistent read on a read connection: a snapshot of the last commit, taken
        without the writer's lock (so it waits for no transaction and holds none up).
        A read begun after a transaction committed sees what it wrote."""
        async with self._free:
            conn = await self._reader()
            try:
                await _begin(conn, "BEGIN")
                try:
                    yield Tx(conn)
                finally:
                    await asyncio.shield(conn.execute("ROLLBACK"))
            except BaseException:
                # A connection in an unknown state (a cancelled BEGIN, a failed ROLLBACK)
                # is not reused.
                if not conn.in_transaction:
                    self._idle.append(conn)
                raise
            self._idle.append(conn)

    async def _reader(self) -> aiosqlite.Connection:
        if self._closed:
            raise RuntimeError("the database is closed")
        if self._idle:
            return self._idle.pop()
        # Opened whatever happens to the asking task (a connection dropped half-open would
        # never be closed); if that task is cancelled meanwhile, it joins the idle ones.
        opening = asyncio.ensure_future(self._open_reader())
        try:
            return await asyncio.shield(opening)
        except asyncio.CancelledError:
            opening.add_done_callback(self._idle_when_open)
            raise

    async def _open_reader(self) -> aiosqlite.Connection:
        # query_only: a read connection refuses writes, so a repository cannot write
        # outside the writer's transaction by mistake.
        conn = await _connect(self.path, (*_PRAGMAS[1:], "PRAGMA query_only = ON"))
        self._readers.append(conn)
        return conn

    def _idle_when_open(self, opening: asyncio.Future[aiosqlite.Connection]) -> None:
        if not opening.cancelled() and opening.exception() is None:
            self._idle.append(opening.result())

    async def executescript(self, script: str) -> None:
        async with self._lock:
            await self._conn.executescript(script)

    @asynccontextmanager
    async def migration_lock(self) -> AsyncIterator[None]:
        """Held while migrating; one SQLite file has one process (``storage.instance``)."""
        yield

    async def backup_to(self, target: Path) -> None:
        """An online, consistent copy (SQLite's backup API) while the bot keeps running.

        Written under a temporary name beside ``target``, checked (``integrity_check``),
        flushed to disk and only then renamed, so ``target`` is either the whole, sound
        copy or absent: a full disk or a crash never leaves half a backup that looks like
        one. Raises BackupError."""
        partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
        try:
            private.folder(target.parent)
            _private_file(partial)
            async with self._lock, aiosqlite.connect(partial) as dest:
                await self._conn.backup(dest)
            verdict = await _integrity(partial)
            if verdict != "ok":
                raise BackupError(f"the copy failed its integrity check: {verdict}")
            _publish(partial, target)
        except FileExistsError:
            raise BackupError(f"{target}: already exists") from None
        except (OSError, sqlite3.Error) as problem:
            raise BackupError(str(problem)) from problem
        finally:
            _remove(partial)


async def _integrity(path: Path) -> str:
    """``PRAGMA integrity_check`` of the database at ``path``: "ok", or what is wrong."""
    async with aiosqlite.connect(path) as conn, conn.execute("PRAGMA integrity_check") as cur:
        rows = list(await cur.fetchall())
    return "; ".join(str(row[0]) for row in rows[:5])


def _private_file(path: Path) -> None:
    """Create ``path`` 0600 if missing; tighten it and its side files if they are
    readable by others (a database made before the bot cared)."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, private.FILE_MODE))
    for side in _SIDE_FILES:
        existing = Path(f"{path}{side}")
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if existing.stat().st_mode & 0o077:
                existing.chmod(private.FILE_MODE)


def _publish(partial: Path, target: Path) -> None:
    """Flush the checked copy to the disk and give it its name, never over a file that
    appeared there meanwhile (a hard link fails if the name is taken)."""
    _fsync(partial)
    try:
        os.link(partial, target)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        if target.exists():
            raise FileExistsError(target) from None
        partial.rename(target)
    _fsync(target.parent)


def _remove(partial: Path) -> None:
    for side in _SIDE_FILES:
        Path(f"{partial}{side}").unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    """Flush ``path`` (a file or a folder: the rename in it) to the disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
