"""A simulated month of the sample county's townships: 督办 at scale.

300 requests over 30 days from the sample county's households (东坪镇 and 西河乡), a
third of them ignored by their handlers, the rest acknowledged within hours, solved the
next day and confirmed by the villager. Time is a ManualClock moved an hour at a time;
each hour the deadline sweep and the schedule sweep (the supervisors' 08:00 digest) run
exactly as the bot runs them (``bot.edge.ticks.run_tick``, ``bot.edge.schedules.sweep``)
over a real SQLite database, and every message they owe is counted from the outbox by
chat and local day. It prints: requests, urges sent, digest and other messages per
supervisor per day (max, mean), escalations, and who handles what at the end, per tier.

    .venv/bin/python -m benchmarks.township_month [--requests 300] [--days 30]
                                                  [--escalate-after 48h]

``simulate`` is also played by ``tests/e2e/test_township_month.py`` (full size, about
10 s), which asserts the figures the issue names. It drives the use cases, storage and
views in one process rather than the bot against the sandbox: restarting the bot for
each simulated hour would take most of an hour.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.calls import Priority
from bot.clock import ManualClock
from bot.config import Config
from bot.domain import binding
from bot.domain import requests as service
from bot.domain.binding import BindingPolicy
from bot.domain.lifecycle import Event, Outcome
from bot.domain.requests import Content
from bot.edge import schedules
from bot.edge.ticks import run_tick
from bot.i18n import Texts
from handlers import reminders, sweeps
from handlers.context import Setup
from storage import migrate
from storage.db import Database
from storage.people import People
from storage.requests import Requests
from tests.sample import card_code, load_sample

ZONE = ZoneInfo("Asia/Shanghai")
START = datetime(2031, 3, 3, 0, 0, tzinfo=ZONE)  # a Monday, midnight local
H = timedelta(hours=1)
POLICY = BindingPolicy(4, 3, timedelta(minutes=10), timedelta(minutes=30))
SUPERVISORS = {"K003": "T01", "K006": "T02", "K001": "C01"}
WORDS = ("村口的路塌了一块", "家里停电了", "自来水管漏水", "低保申请没有消息", "邻里宅基地纠纷")
SELECT_HOUSEHOLDS = "SELECT h.id, h.region_id FROM households h ORDER BY h.id"
SELECT_CADRES = "SELECT id FROM cadres ORDER BY id"
SELECT_SENT = "SELECT lane, count(*) FROM outbox WHERE method = 'sendMessage' GROUP BY lane"
SELECT_TIERS = """
SELECT r.tier, r.handler_id, c.rank, count(*) FROM requests r JOIN cadres c ON c.id = r.handler_id
GROUP BY r.tier, r.handler_id, c.rank ORDER BY r.tier, r.handler_id
"""
COUNT_EVENTS = "SELECT kind, count(*) FROM request_events WHERE actor = 'system' GROUP BY kind"
SELECT_IN = """
SELECT count(*) FROM requests r JOIN households h ON h.id = r.household_id
JOIN region_tree t ON t.region_id = h.region_id WHERE t.ancestor_id = ?
"""
SELECT_REQUEST_HANDLERS = "SELECT id, handler_id FROM requests"
SELECT_MOVED_BY_HAND = "SELECT DISTINCT request_id FROM request_events WHERE kind = 'escalated'"
CADRE_USER = 30000  # cadre K007's account is 30007
HOUSE_USER = 50000


@dataclass
class Month:
    """What the month showed."""

    requests: int = 0
    ignored: int = 0
    urges: int = 0  # urged_by_system events (each overdue fact once)
    escalations: int = 0  # by the sweep (only with escalate_after)
    stalled: int = 0
    # supervisor -> local day -> messages sent to them that day (none asked for)
    per_day: dict[str, dict[int, int]] = field(default_factory=dict)
    jurisdiction: dict[str, int] = field(default_factory=dict)  # requests in it
    handled: list[tuple[int, str, str, int]] = field(default_factory=list)  # tier, id, rank, n
    urged_ignored: int = 0  # ignored requests with at least one urge to their handler
    county_leader: int = 0  # requests the county leader K001 holds at the end
    county_leader_unmoved: int = 0  # of those, never escalated (by anyone)
    seconds: float = 0.0

    def allowed(self, cadre_id: str) -> int:
        """The issue's bound: one unsolicited message a day per 20 requests (at least 1)."""
        return max(1, math.ceil(self.jurisdiction.get(cadre_id, 0) / 20))


