"""Stays with evidence: a location a cadre sends during a stay (once, or live with its
updates) becomes a point of the night, checked against the village's area and the
night's evening and morning (``bot.domain.stays``); supervisors see each cadre's nights
with and without evidence against the rank's quota.

The stay itself is started by ``/stay`` (``bot.services.field.log_for``, which refuses a
second one the same night).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.domain import schedule, stays
from bot.domain.roster import Rank
from bot.domain.schedule import CadresOnly, Rules
from bot.domain.stats import StayLine
from bot.domain.stays import Area, Evidence, Nights, NoStayOpen, NotSupervisor, Part, Point, Stay
from bot.services.identity import Identity
from bot.services.moment import Moment

# --- what the use cases ask of storage ------------------------------------------------


class StayStore(Protocol):
    async def open_stay(self, cadre_id: str, nights: Sequence[date]) -> Stay | None: ...
    async def stay_of_message(self, cadre_id: str, message_id: int) -> Stay | None: ...
    async def visit_unplaced_since(self, cadre_id: str, since: datetime) -> bool: ...
    async def area_of(self, day_id: int) -> Area: ...
    async def add_point(
        self, day_id: int, point: Point, inside: bool, message_id: int | None
    ) -> None: ...
    async def mark(self, day_id: int, part: Part, at: datetime) -> None: ...
    async def nights(self, region_id: str, first: date, last: date) -> list[StayLine]: ...
    async def region_name(self, region_id: str) -> str: ...


class StayWork(Moment, Protocol):
    @property
    def stays(self) -> StayStore: ...


# --- what happened --------------------------------------------------------------------


@dataclass(frozen=True)
class Located:
    """A location taken as a point of a stay's night."""

    night: date
    area: str  # the village's name
    away_m: float | None  # from the village's centre; None: the village has no centre
    inside: bool
    live: bool
    evidence: Evidence  # the night's evidence now, this point included
    hours: stays.Hours


@dataclass(frozen=True)
class Standings:
    """Each cadre of a supervisor's region: nights this month against the quota."""

    region: str
    first: date
    last: date
    lines: list[Nights]  # behind first


# --- the use cases --------------------------------------------------------------------


async def locate(
    work: StayWork,
    who: Identity,
    rules: Rules,
    latitude: float,
    longitude: float,
    *,
    live: bool = False,
    message_id: int | None = None,
    update: bool = False,
) -> Located:
    """A location from a cadre: a point of their open stay (today's night, or last night
    before noon), or, for ``update`` (a live location moving), of the stay its first
    message joined. Raises ``CadresOnly``; ``NoStayOpen`` when it belongs to no stay
    (then it is a visit's place or a message like any other) and nothing is stored."""
    if who.cadre is None:
        raise CadresOnly
    cadre_id, hours, now = who.cadre.id, rules.stay_hours, work.now
    store = work.stays
    if update:
        found = await store.stay_of_message(cadre_id, message_id) if message_id else None
    elif await store.visit_unplaced_since(cadre_id, schedule.place_since(now)):
        found = None  # a visit just logged takes its place, as it always did
    else:
        found = await store.open_stay(cadre_id, stays.nights_for(hours, now))
    if found is None:
        raise NoStayOpen
    area = await store.area_of(found.id)
    inside = stays.inside(hours, area, latitude, longitude)
    await store.add_point(found.id, Point(now, latitude, longitude, live), inside, message_id)
    part = stays.part_of(hours, found.night, now)
    if inside and part != Part.NEITHER:
        await store.mark(found.id, part, now)
    had = found.evidence
    evidence = Evidence(
        had.evening or (inside and part == Part.EVENING),
        had.morning or (inside and part == Part.MORNING),
    )
    away = stays.away_m(area, latitude, longitude)
    return Located(found.night, area.name, away, inside, live, evidence, hours)


async def standings(work: StayWork, who: Identity, rules: Rules) -> Standings:
    """This month's nights of each cadre serving in the supervisor's region, with and
    without evidence, against their rank's quota; those behind first. Raises
    ``NotSupervisor``."""
    if who.cadre is None or who.supervises is None:
        raise NotSupervisor
    region = who.supervises
    first, last = schedule.month_of(schedule.local_date(rules, work.now))
    found = await work.stays.nights(region, first, last)
    lines = [_nights(rules, line) for line in found]
    shown = [n for n in lines if n.quota or n.evidenced or n.without]
    name = await work.stays.region_name(region)
    return Standings(name, first, last, stays.behind_first(shown))


def _nights(rules: Rules, line: StayLine) -> Nights:
    quota = rules.stay_quota.get(Rank(line.rank), 0)
    return Nights(
        line.cadre_id, line.name, line.rank, line.evidenced, line.days - line.evidenced, quota
    )
