"""Stays (住村, the 2468 rule) with evidence: a night in the village counts when locations
inside the village's area cover its evening and the next morning.

A stay is started for a local day, its *night*. A location the cadre sends (once, or as
a live location whose updates keep coming) is a ``Point``; it is evidence of the night
when it lies inside the village's ``Area`` (a centre and a radius from the roster) and
falls in one of the night's two windows: the *evening* (from ``Hours.evening`` on the
night's day until midnight) or the *morning* (from midnight until ``Hours.morning`` on
the next day). A night with an inside point in both windows is *evidenced*; any other
stay is counted apart, as a night without evidence. A village without a centre cannot
be checked for place, so there any location counts as inside (only the hours are checked).

Pure: time only from the points' moments and ``now`` passed in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)
DEFAULT_RADIUS_M = 2_000.0  # a village's area when the roster gives a centre but no radius
NOON = time(12, 0)  # a location before noon may still be the last night's morning


@dataclass(frozen=True)
class Hours:
    """``[stays]``: the evening and morning hours the evidence must cover (local)."""

    zone: tzinfo
    evening: time = time(21, 0)
    morning: time = time(6, 0)
    radius_m: float = DEFAULT_RADIUS_M  # when a village has a centre but no radius


@dataclass(frozen=True)
class Area:
    """A village's area: its name and, if the roster gives one, a centre and radius."""

    name: str
    lat: float | None = None
    lon: float | None = None
    radius_m: float | None = None

    @property
    def centred(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class Point:
    at: datetime
    lat: float
    lon: float
    live: bool = False  # part of a live location (the first message or its updates)


class Part(StrEnum):
    EVENING = "evening"
    MORNING = "morning"
    NEITHER = "neither"


@dataclass(frozen=True)
class Evidence:
    """Which of the night's two windows an inside point covers."""

    evening: bool = False
    morning: bool = False

    @property
    def counted(self) -> bool:
        return self.evening and self.morning


@dataclass(frozen=True)
class Nights:
    """A cadre's stays in a month against their rank's quota."""

    cadre_id: str
    name: str
    rank: str
    evidenced: int  # nights with evidence
    without: int  # nights started without (or with too little, or far) evidence
    quota: int  # the rank's monthly quota (0: none)

    @property
    def short(self) -> int:
        """Nights with evidence still missing against the quota."""
        return max(self.quota - self.evidenced, 0)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def away_m(area: Area, lat: float, lon: float) -> float | None:
    """How far the place is from the village's centre; None if it has none."""
    if area.lat is None or area.lon is None:
        return None
    return distance_m(area.lat, area.lon, lat, lon)


def inside(hours: Hours, area: Area, lat: float, lon: float) -> bool:
    """Within the village's radius (or anywhere, for a village without a centre)."""
    away = away_m(area, lat, lon)
    radius = area.radius_m if area.radius_m is not None else hours.radius_m
    return away is None or away <= radius


def part_of(hours: Hours, night: date, at: datetime) -> Part:
    """Which window of ``night`` the moment ``at`` falls in."""
    local = at.astimezone(hours.zone)
    if local.date() == night and local.time() >= hours.evening:
        return Part.EVENING
    if local.date() == night + timedelta(days=1) and local.time() <= hours.morning:
        return Part.MORNING
    return Part.NEITHER


def evidence(hours: Hours, night: date, area: Area, points: Iterable[Point]) -> Evidence:
    """What the points prove of ``night``: an inside point in the evening, in the morning."""
    parts = {part_of(hours, night, p.at) for p in points if inside(hours, area, p.lat, p.lon)}
    return Evidence(Part.EVENING in parts, Part.MORNING in parts)


def nights_for(hours: Hours, now: datetime) -> tuple[date, ...]:
    """The nights a location sent at ``now`` may be evidence of, latest first: today's,
    and before noon also last night's (its morning)."""
    local = now.astimezone(hours.zone)
    if local.time() < NOON:
        return (local.date(), local.date() - timedelta(days=1))
    return (local.date(),)


def behind_first(lines: Sequence[Nights]) -> list[Nights]:
    """Those furthest behind their quota first, then by fewer nights with evidence, id."""
    return sorted(lines, key=lambda n: (-n.short, n.evidenced, n.cadre_id))


class StayedAlready(Exception):
    """A stay was already started for this night; a second one changes nothing."""

    def __init__(self, night: date) -> None:
        super().__init__(f"a stay is already logged for {night.isoformat()}")
        self.night = night


class NoStayOpen(Exception):
    """No stay of this cadre is open for a location sent now (nor a live one it updates)."""


class NotSupervisor(Exception):
    """Only a cadre who supervises a region sees its stays."""


@dataclass(frozen=True)
class Stay:
    """A stay as stored: its night and the evidence found so far."""

    id: int
    cadre_id: str
    night: date
    evening_at: datetime | None = None
    morning_at: datetime | None = None

    @property
    def evidence(self) -> Evidence:
        return Evidence(self.evening_at is not None, self.morning_at is not None)
