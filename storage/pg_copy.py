"""``lianxin db migrate-to-postgres``: one SQLite county copied into an empty PostgreSQL schema.

The target is first migrated to the same schema version as the file (so both hold the same
tables and columns), then every table is copied in one PostgreSQL transaction, parents
before the tables that reference them, with COPY in batches read from one SQLite snapshot;
each identity sequence is set past the largest id copied, so the next row the bot inserts
gets a new id. A failure leaves the target as empty as it was. The counts of both sides
are returned for the caller to compare (``Copied.differ``).

The trail's append-only triggers fire on UPDATE and DELETE only: COPY inserts, so they do
not stand in the way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiosqlite
import psycopg
from psycopg import sql as pgsql

from storage import migrate
from storage.pg import PgDatabase, PgRow, _connect

Connection = psycopg.AsyncConnection[PgRow]

BATCH = 5000
LEDGER = "schema_migrations"  # each side keeps its own history of migrations

SQLITE_VERSION = "SELECT coalesce(max(version), 0) FROM schema_migrations"
SQLITE_HAS_LEDGER = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
SQLITE_TABLES = """
SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name
"""
# Identifiers below come from the schema itself and are quoted by _quoted / pgsql.Identifier.
SQLITE_ROWS = "SELECT {columns} FROM {table}"
SQLITE_COUNT = "SELECT count(*) FROM {table}"

PG_TABLES = """
SELECT table_name FROM information_schema.tables
WHERE table_schema = %s AND table_type = 'BASE TABLE'
"""
PG_COLUMNS = """
SELECT table_name, column_name, is_identity FROM information_schema.columns
WHERE table_schema = %s AND is_generated = 'NEVER'  -- PostgreSQL computes those itself
ORDER BY table_name, ordinal_position
"""
# child -> parent pairs; a table referring to itself (regions' parent) is deferred instead.
PG_REFERENCES = """
SELECT child.relname, parent.relname
FROM pg_constraint AS con
JOIN pg_class AS child ON child.oid = con.conrelid
JOIN pg_class AS parent ON parent.oid = con.confrelid
JOIN pg_namespace AS space ON space.oid = child.relnamespace
WHERE con.contype = 'f' AND space.nspname = %s AND child.oid <> parent.oid
"""
PG_ANY_ROW = "SELECT EXISTS (SELECT 1 FROM {table})"
PG_COUNT = "SELECT count(*) FROM {table}"
PG_MAX = "SELECT max({column}) FROM {table}"
PG_COPY = "COPY {table} ({columns}) FROM STDIN"
PG_SETVAL = "SELECT setval(pg_get_serial_sequence(%s, %s), %s, %s)"
PG_WRITE_LOCK = "SELECT pg_advisory_xact_lock(%s)"
PG_DEFER = "SET CONSTRAINTS ALL DEFERRED"


class CopyRefused(Exception):
    """Nothing was copied; the message says why and what to do."""


@dataclass(frozen=True)
class Count:
    table: str
    source: int
    target: int


@dataclass(frozen=True)
class Copied:
    version: int
    counts: list[Count]

    @property
    def differ(self) -> list[Count]:
        return [c for c in self.counts if c.source != c.target]


def _read_only(path: Path) -> str:
    return path.resolve().as_uri() + "?mode=ro"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def source_version(path: Path) -> int:
    """The schema version of the SQLite file at ``path`` (0: never migrated)."""
    async with aiosqlite.connect(_read_only(path), uri=True) as conn:
        async with conn.execute(SQLITE_HAS_LEDGER, (LEDGER,)) as cursor:
            row = await cursor.fetchone()
        if row is None or not row[0]:
            return 0
        async with conn.execute(SQLITE_VERSION) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0


async def occupied(target: PgDatabase) -> list[str]:
    """The tables of the target's schema that hold rows (the ledger aside)."""
    conn = await _connect(target.url, target.schema, create=False)
    try:
        tables = [r[0] for r in await (await conn.execute(PG_TABLES, (target.schema,))).fetchall()]
        found = []
        for table in sorted(t for t in tables if t != LEDGER):
            query = pgsql.SQL(PG_ANY_ROW).format(table=pgsql.Identifier(table))
            row = await (await conn.execute(query)).fetchone()
            if row is not None and row[0]:
                found.append(table)
        return found
    finally:
        await conn.close()


