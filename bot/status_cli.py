"""``lianxin status``: is the bot healthy? Read from the database alone, without Telegram.

Exit code 0 when healthy, 1 when something needs attention (or there is no database),
so a monitoring script or a systemd timer can act on it; ``--json`` for machines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from bot.clock import Clock
from bot.config import Config
from bot.domain import health
from bot.durations import parse_duration
from bot.i18n import Texts
from storage import health as figures
from storage import leases
from storage.backend import open_database

Load = Callable[[argparse.Namespace], Config]


def add_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    load: Load,
    clock: Callable[[], Clock],
) -> None:
    """Register ``status`` on the ``lianxin`` parser."""
    command = sub.add_parser(
        "status", help="health from the database: last update, backlog, failures (exit 1: look)"
    )
    command.add_argument("--json", action="store_true", help="one JSON object, for machines")
    command.add_argument(
        "--limit",
        type=duration,
        default=health.LIMIT,
        help="a backlog older than this needs attention (default 10m)",
    )
    command.set_defaults(
        command=lambda args: asyncio.run(
            _status(load(args), clock().now(), args.limit, as_json=args.json)
        )
    )


def duration(text: str) -> timedelta:
    """``--limit``: "10m", "1h" … (argparse names the type "duration" when it is wrong)."""
    return parse_duration(text)


async def _status(config: Config, now: datetime, limit: timedelta, *, as_json: bool) -> int:
    texts, where = Texts(config.general.language), config.database
    if not where.url and not where.path.exists():
        print(f"lianxin: {texts('health.no_database', path=where.path)}", file=sys.stderr)
        return 1
    code, lines = await status(
        where.path,
        now,
        texts,
        config.general.zone,
        limit,
        as_json=as_json,
        url=where.url,
        schema=where.schema_name,
    )
    print("\n".join(lines))
    return code


async def status(
    path: Path,
    now: datetime,
    texts: Texts,
    zone: tzinfo,
    limit: timedelta,
    *,
    as_json: bool,
    url: str = "",
    schema: str = "public",
) -> tuple[int, list[str]]:
    """The exit code (0 healthy, 1 needs attention) and the lines to print; ``url``:
    PostgreSQL's database instead of SQLite's ``path``."""
    db = await open_database(path, url, schema)
    try:
        found = await figures.figures(db, now)
        held = await leases.live(db, now)
    finally:
        await db.close()
    judged = health.judge(found, now, limit)
    code = 0 if judged.healthy else 1
    if as_json:
        return code, [json.dumps({"at": now.isoformat(), **health.public(judged)})]
    return code, report(judged, texts, zone, limit, held)


def holders(texts: Texts, held: dict[str, list[str]]) -> list[str]:
    """Which process (host:pid:…) receives Telegram's updates and how many sweeps each
    runs, from their live leases; none: no bot running on this database."""
    if not held:
        return [texts("health.no_process")]
    return [
        texts(
            "health.process",
            process=process,
            receives=texts("health.receives") if "receiver" in names else "",
            sweeps=sum(1 for name in names if name != "receiver" and not _alive(name)),
        )
        for process, names in held.items()
    ]


def _alive(name: str) -> bool:
    return name.startswith(leases.ALIVE)


def report(
    judged: health.Health,
    texts: Texts,
    zone: tzinfo,
    limit: timedelta,
    held: dict[str, list[str]] | None = None,
) -> list[str]:
    """The status as a clerk reads it: the verdict first, then the figures and the
    processes at work (``held``: their live leases), then what to do."""
    f, now = judged.figures, judged.now

    def when(moment: datetime | None, never: str) -> str:
        if moment is None:
            return texts(never)
        shown = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        return texts("health.when", time=shown, ago=ago(texts, now - moment))

    lines = [
        texts("health.verdict", verdict=texts(f"health.word.{judged.verdict.value}")),
        texts("health.schema", schema=f.schema, latest=f.latest_schema),
        texts("health.last_update", when=when(f.last_update, "health.never_update")),
        texts("health.inbox", waiting=f.inbox_waiting, failed=f.inbox_failed),
        texts(
            "health.outbox", queued=f.outbox_queued, due=f.outbox_due, failed=f.outbox_failed_day
        ),
    ]
    if f.oldest_queued is not None:
        lines.append(texts("health.oldest_queued", ago=ago(texts, now - f.oldest_queued)))
    lines.append(texts("health.last_sweep", when=when(f.last_sweep, "health.never_sweep")))
    if held is not None:
        lines += holders(texts, held)
    limit_text = ago(texts, limit)
    lines += [texts(f"health.reason.{r.value}", limit=limit_text) for r in judged.reasons]
    return lines


def ago(texts: Texts, span: timedelta) -> str:
    """``5 分钟`` / ``5 min``: the largest whole unit (never negative)."""
    seconds = max(0, int(span.total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return texts(f"health.unit.{unit}", n=seconds // size)
    return texts("health.unit.s", n=seconds)
