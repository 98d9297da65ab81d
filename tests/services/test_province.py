"""The province's use case over a fake county: the whole county's figures (its root
region's), or ``NoRoster`` before its roster is imported."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import stats
from bot.domain.province import CountyFigures, NotProvincial
from bot.domain.stats import Figures, Period, Place, days
from bot.services import province
from tests.services.fakes_stats import NOW as FAKE_NOW
from tests.services.fakes_stats import RULES, ZONE, FakePace

MARCH = "2031-03-01.2031-03-04"

NOW = datetime(2026, 11, 15, 1, tzinfo=UTC)
PERIOD = days(date(2026, 11, 1), date(2026, 11, 30), ZoneInfo("Asia/Shanghai"))
HEPING = Place("C01", "和平县", "county", None)


@dataclass
class FakeStats:
    place: Place | None
    asked: list[str] = field(default_factory=list)

    async def root(self) -> Place | None:
        return self.place

    async def region_figures(self, region_id: str, period: Period, now: datetime) -> Figures:
        self.asked.append(region_id)
        return Figures(filed=4)


@dataclass
class FakeWork:
    stats: FakeStats
    now: datetime = NOW


async def test_a_county_s_figures_are_its_root_region_s() -> None:
    work = FakeWork(FakeStats(HEPING))
    found = await province.county_figures(work, "heping", PERIOD)
    assert (found.county, found.place, found.figures.filed) == ("heping", HEPING, 4)
    assert work.stats.asked == ["C01"]


async def test_a_county_without_a_roster_is_named() -> None:
    with pytest.raises(province.NoRoster, match="heping"):
        await province.county_figures(FakeWork(FakeStats(None)), "heping", PERIOD)


# --- the province's own bot: who may ask, for what, how often ----------------------------

SUPERVISORS = (9001,)


def test_only_a_provincial_supervisor_may_ask() -> None:
    pace = FakePace()
    order = province.ask(FAKE_NOW, 9001, SUPERVISORS, ["month"], RULES, pace)
    assert (order.what, order.period.first, order.period.last) == (
        "summary",
        date(2031, 3, 1),
        date(2031, 3, 4),
    )
    with pytest.raises(NotProvincial):
        province.ask(FAKE_NOW, 9002, SUPERVISORS, ["month"], RULES, pace)
    with pytest.raises(NotProvincial):  # a forged button, by someone else
        province.press(FAKE_NOW, 9002, SUPERVISORS, "workbook", MARCH, RULES, pace)


def test_a_button_carries_only_its_period_held_to_the_bounds() -> None:
    pace = FakePace()
    order = province.press(FAKE_NOW, 9001, SUPERVISORS, "workbook", MARCH, RULES, pace)
    assert (order.what, order.period.first) == ("workbook", date(2031, 3, 1))
    with pytest.raises(NotProvincial):  # no such button
        province.press(FAKE_NOW, 9001, SUPERVISORS, "overdue", MARCH, RULES, pace)
    with pytest.raises(stats.PeriodTooLong):
        province.press(
            FAKE_NOW, 9001, SUPERVISORS, "summary", "2029-01-01.2031-03-04", RULES, pace
        )
    with pytest.raises(stats.BadPeriod):
        province.press(FAKE_NOW, 9001, SUPERVISORS, "summary", "x" * 60, RULES, pace)


def test_one_at_a_time_and_a_few_a_minute() -> None:
    key = province.ProvinceOrder(9001, "summary", PERIOD).key
    with pytest.raises(stats.Busy):
        province.ask(FAKE_NOW, 9001, SUPERVISORS, [], RULES, FakePace(busy_keys={key}))
    recent = FakePace(starts={key: [FAKE_NOW] * RULES.per_minute})
    with pytest.raises(stats.TooMany):
        province.ask(FAKE_NOW, 9001, SUPERVISORS, [], RULES, recent)


@dataclass
class FakeCounties:
    found: list[CountyFigures]
    counted: list[Period] = field(default_factory=list)  # each time every county was read
    fail: bool = False

    async def figures(self, period: Period, now: datetime) -> list[CountyFigures]:
        if self.fail:
            raise province.Unreadable("连平县: the server is down")
        self.counted.append(period)
        return self.found


async def test_the_province_s_summary_pools_its_counties() -> None:
    a = CountyFigures("a", HEPING, Figures(filed=2, first_response=(3600.0, 3600.0)))
    b = CountyFigures("b", HEPING, Figures(filed=5, first_response=(9 * 3600.0,) * 3))
    order = province.ask(FAKE_NOW, 9001, SUPERVISORS, [], RULES, FakePace())
    result = await province.summary(FakeCounties([a, b]), order, FAKE_NOW, ZONE, RULES.bounds)
    assert (result.total.filed, result.total.first_response_median) == (7, 9 * 3600.0)
    assert [c.county for c in result.counties] == ["a", "b"]
    assert [word for word, _ in result.periods] == ["month", "lastmonth", "week", "year"]


def test_a_far_date_or_a_huge_word_is_refused_not_counted() -> None:
    pace = FakePace()
    with pytest.raises(stats.BadPeriod):
        province.ask(FAKE_NOW, 9001, SUPERVISORS, ["9999-01-01", "9999-12-31"], RULES, pace)
    with pytest.raises(stats.BadPeriod):
        province.ask(FAKE_NOW, 9001, SUPERVISORS, ["月" * 5000], RULES, pace)
    with pytest.raises(stats.BadPeriod):
        province.press(
            FAKE_NOW, 9001, SUPERVISORS, "workbook", "9999-01-01.9999-01-31", RULES, pace
        )
    assert pace.starts == {}  # nothing was started


# --- kept figures: the period buttons counted in the background ----------------------------

SLOW = CountyFigures("a", HEPING, Figures(filed=3, first_response=(60.0, 120.0, 7200.0)))
EVERY = timedelta(minutes=10)


async def test_a_period_button_answers_from_the_figures_counted_in_the_background() -> None:
    counties, kept = FakeCounties([SLOW]), province.Kept(EVERY)
    done = await province.refresh(counties, kept, FAKE_NOW, ZONE, RULES.bounds)
    assert len(done) == 4  # 本月, 上个月, 本周, 今年
    assert counties.counted == done

    later = FAKE_NOW + timedelta(minutes=3)
    order = province.ask(later, 9001, SUPERVISORS, [], RULES, FakePace())
    result = await province.summary(counties, order, later, ZONE, RULES.bounds, kept)
    assert len(counties.counted) == 4  # no county read again
    assert result.as_of == FAKE_NOW  # and the answer says when they were counted
    assert (result.total.filed, result.total.first_response_median) == (3, 120.0)
    assert result.total.first_response_p90 == 7200.0
    assert result.total.first_response == ()  # kept without the durations behind them


async def test_figures_too_old_or_of_another_period_are_counted_when_asked() -> None:
    counties, kept = FakeCounties([SLOW]), province.Kept(EVERY)
    await province.refresh(counties, kept, FAKE_NOW, ZONE, RULES.bounds)
    stale = FAKE_NOW + 2 * EVERY + timedelta(seconds=1)  # two refreshes missed
    order = province.ask(stale, 9001, SUPERVISORS, [], RULES, FakePace())
    result = await province.summary(counties, order, stale, ZONE, RULES.bounds, kept)
    assert (len(counties.counted), result.as_of) == (5, None)  # counted now, said so

    words = ["2031-01-05", "2031-01-09"]
    typed = province.ask(FAKE_NOW, 9001, SUPERVISORS, words, RULES, FakePace())
    await province.summary(counties, typed, FAKE_NOW, ZONE, RULES.bounds, kept)
    again = await province.summary(counties, typed, FAKE_NOW, ZONE, RULES.bounds, kept)
    assert len(counties.counted) == 6  # counted once, then kept
    assert again.total.filed == 3


async def test_a_failed_refresh_keeps_the_last_figures_until_they_age_out() -> None:
    counties, kept = FakeCounties([SLOW]), province.Kept(EVERY)
    await province.refresh(counties, kept, FAKE_NOW, ZONE, RULES.bounds)
    counties.fail = True
    later = FAKE_NOW + EVERY
    with pytest.raises(province.Unreadable):
        await province.refresh(counties, kept, later, ZONE, RULES.bounds)
    order = province.ask(later, 9001, SUPERVISORS, [], RULES, FakePace())
    result = await province.summary(counties, order, later, ZONE, RULES.bounds, kept)
    assert result.as_of == FAKE_NOW
    aged = later + EVERY + timedelta(seconds=1)
    with pytest.raises(province.Unreadable):  # too old now: counted, and the county named
        await province.summary(counties, order, aged, ZONE, RULES.bounds, kept)


async def test_few_periods_are_kept() -> None:
    counties, kept = FakeCounties([SLOW]), province.Kept(EVERY, most=2)
    for day in (5, 6, 7):
        words = [f"2031-01-0{day}", f"2031-01-0{day}"]
        order = province.ask(FAKE_NOW, 9001, SUPERVISORS, words, RULES, FakePace())
        await province.summary(
            counties, order, FAKE_NOW + timedelta(seconds=day), ZONE, RULES.bounds, kept
        )
    first = stats.days(date(2031, 1, 5), date(2031, 1, 5), ZONE)
    last = stats.days(date(2031, 1, 7), date(2031, 1, 7), ZONE)
    assert kept.get(first, FAKE_NOW + timedelta(seconds=8)) is None  # the oldest went
    assert kept.get(last, FAKE_NOW + timedelta(seconds=8)) is not None
