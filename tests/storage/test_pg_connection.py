"""The PostgreSQL door itself: a server that drops its connections (a restart, a
failover) between transactions costs nothing; the next one reconnects."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from storage import meta
from storage.pg import PgDatabase, translate
from tests.conftest import pg_database
from tests.pg_cluster import Cluster


def test_placeholders_outside_quoted_text_and_every_percent_sign_are_translated() -> None:
    sql = (
        "SELECT '?', ':x', \"a?\" FROM t WHERE a = ? AND b = :name AND c LIKE '%x' AND d::text = ?"
    )
    assert translate(sql) == (
        "SELECT '?', ':x', \"a?\" FROM t WHERE a = %s AND b = %(name)s AND c LIKE '%%x' "
        "AND d::text = %s"
    )
    assert translate("SELECT a FROM t INDEXED BY t_a, u NOT INDEXED") == "SELECT a FROM t, u"
    assert translate("INSERT OR IGNORE INTO t (a) VALUES (?)") == (
        "INSERT INTO t (a) VALUES (%s) ON CONFLICT DO NOTHING"
    )


async def _drop_connections(cluster: Cluster, database: PgDatabase) -> None:
    admin = await psycopg.AsyncConnection.connect(cluster.url, autocommit=True)
    async with admin:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (database.url.rsplit("/", 1)[1],),
        )


async def test_connections_the_server_dropped_are_replaced_at_the_next_transaction(
    pg_cluster: Cluster, pg_template: str
) -> None:
    async with pg_database(pg_cluster, pg_template) as db:
        async with db.transaction() as tx:
            await meta.put(tx, "k", "before")
        async with db.read() as tx:
            assert await meta.get(tx, "k") == "before"
        await _drop_connections(pg_cluster, db)
        async with db.transaction() as tx:
            await meta.put(tx, "k", "after")
        async with db.read() as tx:  # the idle reader was dropped too
            assert await meta.get(tx, "k") == "after"


async def test_a_cancelled_transaction_leaves_the_connection_usable(
    pg_cluster: Cluster, pg_template: str
) -> None:
    async with pg_database(pg_cluster, pg_template) as db:
        started = asyncio.Event()

        async def slow() -> None:
            async with db.transaction() as tx:
                started.set()
                await tx.execute("SELECT pg_sleep(30)")

        task = asyncio.create_task(slow())
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        async with db.transaction() as tx:
            await meta.put(tx, "k", "v")
        async with db.read() as tx:
            assert await meta.get(tx, "k") == "v"
