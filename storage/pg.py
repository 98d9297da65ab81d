"""The PostgreSQL door: the same ``transaction()`` and ``read()`` as SQLite's, over psycopg 3.

Everything outside ``storage/`` holds a ``Database`` and cannot tell which one it is. The
repositories' SQL is written once, in the subset both engines read; what differs is
bridged here, in one place:

- placeholders: SQLite's ``?`` and ``:name`` become psycopg's ``%s`` and ``%(name)s``
  (outside quoted text), and a literal ``%`` is doubled;
- ``INSERT OR IGNORE`` becomes ``INSERT … ON CONFLICT DO NOTHING``, and SQLite's index
  hints (``INDEXED BY``, ``NOT INDEXED``) are dropped;
- ``Tx.insert`` asks for ``RETURNING id`` (SQLite's last row id);
- a few SQLite functions the repositories use (``unixepoch``, ``iif``, ``instr``,
  ``group_concat``, ``json_extract``) exist as SQL functions created by the migration
  runner (``pg/compat.sql``);
- sums and averages (PostgreSQL's ``numeric``) come back as ``int`` or ``float``, as from
  SQLite, never as ``Decimal``.

Writes are one at a time, as on SQLite, and across processes too: each write transaction
first takes a transaction-level advisory lock keyed by the database's schema. Several
``lianxin run`` processes on one database therefore see the same serial history a single
SQLite writer gives, and the repositories' read-then-write steps stay correct without
retry loops. Reads take a repeatable-read, read-only snapshot and never wait for writers.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import zlib
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import psycopg
from psycopg import sql as pgsql
from psycopg.adapt import Loader
from psycopg.rows import RowMaker

from storage import process
from storage.db import Database, Params, Row, Tx

READERS = 4
_CONNECT_TIMEOUT = 10  # seconds: an unreachable server is reported, not waited on forever


class PgRow(tuple[Any, ...]):
    """A row read by position or by column name, as ``sqlite3.Row`` is."""

    _names: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


def _row_factory(cursor: psycopg.AsyncCursor[Any]) -> RowMaker[PgRow]:
    description = cursor.description or []
    names = {column.name: index for index, column in enumerate(description)}

    def make(values: Sequence[Any]) -> PgRow:
        row = PgRow(values)
        row._names = names
        return row

    return make


class _NumericLoader(Loader):
    """``numeric`` (what PostgreSQL's sum and avg of integers give) as int or float."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode()
        if "." in text or "e" in text.lower() or text in ("NaN", "Infinity", "-Infinity"):
            return float(text)
        return int(text)


_QUOTED_OR_MARK = re.compile(
    r"""('(?:[^']|'')*')"""  # a quoted string: copied as it is
    r"""|("(?:[^"]|"")*")"""  # a quoted identifier
    r"""|(--[^\n]*)"""  # a comment
    r"""|(::)"""  # a cast
    r"""|(\?)"""  # a positional parameter
    r"""|(?<![:\w]):([A-Za-z_]\w*)"""  # a named parameter
    r"""|(%)"""  # a literal percent sign
)
# SQLite's index hints: PostgreSQL's planner takes the same partial indexes by itself.
_INDEX_HINT = re.compile(r"\s+(?:INDEXED\s+BY\s+\w+|NOT\s+INDEXED)\b", re.IGNORECASE)
_OR_IGNORE = re.compile(r"\bINSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)


@lru_cache(maxsize=4096)
def translate(statement: str, with_params: bool = True) -> str:
    """SQLite's dialect of ``statement`` as psycopg takes it for PostgreSQL."""

    def swap(match: re.Match[str]) -> str:
        if match[1] or match[2]:  # quoted: psycopg still reads its % signs
            return match[0].replace("%", "%%") if with_params else match[0]
        if match[3] or match[4]:
            return match[0]
        if match[5]:
            return "%s"
        if match[6]:
            return f"%({match[6]})s"
        return "%%" if with_params else "%"

    text = _INDEX_HINT.sub("", _QUOTED_OR_MARK.sub(swap, statement))
    if _OR_IGNORE.search(text):
        text = _OR_IGNORE.sub("INSERT INTO", text)
        text = _before_returning(text, " ON CONFLICT DO NOTHING")
    return text


def _before_returning(text: str, clause: str) -> str:
    body = text.rstrip().rstrip(";")
    found = list(_RETURNING.finditer(body))
    if not found:
        return body + clause
    cut = found[-1].start()
    return body[:cut].rstrip() + clause + "\n" + body[cut:]


def _bind(sql: str, params: Params) -> tuple[str, Params | None]:
    if not params:
        return translate(sql, False), None
    return translate(sql), params


class PgTx(Tx):
    """An open PostgreSQL transaction with SQLite's ``Tx`` methods."""

    dialect = "postgresql"

    def __init__(self, conn: psycopg.AsyncConnection[PgRow]) -> None:
        self._pg = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        query, bound = _bind(sql, params)
        cursor = await self._pg.execute(cast(Any, query), bound)
        return cursor.rowcount

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT into a table keyed by ``id``; return the new row's id."""
        query, bound = _bind(sql, params)
        if not _RETURNING.search(query):
            query = query.rstrip().rstrip(";") + " RETURNING id"
        cursor = await self._pg.execute(cast(Any, query), bound)
        row = await cursor.fetchone()
        if row is None:
            raise RuntimeError("INSERT returned no row id")
        return int(row[0])

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self._pg.cursor() as cursor:
            await cursor.executemany(cast(Any, translate(sql)), list(rows))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        query, bound = _bind(sql, params)
        cursor = await self._pg.execute(cast(Any, query), bound)
        return cast("Row | None", await cursor.fetchone())

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        query, bound = _bind(sql, params)
        cursor = await self._pg.execute(cast(Any, query), bound)
        return cast("list[Row]", await cursor.fetchall())


class PgDatabase(Database):
    """A PostgreSQL database (one schema of it: a county) opened for the bot or a command."""

    dialect = "postgresql"

    def __init__(
        self, url: str, schema: str, conn: psycopg.AsyncConnection[PgRow], readers: int
    ) -> None:
        super().__init__(Path(f"postgresql:{schema}"), cast(Any, None), readers)
        self.url = url
        self.schema = schema
        self._pg = conn
        self._pg_idle: list[psycopg.AsyncConnection[PgRow]] = []
        self._pg_readers: list[psycopg.AsyncConnection[PgRow]] = []
        # The key of the advisory lock that makes writes one at a time, per schema.
        self.write_key = zlib.crc32(f"lianxin:{schema}".encode())

    @classmethod
    async def connect(
        cls, url: str, schema: str = "public", readers: int = READERS, *, create: bool = True
    ) -> PgDatabase:
        """Open ``url`` with its tables in ``schema`` (created if missing, unless not
        ``create``: a reader of a schema that may not exist yet)."""
        conn = await _connect(url, schema, create=create)
        return cls(url, schema, conn, readers)

    async def close(self) -> None:
        self._closed = True
        async with self._lock:
            await self._pg.close()
        for reader in self._pg_readers:
            await reader.close()
        self._pg_readers.clear()
        self._pg_idle.clear()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        async with self._lock:
            self._pg = await _begun(self._pg, "BEGIN", self.url, self.schema)
            try:
                await self._pg.execute("SELECT pg_advisory_xact_lock(%s)", (self.write_key,))
                yield PgTx(self._pg)
            except BaseException:
                if not self._pg.broken:  # a broken connection's transaction is gone anyway
                    await _shielded(self._pg.execute("ROLLBACK"))
                raise
            await _shielded(self._pg.execute("COMMIT"))

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        async with self._free:
            conn = await self._pg_reader()
            try:
                fresh = await _begun(conn, _READ, self.url, self.schema)
                if fresh is not conn:
                    self._pg_readers[self._pg_readers.index(conn)] = conn = fresh
                try:
                    yield PgTx(conn)
                finally:
                    await _shielded(conn.execute("ROLLBACK"))
            except BaseException:
                if conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
                    self._pg_idle.append(conn)
                else:
                    await conn.close()
                raise
            self._pg_idle.append(conn)

    async def _pg_reader(self) -> psycopg.AsyncConnection[PgRow]:
        if self._closed:
            raise RuntimeError("the database is closed")
        while self._pg_idle:
            idle = self._pg_idle.pop()
            if not (idle.broken or idle.closed):
                return idle
            self._pg_readers.remove(idle)
        conn = await _connect(self.url, self.schema, create=False)
        self._pg_readers.append(conn)
        return conn

    async def executescript(self, script: str) -> None:
        """Run ``script`` (several statements, no parameters) on the writer connection."""
        async with self._lock:
            await self._pg.execute(cast(Any, script))

    @asynccontextmanager
    async def migration_lock(self) -> AsyncIterator[None]:
        """Held while migrating, so two processes starting together migrate once."""
        async with self._lock:
            await self._pg.execute("SELECT pg_advisory_lock(%s)", (self.write_key + 1,))
        try:
            yield
        finally:
            async with self._lock:
                await self._pg.execute("SELECT pg_advisory_unlock(%s)", (self.write_key + 1,))

    async def backup_to(self, target: Path) -> None:
        from storage.db import BackupError

        raise BackupError("a PostgreSQL database is backed up with pg_dump (see the README)")


_READ = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"


async def _begun(
    conn: psycopg.AsyncConnection[PgRow], statement: str, url: str, schema: str
) -> psycopg.AsyncConnection[PgRow]:
    """``conn`` (or, if the server dropped it, a new connection) with a transaction begun.

    A connection the server closed (a restart, a failover, an idle timeout) is found out
    at its next statement; at BEGIN nothing has been done yet, so one new connection is
    tried before the caller sees an error."""
    if not (conn.broken or conn.closed):
        try:
            await _begin(conn, statement)
            return conn
        except psycopg.OperationalError:
            if not (conn.broken or conn.closed):
                raise
    with contextlib.suppress(Exception):
        await conn.close()
    fresh = await _connect(url, schema, create=False)
    await _begin(fresh, statement)
    return fresh


async def _begin(conn: psycopg.AsyncConnection[PgRow], statement: str) -> None:
    """BEGIN, so that a task cancelled meanwhile leaves no transaction open (as SQLite's)."""
    begin = asyncio.ensure_future(conn.execute(cast(Any, statement)))
    try:
        await asyncio.shield(begin)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await begin
            await conn.execute("ROLLBACK")
        raise


async def _shielded(step: Any) -> None:
    task = asyncio.ensure_future(step)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await task
        raise


async def _connect(url: str, schema: str, *, create: bool) -> psycopg.AsyncConnection[PgRow]:
    conn = await psycopg.AsyncConnection.connect(
        url,
        autocommit=True,
        row_factory=_row_factory,
        connect_timeout=_CONNECT_TIMEOUT,
        application_name=process.APPLICATION,  # who holds a lease, seen alive or not
        # Times are stored as UTC text; unixepoch() reads them in the session's zone. No
        # JIT: compiling a /stats query took 0.3 s of a township's 0.34 s (the benchmark's
        # county at 5 %), more than any query here saves by it.
        options="-c TimeZone=UTC -c jit=off",
    )
    try:
        conn.adapters.register_loader("numeric", _NumericLoader)
        if create:
            await conn.execute(
                pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(pgsql.Identifier(schema))
            )
        await conn.execute(pgsql.SQL("SET search_path TO {}").format(pgsql.Identifier(schema)))
    except BaseException:
        await conn.close()
        raise
    return conn
