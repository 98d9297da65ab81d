"""Every statement of the casework and roster modules is one PostgreSQL accepts: parsed,
typed and planned (EXPLAIN, which runs nothing), so a statement that no behaviour test
reaches on PostgreSQL (many are reached only through the bot) cannot fail there on its
first use. Statements kept in tuples or dicts (a sequence run in order, one per table)
are checked too."""

from __future__ import annotations

import re

from storage import (
    accounts,
    announce,
    cadre_views,
    codes,
    confidential,
    conversations,
    deadlines,
    follow_ups,
    joins,
    leavers,
    meta,
    people,
    pickers,
    requests,
    roster_import,
    roster_uploads,
    rota,
    rounds,
    stays,
    supervision,
    villager_views,
)
from storage.pg import translate
from tests.conftest import pg_database
from tests.pg_cluster import Cluster

MODULES = (
    accounts,
    announce,
    cadre_views,
    codes,
    confidential,
    conversations,
    deadlines,
    follow_ups,
    joins,
    leavers,
    meta,
    people,
    pickers,
    requests,
    roster_import,
    roster_uploads,
    rota,
    rounds,
    stays,
    supervision,
    villager_views,
)
_VERB = re.compile(r"^\s*(WITH|SELECT|INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def statements() -> list[tuple[str, str]]:
    found = []
    for module in MODULES:
        short = module.__name__.rsplit(".", 1)[-1]
        for name, value in vars(module).items():
            if not name.isupper():
                continue
            if isinstance(value, str):
                items = [(f"{short}.{name}", value)]
            elif isinstance(value, tuple):
                items = [(f"{short}.{name}[{i}]", v) for i, v in enumerate(value)]
            elif isinstance(value, dict):
                items = [(f"{short}.{name}[{k}]", v) for k, v in value.items()]
            else:
                continue
            found += [(label, sql) for label, sql in items if _sql(sql)]
    return found


def _sql(value: object) -> bool:
    return isinstance(value, str) and _VERB.match(value) is not None


def test_the_list_is_not_empty() -> None:
    labels = [label for label, _ in statements()]
    assert "requests.NEXT_NUMBER" in labels
    assert "leavers.RETIRE_CADRE[0]" in labels
    assert "roster_import.UPSERTS[regions]" in labels
    assert len(labels) > 250


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
