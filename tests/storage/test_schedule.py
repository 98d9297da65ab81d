"""The schedule sweep over a real database with the sample county: a month of reminders
(service days, reception days, stay quotas, digests, the monthly ranking), each once, on
its day and hour; missed ones sent while they matter; stays, visits and opt-ins as stored."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.config import Config, ScheduleConfig
from bot.domain import requests as service
from bot.domain.lifecycle import Event, Outcome
from bot.domain.requests import Content, Deadlines
from bot.domain.schedule import DayKind
from bot.edge import schedules
from bot.i18n import Texts
from handlers.context import Setup
from handlers.reminders import render
from storage import schedule as stored
from storage.db import Database
from storage.people import People
from storage.requests import Requests
from storage.timefmt import from_db, to_db
from tests.sample import card_code, load_sample

ZONE = ZoneInfo("Asia/Shanghai")
CADRES = [f"K{n:03d}" for n in range(1, 13)]
USER = {cadre: 900 + n for n, cadre in enumerate(CADRES, 1)}
GRANDMA = 501  # a phone of 王秀英's household, H0001
DEADLINES = Deadlines(timedelta(hours=24), timedelta(days=7), timedelta(hours=2))
SELECT_REMINDERS = """
SELECT dedup_key, lane, payload, created_at FROM outbox
WHERE dedup_key IS NOT NULL AND method = 'sendMessage' ORDER BY id
"""


def local(day: str, clock: str = "00:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=ZONE)


@dataclass
class Reminder:
    key: str
    chat: int
    text: str
    at: datetime  # local time it was queued


async def reminders(db: Database) -> list[Reminder]:
    async with db.read() as tx:
        rows = await tx.fetchall(SELECT_REMINDERS)
    return [
        Reminder(r[0], r[1], json.loads(r[2])["text"], from_db(r[3]).astimezone(ZONE))
        for r in rows
    ]


def services(clock: ManualClock, schedule: ScheduleConfig | None = None) -> Setup:
    config = Config(schedule=schedule or ScheduleConfig())
    return Setup(config, clock, Texts("en"), "lianxin_test_bot")


@pytest.fixture
async def county(db: Database) -> Database:
    """The sample county, every cadre bound, 王秀英's phone bound, two requests filed on
    the last day of February."""
    now = local("2026-02-28", "10:00")
    await load_sample(db)
    for cadre in CADRES:
        code = await card_code(db, now, cadre=cadre)
        async with db.transaction() as tx:
            await People(tx).bind_cadre(cadre, USER[cadre], code, now)
    code = await card_code(db, now, household="H0001")
    async with db.transaction() as tx:
        await People(tx).add_member(GRANDMA, "H0001", code, now)
        for household in ("H0001", "H0007"):
            await service.file(
                Requests(tx), now, household, Content(text="路灯坏了"), DEADLINES, by_user=GRANDMA
            )
    return db


async def walk(
    db: Database, clock: ManualClock, until: datetime, svc: Setup, step: timedelta
) -> None:
    """Sweep at every ``step`` until ``until`` (as the JobQueue would, more coarsely)."""
    while clock.now() < until:
        clock.advance(step)
        await schedules.sweep(db, svc, lambda: None, render)


async def log_stays(db: Database, cadre: str, days: list[str]) -> None:
    async with db.transaction() as tx:
        for day in days:
            moment = local(day, "21:00")
            await stored.log_day(
                tx, cadre, DayKind.STAY, date.fromisoformat(day), moment, None, ""
            )


async def test_a_month_of_reminders_each_once_on_its_day_and_hour(county: Database) -> None:
    clock = ManualClock(local("2026-03-01"))
    svc = services(clock)
    await log_stays(county, "K001", ["2026-03-03", "2026-03-20"])  # county leader: 2 of 2
    await log_stays(county, "K004", ["2026-03-03", "2026-03-03", "2026-03-10"])  # 2 of 8
    await log_stays(county, "K004", ["2026-02-27"])  # last month's stay does not count
    await walk(county, clock, local("2026-04-01"), svc, timedelta(minutes=30))
    found = await reminders(county)
    assert not [key for key, n in Counter(r.key for r in found).items() if n > 1]
    by_key = {r.key: r for r in found}

    # Service days: every bound cadre, the evening before and the morning of each.
    for cadre in CADRES:
        for day, kind, queued in [
            ("2026-03-15", "evening", local("2026-03-14", "20:00")),
            ("2026-03-15", "morning", local("2026-03-15", "07:30")),
            ("2026-03-16", "evening", local("2026-03-15", "20:00")),
            ("2026-03-16", "morning", local("2026-03-16", "07:30")),
        ]:
            reminder = by_key[f"svc:{cadre}:{day}:{kind}"]
            assert (reminder.chat, reminder.at) == (USER[cadre], queued)
    assert len([r for r in found if r.key.startswith("svc:")]) == 4 * len(CADRES)
    assert "王秀英 (H0001): 1 open" in by_key["svc:K007:2026-03-15:evening"].text
    assert "王秀英 (H0001): 1 open" in by_key["svc:K001:2026-03-15:morning"].text
    assert "杨春花 (H0007): 1 open" in by_key["svc:K002:2026-03-16:morning"].text
    assert "None of your households" in by_key["svc:K009:2026-03-15:evening"].text

    # Reception days: township secretaries every Monday, the county leader on the 1st.
    receptions = sorted((r.key, r.at) for r in found if r.key.startswith("rcp:"))
    mondays = ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30"]
    expected = [("rcp:K001:2026-03-01", local("2026-03-01", "07:30"))] + [
        (f"rcp:{cadre}:{day}", local(day, "07:30"))
        for cadre in ("K003", "K006")
        for day in mondays
    ]
    assert receptions == sorted(expected)

    # Stay quotas: from the 25th, every 2 days, to those behind; counts as of that day.
    quota = {r.key: r for r in found if r.key.startswith("quota:")}
    behind = {"K002": 4, "K003": 6, "K004": 8, "K005": 8, "K006": 6, "K012": 8}
    assert sorted(quota) == sorted(
        f"quota:{cadre}:2026-03-{day}" for cadre in behind for day in (25, 27, 29, 31)
    )
    assert all(r.at == local(r.key[-10:], "07:30") for r in quota.values())
    assert "2 of 8 days logged, 6 to go" in quota["quota:K004:2026-03-25"].text
    assert "0 of 4 days logged" in quota["quota:K002:2026-03-31"].text
    assert "1 day(s) left until 3/31" in quota["quota:K002:2026-03-31"].text

    # Digests: each supervisor daily at 08:00, new requests once, overdue ones while so.
    for cadre in ("K001", "K003", "K006"):
        days = sorted(r.key for r in found if r.key.startswith(f"digest:{cadre}:"))
        assert len(days) == 31
    first = by_key["digest:K001:2026-03-01"]
    assert first.at == local("2026-03-01", "08:00")
    assert "New requests (2)" in first.text
    assert "New requests" not in by_key["digest:K001:2026-03-02"].text
    assert "No new, overdue or escalated" in by_key["digest:K003:2026-03-02"].text
    assert "Overdue, not yet resolved (1)" in by_key["digest:K003:2026-03-08"].text
    assert "王秀英" in by_key["digest:K003:2026-03-08"].text
    assert "杨春花" not in by_key["digest:K003:2026-03-08"].text  # T02's, not T01's
    assert "杨春花" in by_key["digest:K006:2026-03-08"].text


async def test_the_sweep_twice_at_one_moment_queues_nothing_more(county: Database) -> None:
    clock = ManualClock(local("2026-03-15", "07:30"))
    svc = services(clock)
    first = await schedules.sweep(county, svc, lambda: None, render)
    assert first == len(CADRES)  # the morning reminders (a Sunday: no reception)
    assert await schedules.sweep(county, svc, lambda: None, render) == 0
    clock.advance(timedelta(minutes=1))
    assert await schedules.sweep(county, svc, lambda: None, render) == 0


async def test_a_reminder_missed_while_down_goes_out_while_it_matters(county: Database) -> None:
    svc_config = ScheduleConfig(
        reception={"county_leader": "", "township_secretary": ""},  # type: ignore[arg-type]
        digest={"supervisors": "off"},  # type: ignore[arg-type]
    )
    clock = ManualClock(local("2026-03-14", "19:00"))
    svc = services(clock, ScheduleConfig.model_validate(svc_config.model_dump()))
    await schedules.sweep(county, svc, lambda: None, render)
    clock.set(local("2026-03-14", "23:50"))  # down from 19:00 to 23:50: the evening still counts
    await schedules.sweep(county, svc, lambda: None, render)
    clock.set(local("2026-03-16", "06:00"))  # down all day on the 15th
    await schedules.sweep(county, svc, lambda: None, render)
    clock.set(local("2026-03-16", "09:00"))
    await schedules.sweep(county, svc, lambda: None, render)
    keys = Counter(r.key.split(":", 2)[2] for r in await reminders(county))
    assert keys == {
        "2026-03-15:evening": 12,  # sent late, still before the day
        "2026-03-16:morning": 12,
        "H0001:2026-03-15": 1,  # the villager's note: on by default (migration 0023)
    }  # the 15th's morning and the 16th's evening were dropped: their day had passed


async def test_a_changed_configuration_counts_from_the_next_sweep(county: Database) -> None:
    clock = ManualClock(local("2026-03-19", "20:00"))
    plain = {"digest": {"supervisors": "off"}, "reception": {"township_secretary": ""}}
    before = services(clock, ScheduleConfig.model_validate(plain))
    assert await schedules.sweep(county, before, lambda: None, render) == 0
    after = services(clock, ScheduleConfig.model_validate({**plain, "service_days": [20]}))
    # every cadre, and the bound villager (the service-day note is on by default, 0023)
    assert await schedules.sweep(county, after, lambda: None, render) == len(CADRES) + 1


async def test_villagers_hear_of_the_visit_the_evening_before_unless_switched_off(
    county: Database,
) -> None:
    now = local("2026-03-14", "20:00")
    async with county.transaction() as tx:
        assert await stored.opted_in(tx, GRANDMA, "H0001")  # on by default (0023)
        await stored.set_optin(tx, GRANDMA, "H0001", False, now)
        await stored.set_optin(tx, GRANDMA, "H0001", True, now)
        await stored.set_optin(tx, GRANDMA, "H0001", True, now)
        assert await stored.opted_in(tx, GRANDMA, "H0001")
    clock = ManualClock(now)
    await schedules.sweep(county, services(clock), lambda: None, render)
    (note,) = [r for r in await reminders(county) if r.key.startswith("visit:")]
    assert note.key == f"visit:{GRANDMA}:H0001:2026-03-15"
    assert note.chat == GRANDMA
    assert "郑小红" in note.text  # H0001's tier-1 cadre
    async with county.transaction() as tx:
        await stored.set_optin(tx, GRANDMA, "H0001", False, now)
        assert not await stored.opted_in(tx, GRANDMA, "H0001")
    clock.set(local("2026-03-15", "20:00"))  # the evening before the 16th: switched off
    await schedules.sweep(county, services(clock), lambda: None, render)
    notes = [r.key for r in await reminders(county) if r.key.startswith("visit:")]
    assert notes == [f"visit:{GRANDMA}:H0001:2026-03-15"]


async def test_stays_count_once_a_day_and_a_location_joins_the_last_entry(
    county: Database,
) -> None:
    now = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    async with county.transaction() as tx:
        for kind in (DayKind.STAY, DayKind.STAY, DayKind.VISIT):
            await stored.log_day(tx, "K004", kind, date(2026, 3, 3), now, "H0001", "夜访")
        assert await stored.place_last_day(tx, "K004", now - timedelta(minutes=10), 25.0, 102.7)
        assert not await stored.place_last_day(tx, "K005", now - timedelta(minutes=10), 1, 2)
        days = await stored.stay_days(tx, date(2026, 3, 1), date(2026, 3, 31))
        assert days == {"K004": 1}
        assert await stored.stay_days_of(tx, "K004", date(2026, 3, 1), date(2026, 3, 31)) == 1
        assert await stored.stay_days_of(tx, "K004", date(2026, 4, 1), date(2026, 4, 30)) == 0


QUIET = {
    "reception": {"county_leader": "", "township_secretary": ""},
    "digest": {"supervisors": "off"},
}


async def february(db: Database, clock: ManualClock) -> None:
    """Besides the fixture's two requests of 28 February (H0001 in V01, H0007 in V03, not
    answered): H0005 (V02, 冯涛) answered, resolved and confirmed satisfied in time;
    H0002 (V01, 郑小红) never answered, overdue since the 12th."""
    code = await card_code(db, clock.now(), household="H0005")
    async with db.transaction() as tx:
        await People(tx).add_member(503, "H0005", code, clock.now())

    filed: list[int] = []

    async def step(when: datetime, act: object) -> None:
        clock.set(when)
        async with db.transaction() as tx:
            store = Requests(tx)
            if isinstance(act, Event):
                request = await store.get(filed[-1])
                assert request is not None
                await service.act(store, when, request.id, request.handler_id, act)
            elif act == "satisfied":
                await service.confirm(store, when, filed[-1], 503, Outcome.SATISFIED)
            else:
                done = await service.file(store, when, str(act), Content("水管漏了"), DEADLINES)
                filed.append(done.request.id)

    await step(local("2026-02-05", "09:00"), "H0002")
    await step(local("2026-02-10", "09:00"), "H0005")
    await step(local("2026-02-10", "10:00"), Event.ACKNOWLEDGED)
    await step(local("2026-02-11", "15:00"), Event.RESOLVED)
    await step(local("2026-02-12", "09:00"), "satisfied")


async def test_each_supervisor_gets_last_month_s_ranking_of_their_jurisdiction_once(
    county: Database,
) -> None:
    clock = ManualClock(local("2026-02-05"))
    await february(county, clock)
    svc = services(clock, ScheduleConfig.model_validate(QUIET))
    clock.set(local("2026-03-01", "07:00"))
    await walk(county, clock, local("2026-03-02", "12:00"), svc, timedelta(minutes=30))
    found = {r.key: r for r in await reminders(county) if r.key.startswith("rank:")}
    assert sorted(found) == ["rank:K001:2026-02", "rank:K003:2026-02", "rank:K006:2026-02"]
    assert all(r.at == local("2026-03-01", "07:30") for r in found.values())
    township = found["rank:K003:2026-02"]
    assert township.chat == USER["K003"]
    text = township.text
    assert "Ranking of 2026-02" in text
    villages, cadres = text.split("Cadres")
    # V02 resolved its one due request in time; V01 answered none of its three.
    assert villages.index("1. 石桥村: resolution 100.0%, response 100.0%") < villages.index(
        "2. 柳树村: resolution 0.0%, response 0.0%"
    )
    assert "filed 2, overdue 1" in villages  # 柳树村: H0002 and H0001
    assert cadres.index("1. 冯涛") < cadres.index("2. 郑小红")
    for other in ("青山村", "河口村", "陈静", "褚亮"):  # T02's
        assert other not in text
    assert "青山村" in found["rank:K006:2026-02"].text
    assert "柳树村" not in found["rank:K006:2026-02"].text
    assert all(v in found["rank:K001:2026-02"].text for v in ("柳树村", "石桥村", "青山村"))


async def test_a_ranking_missed_on_the_first_is_dropped_and_can_be_switched_off(
    county: Database,
) -> None:
    clock = ManualClock(local("2026-03-02", "07:30"))  # down all day on the 1st
    quiet = services(clock, ScheduleConfig.model_validate(QUIET))
    await schedules.sweep(county, quiet, print, render)
    assert not [r for r in await reminders(county) if r.key.startswith("rank:")]
    clock.set(local("2026-04-01", "23:00"))  # late on the 1st: still sent
    quiet = services(clock, ScheduleConfig.model_validate(QUIET))
    await schedules.sweep(county, quiet, print, render)
    late = [r.key for r in await reminders(county) if r.key.startswith("rank:")]
    assert sorted(late) == ["rank:K001:2026-03", "rank:K003:2026-03", "rank:K006:2026-03"]
    clock.set(local("2026-05-01", "08:00"))
    off = ScheduleConfig.model_validate({**QUIET, "monthly_ranking": False})
    assert await schedules.sweep(county, services(clock, off), print, render) == 0


INSERT_ESCALATION = """
INSERT INTO request_events (request_id, at, kind, actor, handler_id)
SELECT id, ?, 'escalated', 'system', handler_id FROM requests WHERE household_id = ?
"""
SELECT_NUMBER = "SELECT number FROM requests WHERE household_id = ?"


async def test_a_digest_lists_each_escalation_of_its_subtree_once_in_its_window(
    county: Database,
) -> None:
    """H0001 (柳树村, under 东坪镇 T01) escalated twice in the window and once before it;
    H0007's escalation is in another township's digest (T02), not in T01's."""
    since, now = local("2026-03-01", "08:00"), local("2026-03-02", "08:00")
    async with county.transaction() as tx:
        for at, household in [
            (local("2026-02-28", "20:00"), "H0001"),  # before the window
            (local("2026-03-01", "09:00"), "H0001"),
            (local("2026-03-01", "18:00"), "H0001"),  # the same request again
            (local("2026-03-01", "10:00"), "H0007"),
        ]:
            await tx.execute(INSERT_ESCALATION, (to_db(at), household))
        first = await tx.scalar(SELECT_NUMBER, ("H0001",))
        other = await tx.scalar(SELECT_NUMBER, ("H0007",))
    async with county.read() as tx:
        township = await stored.digest(tx, "T01", since, now)
        whole = await stored.digest(tx, "C01", since, now)
        earlier = await stored.digest(tx, "T01", since - timedelta(days=1), since)
    assert [line.number for line in township.escalated] == [first]
    assert sorted(line.number for line in whole.escalated) == sorted([first, other])
    assert [line.words for line in township.escalated] == ["路灯坏了"]
    assert [line.number for line in earlier.escalated] == [first]  # the 28th's, in its own
