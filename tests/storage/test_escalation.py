"""Deadlines over a real database with the sample county: the sweep, called directly
after moving a ManualClock, reminds once; past a due time (or reopened twice) it urges
the handler once and notes a line for the supervisor's digest, the request staying
where it is (督办); with ``deadlines.escalate_after`` set it escalates tier by tier past
that second deadline with the right people told and stops at the top; and it honours
the handler's one extension."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest

from bot.calls import Priority
from bot.clock import ManualClock
from bot.config import Config
from bot.domain import binding, deadlines
from bot.domain import requests as service
from bot.domain.binding import BindingPolicy
from bot.domain.lifecycle import Event, Outcome
from bot.domain.requests import Content, Request
from bot.edge.ticks import run_tick
from bot.i18n import Texts
from handlers import sweeps
from handlers.context import Setup
from storage.db import Database
from storage.deadlines import DeadlineRequests
from storage.people import People
from storage.requests import Requests
from tests.sample import card_code, load_sample

POLICY = BindingPolicy(
    phones_per_household=4,
    max_wrong_codes=3,
    wrong_code_window=timedelta(minutes=10),
    lockout=timedelta(minutes=30),
)
GRANDMA, ADMIN = 501, 9001
CADRES = {"K007": 3007, "K004": 3004, "K001": 3001, "K003": 3003}  # user id of each
SELECT_SENT = "SELECT id, lane, payload, priority FROM outbox WHERE method = 'sendMessage'"
SELECT_EVENTS = "SELECT kind FROM request_events WHERE request_id = ? ORDER BY id"
COUNT_REMINDERS = "SELECT count(*) FROM sent_reminders"
COUNT_SWEPT = """
SELECT count(*) FROM request_events
WHERE actor = 'system' AND kind IN ('escalated', 'overdue', 'urged_by_system')
"""
SELECT_LINES = "SELECT recipient, what, note FROM digest_lines ORDER BY id"
H = timedelta(hours=1)
BULK = Priority.BULK
LIMITS = deadlines.ExtendLimits(normal=timedelta(days=30), urgent=timedelta(days=1))


@pytest.fixture
async def county(db: Database, clock: ManualClock) -> Database:
    """The sample county; 王秀英's household (H0001: K007, K004, K001) with one phone, and
    the chain's cadres and the T01 supervisor 孙丽 (K003) bound."""
    await load_sample(db)
    await _bind(db, clock, GRANDMA, await card_code(db, clock.now(), household="H0001"))
    for cadre, user in CADRES.items():
        await _bind(db, clock, user, await card_code(db, clock.now(), cadre=cadre))
    return db


async def _bind(db: Database, clock: ManualClock, user: int, code: str) -> None:
    async with db.transaction() as tx:
        await binding.bind(People(tx), user, code, clock.now(), POLICY)


