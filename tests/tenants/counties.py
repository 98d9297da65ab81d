"""Two counties in one PostgreSQL database, each in its own schema, each with the sample
roster under the same ids: county B's names, households and requests differ from A's so
that anything of B's shown to A is seen at once (B's names all start with 乙)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import Config
from bot.domain import requests as service
from bot.domain.requests import Content, Request
from storage import migrate
from storage.pg import PgDatabase
from storage.requests import Requests
from storage.unit_of_work import unit_of_work
from tests.conftest import _pg_admin
from tests.pg_cluster import Cluster
from tests.sample import card_code, load_sample

DEADLINES = Config().deadlines.table()
# Test-only SQL (the county's own schema: no qualified names here either).
B_NAMES = (
    "UPDATE households SET head_name = '乙' || head_name",
    "UPDATE cadres SET name = '乙' || name",
    "UPDATE regions SET name = '乙' || name",
    "INSERT INTO households (id, head_name, region_id, address, phone)"
    " VALUES ('H0999', '乙孤山', 'G011', '柳树村九组', '')",
    "INSERT INTO links (household_id, cadre_id, tier) VALUES ('H0999', 'K007', 1)",
)
SUPERVISOR, VILLAGE_CADRE = 5001, 5007  # the same Telegram users are cadres in both


@dataclass
class County:
    schema: str
    db: PgDatabase
    requests: list[Request]


@asynccontextmanager
async def database(cluster: Cluster) -> AsyncIterator[str]:
    """An empty database of the test's own; its URL."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    await _pg_admin(cluster, f"CREATE DATABASE {name}")
    try:
        yield cluster.url_for(name)
    finally:
        await _pg_admin(cluster, f"DROP DATABASE {name} WITH (FORCE)")


async def county(url: str, schema: str, now: datetime, filed: int, words: str) -> County:
    """A county's schema, migrated, with the sample roster, two bound cadres and
    ``filed`` requests (``words`` and a number)."""
    db = await PgDatabase.connect(url, schema)
    await migrate.upgrade(db, now)
    await load_sample(db)
    if schema.endswith("_b"):
        async with db.transaction() as tx:
            for statement in B_NAMES:
                await tx.execute(statement)
    for user, cadre in ((SUPERVISOR, "K001"), (VILLAGE_CADRE, "K007")):
        code = await card_code(db, now, cadre=cadre)
        async with unit_of_work(db, now) as unit:
            await unit.people.bind_cadre(cadre, user, code, now)
    found = []
    for n in range(filed):
        household = ("H0001", "H0002")[n % 2]
        async with db.transaction() as tx:
            done = await service.file(
                Requests(tx),
                now + timedelta(minutes=n),
                household,
                Content(f"{words}{n}"),
                DEADLINES,
                by_cadre="K007",
            )
        found.append(done.request)
    return County(schema, db, found)
