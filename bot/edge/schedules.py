"""The schedule sweep: service-day, reception-day, stay-quota and digest reminders, and
the supervisors' monthly ranking.

Run by PTB's JobQueue every ``schedule.sweep_every`` (and once at start). It asks the
domain which rounds are due now (``bot.domain.schedule.due``: derived from the
configuration, never stored ahead), builds each round's reminders and writes them as
BULK outbox calls in one transaction with a mark that the round is done. Every
reminder carries a dedup key naming its person, day and kind, so nothing is sent twice
whatever happens between a crash and a restart; a round missed while the bot was down
is sent on start while its day lasts, and dropped after.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta

from bot.calls import Call, Priority
from bot.domain import schedule, stats
from bot.domain.schedule import Kind, Occasion, Rules
from bot.domain.stats import Figures
from handlers import outgoing
from handlers.context import Setup
from storage import outbox
from storage import schedule as stored
from storage import stats as counted
from storage.db import Database, Tx

log = logging.getLogger(__name__)
MAX_LINES = 20  # households or requests listed in one reminder; the rest are counted
RANKED = 10  # a long ranking shows its top and bottom this many; the middle is counted
BULK = Priority.BULK

Round = Callable[[Tx, Setup, Rules, Occasion, datetime], Awaitable[list[Call]]]


async def sweep(db: Database, services: Setup, on_outbox: Callable[[], None]) -> int:
    """Queue the reminders due now; returns how many calls were added to the outbox."""
    now = services.clock.now()
    rules = services.config.schedule.rules(services.config.general.zone)
    occasions = schedule.due(rules, now)
    added = 0
    for occasion in occasions:
        async with db.transaction() as tx:
            if await stored.round_done(tx, occasion.key):
                continue
            calls = await ROUNDS[occasion.kind](tx, services, rules, occasion, now)
            added += await outbox.enqueue(tx, calls, now)
            await stored.mark_round(tx, occasion.key, now, len(calls))
        log.info("schedule: %s, %d reminder(s) queued", occasion.key, len(calls))
    if added:
        on_outbox()
    return added


def _date(services: Setup, day: date) -> str:
    return services.texts("schedule.date", month=day.month, day=day.day)


def _listed(services: Setup, lines: list[str]) -> str:
    shown = lines[:MAX_LINES]
    if len(lines) > MAX_LINES:
        shown.append(services.texts("schedule.more", count=len(lines) - MAX_LINES))
    return "\n".join(shown)


async def _service_day(
    tx: Tx, services: Setup, rules: Rules, occasion: Occasion, now: datetime
) -> list[Call]:
    """Every bound cadre, with their households that have open requests; and, the
    evening before, the villagers who asked to be told."""
    texts = services.texts
    when = _date(services, occasion.day)
    opens = await stored.open_households(tx)
    calls = []
    for cadre in await stored.bound_cadres(tx):
        households = opens.get(cadre.id, [])
        if households:
            lines = [
                texts("schedule.service.household", head=h.head_name, id=h.id, count=h.open)
                for h in households
            ]
            body = texts("schedule.service.open", lines=_listed(services, lines))
        else:
            body = texts("schedule.service.none")
        text = texts(f"schedule.service.{occasion.kind}", date=when, body=body)
        key = f"svc:{cadre.id}:{occasion.day.isoformat()}:{occasion.kind}"
        calls.append(outgoing.message(cadre.user_id, text, priority=BULK, dedup_key=key))
    if occasion.kind == Kind.EVENING:
        for optin in await stored.optins(tx):
            text = texts(
                "schedule.visit_note",
                date=when,
                head=optin.head_name,
                cadre=optin.cadre_name,
                phone=optin.cadre_phone,
            )
            key = f"visit:{optin.user_id}:{optin.household_id}:{occasion.day.isoformat()}"
            calls.append(outgoing.message(optin.user_id, text, priority=BULK, dedup_key=key))
    return calls


async def _reception(
    tx: Tx, services: Setup, rules: Rules, occasion: Occasion, now: datetime
) -> list[Call]:
    text = services.texts("schedule.reception", date=_date(services, occasion.day))
    return [
        outgoing.message(
            cadre.user_id,
            text,
            priority=BULK,
            dedup_key=f"rcp:{cadre.id}:{occasion.day.isoformat()}",
        )
        for cadre in await stored.bound_cadres(tx)
        if cadre.rank in occasion.ranks
    ]


async def _quota(
    tx: Tx, services: Setup, rules: Rules, occasion: Occasion, now: datetime
) -> list[Call]:
    """Cadres behind their rank's stay quota this month: how many logged, how many needed."""
    first, last = schedule.month_of(occasion.day)
    stays = await stored.stay_days(tx, first, last)
    calls = []
    for cadre in await stored.bound_cadres(tx):
        standing = schedule.behind(rules, cadre.rank, stays.get(cadre.id, 0))
        if standing is None:
            continue
        text = services.texts(
            "schedule.quota",
            logged=standing.logged,
            needed=standing.needed,
            short=standing.short,
            last=_date(services, last),
            days_left=(last - occasion.day).days + 1,
        )
        key = f"quota:{cadre.id}:{occasion.day.isoformat()}"
        calls.append(outgoing.message(cadre.user_id, text, priority=BULK, dedup_key=key))
    return calls


