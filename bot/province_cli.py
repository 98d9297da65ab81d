"""``lianxin province``: the figures of a province (the region above its counties), read
from each configured county's own database (its PostgreSQL schema or its file) through
the same queries as a county's /stats, and put together: one line per county and the
province's, whose medians are those of all its requests (``bot.domain.province``).

``province stats`` prints what /stats shows a county's supervisor, for each county and
for the province; ``province report`` writes the workbook's figure sheet of them.
Periods are the province's: in the time zone of the file's shared ``[general]``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from bot import report
from bot.clock import Clock
from bot.config import Config, ConfigError, load_config
from bot.domain import stats
from bot.domain.province import CountyFigures, combined
from bot.domain.stats import Figures, Period
from bot.i18n import Texts
from bot.services import province
from storage import migrate
from storage.backend import Unreachable, open_database
from storage.unit_of_work import reading

ConfigPath = Callable[[argparse.Namespace], Path | None]
AT_ONCE = 4  # counties counted at the same time


def add_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    config_path: ConfigPath,
    clock: Callable[[], Clock],
) -> None:
    """Register ``province stats`` and ``province report`` on the ``lianxin`` parser."""
    actions = sub.add_parser(
        "province", help="a province's figures across its configured counties"
    ).add_subparsers(metavar="ACTION")
    figures = actions.add_parser("stats", help="/stats of each county and of the province")
    figures.add_argument(
        "--period",
        nargs="+",
        default=[],
        metavar="WORD",
        help="as /stats takes it (本月, 上个月, 2026-11-01 2026-11-30 …; default this month)",
    )
    figures.set_defaults(
        command=lambda args: asyncio.run(_stats(args, config_path(args), clock()))
    )
    book = actions.add_parser("report", help="the month's figures per county (.xlsx)")
    book.add_argument("--month", required=True, help="YYYY-MM")
    book.add_argument("--out", type=Path, required=True)
    book.set_defaults(command=lambda args: asyncio.run(_report(args, config_path(args), clock())))


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
    db = await open_database(where.path, where.url, where.schema_name)
    try:
        version, latest = await migrate.current_version(db), migrate.latest_version()
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


def name_of(shared: Config, texts: Texts) -> str:
    return shared.province.name or texts("province.name")


def lines(texts: Texts, found: Sequence[CountyFigures]) -> list[tuple[str, Figures]]:
    """Each county, by its roster's name and its configuration's id."""
    return [
        (texts("province.county", name=c.place.name, county=c.county), c.figures) for c in found
    ]


async def _stats(args: argparse.Namespace, path: Path | None, clock: Clock) -> int:
    from handlers import supervisor  # /stats' own text; here only, as the bot loads it

    shared, configs = counties(path)
    texts, zone, now = Texts(shared.general.language), shared.general.zone, clock.now()
    try:
        period = stats.period(args.period, now, zone, shared.stats.bounds())
    except stats.BadPeriod:
        print(texts("province.bad_period", text=" ".join(args.period)), file=sys.stderr)
        return 2
    try:
        found = await gather(configs, period, now, texts)
    except (NotReady, Unreachable) as problem:
        print(f"lianxin: {problem}", file=sys.stderr)
        return 1
    total = combined(c.figures for c in found)
    parts = [*lines(texts, found), (name_of(shared, texts), total)]
    for title, figures in parts:
        head = texts("stats.head_region", region=title, first=period.first, last=period.last)
        print(f"{head}\n{supervisor.summary(texts, figures)}\n")
    return 0


async def _report(args: argparse.Namespace, path: Path | None, clock: Clock) -> int:
    shared, configs = counties(path)
    texts, zone, now = Texts(shared.general.language), shared.general.zone, clock.now()
    try:
        year, month = (int(part) for part in args.month.split("-"))
        period = stats.month_of(date(year, month, 1), zone)
    except ValueError:
        print(texts("province.bad_month", text=args.month), file=sys.stderr)
        return 2
    try:
        found = await gather(configs, period, now, texts)
    except (NotReady, Unreachable) as problem:
        print(f"lianxin: {problem}", file=sys.stderr)
        return 1
    total = combined(c.figures for c in found)
    rows: list[Sequence[object]] = [report.figure_header(texts, "region")]
    rows += [report.figure_line(title, f) for title, f in lines(texts, found)]
    rows.append(report.figure_line(name_of(shared, texts), total))
    content = await asyncio.to_thread(report.workbook, [(texts("province.sheet"), rows)])
    report.write(args.out, content)
    print(
        texts(
            "province.written",
            path=args.out,
            count=len(found),
            first=period.first,
            last=period.last,
        )
    )
    return 0
