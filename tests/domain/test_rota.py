"""The 住夜 rota rule (bot.domain.rota): minimums met, nights spread evenly, volunteers
first, nobody two nights running while another can go, 20 % rounded up; and the days."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, load_config
from bot.domain import rota
from bot.domain.roster import Rank
from bot.domain.rota import Member, Minimums, Rules

MONDAY = date(2031, 3, 3)
WEEK = [date(2031, 3, d) for d in range(3, 8)]  # Monday to Friday
SECRETARY, CADRE, VILLAGE, GRID = (
    Rank.TOWNSHIP_SECRETARY,
    Rank.TOWNSHIP_CADRE,
    Rank.VILLAGE_CADRE,
    Rank.GRID_WORKER,
)
TOWNSHIP = Minimums({SECRETARY: 1, CADRE: 2}, share=20)
VILLAGE_RULE = Minimums({VILLAGE: 1}, at_least=3)
ZONE = ZoneInfo("Asia/Shanghai")


def township(secretaries: int = 2, cadres: int = 9) -> list[Member]:
    return [Member(f"S{n}", SECRETARY) for n in range(secretaries)] + [
        Member(f"C{n}", CADRE) for n in range(cadres)
    ]


@pytest.mark.parametrize(
    ("staff", "people"), [(5, 3), (10, 3), (11, 3), (15, 3), (16, 4), (20, 4), (21, 5)]
)
def test_the_share_of_staff_is_rounded_up_and_never_below_the_rank_minimums(
    staff: int, people: int
) -> None:
    assert TOWNSHIP.total(staff) == people


def test_twenty_per_cent_of_ten_is_two_not_three() -> None:
    assert Minimums(share=20).total(10) == 2  # integers: 0.2 * 10 is not 2.0000000000000004
    assert Minimums(share=20).total(11) == 3


def test_every_night_keeps_its_rank_minimums_and_its_total() -> None:
    members = township(secretaries=2, cadres=14)  # 16 staff: 20 % is 3.2, so 4
    for night in rota.assign(WEEK, members, TOWNSHIP):
        ranks = Counter(m.rank for m in members if m.id in night.cadres)
        assert ranks[SECRETARY] >= 1
        assert ranks[CADRE] >= 2
        assert len(night.cadres) == 4
        assert night.missing == 0
        assert night.short_ranks == ()


def test_nights_are_spread_evenly() -> None:
    members = township(secretaries=2, cadres=6)
    nights = rota.assign(WEEK, members, TOWNSHIP)
    counts = Counter(c for n in nights for c in n.cadres)
    secretaries = [counts[m.id] for m in members if m.rank == SECRETARY]
    cadres = [counts[m.id] for m in members if m.rank == CADRE]
    assert max(secretaries) - min(secretaries) <= 1
    assert max(cadres) - min(cadres) <= 1


def test_nobody_stays_two_nights_running_while_someone_else_can() -> None:
    members = [Member(f"V{n}", VILLAGE) for n in range(2)]
    nights = rota.assign(WEEK, members, Minimums({VILLAGE: 1}))
    assert [n.cadres for n in nights] == [("V0",), ("V1",), ("V0",), ("V1",), ("V0",)]


def test_two_nights_running_when_there_is_no_one_else() -> None:
    nights = rota.assign(WEEK, [Member("V0", VILLAGE)], Minimums({VILLAGE: 1}))
    assert all(n.cadres == ("V0",) for n in nights)


def test_volunteers_come_first_and_count_towards_their_ranks_minimum() -> None:
    members = [Member("V0", VILLAGE), Member("V1", VILLAGE), Member("G0", GRID)]
    keen = {WEEK[2]: {"V1"}}
    nights = rota.assign(WEEK, members, Minimums({VILLAGE: 1}), keen)
    assert nights[2].cadres == ("V1",)
    assert nights[2].volunteers == frozenset({"V1"})
    # Without volunteering, the fairest pick that night would have been V0.
    assert rota.assign(WEEK, members, Minimums({VILLAGE: 1}))[2].cadres == ("V0",)


def test_every_volunteer_stays_even_beyond_the_minimum() -> None:
    members = [Member("V0", VILLAGE), Member("G0", GRID), Member("G1", GRID)]
    nights = rota.assign(WEEK, members, Minimums({VILLAGE: 1}), {WEEK[0]: {"G0", "G1"}})
    assert set(nights[0].cadres) == {"V0", "G0", "G1"}


def test_a_volunteer_of_another_place_is_ignored() -> None:
    members = [Member("V0", VILLAGE)]
    nights = rota.assign(WEEK[:1], members, Minimums({VILLAGE: 1}), {WEEK[0]: {"K999"}})
    assert nights[0].cadres == ("V0",)


def test_a_village_short_of_people_keeps_everyone_and_says_how_many_are_missing() -> None:
    members = [Member("V0", VILLAGE), Member("G0", GRID)]  # the sample's 柳树村: two cadres
    nights = rota.assign(WEEK, members, VILLAGE_RULE)
    assert all(set(n.cadres) == {"V0", "G0"} and n.missing == 1 for n in nights)
    short = rota.assign(WEEK, [Member("G0", GRID)], VILLAGE_RULE)
    assert short[0].short_ranks == (VILLAGE,)


def test_earlier_weeks_count_for_fairness() -> None:
    members = [Member("V0", VILLAGE), Member("V1", VILLAGE)]
    nights = rota.assign(WEEK[:1], members, Minimums({VILLAGE: 1}), earlier={"V0": 3})
    assert nights[0].cadres == ("V1",)


def test_nights_weeks_and_reminders() -> None:
    rules = Rules(ZONE, remind_at=time(17, 0))
    assert rota.nights_of(rules, MONDAY) == WEEK
    assert rota.nights_of(rules, MONDAY, since=WEEK[2]) == WEEK[2:]
    tuesday_morning = datetime(2031, 3, 4, 7, 0, tzinfo=ZONE)
    assert rota.weeks_to_build(rules, tuesday_morning) == [MONDAY]
    friday = datetime(2031, 3, 7, 9, 0, tzinfo=ZONE)
    assert rota.weeks_to_build(rules, friday) == [MONDAY, date(2031, 3, 10)]
    assert rota.reminder_night(rules, tuesday_morning) is None
    assert rota.reminder_night(rules, tuesday_morning.replace(hour=17)) == WEEK[1]
    assert rota.reminder_night(rules, datetime(2031, 3, 8, 18, 0, tzinfo=ZONE)) is None  # Sat


def test_tonight_is_still_yesterdays_night_before_dawn() -> None:
    rules = Rules(ZONE)
    assert rota.tonight(rules, datetime(2031, 3, 4, 23, 0, tzinfo=ZONE)) == WEEK[1]
    assert rota.tonight(rules, datetime(2031, 3, 4, 18, 0, tzinfo=UTC)) == WEEK[1]  # 02:00 local


@pytest.mark.parametrize(
    ("toml", "line"),
    [
        ("[rota.township]\nshare = 120", "rota.township.share: 120 is not a share of staff"),
        (
            "[rota.village]\nminimum = { village_kadre = 1 }",
            'rota.village.minimum: "village_kadre" is not a rank',
        ),
        ('[rota]\nnights = ["mon", "funday"]', 'rota.nights[1]: "funday" is not a day'),
        ('[rota]\nremind_at = "5pm"', 'rota.remind_at: "5pm" is not a time of day'),
    ],
)
def test_a_bad_rota_setting_stops_the_bot_with_one_clear_line(
    tmp_path: Path, toml: str, line: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as stopped:
        load_config(path, {})
    assert len(stopped.value.problems) == 1
    assert line in stopped.value.problems[0]


def test_the_default_rota_is_the_seeds() -> None:
    rules = load_config(None, {}).rota.rules(ZONE)
    assert rules.weekdays == frozenset(range(5))
    assert rules.township.total(11) == 3  # 1 principal + 2 team members; 20 % of 11 is 3
    assert rules.township.by_rank == {SECRETARY: 1, CADRE: 2}
    assert rules.village.by_rank == {VILLAGE: 1}
    assert rules.village.total(2) == 3  # 1 main cadre and 2 others
