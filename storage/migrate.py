"""Versioned schema migrations: numbered SQL files applied in order, each in one transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from storage.db import Database
from storage.timefmt import to_db

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)
"""
SELECT_VERSION = "SELECT coalesce(max(version), 0) FROM schema_migrations"
RECORD = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ({v}, '{n}', '{t}');"


class MigrationError(Exception):
    """The database cannot be brought to this program's schema."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available() -> list[Migration]:
    """The migrations shipped with this program, in order; gaps or doubles are a packaging bug."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"migration files are not numbered 1..n without gaps: {versions}")
    return found


async def current_version(db: Database) -> int:
    async with db.transaction() as tx:
        await tx.execute(CREATE_LEDGER)
        return int(await tx.scalar(SELECT_VERSION))


async def upgrade(db: Database, now: datetime, target: int | None = None) -> list[Migration]:
    """Apply every migration above the database's version (up to ``target``); return them."""
    migrations = available()
    latest = migrations[-1].version if migrations else 0
    version = await current_version(db)
    if version > latest:
        raise MigrationError(
            f"the database is at schema version {version}, newer than this program's {latest}; "
            "install the newer lianxin that wrote it"
        )
    applied = []
    for migration in migrations:
        if migration.version <= version or (target is not None and migration.version > target):
            continue
        # executescript cannot take parameters; version, name and time are ours, not input.
        record = RECORD.format(v=migration.version, n=migration.name, t=to_db(now))
        script = f"BEGIN;\n{migration.sql}\n{record}\nCOMMIT;"
        try:
            await db.executescript(script)
        except Exception as exc:
            await db.executescript("ROLLBACK;")
            raise MigrationError(
                f"migration {migration.version:04d}_{migration.name} failed: {exc}"
            ) from exc
        applied.append(migration)
    return applied
