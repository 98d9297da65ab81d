"""The rule of a stay's evidence: inside the village's area, covering the night's evening
and the next morning (bot.domain.stays); pure, over fixed moments."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain import stays
from bot.domain.stays import Area, Hours, Nights, Part, Point

ZONE = ZoneInfo("Asia/Shanghai")
HOURS = Hours(ZONE, evening=time(21, 0), morning=time(6, 0))
NIGHT = date(2026, 11, 10)
LIUSHU = Area("柳树村", 25.0300, 102.7100, 1500.0)
NO_CENTRE = Area("石桥村")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=ZONE)


def at(day: int, hour: int, minute: int = 0, *, lat: float = 25.0310) -> Point:
    return Point(local(day, hour, minute), lat, 102.7105)


def test_haversine_gives_the_distance_a_map_would() -> None:
    # One degree of latitude is about 111.2 km; Beijing to Shanghai about 1,068 km.
    assert stays.distance_m(25.0, 102.7, 26.0, 102.7) == pytest.approx(111_195, rel=1e-3)
    assert stays.distance_m(39.9042, 116.4074, 31.2304, 121.4737) == pytest.approx(
        1_068_000, rel=0.01
    )
    assert stays.distance_m(25.03, 102.71, 25.03, 102.71) == 0.0


def test_inside_the_radius_the_roster_gives_or_the_default_one() -> None:
    assert stays.inside(HOURS, LIUSHU, 25.0310, 102.7105)  # ~120 m from the centre
    twelve_km = 25.03 + 12_000 / 111_195
    assert not stays.inside(HOURS, LIUSHU, twelve_km, 102.71)
    assert stays.away_m(LIUSHU, twelve_km, 102.71) == pytest.approx(12_000, rel=1e-3)
    no_radius = Area("柳树村", 25.03, 102.71)  # [stays] radius_m: 2,000 m by default
    assert stays.inside(HOURS, no_radius, 25.03 + 1_900 / 111_195, 102.71)
    assert not stays.inside(HOURS, no_radius, 25.03 + 2_100 / 111_195, 102.71)


def test_a_village_without_a_centre_takes_any_place() -> None:
    assert stays.away_m(NO_CENTRE, 40.0, 116.0) is None
    assert stays.inside(HOURS, NO_CENTRE, 40.0, 116.0)


@pytest.mark.parametrize(
    ("moment", "part"),
    [
        (local(10, 20, 59), Part.NEITHER),  # before the evening hour
        (local(10, 21, 0), Part.EVENING),  # at it
        (local(10, 23, 59), Part.EVENING),
        (local(11, 0, 0), Part.MORNING),  # past midnight: the next morning
        (local(11, 6, 0), Part.MORNING),  # at the morning hour
        (local(11, 6, 1), Part.NEITHER),  # after it
        (local(9, 22, 0), Part.NEITHER),  # the night before
        (local(12, 5, 0), Part.NEITHER),  # the morning after the next
    ],
)
def test_the_windows_of_a_night(moment: datetime, part: Part) -> None:
    assert stays.part_of(HOURS, NIGHT, moment) == part


def test_the_windows_are_local_time_not_utc() -> None:
    utc_evening = datetime(2026, 11, 10, 13, 30, tzinfo=ZoneInfo("UTC"))  # 21:30 local
    assert stays.part_of(HOURS, NIGHT, utc_evening) == Part.EVENING


def test_evidence_needs_an_inside_point_in_the_evening_and_one_in_the_morning() -> None:
    evening, morning = at(10, 21, 30), at(11, 5, 45)
    assert stays.evidence(HOURS, NIGHT, LIUSHU, [evening, morning]).counted
    assert not stays.evidence(HOURS, NIGHT, LIUSHU, [evening]).counted
    assert not stays.evidence(HOURS, NIGHT, LIUSHU, [morning]).counted
    assert not stays.evidence(HOURS, NIGHT, LIUSHU, []).counted
    afternoon = at(10, 15, 0)  # in the village, but not in the night's windows
    assert not stays.evidence(HOURS, NIGHT, LIUSHU, [afternoon, morning]).counted


def test_a_far_point_is_no_evidence() -> None:
    far_evening = at(10, 22, 0, lat=25.03 + 12_000 / 111_195)
    found = stays.evidence(HOURS, NIGHT, LIUSHU, [far_evening, at(11, 5, 0)])
    assert (found.evening, found.morning, found.counted) == (False, True, False)


def test_a_live_location_whose_updates_span_the_night_counts() -> None:
    updates = [
        Point(local(10, 20, 30), 25.0301, 102.7101, live=True),
        Point(local(10, 23, 0), 25.0302, 102.7102, live=True),
        Point(local(11, 4, 0), 25.0303, 102.7101, live=True),
    ]
    assert stays.evidence(HOURS, NIGHT, LIUSHU, updates).counted


def test_a_location_before_noon_may_be_last_nights_morning() -> None:
    assert stays.nights_for(HOURS, local(11, 5, 30)) == (date(2026, 11, 11), NIGHT)
    assert stays.nights_for(HOURS, local(10, 21, 30)) == (NIGHT,)


def test_those_furthest_behind_come_first() -> None:
    lines = [
        Nights("K004", "李强", "township_cadre", evidenced=6, without=0, quota=8),
        Nights("K001", "赵建国", "county_leader", evidenced=2, without=1, quota=2),
        Nights("K005", "周芳", "township_cadre", evidenced=1, without=3, quota=8),
        Nights("K007", "郑小红", "village_cadre", evidenced=0, without=1, quota=0),
    ]
    ordered = stays.behind_first(lines)
    assert [n.cadre_id for n in ordered] == ["K005", "K004", "K007", "K001"]
    assert [n.short for n in ordered] == [7, 2, 0, 0]
