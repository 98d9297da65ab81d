"""Dates typed in Chinese and the date buttons, as use cases over in-memory fakes (issue
11, "no typing for people in fields"): /away 明天 and its 明天 / 3天 / 一周 / 选日期
buttons, /extend … 下周五, /stats 上个月 and its period buttons; a refusal lists the forms
in Chinese and changes nothing. The fakes' clock is Tuesday 4 March 2031, 08:00 local."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import callbacks
from bot.calls import Call
from bot.domain import stats
from bot.domain.away import BadDate, PastDate, TooFar
from bot.domain.deadlines import ExtendLimits
from bot.domain.lifecycle import Status
from bot.i18n import Texts
from bot.services import away, deadlines
from bot.services import stats as figures
from bot.services.deadlines import NotExtended
from handlers import away as away_views
from handlers import deadlines as deadline_views
from handlers import supervisor as stats_views
from handlers.context import View
from tests.services import fakes_cadre, fakes_deadlines, fakes_stats
from tests.services.fakes_stats import RULES, SUN, FakePace, person

ZONE = ZoneInfo("Asia/Shanghai")
LONGEST = timedelta(days=90)
ZH = Texts("zh")
HER = fakes_cadre.cadre(fakes_cadre.ZHENG)


def view(now: datetime = fakes_cadre.NOW) -> View:
    return View(ZH, ZONE, now, (), "t0")


def keyboard(call: Call) -> list[list[tuple[str, str]]]:
    """(label, callback data) of each button, row by row, as Telegram gets them."""
    rows = call.params["reply_markup"]["inline_keyboard"]
    return [[(b["text"], b["callback_data"]) for b in row] for row in rows]


# --- /away ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "back_on"),
    [
        ("明天", date(2031, 3, 5)),
        ("下周一", date(2031, 3, 10)),
        ("周五", date(2031, 3, 7)),
        ("三天后", date(2031, 3, 7)),
        ("一周后", date(2031, 3, 11)),
        ("3月20日", date(2031, 3, 20)),
        ("3月20号", date(2031, 3, 20)),
        ("2031年3月20日", date(2031, 3, 20)),
    ],
)
async def test_away_until_a_day_typed_in_chinese(typed: str, back_on: date) -> None:
    work = fakes_cadre.FakeWork()
    gone = await away.set_away(work, HER, typed, ZONE, LONGEST)
    assert gone.until == datetime.combine(back_on, datetime.min.time(), ZONE)
    assert work.absences.away == {fakes_cadre.ZHENG.id: gone.until}
    text = away_views.away_calls(view(), 3007, gone)[0].params["text"]
    assert f"已登记您外出到 {back_on.isoformat()}" in text


async def test_the_quick_buttons_count_days_from_today() -> None:
    work = fakes_cadre.FakeWork()
    for days, back_on in ((1, date(2031, 3, 5)), (3, date(2031, 3, 7)), (7, date(2031, 3, 11))):
        gone = await away.set_away(work, HER, days, ZONE, LONGEST)
        assert gone.until.date() == back_on
    with pytest.raises(PastDate):  # a forged away:in:0
        await away.set_away(work, HER, 0, ZONE, LONGEST)
    with pytest.raises(TooFar):  # a forged away:in:999999999999
        await away.set_away(work, HER, 999_999_999_999, ZONE, LONGEST)
    assert work.absences.away[fakes_cadre.ZHENG.id].date() == date(2031, 3, 11)  # unchanged


async def test_a_date_not_understood_lists_the_forms_in_chinese_and_writes_nothing() -> None:
    work = fakes_cadre.FakeWork()
    with pytest.raises(BadDate) as refused:
        await away.set_away(work, HER, "下个礼拜", ZONE, LONGEST)
    assert work.absences.away == {}
    text = away_views.refusal_text(ZH, refused.value, "下个礼拜", LONGEST)
    for form in ("明天", "下周一", "3天后", "12月5日", "2026-12-05"):
        assert form in text


def test_away_alone_offers_the_buttons_and_the_picker_carries_dates() -> None:
    offer = away_views.status_message(view(), 3007, None)
    assert "要外出到哪天" in offer.params["text"]
    assert keyboard(offer) == [
        [
            ("明天", "away:in:1"),
            ("3天", "away:in:3"),
            ("一周", "away:in:7"),
            ("选日期", "away:pick:"),
        ]
    ]
    until = datetime(2031, 3, 10, tzinfo=ZONE)
    status = keyboard(away_views.status_message(view(), 3007, until))
    assert status[0] == [("我回来了", "away:off:")]
    assert status[1][0] == ("明天", "away:in:1")  # to change the day
    buttons = [b for row in keyboard(away_views.picker_message(view(), 3007)) for b in row]
    assert buttons[0] == ("3月5日 周三", "away:day:2031-03-05")
    assert buttons[-1] == ("3月18日 周二", "away:day:2031-03-18")
    assert len(buttons) == away_views.PICKER_DAYS


@pytest.mark.parametrize(
    ("data", "day"),
    [
        ("away:in:3", 3),
        ("away:day:2031-03-20", "2031-03-20"),
        ("away:in:-1", None),
        ("away:in:３", None),
        ("away:day:明天", None),
        ("away:day:2031-3-20", None),
        ("away:zz:1", None),
    ],
)
def test_a_pressed_day_is_read_strictly(data: str, day: str | int | None) -> None:
    pressed = callbacks.decode(data)
    assert pressed is not None
    assert away_views.pressed_day(pressed) == day


# --- /extend ----------------------------------------------------------------------------

LIMITS = ExtendLimits(normal=timedelta(days=30), urgent=timedelta(days=1))


async def test_extend_to_a_day_typed_in_chinese() -> None:
    work = fakes_deadlines.FakeWork(now=fakes_deadlines.NOW)
    work.deadlines.add(fakes_deadlines.request(status=Status.ACKNOWLEDGED))
    who = fakes_deadlines.cadre(fakes_deadlines.ZHENG)
    done = await deadlines.extend(work, who, LIMITS, ZONE, ["LX-2031-000001", "3月20日", "等"])
    assert done.request.resolve_by == datetime(2031, 3, 20, 23, 59, tzinfo=ZONE)


async def test_extend_with_a_date_not_understood_lists_the_forms() -> None:
    work = fakes_deadlines.FakeWork(now=fakes_deadlines.NOW)
    work.deadlines.add(fakes_deadlines.request())
    who = fakes_deadlines.cadre(fakes_deadlines.ZHENG)
    with pytest.raises(NotExtended) as refused:
        await deadlines.extend(work, who, LIMITS, ZONE, ["LX-2031-000001", "月底", "等"])
    assert work.deadlines.events == []
    text = deadline_views.refused_text(view(), refused.value)
    assert "月底" in text
    assert "下周一" in text
    assert "12月5日" in text


# --- /stats -----------------------------------------------------------------------------


async def test_stats_for_last_month_typed_in_chinese() -> None:
    work = fakes_stats.FakeWork()
    order = await figures.ask(work, person(903, SUN), ["上个月"], RULES, FakePace())
    assert (order.period.first, order.period.last) == (date(2031, 2, 1), date(2031, 2, 28))
    order = await figures.ask(work, person(903, SUN), ["近7天"], RULES, FakePace())
    assert (order.period.first, order.period.last) == (date(2031, 2, 26), date(2031, 3, 4))


async def test_a_period_not_understood_lists_the_forms_in_chinese() -> None:
    work = fakes_stats.FakeWork()
    with pytest.raises(stats.BadPeriod) as refused:
        await figures.ask(work, person(903, SUN), ["上上个月"], RULES, FakePace())
    assert work.stats.read == []
    text = stats_views.refusal(ZH, refused.value, "上上个月")
    for form in ("本月", "上个月", "本周", "今年", "近7天", "12月"):
        assert form in text


async def test_the_summary_has_period_buttons_carrying_only_the_period() -> None:
    work = fakes_stats.FakeWork()
    order = await figures.ask(work, person(903, SUN), [], RULES, FakePace())
    summary = await figures.summary(work, order, ZONE, RULES.bounds)
    rows = keyboard(stats_views.summary_message(ZH, summary))
    assert rows[-1] == [
        ("✓本月", "st:summary:2031-03-01.2031-03-04"),
        ("上个月", "st:summary:2031-02-01.2031-02-28"),
        ("本周", "st:summary:2031-03-03.2031-03-04"),
        ("今年", "st:summary:2031-01-01.2031-03-04"),
    ]
    assert len(rows) == 5  # the supervisor's three rows of breakdowns, 值班, then the periods


async def test_a_cadre_may_press_a_period_button_for_their_own_figures() -> None:
    work = fakes_stats.FakeWork()
    cadre = person(907, fakes_stats.ZHENG)
    pressed = await figures.press(
        work, cadre, "summary", "2031-02-01.2031-02-28", RULES, FakePace()
    )
    assert (pressed.region, pressed.what, pressed.period.first) == (
        None,
        "summary",
        date(2031, 2, 1),
    )
    summary = await figures.summary(work, pressed, ZONE, RULES.bounds)
    rows = keyboard(stats_views.summary_message(ZH, summary))
    assert [label for label, _ in rows[0]] == ["本月", "✓上个月", "本周", "今年"]
    assert len(rows) == 1  # no breakdowns: those are a supervisor's


@pytest.mark.parametrize(
    ("span", "refused"),
    [
        ("1900-01-01.2100-12-31", stats.PeriodOutOfRange),
        ("2000-01-01.2001-12-31", stats.PeriodTooLong),
        ("上个月", stats.BadPeriod),  # the button carries dates, never words
    ],
)
async def test_a_forged_period_button_is_refused_as_typed(
    span: str, refused: type[stats.BadPeriod]
) -> None:
    work = fakes_stats.FakeWork()
    with pytest.raises(refused):
        await figures.press(work, person(903, SUN), "summary", span, RULES, FakePace())
    with pytest.raises(stats.NotSupervisor):  # a villager's forged button
        await figures.press(work, person(2001, None), "summary", span, RULES, FakePace())
    assert work.stats.read == []


def test_a_period_button_is_left_out_when_the_bounds_forbid_it() -> None:
    short = stats.Bounds(max_days=31)
    words = [word for word, _ in figures.periods(fakes_stats.NOW, ZONE, short)]
    assert words == ["month", "lastmonth", "week"]  # 今年 is 63 days: not offered
