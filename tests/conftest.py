from __future__ import annotations

import asyncio
import concurrent.futures
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import psycopg
import pytest

from bot import private
from bot.clock import ManualClock
from storage import db as storage_db
from storage import migrate
from storage.db import Database
from storage.pg import PgDatabase
from tests import pg_cluster as pg_cluster_module
from tests.pg_cluster import Cluster

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


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A PostgreSQL server of the session's own (tests/pg_cluster.py). Without server
    binaries the PostgreSQL cases skip, but fail in CI (CI=true), where .ci/run installs
    them: a green CI run has run them."""
    try:
        cluster = pg_cluster_module.start()
    except pg_cluster_module.Unavailable as missing:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is needed in CI: {missing}")
        pytest.skip(str(missing))
    yield cluster
    cluster.stop()


async def _pg_admin(cluster: Cluster, statement: str) -> None:
    conn = await psycopg.AsyncConnection.connect(cluster.url, autocommit=True)
    try:
        await conn.execute(cast(Any, statement))
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_template(pg_cluster: Cluster) -> str:
    """A database at the latest schema, the template each PostgreSQL test copies."""

    async def build() -> None:
        await _pg_admin(pg_cluster, "DROP DATABASE IF EXISTS lianxin_template")
        await _pg_admin(pg_cluster, "CREATE DATABASE lianxin_template")
        database = await PgDatabase.connect(pg_cluster.url_for("lianxin_template"))
        await migrate.upgrade(database, START)
        await database.close()

    # In a thread of its own: an async fixture may ask for this one while its loop runs.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, build()).result()
    return "lianxin_template"


@asynccontextmanager
async def pg_database(cluster: Cluster, template: str) -> AsyncIterator[PgDatabase]:
    """A fresh copy of ``template``, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    await _pg_admin(cluster, f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
    database = await PgDatabase.connect(cluster.url_for(name))
    try:
        yield database
    finally:
        await database.close()
        await _pg_admin(cluster, f"DROP DATABASE {name} WITH (FORCE)")
