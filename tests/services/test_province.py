"""The province's use case over a fake county: the whole county's figures (its root
region's), or ``NoRoster`` before its roster is imported."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
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

    async def figures(self, period: Period, now: datetime) -> list[CountyFigures]:
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
