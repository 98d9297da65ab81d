"""The two schemas kept in step: SQLite's, built by every numbered migration, and
PostgreSQL's, built by the baseline (``migrations/pg/0026_baseline.sql``) and the later
migrations, must have the same tables, columns (name, nullability, type family), primary
keys, indexes (name, columns, unique or not, partial or not) and foreign keys. A
difference fails with one line per table and column or index that differs.

And on PostgreSQL the runner behaves as on SQLite: a second upgrade does nothing, and a
schema newer than this program is refused."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from storage import migrate
from storage.db import Database, Tx
from storage.pg import PgDatabase
from tests.conftest import START, fresh_database, pg_database
from tests.pg_cluster import Cluster

# --- SQLite ------------------------------------------------------------------------------
SQLITE_TABLES = """
SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
"""
SQLITE_COLUMNS = 'SELECT name, type, "notnull", pk FROM pragma_table_info(?)'
SQLITE_INDEXES = 'SELECT name, "unique", origin, partial FROM pragma_index_list(?)'
SQLITE_INDEX_COLUMNS = "SELECT name FROM pragma_index_info(?) ORDER BY seqno"
SQLITE_FOREIGN_KEYS = """
SELECT id, "table", "from", "to", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq
"""
# --- PostgreSQL (the county's own schema) -------------------------------------------------
PG_TABLES = """
SELECT table_name FROM information_schema.tables
WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
"""
PG_COLUMNS = """
SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
WHERE table_schema = current_schema()
"""
PG_CONSTRAINTS = """
SELECT t.relname::text, c.contype::text,
       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k (n, o)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n
             ORDER BY k.o),
       f.relname::text,
       ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k (n, o)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n
             ORDER BY k.o),
       c.confdeltype::text
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
     LEFT JOIN pg_class f ON f.oid = c.confrelid