async def copy_county(
    source: Path, target: PgDatabase, now: datetime, batch: int = BATCH
) -> Copied:
    """Copy the SQLite county at ``source`` into ``target``'s schema (empty; checked by the
    caller with ``occupied``), migrated here to the file's version first."""
    version = await source_version(source)
    if version != migrate.latest_version():
        raise CopyRefused(
            f"{source} is at schema version {version}, not {migrate.latest_version()}"
        )
    await migrate.upgrade(target, now)
    conn = await _connect(target.url, target.schema, create=False)
    try:
        columns, identities = await _pg_columns(conn, target.schema)
        order = _parents_first(columns, await _pg_references(conn, target.schema))
        async with aiosqlite.connect(_read_only(source), uri=True) as lite:
            await lite.execute("BEGIN")  # one snapshot for the copy and its counts
            missing = sorted(set(await _sqlite_tables(lite)) - set(columns) - {LEDGER})
            if missing:
                raise CopyRefused(f"tables not in PostgreSQL's schema: {', '.join(missing)}")
            async with conn.transaction():
                await conn.execute(PG_WRITE_LOCK, (target.write_key,))
                await conn.execute(PG_DEFER)
                sources = {}
                for table in order:
                    sources[table] = await _copy_table(lite, conn, table, columns[table], batch)
                for table, column in identities:
                    await _past_max(conn, target.schema, table, column)
            await lite.rollback()
        counts = [Count(t, sources[t], await _pg_count(conn, t)) for t in sorted(order)]
    finally:
        await conn.close()
    return Copied(version, counts)


async def _pg_columns(
    conn: Connection, schema: str
) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    columns: dict[str, list[str]] = {}
    identities = []
    for table, column, identity in await (await conn.execute(PG_COLUMNS, (schema,))).fetchall():
        if table == LEDGER:
            continue
        columns.setdefault(table, []).append(column)
        if identity == "YES":
            identities.append((table, column))
    return columns, identities


async def _pg_references(conn: Connection, schema: str) -> list[tuple[str, str]]:
    rows = await (await conn.execute(PG_REFERENCES, (schema,))).fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]


def _parents_first(
    columns: dict[str, list[str]], references: Iterable[tuple[str, str]]
) -> list[str]:
    """The tables, each after every table it references (a cycle is a schema bug)."""
    parents: dict[str, set[str]] = {table: set() for table in columns}
    for child, parent in references:
        if child in parents and parent in parents:
            parents[child].add(parent)
    order: list[str] = []
    while parents:
        ready = sorted(t for t, p in parents.items() if not p - set(order))
        if not ready:
            raise CopyRefused(f"foreign keys in a cycle: {', '.join(sorted(parents))}")
        order += ready
        for table in ready:
            del parents[table]
    return order


async def _sqlite_tables(lite: aiosqlite.Connection) -> list[str]:
    async with lite.execute(SQLITE_TABLES) as cursor:
        return [str(r[0]) for r in await cursor.fetchall()]


async def _copy_table(
    lite: aiosqlite.Connection, conn: Connection, table: str, names: Sequence[str], batch: int
) -> int:
    """Copy one table; return how many rows the source holds."""
    select = SQLITE_ROWS.format(columns=", ".join(map(_quoted, names)), table=_quoted(table))
    statement = pgsql.SQL(PG_COPY).format(
        table=pgsql.Identifier(table), columns=pgsql.SQL(", ").join(map(pgsql.Identifier, names))
    )
    try:
        cursor = await lite.execute(select)
    except sqlite3.OperationalError as problem:  # a column PostgreSQL has and the file not
        raise CopyRefused(f"{table}: {problem}") from None
    async with conn.cursor() as pg_cursor, pg_cursor.copy(statement) as copy:
        while rows := await cursor.fetchmany(batch):
            for row in rows:
                await copy.write_row(tuple(row))
    await cursor.close()
    count = SQLITE_COUNT.format(table=_quoted(table))
    async with lite.execute(count) as counted:
        total = await counted.fetchone()
    return int(total[0]) if total else 0


async def _past_max(conn: Connection, schema: str, table: str, column: str) -> None:
    """The identity's next value: one past the largest copied (1 for an empty table)."""
    query = pgsql.SQL(PG_MAX).format(
        column=pgsql.Identifier(column), table=pgsql.Identifier(table)
    )
    row = await (await conn.execute(query)).fetchone()
    largest = row[0] if row else None
    qualified = f"{_quoted(schema)}.{_quoted(table)}"
    if largest is None:
        await conn.execute(PG_SETVAL, (qualified, column, 1, False))
    else:
        await conn.execute(PG_SETVAL, (qualified, column, int(largest), True))


async def _pg_count(conn: Connection, table: str) -> int:
    query = pgsql.SQL(PG_COUNT).format(table=pgsql.Identifier(table))
    row = await (await conn.execute(query)).fetchone()
    return int(row[0]) if row else 0
