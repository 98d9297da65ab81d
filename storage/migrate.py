"""Versioned schema migrations: numbered SQL files applied in order, each in one transaction.

SQLite runs ``storage/migrations/NNNN_name.sql`` from 0001. PostgreSQL starts from
``migrations/pg/0026_baseline.sql`` (SQLite's schema at 0026 in PostgreSQL's words) and
then runs the same numbered files; a file in ``migrations/pg/`` with the number of a
shared one replaces it there. ``tests/storage/test_pg_schema.py`` keeps the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from storage.db import Database
from storage.timefmt import to_db

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
PG_BASELINE = 26  # the version migrations/pg/0026_baseline.sql brings an empty schema to

CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)
"""
# PostgreSQL's integers are BIGINT, as the baseline's (tests/storage/test_pg_schema.py).
CREATE_LEDGER_PG = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)
"""
SELECT_VERSION = "SELECT coalesce(max(version), 0) FROM schema_migrations"
HAS_LEDGER = (
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
)
HAS_LEDGER_PG = "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 ELSE 1 END"
RECORD = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ({v}, '{n}', '{t}');"


class MigrationError(Exception):
    """The database cannot be brought to this program's schema."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def _numbered(package: str) -> dict[int, Migration]:
    found: dict[int, Migration] = {}
    for entry in resources.files(package).iterdir():
        match = _NAME.match(entry.name)
        if match:
            migration = Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8"))
            if migration.version in found:
                raise MigrationError(f"two migrations numbered {migration.version:04d}")
            found[migration.version] = migration
    return found


def available(dialect: str = "sqlite") -> list[Migration]:
    """The migrations shipped with this program, in order; gaps or doubles are a packaging bug.

    For PostgreSQL, versions up to the baseline's are recorded by the baseline itself."""
    shared = _numbered("storage.migrations")
    versions = sorted(shared)
    if versions != list(range(1, len(versions) + 1)):
        raise MigrationError(f"migration files are not numbered 1..n without gaps: {versions}")
    if dialect == "sqlite":
        return [shared[v] for v in versions]
    own = _numbered("storage.migrations.pg")
    return [own.get(v, shared[v]) for v in versions if v > PG_BASELINE]


def compat_sql(dialect: str) -> str:
    """PostgreSQL's stand-ins for SQLite functions (``migrations/pg/compat.sql``)."""
    if dialect == "sqlite":
        return ""
    return resources.files("storage.migrations.pg").joinpath("compat.sql").read_text("utf-8")


def latest_version() -> int:
    return available()[-1].version


async def current_version(db: Database) -> int:
    async with db.transaction() as tx:
        await tx.execute(CREATE_LEDGER_PG if db.dialect == "postgresql" else CREATE_LEDGER)
        return int(await tx.scalar(SELECT_VERSION))


async def found_version(db: Database) -> int:
    """The database's version, read without writing (0: none, not even the ledger): for a
    reader of someone else's database (the province reading a county)."""
    async with db.read() as tx:
        if not await tx.scalar(HAS_LEDGER_PG if db.dialect == "postgresql" else HAS_LEDGER):
            return 0
        return int(await tx.scalar(SELECT_VERSION))


async def upgrade(db: Database, now: datetime, target: int | None = None) -> list[Migration]:
    """Apply every migration above the database's version (up to ``target``); return them."""
    async with db.migration_lock():
        return await _upgrade(db, now, target)


async def _upgrade(db: Database, now: datetime, target: int | None) -> list[Migration]:
    latest = latest_version()
    version = await current_version(db)
    if version > latest:
        raise MigrationError(
            f"the database is at schema version {version}, newer than this program's {latest}; "
            "install the newer lianxin that wrote it"
        )
    steps = _baseline(db.dialect, version, target) + available(db.dialect)
    applied = []
    for migration in steps:
        if migration.version <= version or (target is not None and migration.version > target):
            continue
        # executescript cannot take parameters; version, name and time are ours, not input.
        record = _records(db.dialect, migration, now)
        script = f"BEGIN;\n{migration.sql}\n{record}\nCOMMIT;"
        try:
            await db.executescript(script)
        except Exception as exc:
            await db.executescript("ROLLBACK;")
            raise MigrationError(
                f"migration {migration.version:04d}_{migration.name} failed: {exc}"
            ) from exc
        applied.append(migration)
    if db.dialect != "sqlite":
        await db.executescript(compat_sql(db.dialect))
    return applied


def _baseline(dialect: str, version: int, target: int | None) -> list[Migration]:
    """PostgreSQL's first step, from an empty schema to the baseline's version."""
    if dialect == "sqlite" or version >= PG_BASELINE:
        return []
    if version != 0:
        raise MigrationError(f"a PostgreSQL schema at version {version} cannot be upgraded")
    if target is not None and target < PG_BASELINE:
        raise MigrationError(f"PostgreSQL starts at schema version {PG_BASELINE}")
    text = resources.files("storage.migrations.pg").joinpath(f"{PG_BASELINE:04d}_baseline.sql")
    return [Migration(PG_BASELINE, "baseline", text.read_text(encoding="utf-8"))]


def _records(dialect: str, migration: Migration, now: datetime) -> str:
    """The ledger lines a step writes: one, or every shared version the baseline stands for."""
    if migration.name != "baseline" or dialect == "sqlite":
        return RECORD.format(v=migration.version, n=migration.name, t=to_db(now))
    shared = available()[:PG_BASELINE]
    return "\n".join(RECORD.format(v=m.version, n=m.name, t=to_db(now)) for m in shared)
