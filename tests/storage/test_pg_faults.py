"""PostgreSQL errors that mean "stop with one line" (the server is gone, cannot write)
and those that do not (a statement's own mistake): storage/faults.py."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors as pg_errors

from storage.faults import DatabaseFault, fault_of
from storage.pg import PgDatabase
from tests.conftest import pg_database
from tests.pg_cluster import Cluster


async def _terminated_mid_transaction(db: PgDatabase, cluster: Cluster) -> None:
    admin = await psycopg.AsyncConnection.connect(cluster.url, autocommit=True)
    async with db.transaction() as tx:
        async with admin:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (db.url.rsplit("/", 1)[1],),
            )
        await tx.execute("SELECT 1")


async def test_a_server_that_is_gone_is_a_fault_with_one_line(
    pg_cluster: Cluster, pg_template: str
) -> None:
    async with pg_database(pg_cluster, pg_template) as db:
        with pytest.raises(psycopg.OperationalError) as raised:
            await _terminated_mid_transaction(db, pg_cluster)
    fault = fault_of(raised.value)
    assert isinstance(fault, DatabaseFault)
    assert str(fault).startswith("the PostgreSQL server cannot be reached (")
    assert "\n" not in str(fault)


@pytest.mark.parametrize(
    ("error", "start"),
    [
        (pg_errors.DiskFull("could not extend file"), "the PostgreSQL server cannot write"),
        (pg_errors.ReadOnlySqlTransaction("read-only"), "the PostgreSQL server is read-only"),
    ],
)
def test_a_server_that_cannot_write_is_a_fault(error: psycopg.Error, start: str) -> None:
    fault = fault_of(error)
    assert fault is not None
    assert str(fault).startswith(start)


@pytest.mark.parametrize(
    "error",
    [
        pg_errors.UniqueViolation("duplicate key"),
        pg_errors.SyntaxError("syntax error"),
        pg_errors.DeadlockDetected("deadlock"),
        pg_errors.QueryCanceled("canceling statement"),
    ],
)
def test_a_statement_s_own_failure_is_not_a_fault(error: psycopg.Error) -> None:
    assert fault_of(error) is None