def user_of(cadre_id: str) -> int:
    return CADRE_USER + int(cadre_id[1:])


async def _bind_everyone(db: Database, now: datetime) -> list[tuple[str, str, int]]:
    async with db.read() as tx:
        households = [(r[0], r[1]) for r in await tx.fetchall(SELECT_HOUSEHOLDS)]
        cadres = [r[0] for r in await tx.fetchall(SELECT_CADRES)]
    for cadre_id in cadres:
        code = await card_code(db, now, cadre=cadre_id)
        async with db.transaction() as tx:
            await binding.bind(People(tx), user_of(cadre_id), code, now, POLICY)
    found = []
    for n, (household, region) in enumerate(households):
        code = await card_code(db, now, household=household)
        async with db.transaction() as tx:
            await binding.bind(People(tx), HOUSE_USER + n, code, now, POLICY)
        found.append((household, region, HOUSE_USER + n))
    return found


async def _sent(db: Database) -> Counter[int]:
    async with db.read() as tx:
        return Counter({int(r[0]): int(r[1]) for r in await tx.fetchall(SELECT_SENT)})


@dataclass
class _Case:
    request_id: int
    handler: str
    user: int
    ignored: bool
    act_at: list[tuple[datetime, str]]


async def simulate(
    folder: Path, requests: int = 300, days: int = 30, escalate_after: str = "", seed: int = 11
) -> Month:
    """Play the month in ``folder`` (a database is made there) and return its figures."""
    began = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 - a reproducible simulation, not a secret
    clock = ManualClock(START)
    deadlines: dict[str, object] = {}
    if escalate_after:
        deadlines["escalate_after"] = escalate_after
    config = Config.model_validate(
        {"general": {"admins": [9001]}, "deadlines": deadlines, "requests": {}}
    )
    setup = Setup(config, clock, Texts("zh"), "lianxin_bench_bot")
    db = await Database.open(folder / "month.db")
    try:
        await migrate.upgrade(db, START)
        await load_sample(db)
        households = await _bind_everyone(db, START)
        month = await _play(db, setup, clock, households, requests, days, rng)
    finally:
        await db.close()
    month.seconds = time.perf_counter() - began
    return month


async def _play(
    db: Database,
    setup: Setup,
    clock: ManualClock,
    households: list[tuple[str, str, int]],
    requests: int,
    days: int,
    rng: random.Random,
) -> Month:
    month = Month()
    table = setup.config.deadlines.table()
    filing_hours = sorted(rng.randrange(8, days * 24 - 8) for _ in range(requests))
    cases: list[_Case] = []
    supervisors = {user_of(c): c for c in SUPERVISORS}
    seen = await _sent(db)
    for hour in range(days * 24):
        now = START + hour * H
        clock.set(now)
        for _ in range(filing_hours.count(hour)):
            household, _, user = rng.choice(households)
            async with db.transaction() as tx:
                done = await service.file(
                    Requests(tx), now, household, Content(rng.choice(WORDS)), table, by_user=user
                )
            ignored = rng.random() < 1 / 3
            acts = [] if ignored else _answers(now, rng)
            cases.append(_Case(done.request.id, done.request.handler_id, user, ignored, acts))
        await _act(db, now, cases)
        await run_tick(db, setup, sweeps.watch_deadlines, lambda: None, priority=Priority.BULK)
        await schedules.sweep(db, setup, lambda: None, reminders.render)
        sent = await _sent(db)
        day = hour // 24
        for user, cadre_id in supervisors.items():
            fresh = sent[user] - seen[user]
            if fresh:
                days_of = month.per_day.setdefault(cadre_id, defaultdict(int))
                days_of[day] += fresh
        seen = sent
    await _figures(db, month, cases)
    return month


