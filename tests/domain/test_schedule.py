"""Which reminder rounds are due at a moment: pure rules, a fixed zone, no clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, ScheduleConfig, load_config
from bot.domain.roster import Rank
from bot.domain.schedule import (
    Kind,
    Occasion,
    Repeat,
    Rules,
    behind,
    day_in_month,
    due,
    last_month,
    parse_clock_time,
    parse_repeat,
    top_and_bottom,
)

ZONE = ZoneInfo("Asia/Shanghai")


def rules(**changes: Any) -> Rules:
    return replace(ScheduleConfig().rules(ZONE), **changes)


def at(day: str, clock: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), parse_clock_time(clock), tzinfo=ZONE)


def kinds(found: list[Occasion]) -> list[str]:
    return [f"{o.kind}:{o.day.isoformat()}" for o in found]


def test_service_day_evening_before_and_morning_of() -> None:
    r = rules(reception={}, stay_quota={}, digest=None)
    assert kinds(due(r, at("2026-03-14", "19:59"))) == []
    assert kinds(due(r, at("2026-03-14", "20:00"))) == ["evening:2026-03-15"]
    assert kinds(due(r, at("2026-03-15", "07:29"))) == []
    # the 15th is a service day and the eve of the 16th: morning first, evening later
    assert kinds(due(r, at("2026-03-15", "07:30"))) == ["morning:2026-03-15"]
    assert kinds(due(r, at("2026-03-15", "20:00"))) == [
        "evening:2026-03-16",
        "morning:2026-03-15",
    ]
    assert kinds(due(r, at("2026-03-16", "23:59"))) == ["morning:2026-03-16"]
    assert kinds(due(r, at("2026-03-17", "07:30"))) == []


def test_a_missed_round_is_due_until_its_day_ends_and_dropped_after() -> None:
    r = rules(reception={}, stay_quota={}, digest=None)
    (evening,) = due(r, at("2026-03-14", "23:59"))  # the bot was down from 19:00 to 23:59
    assert evening.kind == Kind.EVENING
    assert evening.ends == at("2026-03-15", "00:00")
    assert kinds(due(r, at("2026-03-15", "06:00"))) == []  # yesterday's evening is dropped


def test_the_sweep_computes_in_the_configured_zone() -> None:
    r = rules(reception={}, stay_quota={}, digest=None)
    utc = ZoneInfo("UTC")
    # 23:30 UTC on the 14th is 07:30 on the 15th in Shanghai
    assert kinds(due(r, datetime(2026, 3, 14, 23, 30, tzinfo=utc))) == ["morning:2026-03-15"]
    berlin = rules(zone=ZoneInfo("Europe/Berlin"), reception={}, stay_quota={}, digest=None)
    # 2026-03-29 is Berlin's spring forward; 07:30 local is 05:30 UTC
    berlin = replace(berlin, service_days=(29,))
    assert kinds(due(berlin, datetime(2026, 3, 29, 5, 29, tzinfo=utc))) == []
    assert kinds(due(berlin, datetime(2026, 3, 29, 5, 30, tzinfo=utc))) == ["morning:2026-03-29"]


@pytest.mark.parametrize(
    ("configured", "year", "month", "expected"),
    [
        (31, 2026, 4, 30),  # April has 30 days: the last one
        (31, 2026, 5, 31),
        (30, 2026, 2, 28),
        (29, 2028, 2, 29),  # a leap year keeps the 29th
        (29, 2026, 2, 28),
    ],
)
def test_a_day_past_the_month_end_moves_to_its_last_day(
    configured: int, year: int, month: int, expected: int
) -> None:
    assert day_in_month(year, month, configured) == date(year, month, expected)


def test_service_day_31_in_april_and_its_evening_before() -> None:
    r = rules(service_days=(31,), reception={}, stay_quota={}, digest=None)
    assert kinds(due(r, at("2026-04-29", "20:00"))) == ["evening:2026-04-30"]
    assert kinds(due(r, at("2026-04-30", "07:30"))) == ["morning:2026-04-30"]
    assert kinds(due(r, at("2026-04-30", "20:00"))) == ["morning:2026-04-30"]  # not May 1st


def test_service_day_on_the_first_is_announced_on_the_last_of_the_month_before() -> None:
    r = rules(service_days=(1,), reception={}, stay_quota={}, digest=None)
    assert kinds(due(r, at("2028-02-29", "20:00"))) == ["evening:2028-03-01"]
    assert kinds(due(r, at("2026-12-31", "20:00"))) == ["evening:2027-01-01"]


def test_weekly_and_monthly_reception() -> None:
    r = rules(
        service_days=(),
        stay_quota={},
        digest=None,
        monthly_ranking=False,
        reception={
            Rank.TOWNSHIP_SECRETARY: Repeat("weekly", 0),
            Rank.COUNTY_LEADER: Repeat("monthly", 1),
        },
    )
    monday = "2026-06-01"  # a Monday and the 1st
    (both,) = due(r, at(monday, "07:30"))
    assert both.kind == Kind.RECEPTION
    assert both.ranks == {Rank.TOWNSHIP_SECRETARY, Rank.COUNTY_LEADER}
    (weekly,) = due(r, at("2026-06-08", "09:00"))
    assert weekly.ranks == {Rank.TOWNSHIP_SECRETARY}
    assert due(r, at("2026-06-09", "09:00")) == []
    assert due(r, at("2026-06-08", "07:00")) == []


def test_quota_reminders_in_the_last_week_every_two_days() -> None:
    r = rules(service_days=(), reception={}, digest=None, monthly_ranking=False)
    days = [d for d in range(1, 32) if due(r, at(f"2026-03-{d:02d}", "12:00"))]
    assert days == [25, 27, 29, 31]  # the 7th-last day (25th), then every 2 days
    february = [d for d in range(1, 29) if due(r, at(f"2026-02-{d:02d}", "12:00"))]
    assert february == [22, 24, 26, 28]
    once = rules(
        service_days=(), reception={}, digest=None, monthly_ranking=False, quota_every_days=7
    )
    assert [d for d in range(1, 31) if due(once, at(f"2026-04-{d:02d}", "12:00"))] == [24]


def test_the_monthly_ranking_on_the_first_at_morning_of() -> None:
    r = rules(service_days=(), reception={}, stay_quota={}, digest=None)
    assert r.monthly_ranking  # on unless configured off
    assert kinds(due(r, at("2026-03-01", "07:29"))) == []
    assert kinds(due(r, at("2026-03-01", "07:30"))) == ["ranking:2026-03-01"]
    assert kinds(due(r, at("2026-03-01", "23:59"))) == ["ranking:2026-03-01"]  # late, that day
    for day in ("2026-03-02", "2026-03-15", "2026-03-31", "2026-02-28"):
        assert due(r, at(day, "07:30")) == [], day  # not on other days, nor the day after
    assert due(replace(r, monthly_ranking=False), at("2026-03-01", "07:30")) == []
    assert last_month(date(2026, 3, 1)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert last_month(date(2028, 3, 1)) == (date(2028, 2, 1), date(2028, 2, 29))


def test_the_ranking_of_january_is_of_december_of_the_year_before() -> None:
    r = rules(service_days=(), reception={}, stay_quota={}, digest=None)
    (ranking,) = due(r, at("2027-01-01", "07:30"))
    assert (ranking.kind, ranking.day) == (Kind.RANKING, date(2027, 1, 1))
    assert last_month(ranking.day) == (date(2026, 12, 1), date(2026, 12, 31))
    assert due(r, at("2026-12-31", "07:30")) == []


def test_a_long_ranking_shows_its_top_and_bottom() -> None:
    assert top_and_bottom(list(range(20)), 10) == (list(range(20)), 0, [])
    assert top_and_bottom(list(range(25)), 10) == (list(range(10)), 5, list(range(15, 25)))
    assert top_and_bottom([], 10) == ([], 0, [])


def test_behind_the_quota() -> None:
    r = rules()
    standing = behind(r, Rank.TOWNSHIP_CADRE, 3)
    assert standing is not None
    assert (standing.logged, standing.needed, standing.short) == (3, 8, 5)
    assert behind(r, Rank.COUNTY_LEADER, 2) is None
    assert behind(r, Rank.VILLAGE_CADRE, 0) is None  # no quota for their rank


def test_daily_and_weekly_digest() -> None:
    daily = rules(service_days=(), reception={}, stay_quota={})
    assert kinds(due(daily, at("2026-03-03", "08:00"))) == ["digest:2026-03-03"]
    assert due(daily, at("2026-03-03", "07:59")) == []
    weekly = rules(
        service_days=(),
        reception={},
        stay_quota={},
        digest=parse_repeat("weekly", allow_daily=True),
    )
    assert [d for d in range(1, 15) if due(weekly, at(f"2026-06-{d:02d}", "09:00"))] == [1, 8]


@pytest.mark.parametrize("text", ["weekly:monday", "monthly:32", "monthly:0", "daily", "yearly"])
def test_bad_reception_rules(text: str) -> None:
    with pytest.raises(ValueError, match="is not a schedule"):
        parse_repeat(text)


@pytest.mark.parametrize("text", ["7:3", "24:00", "07.30", "", "7:30pm"])
def test_bad_times(text: str) -> None:
    with pytest.raises(ValueError, match="is not a time of day"):
        parse_clock_time(text)


def test_a_good_time() -> None:
    assert parse_clock_time("7:05") == time(7, 5)


def test_each_bad_value_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        """
[schedule]
service_days = [15, 32]
evening_before = "8pm"
quota_reminder_every = "12h"

[schedule.reception]
county_leader = "monthly:first-monday"
mayor = "weekly:mon"

[schedule.stay_quota]
county_leader = -1

[schedule.digest]
supervisors = "hourly"
""",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as raised:
        load_config(path, environ={})
    problems = [p.removeprefix(f"{path}: ") for p in raised.value.problems]
    keys = sorted(p.split(":")[0] for p in problems)
    assert keys == [
        "schedule.digest.supervisors",
        "schedule.evening_before",
        "schedule.quota_reminder_every",
        "schedule.reception.county_leader",
        "schedule.reception.mayor",
        "schedule.service_days[1]",
        "schedule.stay_quota.county_leader",
    ], problems
