"""``lianxin report``: the supervisors' workbook (or its request rows as CSV) for a region
and a period, from the command line; the same content as the /stats button's."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from bot import report
from bot.clock import SystemClock
from bot.config import Config
from bot.domain import stats
from bot.i18n import Texts
from bot.services import stats as figures
from storage import migrate
from storage.backend import open_database
from storage.unit_of_work import reading

Load = Callable[[argparse.Namespace], Config]


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser], load: Load) -> None:
    """Register ``report`` on the ``lianxin`` parser."""
    command = sub.add_parser("report", help="statistics workbook (.xlsx) or request rows (.csv)")
    command.add_argument("--from", dest="first", required=True, help="first day, YYYY-MM-DD")
    command.add_argument("--to", dest="last", required=True, help="last day, YYYY-MM-DD")
    command.add_argument("--region", required=True, help="region id (its whole subtree)")
    command.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    command.add_argument("--out", type=Path, required=True)
    command.set_defaults(command=lambda args: asyncio.run(run(args, load(args))))


async def run(args: argparse.Namespace, config: Config) -> int:
    texts = Texts(config.general.language)
    zone = config.general.zone
    try:
        first, last = date.fromisoformat(args.first), date.fromisoformat(args.last)
        period = stats.days(first, last, zone)
    except ValueError:
        _fail(texts("stats.cli.bad_dates", text=f"{args.first} {args.last}"))
        return 2
    if not config.database.url and not config.database.path.exists():
        _fail(texts("stats.cli.no_database", path=config.database.path))
        return 1
    db = await open_database(
        config.database.path, config.database.url, config.database.schema_name
    )
    try:
        now = SystemClock().now()
        await migrate.upgrade(db, now)
        async with reading(db, now) as work:
            data = await figures.report(work, args.region, period, zone)
    finally:
        await db.close()
    if data is None:
        _fail(texts("stats.cli.unknown_region", region=args.region))
        return 1
    if args.format == "csv":
        content = report.csv_bytes(data, texts, zone)
    else:
        quota = config.schedule.stay_quota.model_dump()
        content = await asyncio.to_thread(report.xlsx, data, texts, zone, quota)
        if data.stays is None:
            _fail(texts("stats.cli.no_quota_sheet"))
    report.write(args.out, content)
    count = len(data.lines)
    print(
        texts(
            "stats.cli.written",
            path=args.out,
            count=count,
            first=period.first,
            last=period.last,
            region=data.region.name,
        )
    )
    return 0


def _fail(line: str) -> None:
    print(line, file=sys.stderr)
