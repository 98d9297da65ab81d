"""The rules of visits that count: the 夜访 window, the weekly minimums, coverage, and
the 夜议 text, with time only from the moments given."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain import rounds
from bot.domain.roster import Rank
from bot.domain.rounds import BadMeeting, NightRules

ZONE = ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2031, 3, 4, hour, minute, tzinfo=ZONE)


def test_a_visit_between_the_night_hours_is_a_night_visit() -> None:
    night = NightRules(ZONE)  # 19:00 to 23:00
    assert [night.is_night(at(h, m)) for h, m in ((18, 59), (19, 0), (22, 59), (23, 0))] == [
        False,
        True,
        True,
        False,
    ]


def test_the_window_is_local_time_whatever_the_instant_is_given_in() -> None:
    night = NightRules(ZONE)
    assert night.is_night(datetime(2031, 3, 4, 12, 30, tzinfo=UTC))  # 20:30 in Shanghai
    assert not night.is_night(datetime(2031, 3, 4, 19, 30, tzinfo=UTC))  # 03:30 next day


def test_a_window_may_pass_midnight() -> None:
    night = NightRules(ZONE, start=time(19), end=time(2))
    assert night.is_night(at(23, 30))
    assert night.is_night(at(1, 59))
    assert not night.is_night(at(2))
    assert not night.is_night(at(12))


def test_weekly_minimums_by_rank() -> None:
    night = NightRules(ZONE, township_weekly=1, village_weekly=3)
    assert night.weekly(Rank.TOWNSHIP_CADRE) == 1
    assert night.weekly(Rank.TOWNSHIP_SECRETARY) == 1
    assert night.weekly(Rank.VILLAGE_CADRE) == 3
    assert night.weekly(Rank.GRID_WORKER) == 3
    assert night.weekly(Rank.COUNTY_LEADER) == 0


def test_those_behind_come_first_and_ranks_without_a_minimum_are_left_out() -> None:
    cadres = [
        ("K001", "赵", Rank.COUNTY_LEADER),
        ("K004", "李", Rank.TOWNSHIP_CADRE),
        ("K007", "郑", Rank.VILLAGE_CADRE),
        ("K008", "王", Rank.GRID_WORKER),
    ]
    lines = rounds.night_lines(cadres, {"K004": 1, "K007": 2, "K001": 5}, NightRules(ZONE))
    assert [(n.cadre_id, n.nights, n.needed, n.behind) for n in lines] == [
        ("K008", 0, 3, True),
        ("K007", 2, 3, True),
        ("K004", 1, 1, False),
    ]


def test_the_week_runs_monday_to_sunday() -> None:
    assert rounds.week_of(date(2031, 3, 4)) == (date(2031, 3, 3), date(2031, 3, 9))
    assert rounds.week_of(date(2031, 3, 9)) == (date(2031, 3, 3), date(2031, 3, 9))


def test_coverage_counts_each_household_of_the_round_once() -> None:
    cover = rounds.coverage(["H1", "H2", "H3", "H4"], ["H1", "H1", "H3", "H9"])
    assert (cover.households, cover.visited, cover.left, cover.ratio) == (4, 2, 2, 0.5)
    assert rounds.coverage([], ["H1"]).ratio is None


def test_a_round_runs_to_the_end_of_its_last_local_day() -> None:
    ends = date(2031, 3, 18)
    assert rounds.is_open(ends, datetime(2031, 3, 18, 23, 59, tzinfo=ZONE), ZONE)
    assert not rounds.is_open(ends, datetime(2031, 3, 19, 0, 0, tzinfo=ZONE), ZONE)


def test_pages_of_a_round_list() -> None:
    assert [rounds.pages(n) for n in (0, 1, 8, 9, 30)] == [1, 1, 1, 2, 4]


def test_a_night_meeting_is_attendance_and_topic_then_a_decision_a_line() -> None:
    held = rounds.meeting("23 村口路灯\n东头装两盏路灯\n\n西头修路 ")
    assert held == rounds.Meeting("村口路灯", 23, ("东头装两盏路灯", "西头修路"))
    assert rounds.meeting("12人 议事").attendance == 12


@pytest.mark.parametrize("text", ["", "村口路灯", "二十 路灯", "23", "1 议题\n" + "决定\n" * 11])
def test_a_night_meeting_not_so_written_is_refused(text: str) -> None:
    with pytest.raises(BadMeeting):
        rounds.meeting(text)
