"""Every statement of the figures', schedule's, retention's and region tree's modules is
one PostgreSQL accepts: parsed, typed and planned (EXPLAIN, which runs nothing), so a
statement no behaviour test reaches on PostgreSQL still cannot fail there on its first
use. The few written twice (SQLite's catalogue) are named below with their twin."""

from __future__ import annotations

import re
from types import ModuleType

import pytest

from storage import region_tree, retention, schedule, stats
from storage.db import Database
from storage.pg import translate
from tests.conftest import pg_database
from tests.pg_cluster import Cluster

MODULES = (stats, schedule, retention, region_tree)
# SQLite's own catalogue; the PostgreSQL twin beside it is checked instead.
SQLITE_ONLY = {"stats.SELECT_HAS_STAYS"}  # stats.SELECT_HAS_STAYS_PG
_VERB = re.compile(r"^\s*(WITH|SELECT|INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def statements() -> list[tuple[str, str]]:
    found = []
    for module in MODULES:
        for name, value in vars(module).items():
            label = f"{_short(module)}.{name}"
            sql = name.isupper() and isinstance(value, str) and _VERB.match(value)
            if sql and label not in SQLITE_ONLY:
                found.append((label, value))
    return found


def _short(module: ModuleType) -> str:
    return module.__name__.rsplit(".", 1)[-1]


def test_the_list_is_not_empty() -> None:
    labels = [label for label, _ in statements()]
    assert "stats.FIGURES_REGION" in labels
    assert "retention.DELETE_INBOX" in labels
    assert "schedule.SELECT_ESCALATED_IN" in labels


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


@pytest.mark.parametrize("label", ["stats.SELECT_HAS_STAYS"])
def test_each_sqlite_only_statement_has_a_twin(label: str) -> None:
    module_name, name = label.split(".")
    module = {_short(m): m for m in MODULES}[module_name]
    assert isinstance(getattr(module, f"{name}_PG"), str)


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