class Outbox:
    """What the sweeps queued since the last look, by chat."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.seen = 0

    async def new(self) -> dict[int, list[tuple[str, Priority]]]:
        async with self.db.read() as tx:
            rows = await tx.fetchall(SELECT_SENT)
        fresh: dict[int, list[tuple[str, Priority]]] = {}
        for row in rows:
            if row["id"] > self.seen:
                text = json.loads(row["payload"])["text"]
                fresh.setdefault(row["lane"], []).append((text, Priority(row["priority"])))
                self.seen = row["id"]
        return fresh


@pytest.fixture
def services(clock: ManualClock) -> Setup:
    config = Config.model_validate({"general": {"admins": [ADMIN]}})
    return Setup(config, clock, Texts("zh"), "lianxin_test_bot")


@pytest.fixture
def escalating(clock: ManualClock) -> Setup:
    """One tier up 48h past a missed due time, supervisors and admins told at once."""
    config = Config.model_validate(
        {
            "general": {"admins": [ADMIN]},
            "deadlines": {"escalate_after": "48h"},
            "notices": {"supervisors": "instant", "admins": "instant"},
        }
    )
    return Setup(config, clock, Texts("zh"), "lianxin_test_bot")


async def lines(db: Database) -> list[tuple[str, str, str]]:
    async with db.read() as tx:
        return [(r[0], r[1], r[2]) for r in await tx.fetchall(SELECT_LINES)]


async def sweep(db: Database, services: Setup) -> tuple[int, int]:
    """One tick of the deadline sweep, as the runtime runs it: (reminders, escalations or
    stalls) it made, as the rows show them."""
    before = await _swept(db)
    acted = await run_tick(db, services, sweeps.watch_deadlines, lambda: None, priority=BULK)
    after = await _swept(db)
    made = (after[0] - before[0], after[1] - before[1])
    assert acted == sum(made)
    return made


async def _swept(db: Database) -> tuple[int, int]:
    async with db.read() as tx:
        return int(await tx.scalar(COUNT_REMINDERS)), int(await tx.scalar(COUNT_SWEPT))


async def file(db: Database, clock: ManualClock, services: Setup) -> Request:
    async with db.transaction() as tx:
        done = await service.file(
            Requests(tx),
            clock.now(),
            "H0001",
            Content(text="水管坏了"),
            services.config.deadlines.table(),
            by_user=GRANDMA,
        )
    return done.request


async def current(db: Database, request_id: int) -> Request:
    async with db.read() as tx:
        found = await DeadlineRequests(tx).get(request_id)
    assert found is not None
    return found


async def kinds(db: Database, request_id: int) -> list[str]:
    async with db.read() as tx:
        return [r[0] for r in await tx.fetchall(SELECT_EVENTS, (request_id,))]


def texts_to(sent: dict[int, list[tuple[str, Priority]]], user: int) -> list[str]:
    return [text for text, _ in sent.get(user, [])]


async def test_a_reminder_comes_once_before_the_response_is_due(
    county: Database, clock: ManualClock, services: Setup
) -> None:
    outbox = Outbox(county)
    request = await file(county, clock, services)
    await outbox.new()
    assert await sweep(county, services) == (0, 0)

    clock.advance(22 * H + timedelta(minutes=1))  # the reminder moment: 2h before 24h
    assert await sweep(county, services) == (1, 0)
    sent = await outbox.new()
    assert list(sent) == [CADRES["K007"]]
    [(text, priority)] = sent[CADRES["K007"]]
    assert request.number in text
    assert "还没有受理" in text
    assert priority is Priority.BULK
    # Again, and again later: nothing more (the row is there, as after a restart).
    assert await sweep(county, services) == (0, 0)
    clock.advance(H)
    assert await sweep(county, services) == (0, 0)
    assert await outbox.new() == {}


async def test_a_reminder_missed_while_down_is_dropped_once_the_due_time_passed(
    county: Database, clock: ManualClock, services: Setup
) -> None:
    outbox = Outbox(county)
    request = await file(county, clock, services)
    await outbox.new()
    clock.advance(25 * H)  # the bot was down over the reminder and the due time
    assert await sweep(county, services) == (0, 1)  # urged instead
    sent = await outbox.new()
    assert not any("提醒" in t for t in texts_to(sent, CADRES["K007"]))
    assert (await current(county, request.id)).handler_id == "K007"


async def test_unanswered_it_stays_with_its_handler_who_is_urged_once_per_due_time(
    county: Database, clock: ManualClock, services: Setup
) -> None:
    outbox = Outbox(county)
    request = await file(county, clock, services)
    await outbox.new()

    clock.advance(24 * H)
    assert await sweep(county, services) == (0, 1)
    now = await current(county, request.id)
    assert (now.handler_id, now.tier) == ("K007", 1)  # 督办, not moving the work
    sent = await outbox.new()
    assert list(sent) == [CADRES["K007"]]  # the supervisor reads it in the digest
    [urge] = texts_to(sent, CADRES["K007"])
    assert request.number in urge
    assert "超过受理时限" in urge
    assert await lines(county) == [("K003", "urged_by_system", "respond")]
    for _ in range(3):  # again, and after a restart: once
        clock.advance(24 * H)
        assert await sweep(county, services) == (0, 0)
    clock.set(request.resolve_by)
    assert await sweep(county, services) == (0, 1)
    assert "超过办结时限" in texts_to(await outbox.new(), CADRES["K007"])[0]
    assert (await current(county, request.id)).handler_id == "K007"
    assert (await kinds(county, request.id)).count(Event.URGED_BY_SYSTEM) == 2


async def test_past_escalate_after_it_climbs_tier_by_tier_then_stops_at_the_top(
    county: Database, clock: ManualClock, escalating: Setup
) -> None:
    services = escalating
    outbox = Outbox(county)
    request = await file(county, clock, services)
    await outbox.new()

    clock.advance(72 * H)
    assert await sweep(county, services) == (0, 1)
    now = await current(county, request.id)
    assert (now.handler_id, now.tier) == ("K004", 2)
    assert now.respond_by == clock.now() + 24 * H  # the new tier's own due times
    assert now.resolve_by == clock.now() + 7 * 24 * H
    sent = await outbox.new()
    assert set(sent) == {CADRES["K004"], CADRES["K007"], GRANDMA, CADRES["K003"]}
    assert all(p is Priority.BULK for messages in sent.values() for _, p in messages)
    [case] = texts_to(sent, CADRES["K004"])
    assert "超过受理时限" in case
    assert "经过" in case or "登记" in case  # the whole case with its trail
    assert "李强" in texts_to(sent, GRANDMA)[0]
    assert "督办" in texts_to(sent, CADRES["K003"])[0]
    assert "李强" in texts_to(sent, CADRES["K007"])[0]

    clock.advance(72 * H)
    assert await sweep(county, services) == (0, 1)
    now = await current(county, request.id)
    assert (now.handler_id, now.tier) == ("K001", 3)
    sent = await outbox.new()
    assert set(sent) == {CADRES["K001"], CADRES["K004"], GRANDMA, CADRES["K003"]}

    # 赵建国 (county leader, tier 3) supervises the county itself: no one is above him,
    # and the request must not go back down to a township. The supervisors above the
    # household and the admins are told, once.
    clock.advance(72 * H)
    assert await sweep(county, services) == (0, 1)
    now = await current(county, request.id)
    assert now.handler_id == "K001"
    assert now.stalled_at == clock.now()
    sent = await outbox.new()
    assert set(sent) == {CADRES["K001"], CADRES["K003"], ADMIN}
    assert request.number in texts_to(sent, ADMIN)[0]
    clock.advance(72 * H)
    assert await sweep(county, services) == (0, 0)
    assert await outbox.new() == {}
    trail = await kinds(county, request.id)
    assert trail.count(Event.ESCALATED) == 2
    assert trail.count(Event.OVERDUE) == 1

    # The first handler may still reply to the villager.
    async with county.transaction() as tx:
        await service.act(
            DeadlineRequests(tx), clock.now(), request.id, "K007", Event.REPLIED, Content("在办")
        )


async def test_an_acknowledged_request_is_urged_past_its_resolution_time(
    county: Database, clock: ManualClock, services: Setup
) -> None:
    outbox = Outbox(county)
    request = await file(county, clock, services)
    async with county.transaction() as tx:
        await service.act(Requests(tx), clock.now(), request.id, "K007", Event.ACKNOWLEDGED)
    clock.advance(7 * 24 * H - H)  # within 2h of the resolution due time
    await outbox.new()
    assert await sweep(county, services) == (1, 0)
    assert "办结" in texts_to(await outbox.new(), CADRES["K007"])[0]
    clock.advance(H)
    assert await sweep(county, services) == (0, 1)
    assert (await current(county, request.id)).handler_id == "K007"
    assert "超过办结时限" in texts_to(await outbox.new(), CADRES["K007"])[0]


async def test_a_request_reopened_twice_stays_and_the_supervisor_reads_a_line(
    county: Database, clock: ManualClock, services: Setup
) -> None:
    request = await file(county, clock, services)

    async def resolve_and_reopen() -> None:
        async with county.transaction() as tx:
            store = Requests(tx)
            await service.act(store, clock.now(), request.id, "K007", Event.RESOLVED)
            await service.confirm(store, clock.now(), request.id, GRANDMA, None)

    await resolve_and_reopen()
    assert await sweep(county, services) == (0, 0)
    clock.advance(H)
    await resolve_and_reopen()
    assert await sweep(county, services) == (0, 1)
    now = await current(county, request.id)
    assert (now.handler_id, now.reopen_escalated) == ("K007", 0)
    assert await lines(county) == [("K003", "urged_by_system", "reopened")]
    assert await sweep(county, services) == (0, 0)


async def test_the_handler_extends_once_with_a_reason(
    county: Database, clock: ManualClock, services: Setup
) -> None:
    outbox = Outbox(county)
    request = await file(county, clock, services)
    zone = services.config.general.zone
    later = deadlines.end_of_day("2026-12-05", zone)
    async with county.transaction() as tx:
        store = DeadlineRequests(tx)
        await service.act(store, clock.now(), request.id, "K007", Event.ACKNOWLEDGED)
        for who, until, reason, why in (
            ("K004", later, "等配件", "not_handler"),
            ("K007", deadlines.end_of_day("2026-11-16", zone), "等配件", "not_later"),
            ("K007", later, " ", "no_reason"),
        ):
            with pytest.raises(deadlines.ExtendRefused) as refused:
                await deadlines.extend(store, clock.now(), request.id, who, until, reason, LIMITS)
            assert refused.value.why == why
    assert (await current(county, request.id)).resolve_by == request.resolve_by
    await outbox.new()

    async with county.transaction() as tx:
        done = await deadlines.extend(
            DeadlineRequests(tx), clock.now(), request.id, "K007", later, "等配件", LIMITS
        )
        assert [(t.audience, t.cadre_id) for t in done.tells] == [
            (service.Audience.HOUSEHOLD, "K007"),
            (service.Audience.SUPERVISOR, "K003"),  # 孙丽 supervises 东坪镇
        ]
        with pytest.raises(deadlines.ExtendRefused) as again:
            await deadlines.extend(
                DeadlineRequests(tx),
                clock.now(),
                request.id,
                "K007",
                later + H * 48,
                "再等",
                LIMITS,
            )
        assert again.value.why == "already"
    assert (await current(county, request.id)).resolve_by == later

    clock.advance(8 * 24 * H)  # past the first due time, before the new one
    assert await sweep(county, services) == (0, 0)
    clock.set(later)
    assert await sweep(county, services) == (0, 1)
    assert (await current(county, request.id)).handler_id == "K007"  # urged, not moved


async def test_an_extension_years_ahead_is_refused_and_an_urgent_one_stays_short(
    county: Database, clock: ManualClock, services: Setup
) -> None:
    """/extend 9999-12-31 switched escalation off for good, urgent requests too."""
    zone = services.config.general.zone
    request = await file(county, clock, services)  # "other": due 2026-11-22 08:30
    async with county.transaction() as tx:
        store = DeadlineRequests(tx)
        for day in ("9999-12-31", "2026-12-23"):  # 30 days past the due time: 12-22 08:30
            with pytest.raises(deadlines.ExtendRefused) as refused:
                await deadlines.extend(
                    store,
                    clock.now(),
                    request.id,
                    "K007",
                    deadlines.end_of_day(day, zone),
                    "等",
                    LIMITS,
                )
            assert refused.value.why == "too_far"
            assert refused.value.latest == request.resolve_by + timedelta(days=30)
        await store.record(  # the villager marks it urgent: due 2h after filing
            dataclasses.replace(request, urgent=True, resolve_by=request.filed_at + 2 * H),
            clock.now(),
            Event.MARKED,
            f"villager:{GRANDMA}",
            {},
        )
        with pytest.raises(deadlines.ExtendRefused) as refused:
            await deadlines.extend(
                store,
                clock.now(),
                request.id,
                "K007",
                deadlines.end_of_day("2026-11-16", zone),
                "等",
                LIMITS,
            )
        assert refused.value.why == "too_far_urgent"
        done = await deadlines.extend(
            store,
            clock.now(),
            request.id,
            "K007",
            deadlines.end_of_day("2026-11-15", zone),
            "等配件",
            LIMITS,
        )
    assert done.request.urgent
    assert done.request.resolve_by == deadlines.end_of_day("2026-11-15", zone)
    assert service.Audience.SUPERVISOR in [t.audience for t in done.tells]


async def test_a_closed_request_is_never_reminded_or_escalated(
    county: Database, clock: ManualClock, services: Setup
) -> None:
    request = await file(county, clock, services)
    async with county.transaction() as tx:
        store = Requests(tx)
        await service.act(store, clock.now(), request.id, "K007", Event.RESOLVED)
        await service.confirm(store, clock.now(), request.id, GRANDMA, Outcome.SATISFIED)
    for _ in range(3):
        clock.advance(10 * 24 * H)
        assert await sweep(county, services) == (0, 0)
