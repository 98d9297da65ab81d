"""Every statement in storage/ is one PostgreSQL accepts: parsed, typed and planned
(EXPLAIN, which runs nothing), so a statement that no behaviour test reaches on PostgreSQL
(many are reached only through the bot) cannot fail there on its first use. Every module
of storage/ is read, so a new one is covered without being listed; statements kept in
tuples or dicts (a sequence run in order, one per table) are checked too. A statement
written twice has its PostgreSQL twin beside it, named ``<NAME>_PG``: the twin is
checked, the SQLite one is not."""

from __future__ import annotations

import importlib
import pkgutil
import re
from types import ModuleType

import storage
from storage.db import Database
from storage.pg import translate
from tests.conftest import pg_database
from tests.pg_cluster import Cluster

_VERB = re.compile(r"^\s*(WITH|SELECT|INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


# pg_copy speaks psycopg's own dialect (%s, and {} for names it fills in): it runs on
# PostgreSQL only, outside the repositories' Tx, and tests/test_postgres_ops.py runs it.
NOT_REPOSITORIES = {"pg_copy"}
TEMPLATES = {"migrate.RECORD"}  # completed by str.format, then run as a script


def modules() -> list[ModuleType]:
    names = [
        info.name
        for info in pkgutil.iter_modules(storage.__path__)
        if not info.ispkg and info.name not in NOT_REPOSITORIES
    ]
    return [importlib.import_module(f"storage.{name}") for name in sorted(names)]


def statements() -> list[tuple[str, str]]:
    found = []
    for module in modules():
        short = module.__name__.rsplit(".", 1)[-1]
        constants = vars(module)
        for name, value in constants.items():
            if not name.isupper() or f"{name}_PG" in constants:
                continue
            if isinstance(value, str):
                items = [(f"{short}.{name}", value)]
            elif isinstance(value, tuple):
                items = [(f"{short}.{name}[{i}]", v) for i, v in enumerate(value)]
            elif isinstance(value, dict):
                items = [(f"{short}.{name}[{k}]", v) for k, v in value.items()]
            else:
                continue
            found += [(k, sql) for k, sql in items if _sql(sql) and k not in TEMPLATES]
    return found


def _sql(value: object) -> bool:
    return isinstance(value, str) and _VERB.match(value) is not None


def test_the_list_covers_every_part_of_storage() -> None:
    labels = [label for label, _ in statements()]
    for label in (
        "requests.NEXT_NUMBER",
        "leavers.RETIRE_CADRE[0]",
        "roster_import.UPSERTS[regions]",
        "stats.FIGURES_REGION",
        "retention.DELETE_INBOX",
        "schedule.SELECT_ESCALATED_IN",
        "inbox.CLAIM_PENDING",
        "outbox.CLAIM_CALL",
    ):
        assert label in labels
    assert "stats.SELECT_HAS_STAYS" not in labels  # SQLite's, beside its twin
    assert len(labels) > 300


async def test_postgresql_accepts_every_statement(pg_cluster: Cluster, pg_template: str) -> None:
    refused = []
    async with pg_database(pg_cluster, pg_template) as pg:
        for label, sql in statements():
            names = _NAMED.findall(sql)
            params: dict[str, None] | list[None] = (
                dict.fromkeys(names) if names else [None] * translate(sql).count("%s")
            )
            try:
                async with pg.transaction() as tx:
                    await tx.fetchall("EXPLAIN " + sql, params)
            except Exception as error:  # every refusal listed, not only the first
                refused.append(f"{label}: {str(error).splitlines()[0]}")
    assert refused == []


GROUP_CONCAT = """
SELECT group_concat(x) FROM (SELECT 1 AS x UNION ALL SELECT NULL UNION ALL SELECT 30) AS v
"""
GROUP_CONCAT_NONE = "SELECT group_concat(x) FROM (SELECT NULL AS x UNION ALL SELECT NULL) AS v"
GROUP_CONCAT_EMPTY = "SELECT group_concat(x) FROM (SELECT '' AS x UNION ALL SELECT 'a') AS v"


async def test_group_concat_gives_what_sqlite_s_does(db: Database) -> None:
    """PostgreSQL's group_concat (pg/compat.sql) as SQLite's: NULLs skipped, NULL when
    nothing is left, empty text kept (the figures' durations are read from it)."""
    async with db.read() as tx:
        assert await tx.scalar(GROUP_CONCAT) == "1,30"
        assert await tx.scalar(GROUP_CONCAT_NONE) is None
        assert await tx.scalar(GROUP_CONCAT_EMPTY) == ",a"
