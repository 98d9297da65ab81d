"""/stats as use cases, over fakes: a supervisor's figures are their own region's (and a
button reaches no other), a cadre without a region gets their own cases, a forged or too
long period is refused with what is allowed, and the pace (one in the making, so many a
minute) holds; a refusal reads nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain import stats
from bot.services import stats as figures
from tests.services.fakes_stats import (
    FIGURES,
    NOW,
    OWN,
    RULES,
    SUN,
    WU,
    ZHENG,
    ZONE,
    FakePace,
    FakeWork,
    person,
)

MARCH = "2031-03-01.2031-03-04"


async def test_a_supervisor_sees_their_own_subtree_only() -> None:
    work, pace = FakeWork(), FakePace()
    order = await figures.ask(work, person(903, SUN), ["month"], RULES, pace)
    assert (order.region, order.period.first, order.period.last) == (
        "T01",
        date(2031, 3, 1),
        date(2031, 3, 4),
    )
    summary = await figures.summary(work, order, ZONE)
    assert (summary.title, summary.figures, summary.supervisor) == ("东坪镇", FIGURES["T01"], True)
    assert len(summary.days) == 4

    pressed = await figures.press(work, person(903, SUN), "village", MARCH, RULES, pace)
    table = await figures.table(work, pressed)
    assert [(line.name, line.figures.filed) for line in table.lines] == [
        ("石桥村", 1),  # best first: answered in time
        ("柳树村", 3),
    ]
    assert set(work.stats.read) == {"region:T01"}  # nothing of 西河乡, nor of the county

    other = FakeWork()
    theirs = await figures.ask(other, person(906, WU), [], RULES, pace)
    assert (await figures.summary(other, theirs, ZONE)).figures == FIGURES["T02"]
    assert set(other.stats.read) == {"region:T02"}


async def test_a_cadre_without_a_region_gets_their_own_figures() -> None:
    work = FakeWork()
    order = await figures.ask(work, person(907, ZHENG), ["today"], RULES, FakePace())
    assert order.region is None
    summary = await figures.summary(work, order, ZONE)
    assert (summary.title, summary.figures, summary.supervisor) == ("郑小红", OWN["K007"], False)
    assert set(work.stats.read) == {"cadre:K007"}
    with pytest.raises(stats.NotSupervisor):  # the buttons are a supervisor's
        await figures.press(work, person(907, ZHENG), "village", MARCH, RULES, FakePace())


async def test_figures_are_for_cadres() -> None:
    with pytest.raises(stats.NotCadre):
        await figures.ask(FakeWork(), person(2001, None), [], RULES, FakePace())


@pytest.mark.parametrize(
    ("span", "refused"),
    [
        ("1900-01-01.2100-12-31", stats.PeriodOutOfRange),
        ("2000-01-01.2001-12-31", stats.PeriodTooLong),
        ("2031-03-04", stats.BadPeriod),
        ("2031-03-04.2031-02-01", stats.BadPeriod),
    ],
)
async def test_a_forged_period_is_refused_with_what_is_allowed(
    span: str, refused: type[stats.BadPeriod]
) -> None:
    work = FakeWork()
    with pytest.raises(refused) as caught:
        await figures.press(work, person(903, SUN), "workbook", span, RULES, FakePace())
    bad = caught.value
    if isinstance(bad, stats.PeriodOutOfRange):
        assert (bad.earliest, bad.latest) == (date(2000, 1, 1), date(2031, 3, 4) + timedelta(366))
    if isinstance(bad, stats.PeriodTooLong):
        assert (bad.days, bad.max_days) == (731, 366)
    assert work.stats.read == []  # refused before anything is read


async def test_an_unknown_button_is_refused() -> None:
    with pytest.raises(stats.NotSupervisor):
        await figures.press(FakeWork(), person(903, SUN), "everyone", MARCH, RULES, FakePace())


async def test_at_most_per_minute_asks_a_minute() -> None:
    key = figures.pace_key(903)
    pace = FakePace(starts={key: [NOW - timedelta(seconds=s) for s in (5, 20, 59)]})
    with pytest.raises(stats.TooMany) as caught:
        await figures.ask(FakeWork(), person(903, SUN), [], RULES, pace)
    assert caught.value.limit == 3
    with pytest.raises(stats.TooMany):
        await figures.press(FakeWork(), person(903, SUN), "village", MARCH, RULES, pace)
    pace.starts[key][-1] = NOW - timedelta(seconds=61)  # one of them leaves the minute
    assert (await figures.ask(FakeWork(), person(903, SUN), [], RULES, pace)).key == key
    other = await figures.ask(FakeWork(), person(906, WU), [], RULES, pace)  # per person
    assert other.region == "T02"


async def test_one_in_the_making_at_a_time() -> None:
    pace = FakePace(busy_keys={figures.pace_key(903)})
    with pytest.raises(stats.Busy):
        await figures.ask(FakeWork(), person(903, SUN), ["today"], RULES, pace)
    with pytest.raises(stats.Busy):
        await figures.press(FakeWork(), person(903, SUN), "workbook", MARCH, RULES, pace)
    assert (await figures.ask(FakeWork(), person(906, WU), [], RULES, pace)).region == "T02"


async def test_the_workbook_of_a_region_and_of_none() -> None:
    work = FakeWork()
    order = await figures.press(work, person(903, SUN), "workbook", MARCH, RULES, FakePace())
    assert order.region is not None
    data = await figures.report(work, order.region, order.period)
    assert data is not None
    assert (data.region.name, data.whole, list(data.villages)) == (
        "东坪镇",
        FIGURES["T01"],
        ["V01", "V02"],
    )
    assert set(work.stats.read) == {"region:T01"}
    assert await figures.report(FakeWork(), "T99", order.period) is None
