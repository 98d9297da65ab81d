"""Stays with evidence as use cases over in-memory fakes: a live location covering the
evening and the morning counts; a place 12 km away is kept but is no evidence; a
location with no stay open stores nothing; a second stay the same night is refused and
logs nothing; supervisors see their region's cadres, those behind first."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain.roster import Rank
from bot.domain.schedule import CadresOnly, DayKind, Rules
from bot.domain.stats import StayLine
from bot.domain.stays import Area, Hours, NoStayOpen, NotSupervisor, StayedAlready
from bot.services import field, stays
from tests.services.fakes_field import FakeSchedule, FakeWork, cadre, villager
from tests.services.fakes_stays import FakeStayWork

ZONE = ZoneInfo("Asia/Shanghai")
RULES = Rules(
    zone=ZONE,
    stay_quota={Rank.TOWNSHIP_CADRE: 8, Rank.COUNTY_LEADER: 2},
    stays=Hours(ZONE, evening=time(21, 0), morning=time(6, 0)),
)
LI = cadre("K004", Rank.TOWNSHIP_CADRE, 904)
SUPERVISOR = cadre("K003", Rank.TOWNSHIP_SECRETARY, 903, supervises="T01")
LIUSHU = Area("柳树村", 25.03, 102.71, 1500.0)
NIGHT = date(2026, 11, 10)
TWELVE_KM_NORTH = 25.03 + 12_000 / 111_195


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=ZONE)


def staying(now: datetime) -> FakeStayWork:
    work = FakeStayWork(now)
    work.stays.start("K004", NIGHT, LIUSHU)
    return work


async def test_a_live_location_through_the_night_makes_the_night_count() -> None:
    work = staying(local(10, 21, 15))
    first = await stays.locate(work, LI, RULES, 25.0301, 102.7101, live=True, message_id=77)
    assert (first.area, first.inside, first.live) == ("柳树村", True, True)
    assert (first.evidence.evening, first.evidence.morning) == (True, False)

    work.now = local(11, 5, 40)  # the phone moved a little before dawn: an edited message
    moved = await stays.locate(
        work, LI, RULES, 25.0302, 102.7102, live=True, message_id=77, update=True
    )

    assert moved.evidence.counted
    assert moved.night == NIGHT
    stay = work.stays.stays[1]
    assert (stay.evening_at, stay.morning_at) == (local(10, 21, 15), local(11, 5, 40))
    assert [p.message_id for p in work.stays.points] == [77, 77]


async def test_a_place_12_km_away_is_kept_but_is_no_evidence() -> None:
    work = staying(local(10, 22, 0))

    located = await stays.locate(work, LI, RULES, TWELVE_KM_NORTH, 102.71)

    assert not located.inside
    assert located.away_m == pytest.approx(12_000, rel=1e-3)
    assert not located.evidence.evening
    assert work.stays.stays[1].evening_at is None  # not marked
    assert [p.inside for p in work.stays.points] == [False]  # recorded as such


async def test_a_static_location_in_the_morning_joins_last_nights_stay() -> None:
    work = staying(local(10, 21, 30))
    await stays.locate(work, LI, RULES, 25.03, 102.71)
    work.now = local(11, 5, 55)
    located = await stays.locate(work, LI, RULES, 25.03, 102.71)
    assert located.evidence.counted


async def test_a_location_with_no_stay_open_stores_nothing() -> None:
    work = FakeStayWork(local(10, 22, 0))
    with pytest.raises(NoStayOpen):
        await stays.locate(work, LI, RULES, 25.03, 102.71)
    work = staying(local(12, 15, 0))  # the stay was two days ago
    with pytest.raises(NoStayOpen):
        await stays.locate(work, LI, RULES, 25.03, 102.71)
    with pytest.raises(NoStayOpen):  # an update of a live location no stay took
        await stays.locate(work, LI, RULES, 25.03, 102.71, message_id=5, update=True)
    assert work.stays.points == []


async def test_a_visit_just_logged_keeps_its_place() -> None:
    work = staying(local(10, 21, 30))
    work.stays.visits_since["K004"] = local(10, 21, 25)
    with pytest.raises(NoStayOpen):
        await stays.locate(work, LI, RULES, 25.03, 102.71)
    assert work.stays.points == []


async def test_a_villager_sends_no_evidence() -> None:
    work = staying(local(10, 21, 30))
    with pytest.raises(CadresOnly):
        await stays.locate(work, villager(2001), RULES, 25.03, 102.71)


async def test_a_second_stay_the_same_night_is_refused_and_logs_nothing() -> None:
    work = FakeWork(local(10, 20, 0), FakeSchedule())
    await field.log_for(work, LI, RULES, DayKind.STAY, None)
    work.now = local(10, 23, 0)

    with pytest.raises(StayedAlready) as refused:
        await field.log_for(work, LI, RULES, DayKind.STAY, None)

    assert refused.value.night == NIGHT
    assert len(work.schedule.days) == 1
    work.now = local(11, 20, 0)  # the next night is a new one
    logged = await field.log_for(work, LI, RULES, DayKind.STAY, None)
    assert (logged.logged, logged.needed) == (2, 8)
    await field.log_for(work, LI, RULES, DayKind.VISIT, None)  # visits: as many as done


async def test_a_supervisor_sees_nights_against_the_quota_behind_first() -> None:
    work = FakeStayWork(local(20, 9, 0))
    work.stays.names["T01"] = "东坪镇"
    work.stays.lines = [
        StayLine("K004", "李强", "township_cadre", "T01", days=7, evidenced=6),
        StayLine("K005", "周芳", "township_cadre", "T01", days=4, evidenced=1),
        StayLine("K007", "郑小红", "village_cadre", "V01", days=0, evidenced=0),  # no quota
    ]

    found = await stays.standings(work, SUPERVISOR, RULES)

    assert (found.region, found.first, found.last) == (
        "东坪镇",
        date(2026, 11, 1),
        NIGHT.replace(day=30),
    )
    assert [(n.cadre_id, n.evidenced, n.without, n.quota, n.short) for n in found.lines] == [
        ("K005", 1, 3, 8, 7),
        ("K004", 6, 1, 8, 2),
    ]
    with pytest.raises(NotSupervisor):
        await stays.standings(work, LI, RULES)