async def _digest(
    tx: Tx, services: Setup, rules: Rules, occasion: Occasion, now: datetime
) -> list[Call]:
    """Each bound supervisor: new and escalated requests of their jurisdiction since
    their last digest, and those overdue now."""
    texts = services.texts
    period = rules.digest.period if rules.digest else timedelta(days=1)
    calls = []
    for cadre in await stored.bound_cadres(tx):
        if cadre.supervises is None:
            continue
        since = await stored.digest_mark(tx, cadre.id) or occasion.starts - period
        found = await stored.digest(tx, cadre.supervises, since, now)
        await stored.set_digest_mark(tx, cadre.id, now)
        parts = []
        for name, lines in (
            ("new", found.new),
            ("overdue", found.overdue),
            ("escalated", found.escalated),
        ):
            if lines:
                listed = [
                    texts("schedule.digest.line", number=x.number, head=x.head_name) for x in lines
                ]
                head = texts(f"schedule.digest.{name}", count=len(lines))
                parts.append(f"{head}\n{_listed(services, listed)}")
        body = "\n\n".join(parts) or texts("schedule.digest.nothing")
        text = texts("schedule.digest.head", date=_date(services, occasion.day), body=body)
        key = f"digest:{cadre.id}:{occasion.day.isoformat()}"
        calls.append(outgoing.message(cadre.user_id, text, priority=BULK, dedup_key=key))
    return calls


def _percent(services: Setup, value: float | None) -> str:
    if value is None:
        return services.texts("schedule.ranking.none")
    return services.texts("schedule.ranking.percent", percent=f"{value * 100:.1f}")


def _ranked(services: Setup, table: dict[str, Figures], names: dict[str, str]) -> str:
    """``table`` best first (``stats.ranking``), numbered; top and bottom if long."""
    ranked = list(enumerate(stats.ranking(table), 1))
    if not ranked:
        return services.texts("schedule.ranking.empty")
    top, skipped, bottom = schedule.top_and_bottom(ranked, RANKED)

    def line(place: int, key: str, f: Figures) -> str:
        return services.texts(
            "schedule.ranking.line",
            place=place,
            name=names.get(key, key),
            response_rate=_percent(services, f.response_rate),
            resolution_rate=_percent(services, f.resolution_rate),
            satisfaction_rate=_percent(services, f.satisfaction_rate),
            filed=f.filed,
            overdue=f.overdue,
        )

    lines = [line(place, key, f) for place, (key, f) in top]
    if skipped:
        lines.append(services.texts("schedule.ranking.skipped", count=skipped))
        lines += [line(place, key, f) for place, (key, f) in bottom]
    return "\n".join(lines)


async def _ranking(
    tx: Tx, services: Setup, rules: Rules, occasion: Occasion, now: datetime
) -> list[Call]:
    """Each bound supervisor: last month's villages and cadres of their jurisdiction,
    best first, with the figures of ``/stats`` (a cadre: the requests they handle)."""
    texts = services.texts
    first, _ = schedule.last_month(occasion.day)
    month = stats.month_of(first, services.config.general.zone)
    calls = []
    for cadre in await stored.bound_cadres(tx):
        if cadre.supervises is None:
            continue
        villages = await counted.region_breakdown(tx, cadre.supervises, month, now, "village")
        cadres = await counted.region_breakdown(tx, cadre.supervises, month, now, "cadre")
        places = await counted.places(tx, cadre.supervises)
        text = texts(
            "schedule.ranking.head",
            month=texts("schedule.ranking.month", year=first.year, month=first.month),
            villages=_ranked(services, villages, {k: p.name for k, p in places.items()}),
            cadres=_ranked(services, cadres, await counted.cadre_names(tx, list(cadres))),
        )
        key = f"rank:{cadre.id}:{first:%Y-%m}"
        calls.append(outgoing.message(cadre.user_id, text, priority=BULK, dedup_key=key))
    return calls


ROUNDS: dict[Kind, Round] = {
    Kind.EVENING: _service_day,
    Kind.MORNING: _service_day,
    Kind.RECEPTION: _reception,
    Kind.QUOTA: _quota,
    Kind.DIGEST: _digest,
    Kind.RANKING: _ranking,
}
