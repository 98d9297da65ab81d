"""Dates and periods as cadres type them (``bot.domain.dates``), at fixed moments: never
the real date. Shanghai is UTC+8, so a UTC evening is already the next local day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain import dates

ZONE = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=ZONE)


TUESDAY = at(2026, 12, 1)  # Tuesday 1 December 2026


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天", date(2026, 12, 1)),
        ("明天", date(2026, 12, 2)),
        ("后天", date(2026, 12, 3)),
        ("大后天", date(2026, 12, 4)),
        ("下周一", date(2026, 12, 7)),
        ("下周日", date(2026, 12, 13)),
        ("下星期三", date(2026, 12, 9)),
        ("下礼拜五", date(2026, 12, 11)),
        ("周五", date(2026, 12, 4)),
        ("星期五", date(2026, 12, 4)),
        ("周二", date(2026, 12, 8)),  # today is Tuesday: the next one
        ("本周日", date(2026, 12, 6)),
        ("这周一", date(2026, 11, 30)),
        ("3天后", date(2026, 12, 4)),
        ("三天后", date(2026, 12, 4)),
        ("3天", date(2026, 12, 4)),
        ("十天以后", date(2026, 12, 11)),
        ("一周后", date(2026, 12, 8)),
        ("两周后", date(2026, 12, 15)),
        ("一个月后", date(2027, 1, 1)),
        ("12月5日", date(2026, 12, 5)),
        ("12月5号", date(2026, 12, 5)),
        ("十二月五日", date(2026, 12, 5)),
        ("１２月５日", date(2026, 12, 5)),  # full-width digits from a Chinese keyboard
        ("12月 5日", date(2026, 12, 5)),
        ("1月3日", date(2027, 1, 3)),  # passed this year: the next one
        ("12月1日", date(2026, 12, 1)),  # today is not passed
        ("2026年12月5日", date(2026, 12, 5)),
        ("二〇二七年一月二十日", date(2027, 1, 20)),
        ("2026-12-05", date(2026, 12, 5)),
        ("2026/12/5", date(2026, 12, 5)),
        ("12/5", date(2026, 12, 5)),
        ("12.25", date(2026, 12, 25)),
    ],
)
def test_a_day_typed_in_chinese_or_iso(text: str, expected: date) -> None:
    assert dates.day(text, TUESDAY, ZONE) == expected


@pytest.mark.parametrize(
    "text",
    ["", "next week", "tomorrow", "2月30日", "13月1日", "2026-02-30", "05.12.2026", "周八", "3日"],
)
def test_what_is_not_a_day_is_refused(text: str) -> None:
    with pytest.raises(dates.NotADate):
        dates.day(text, TUESDAY, ZONE)


def test_the_local_day_not_the_utc_one() -> None:
    evening = datetime(2026, 12, 31, 17, tzinfo=UTC)  # 1 January 2027, 01:00 in Shanghai
    assert dates.day("今天", evening, ZONE) == date(2027, 1, 1)
    assert dates.day("明天", evening, ZONE) == date(2027, 1, 2)


def test_across_the_year_end() -> None:
    new_years_eve = at(2026, 12, 31)  # a Thursday
    assert dates.day("明天", new_years_eve, ZONE) == date(2027, 1, 1)
    assert dates.day("下周一", new_years_eve, ZONE) == date(2027, 1, 4)
    assert dates.day("1月5日", new_years_eve, ZONE) == date(2027, 1, 5)
    assert dates.day("12月30日", new_years_eve, ZONE) == date(2027, 12, 30)
    assert dates.day("12月30日", new_years_eve, ZONE, ahead=False) == date(2026, 12, 30)
    assert dates.day("一周后", new_years_eve, ZONE) == date(2027, 1, 7)


def test_next_monday_on_a_monday_and_on_a_sunday() -> None:
    monday, sunday = at(2026, 11, 30), at(2026, 12, 6)
    assert dates.day("下周一", monday, ZONE) == date(2026, 12, 7)  # not today
    assert dates.day("周一", monday, ZONE) == date(2026, 12, 7)
    assert dates.day("下周一", sunday, ZONE) == date(2026, 12, 7)  # the day after
    assert dates.day("下周日", sunday, ZONE) == date(2026, 12, 13)
    assert dates.day("周日", sunday, ZONE, ahead=False) == date(2026, 12, 6)
    assert dates.day("上周一", sunday, ZONE) == date(2026, 11, 23)


def test_month_ends_and_the_leap_day() -> None:
    assert dates.day("一个月后", at(2027, 1, 31), ZONE) == date(2027, 2, 28)
    assert dates.day("一个月后", at(2028, 1, 31), ZONE) == date(2028, 2, 29)
    assert dates.day("明天", at(2028, 2, 28), ZONE) == date(2028, 2, 29)
    assert dates.day("2月29日", at(2026, 12, 1), ZONE) == date(2028, 2, 29)
    assert dates.day("2月29日", at(2028, 3, 1), ZONE, ahead=False) == date(2028, 2, 29)
    assert dates.day("2028年2月29日", TUESDAY, ZONE) == date(2028, 2, 29)
    with pytest.raises(dates.NotADate):
        dates.day("2027年2月29日", TUESDAY, ZONE)


def test_chinese_numerals() -> None:
    assert [dates.number(t) for t in ("十", "十二", "二十", "二十五", "两", "二〇二六")] == [
        10,
        12,
        20,
        25,
        2,
        2026,
    ]
    assert [dates.number(t) for t in ("", "十十", "一二三四五", "²", "abc")] == [None] * 5


def _period(words: list[str], now: datetime = TUESDAY) -> tuple[date, date]:
    return dates.period(words, now, ZONE)


@pytest.mark.parametrize(
    ("words", "first", "last"),
    [
        ([], date(2026, 12, 1), date(2026, 12, 1)),
        (["本月"], date(2026, 12, 1), date(2026, 12, 1)),
        (["month"], date(2026, 12, 1), date(2026, 12, 1)),
        (["上个月"], date(2026, 11, 1), date(2026, 11, 30)),
        (["上月"], date(2026, 11, 1), date(2026, 11, 30)),
        (["lastmonth"], date(2026, 11, 1), date(2026, 11, 30)),
        (["本周"], date(2026, 11, 30), date(2026, 12, 1)),
        (["week"], date(2026, 11, 30), date(2026, 12, 1)),
        (["上周"], date(2026, 11, 23), date(2026, 11, 29)),
        (["今年"], date(2026, 1, 1), date(2026, 12, 1)),
        (["去年"], date(2025, 1, 1), date(2025, 12, 31)),
        (["近7天"], date(2026, 11, 25), date(2026, 12, 1)),
        (["最近30天"], date(2026, 11, 2), date(2026, 12, 1)),
        (["近一周"], date(2026, 11, 25), date(2026, 12, 1)),
        (["12月"], date(2026, 12, 1), date(2026, 12, 1)),  # this month: so far
        (["11月"], date(2026, 11, 1), date(2026, 11, 30)),
        (["1月"], date(2026, 1, 1), date(2026, 1, 31)),
        (["2025年2月"], date(2025, 2, 1), date(2025, 2, 28)),
        (["2024-02"], date(2024, 2, 1), date(2024, 2, 29)),
        (["2025年"], date(2025, 1, 1), date(2025, 12, 31)),
        (["今天"], date(2026, 12, 1), date(2026, 12, 1)),
        (["today"], date(2026, 12, 1), date(2026, 12, 1)),
        (["昨天"], date(2026, 11, 30), date(2026, 11, 30)),
        (["11月5日"], date(2026, 11, 5), date(2026, 11, 5)),
        (["12月5日"], date(2025, 12, 5), date(2025, 12, 5)),  # figures look back
        (["2026-11-01", "2026-11-30"], date(2026, 11, 1), date(2026, 11, 30)),
        (["11月1日", "11月15日"], date(2026, 11, 1), date(2026, 11, 15)),
        (["11月1日到11月15日"], date(2026, 11, 1), date(2026, 11, 15)),
        (["2026-11-01至2026-11-15"], date(2026, 11, 1), date(2026, 11, 15)),
    ],
)
def test_a_period_for_stats(words: list[str], first: date, last: date) -> None:
    assert _period(words) == (first, last)


def test_periods_across_the_year_end() -> None:
    new_year = at(2027, 1, 2)  # a Saturday
    assert _period(["上个月"], new_year) == (date(2026, 12, 1), date(2026, 12, 31))
    assert _period(["12月"], new_year) == (date(2026, 12, 1), date(2026, 12, 31))
    assert _period(["今年"], new_year) == (date(2027, 1, 1), date(2027, 1, 2))
    assert _period(["本周"], new_year) == (date(2026, 12, 28), date(2027, 1, 2))
    assert _period(["近7天"], new_year) == (date(2026, 12, 27), date(2027, 1, 2))
    assert _period(["12月20日", "1月2日"], new_year) == (date(2026, 12, 20), date(2027, 1, 2))


def test_last_month_from_a_month_end_and_in_march_of_a_leap_year() -> None:
    assert _period(["上个月"], at(2028, 3, 31)) == (date(2028, 2, 1), date(2028, 2, 29))
    assert _period(["上个月"], at(2026, 12, 31)) == (date(2026, 11, 1), date(2026, 11, 30))
    assert _period(["2月"], at(2028, 3, 1)) == (date(2028, 2, 1), date(2028, 2, 29))


@pytest.mark.parametrize(
    "words",
    [["next", "month"], ["13月"], ["近0天"], ["2026-13-01", "2026-12-01"], ["a", "b", "c"]],
)
def test_what_is_not_a_period_is_refused(words: list[str]) -> None:
    with pytest.raises(dates.NotAPeriod):
        _period(words)
