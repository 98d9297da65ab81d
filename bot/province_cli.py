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
from collections.abc import Callable
from datetime import date
from pathlib import Path

from bot import report
from bot.clock import Clock
from bot.domain import stats
from bot.domain.province import combined
from bot.i18n import Texts
from bot.province_read import NotReady, counties, gather
from storage.backend import Unreachable

ConfigPath = Callable[[argparse.Namespace], Path | None]


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
    parts = [
        *report.county_lines(texts, found),
        (report.province_name(shared.province.name, texts), total),
    ]
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
    rows = report.province_rows(texts, report.province_name(shared.province.name, texts), found)
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
