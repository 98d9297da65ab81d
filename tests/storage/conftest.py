"""The storage tier runs every test that takes ``db`` twice: on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database
from tests.conftest import fresh_database, pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(
    request: pytest.FixtureRequest, tmp_path: Path, migrated: Path
) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        database = await Database.open(fresh_database(migrated, tmp_path / "lianxin.db"))
        yield database
        await database.close()
        return
    cluster = request.getfixturevalue("pg_cluster")
    template = request.getfixturevalue("pg_template")
    async with pg_database(cluster, template) as pg:
        yield pg


@pytest.fixture
async def sqlite_db(tmp_path: Path, migrated: Path) -> AsyncIterator[Database]:
    """SQLite alone, for the tests of what only SQLite has: its file, PRAGMAs and WAL, the
    words of its query planner. Each says why it takes this instead of ``db``."""
    database = await Database.open(fresh_database(migrated, tmp_path / "lianxin.db"))
    yield database
    await database.close()