def _answers(now: datetime, rng: random.Random) -> list[tuple[datetime, str]]:
    """An answered request: acknowledged within hours, solved the next day, confirmed."""
    ack = now + rng.randrange(1, 12) * H
    solved = ack + rng.randrange(12, 48) * H
    return [(ack, "ack"), (solved, "resolve"), (solved + rng.randrange(1, 24) * H, "confirm")]


async def _act(db: Database, now: datetime, cases: list[_Case]) -> None:
    for case in cases:
        while case.act_at and case.act_at[0][0] <= now:
            _, what = case.act_at.pop(0)
            async with db.transaction() as tx:
                store = Requests(tx)
                current = await store.get(case.request_id)
                if current is None:
                    continue
                if what == "confirm":
                    await service.confirm(
                        store, now, case.request_id, case.user, Outcome.SATISFIED
                    )
                else:
                    event = Event.ACKNOWLEDGED if what == "ack" else Event.RESOLVED
                    await service.act(store, now, case.request_id, current.handler_id, event)


async def _figures(db: Database, month: Month, cases: list[_Case]) -> None:
    month.requests = len(cases)
    month.ignored = sum(c.ignored for c in cases)
    async with db.read() as tx:
        events = {r[0]: int(r[1]) for r in await tx.fetchall(COUNT_EVENTS)}
        month.handled = [
            (int(r[0]), r[1], r[2], int(r[3])) for r in await tx.fetchall(SELECT_TIERS)
        ]
        for cadre_id, region in SUPERVISORS.items():
            month.jurisdiction[cadre_id] = int(await tx.scalar(SELECT_IN, (region,)))
        moved = {int(r[0]) for r in await tx.fetchall(SELECT_MOVED_BY_HAND)}
        holders = {int(r[0]): r[1] for r in await tx.fetchall(SELECT_REQUEST_HANDLERS)}
        urged_rows = await tx.fetchall(
            "SELECT DISTINCT request_id FROM request_events WHERE kind = 'urged_by_system'"
        )
    urged = {int(r[0]) for r in urged_rows}
    month.urges = events.get("urged_by_system", 0)
    month.escalations = events.get("escalated", 0)
    month.stalled = events.get("overdue", 0)
    month.urged_ignored = sum(1 for c in cases if c.ignored and c.request_id in urged)
    month.county_leader = sum(1 for holder in holders.values() if holder == "K001")
    month.county_leader_unmoved = sum(
        1 for rid, holder in holders.items() if holder == "K001" and rid not in moved
    )


def report(month: Month) -> str:
    lines = [
        f"requests {month.requests} (ignored by their handlers {month.ignored}); "
        f"simulated in {month.seconds:.1f} s",
        f"urges sent (overdue facts, each once) {month.urges}; ignored requests urged "
        f"{month.urged_ignored}/{month.ignored}",
        f"escalations by the sweep {month.escalations}; stalled at the top {month.stalled}",
        "unsolicited messages per supervisor per day (digest and at-once notices):",
    ]
    for cadre_id in SUPERVISORS:
        per = month.per_day.get(cadre_id, {})
        days = max(len(per), 1)
        values = list(per.values()) or [0]
        lines.append(
            f"  {cadre_id} ({SUPERVISORS[cadre_id]}, {month.jurisdiction.get(cadre_id, 0)} "
            f"requests, allowed {month.allowed(cadre_id)}/day): max {max(values)}, "
            f"mean {sum(values) / days:.2f} over {len(per)} day(s) with messages"
        )
    lines.append("who handles what at the end (tier, cadre, rank: requests):")
    lines += [f"  tier {t} {c} {rank}: {n}" for t, c, rank, n in month.handled]
    lines.append(
        f"county leader K001 holds {month.county_leader} request(s), "
        f"{month.county_leader_unmoved} of them never escalated"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--escalate-after", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        month = asyncio.run(simulate(Path(folder), args.requests, args.days, args.escalate_after))
    print(report(month))


if __name__ == "__main__":
    main()