WHERE t.relnamespace = current_schema()::regnamespace AND c.contype IN ('p', 'u', 'f')
"""
PG_INDEXES = """
SELECT t.relname::text, i.relname::text, x.indisunique, x.indpred IS NOT NULL,
       ARRAY(SELECT coalesce(a.attname::text, '<expression>')
             FROM unnest(x.indkey::int2[]) WITH ORDINALITY k (n, o)
             LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n
             ORDER BY k.o),
       EXISTS (SELECT 1 FROM pg_constraint c
               WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid
                 AND c.contype IN ('p', 'u'))
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
WHERE t.relnamespace = current_schema()::regnamespace
"""
FUTURE = "INSERT INTO schema_migrations VALUES (?, 'future', '2030-01-01T00:00:00.000000Z')"
PG_FAMILY = {"bigint": "INTEGER", "text": "TEXT", "double precision": "REAL"}
PG_ON_DELETE = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}


@dataclass(frozen=True)
class Index:
    unique: bool
    partial: bool
    columns: tuple[str, ...]


@dataclass
class Table:
    columns: dict[str, tuple[str, bool]] = field(default_factory=dict)  # family, NOT NULL
    primary_key: tuple[str, ...] = ()
    indexes: dict[str, Index] = field(default_factory=dict)  # CREATE INDEX, by name
    unique: set[tuple[str, ...]] = field(default_factory=set)  # UNIQUE constraints
    # (columns, parent table, parent columns, ON DELETE)
    foreign_keys: set[tuple[tuple[str, ...], str, tuple[str, ...], str]] = field(
        default_factory=set
    )


def sqlite_family(declared: str) -> str:
    """SQLite's type affinity of a declared type (its own rules, in their order)."""
    upper = declared.upper()
    if "INT" in upper:
        return "INTEGER"
    if any(word in upper for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if any(word in upper for word in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return f"'{declared}'"  # none of the three: named as declared


async def sqlite_schema(tx: Tx) -> dict[str, Table]:
    tables: dict[str, Table] = {}
    keys: dict[str, list[tuple[list[str], str, list[str | None], str]]] = {}
    for (name,) in await tx.fetchall(SQLITE_TABLES):
        table = tables[name] = Table()
        keyed: list[tuple[int, str]] = []
        for column, declared, not_null, pk in await tx.fetchall(SQLITE_COLUMNS, (name,)):
            # A primary key's columns hold no NULL on PostgreSQL; on SQLite only an INTEGER
            # PRIMARY KEY is sure not to, but the bot never stores one: compare as NOT NULL.
            table.columns[column] = (sqlite_family(declared), bool(not_null or pk))
            if pk:
                keyed.append((pk, column))
        table.primary_key = tuple(column for _, column in sorted(keyed))
        for index, unique, origin, partial in await tx.fetchall(SQLITE_INDEXES, (name,)):
            columns = tuple(
                r[0] or "<expression>" for r in await tx.fetchall(SQLITE_INDEX_COLUMNS, (index,))
            )
            if origin == "c":
                table.indexes[index] = Index(bool(unique), bool(partial), columns)
            elif origin == "u":
                table.unique.add(columns)
        found: dict[int, tuple[list[str], str, list[str | None], str]] = {}
        for key, parent, source, target, on_delete in await tx.fetchall(
            SQLITE_FOREIGN_KEYS, (name,)
        ):
            entry = found.setdefault(key, ([], parent, [], on_delete))
            entry[0].append(source)
            entry[2].append(target)
        keys[name] = list(found.values())
    # A foreign key naming no parent columns means the parent's primary key.
    for name, found_keys in keys.items():
        tables[name].foreign_keys = {
            (tuple(columns), parent, _targets(targets, tables[parent].primary_key), on_delete)
            for columns, parent, targets, on_delete in found_keys
        }
    return tables


def _targets(targets: list[str | None], primary_key: tuple[str, ...]) -> tuple[str, ...]:
    if all(t is None for t in targets):
        return primary_key
    return tuple(str(t) for t in targets)


async def pg_schema(tx: Tx) -> dict[str, Table]:
    tables = {r[0]: Table() for r in await tx.fetchall(PG_TABLES)}
    for name, column, data_type, nullable in await tx.fetchall(PG_COLUMNS):
        family = PG_FAMILY.get(data_type, f"'{data_type}'")
        tables[name].columns[column] = (family, nullable == "NO")
    for name, kind, columns, parent, parent_columns, on_delete in await tx.fetchall(
        PG_CONSTRAINTS
    ):
        if kind == "p":
            tables[name].primary_key = tuple(columns)
        elif kind == "u":
            tables[name].unique.add(tuple(columns))
        else:
            action = PG_ON_DELETE[on_delete]
            tables[name].foreign_keys.add((tuple(columns), parent, tuple(parent_columns), action))
    for name, index, unique, partial, columns, of_constraint in await tx.fetchall(PG_INDEXES):
        if not of_constraint:
            tables[name].indexes[index] = Index(bool(unique), bool(partial), tuple(columns))
    return tables


def differences(sqlite: dict[str, Table], pg: dict[str, Table]) -> Iterator[str]:
    """One line per difference: which table, which column, index or key, and how."""
    for name in sorted(sqlite.keys() - pg.keys()):
        yield f"table {name}: on SQLite only"
    for name in sorted(pg.keys() - sqlite.keys()):
        yield f"table {name}: on PostgreSQL only"
    for name in sorted(sqlite.keys() & pg.keys()):
        s, p = sqlite[name], pg[name]
        for column in sorted(s.columns.keys() | p.columns.keys()):
            left, right = s.columns.get(column), p.columns.get(column)
            if left != right:
                yield (
                    f"table {name}, column {column}: "
                    f"SQLite {_column(left)}, PostgreSQL {_column(right)}"
                )
        if s.primary_key != p.primary_key:
            yield f"table {name}: primary key SQLite {s.primary_key}, PostgreSQL {p.primary_key}"
        for index in sorted(s.indexes.keys() | p.indexes.keys()):
            left_index, right_index = s.indexes.get(index), p.indexes.get(index)
            if left_index != right_index:
                yield f"table {name}, index {index}: SQLite {left_index}, PostgreSQL {right_index}"
        for columns in sorted(s.unique ^ p.unique):
            where = "SQLite" if columns in s.unique else "PostgreSQL"
            yield f"table {name}: UNIQUE {columns} on {where} only"
        for key in sorted(s.foreign_keys ^ p.foreign_keys):
            where = "SQLite" if key in s.foreign_keys else "PostgreSQL"
            yield f"table {name}: foreign key {key} on {where} only"


def _column(found: tuple[str, bool] | None) -> str:
    if found is None:
        return "missing"
    family, not_null = found
    return f"{family} {'NOT NULL' if not_null else 'NULL'}"


async def test_postgresql_s_schema_is_sqlite_s(
    pg_cluster: Cluster, pg_template: str, tmp_path: Path, migrated: Path
) -> None:
    sqlite = await Database.open(fresh_database(migrated, tmp_path / "lianxin.db"))
    try:
        async with sqlite.read() as tx:
            on_sqlite = await sqlite_schema(tx)
    finally:
        await sqlite.close()
    async with pg_database(pg_cluster, pg_template) as pg, pg.read() as tx:
        on_pg = await pg_schema(tx)
    # The reading works (not two empty schemas compared): keys, partial indexes, uniques.
    requests = on_sqlite["requests"]
    assert requests.foreign_keys
    assert requests.primary_key == ("id",)
    assert any(index.partial for index in requests.indexes.values())
    assert on_pg["requests"].indexes.keys() == requests.indexes.keys()
    assert list(differences(on_sqlite, on_pg)) == []


def test_a_difference_is_named_by_table_and_column() -> None:
    sqlite = {"t": Table({"a": ("TEXT", True)}, ("a",), {"t_a": Index(False, True, ("a",))})}
    pg = {"t": Table({"a": ("INTEGER", True)}, ("a",), {"t_a": Index(False, False, ("a",))})}
    assert list(differences(sqlite, pg)) == [
        "table t, column a: SQLite TEXT NOT NULL, PostgreSQL INTEGER NOT NULL",
        "table t, index t_a: SQLite Index(unique=False, partial=True, columns=('a',)), "
        "PostgreSQL Index(unique=False, partial=False, columns=('a',))",
    ]


async def test_a_second_upgrade_on_postgresql_changes_nothing(
    pg_cluster: Cluster, pg_template: str
) -> None:
    async with pg_database(pg_cluster, pg_template) as pg:
        before = await _schema_and_ledger(pg)
        assert await migrate.upgrade(pg, START + timedelta(days=1)) == []
        assert await migrate.upgrade(pg, START + timedelta(days=2)) == []
        assert await _schema_and_ledger(pg) == before
        assert await migrate.current_version(pg) == migrate.latest_version()


async def _schema_and_ledger(pg: PgDatabase) -> tuple[dict[str, Table], list[tuple[object, ...]]]:
    async with pg.read() as tx:
        ledger = await tx.fetchall("SELECT version, name, applied_at FROM schema_migrations")
        return await pg_schema(tx), sorted(tuple(r) for r in ledger)


async def test_a_newer_postgresql_schema_is_refused(pg_cluster: Cluster, pg_template: str) -> None:
    async with pg_database(pg_cluster, pg_template) as pg:
        async with pg.transaction() as tx:
            await tx.execute(FUTURE, (migrate.latest_version() + 1,))
        with pytest.raises(migrate.MigrationError, match="newer than this program"):
            await migrate.upgrade(pg, START)
        async with pg.read() as tx:  # refused before anything ran
            assert await tx.scalar("SELECT max(version) FROM schema_migrations") == (
                migrate.latest_version() + 1
            )
