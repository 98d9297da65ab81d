"""The supervisors' workbook, built in a worker process of its own.

A county's month is ~90,000 rows turned into text: seconds of pure Python. In a thread of
the bot it would share the interpreter lock with the event loop and slow every villager's
answer meanwhile; in its own process it uses the other core and the bot stays responsive.
The worker reads through its own read connection (``storage.unit_of_work.reading``: a
snapshot that takes no writer lock), gathers what the workbook shows with the same use case
as ``lianxin report`` (``bot.services.stats.report``) and writes the file; the bot queues
the upload.

    python -m bot.workbook_process   # reads one WorkbookOrder as JSON on stdin
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import report
from bot.config import ThreeNightsConfig
from bot.domain import stats
from bot.i18n import LANGUAGES, Texts
from bot.services import rounds
from bot.services import stats as figures
from storage.backend import open_database
from storage.unit_of_work import reading

NICE = 10
ROOT = str(Path(__file__).resolve().parents[1])  # where ``bot`` is, installed or not


@dataclass(frozen=True)
class WorkbookOrder:
    database: str
    region: str
    first: str  # ISO dates, the period's local days
    last: str
    now: str  # ISO instant
    language: str
    timezone: str
    quota: dict[str, int]
    out: str
    night: dict[str, object] = field(default_factory=dict)  # [three_nights]
    url: str = ""  # database.url: PostgreSQL's, instead of the file ``database``
    schema: str = "public"


class WorkbookFailed(Exception):
    """The worker process did not write the workbook (its error output is the message)."""


async def build(order: WorkbookOrder) -> str | None:
    """Build the workbook in a worker process; the region's name, or None if there is no
    such region. Cancelled, the worker is killed."""
    path = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.workbook_process",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": path},
    )
    try:
        out, err = await process.communicate(json.dumps(asdict(order)).encode())
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise
    if process.returncode != 0:
        raise WorkbookFailed(err.decode(errors="replace")[-2000:])
    region: str | None = json.loads(out)["region"]
    return region


async def _write(order: WorkbookOrder) -> str | None:
    zone = ZoneInfo(order.timezone)
    period = stats.days(date.fromisoformat(order.first), date.fromisoformat(order.last), zone)
    db = await open_database(Path(order.database), order.url, order.schema)
    try:
        async with reading(db, datetime.fromisoformat(order.now)) as work:
            data = await figures.report(work, order.region, period, zone)
            night = ThreeNightsConfig.model_validate(order.night).rules(zone)
            visits = await rounds.visit_figures(work, order.region, period, night)
    finally:
        await db.close()
    if data is None:
        return None
    language = next(lang for lang in LANGUAGES if lang == order.language)
    content = report.xlsx(data, Texts(language), zone, order.quota, visits)
    report.write(Path(order.out), content)
    return data.region.name


def main() -> None:
    with contextlib.suppress(OSError):
        os.nice(NICE)  # the bot's answers to people come first
    order = WorkbookOrder(**json.load(sys.stdin))
    region = asyncio.run(_write(order))
    json.dump({"region": region}, sys.stdout)


if __name__ == "__main__":
    main()
