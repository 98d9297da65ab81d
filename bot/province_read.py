"""The counties of a province, read: each configured county's figures from its own
database (its PostgreSQL schema or its file), by the query of a county's /stats, a few
counties at a time. Used by ``lianxin province`` and by the province's own bot (through
``bot.edge.province``)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bot.config import Config, ConfigError, load_config
from bot.domain.province import CountyFigures
from bot.domain.stats import Period
from bot.i18n import Texts
from bot.services import province
from storage import migrate
from storage.backend import open_database
from storage.unit_of_work import reading

AT_ONCE = 4  # counties counted at the same time


def counties(path: Path | None) -> tuple[Config, list[Config]]:
    """The file's shared configuration, and each county's the province covers."""
    shared = load_config(path)
    if not shared.counties:
        raise ConfigError([Texts(shared.general.language)("province.no_counties", path=path)])
    wanted = shared.province.counties or list(shared.counties)
    unknown = [c for c in wanted if c not in shared.counties]
    if unknown:
        line = Texts(shared.general.language)(
            "province.unknown_counties",
            path=path,
            names=", ".join(unknown),
            known=", ".join(shared.counties),
        )
        raise ConfigError([line])
    return shared, [load_config(path, county=c) for c in wanted]


class NotReady(Exception):
    """A county whose database cannot be read as this lianxin reads it; one line."""


async def gather(
    configs: Sequence[Config], period: Period, now: datetime, texts: Texts
) -> list[CountyFigures]:
    """Each county's figures, in the configuration's order, counted ``AT_ONCE`` counties
    at a time (each over its own connection: the server counts them in parallel). Raises
    ``NotReady`` or ``Unreachable`` (one line each) for a county that cannot be read."""
    for config in configs:
        where = config.database
        if not where.url and not where.path.exists():
            raise ConfigError(
                [texts("province.no_database", county=config.county, path=where.path)]
            )
    turns = asyncio.Semaphore(AT_ONCE)

    async def one(config: Config) -> CountyFigures | None:
        async with turns:
            return await _county(config, period, now, texts)

    found = await asyncio.gather(*(one(config) for config in configs))
    return [c for c in found if c is not None]


async def _county(
    config: Config, period: Period, now: datetime, texts: Texts
) -> CountyFigures | None:
    where = config.database
    # Read only: a county's schema is never created (nor its ledger) by being looked at.
    db = await open_database(where.path, where.url, where.schema_name, create=False)
    try:
        version, latest = await migrate.found_version(db), migrate.latest_version()
        if version != latest:
            line = texts("province.version", county=config.county, version=version)
            raise NotReady(f"{line} (lianxin db upgrade --county {config.county}: {latest})")
        async with reading(db, now) as work:
            return await province.county_figures(work, config.county, period)
    except province.NoRoster:
        print(texts("province.no_roster", county=config.county), file=sys.stderr)
        return None
    finally:
        await db.close()
