from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import private
from bot.clock import ManualClock
from storage import db as storage_db
from storage import migrate
from storage.db import Database

START = datetime(2026, 11, 15, 0, 30, tzinfo=UTC)  # 08:30 in Asia/Shanghai, a service day


FLUSHED = "PRAGMA synchronous = FULL"


@pytest.fixture(scope="session", autouse=True)
def _commits_not_flushed_to_disk() -> Iterator[None]:
    """Databases opened in the test process do not wait for the disk at each commit.

    ``synchronous = FULL`` makes a commit survive a power cut; no test here can cut the
    power, and what other connections and processes see is the same either way. Waiting
    for the disk was some 2,800 flushes a run, over 10 s of the fast tiers on a busy
    disk. The bots of the e2e tier run in their own processes, with FULL."""
    assert FLUSHED in storage_db._PRAGMAS, "storage/db.py changed: update this fixture"
    pragmas = tuple(
        "PRAGMA synchronous = OFF" if pragma == FLUSHED else pragma
        for pragma in storage_db._PRAGMAS
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(storage_db, "_PRAGMAS", pragmas)
        yield


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


async def _migrate(path: Path) -> None:
    database = await Database.open(path)
    await migrate.upgrade(database, START)
    await database.close()  # the last connection closed: the log is checkpointed and gone


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file at the latest schema, migrated once per session (as ``db`` used
    to be for every test: a dozen committed, flushed transactions each time)."""
    path = tmp_path_factory.mktemp("migrated") / "lianxin.db"
    asyncio.run(_migrate(path))
    assert not Path(f"{path}-wal").exists(), "the template must be one whole file"
    return path


def fresh_database(migrated: Path, path: Path) -> Path:
    """A copy of the migrated template at ``path`` (0600, like every database file), the
    same bytes ``migrate.upgrade`` writes into an empty file at ``START``."""
    private.folder(path.parent)
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, private.FILE_MODE)
    with os.fdopen(descriptor, "wb") as out:
        out.write(migrated.read_bytes())
    return path


@pytest.fixture
async def db(tmp_path: Path, migrated: Path) -> AsyncIterator[Database]:
    database = await Database.open(fresh_database(migrated, tmp_path / "lianxin.db"))
    yield database
    await database.close()
