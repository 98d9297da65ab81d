"""A province's figures: each county's, counted by its own storage over its own read
(its schema: the county's connection sees nothing else), then put together
(``bot.domain.province.combined``). The caller opens each county in turn; nothing here
knows where a county's rows are kept.

The province's own bot asks here too (``ask``, ``press``): only a configured provincial
supervisor, for a period held to ``[stats]``'s bounds, at ``[stats]``'s pace; the
counting (``summary``) runs after the update's commit, over the counties the edge
reads (``Counties``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from bot.domain import stats
from bot.domain.province import CountyFigures, NotProvincial, combined
from bot.domain.stats import Bounds, Figures, Period, Place
from bot.services.stats import Pace, Rules, pace_key, periods


class CountyStats(Protocol):
    """What the province asks of one county's read (storage's ``Stats``)."""

    async def root(self) -> Place | None: ...
    async def region_figures(self, region_id: str, period: Period, now: datetime) -> Figures: ...


class CountyWork(Protocol):
    @property
    def now(self) -> datetime: ...
    @property
    def stats(self) -> CountyStats: ...


class NoRoster(LookupError):
    """A county with no regions yet (its roster not imported)."""


async def county_figures(work: CountyWork, county: str, period: Period) -> CountyFigures:
    """The figures of the whole county (its root region's subtree), for the period.
    Raises ``NoRoster``."""
    place = await work.stats.root()
    if place is None:
        raise NoRoster(county)
    figures = await work.stats.region_figures(place.id, period, work.now)
    return CountyFigures(county, place, figures)


# --- the province's own bot -------------------------------------------------------------

ProvinceWhat = Literal["summary", "workbook"]


class Unreadable(Exception):
    """A county that cannot be read now (server down, schema behind): one line, shown to
    the supervisor as it is (it names the county, never a password)."""


class Counties(Protocol):
    """The province's counties, as the edge reads them (each from its own schema or file)."""

    async def figures(self, period: Period, now: datetime) -> list[CountyFigures]:
        """Each county with a roster, in the configuration's order; raises
        ``Unreadable``."""
        ...


@dataclass(frozen=True)
class ProvinceOrder:
    user_id: int
    what: ProvinceWhat
    period: Period

    @property
    def key(self) -> str:
        """One in the making at a time per person (as a county's /stats)."""
        return pace_key(self.user_id)


def _allowed(user_id: int, supervisors: Sequence[int]) -> None:
    if user_id not in supervisors:
        raise NotProvincial(f"{user_id} is not a provincial supervisor")


def _check_pace(user_id: int, now: datetime, rules: Rules, pace: Pace) -> None:
    key = pace_key(user_id)
    started = pace.started_since(key, now - stats.PACE_WINDOW)
    stats.check_pace(pace.busy(key), started, rules.per_minute)


def ask(
    now: datetime,
    user_id: int,
    supervisors: Sequence[int],
    words: Sequence[str],
    rules: Rules,
    pace: Pace,
) -> ProvinceOrder:
    """``/stats [本月|上个月|2026-11-01 2026-11-30 …]`` to the province's bot. Raises
    ``NotProvincial``, ``stats.BadPeriod`` (and kinds), ``Busy``, ``TooMany``."""
    _allowed(user_id, supervisors)
    period = stats.period(words, now, rules.zone, rules.bounds)
    _check_pace(user_id, now, rules, pace)
    return ProvinceOrder(user_id, "summary", period)


def press(
    now: datetime,
    user_id: int,
    supervisors: Sequence[int],
    action: str,
    span: str,
    rules: Rules,
    pace: Pace,
) -> ProvinceOrder:
    """A button under the province's figures: another period, or the workbook of the
    period shown. A forged one is refused like a typed one."""
    _allowed(user_id, supervisors)
    what: ProvinceWhat | None = next((w for w in ("summary", "workbook") if w == action), None)
    if what is None:
        raise NotProvincial(f"no such button: {action}")
    period = stats.span(span, now, rules.zone, rules.bounds)
    _check_pace(user_id, now, rules, pace)
    return ProvinceOrder(user_id, what, period)


@dataclass(frozen=True)
class ProvinceSummary:
    order: ProvinceOrder
    counties: list[CountyFigures]
    total: Figures
    periods: tuple[tuple[str, Period], ...]  # the period buttons allowed
    as_of: datetime | None = None  # when counted, if not for this order (kept figures)


# --- kept figures: the period buttons, counted in the background ---------------------------
#
# Counting every county afresh takes seconds (each county's whole period, on the server)
# and, for a year, the durations of every request of the province in memory while they
# are pooled. The province's bot therefore counts its period buttons' figures every
# ``[province] refresh`` (``refresh``) and keeps them condensed (the medians and 90th
# percentiles, not the durations): /stats for one of them answers at once, saying when
# it was counted. Another period is counted when asked, and kept the same way.


@dataclass(frozen=True)
class Counted:
    counties: list[CountyFigures]  # condensed
    total: Figures  # condensed
    at: datetime


async def count(counties: Counties, period: Period, now: datetime) -> Counted:
    """Every county's figures for ``period`` and the province's (pooled), condensed."""
    found = await counties.figures(period, now)
    total = combined(c.figures for c in found)
    kept = [replace(c, figures=c.figures.condensed()) for c in found]
    return Counted(kept, total.condensed(), now)


class Kept:
    """The figures counted last, by period: good for ``2 * every`` (a refresh that runs
    late or fails leaves them to age out, and they are then counted when asked). At most
    ``most`` periods are kept; the oldest counted goes first."""

    def __init__(self, every: timedelta, most: int = 16) -> None:
        self.every = every
        self.most = most
        self._counted: dict[Period, Counted] = {}

    def get(self, period: Period, now: datetime) -> Counted | None:
        found = self._counted.get(period)
        if found is None or not now - 2 * self.every <= found.at <= now:
            return None
        return found

    def put(self, period: Period, counted: Counted) -> None:
        self._counted[period] = counted
        while len(self._counted) > self.most:
            oldest = min(self._counted, key=lambda p: self._counted[p].at)
            del self._counted[oldest]


async def refresh(
    counties: Counties, kept: Kept, now: datetime, zone: ZoneInfo, bounds: Bounds
) -> list[Period]:
    """Count the period buttons' figures again (a background job); returns the periods.
    Raises ``Unreadable`` (what was counted before it stays, until it ages out)."""
    done = []
    for _, period in periods(now, zone, bounds):
        kept.put(period, await count(counties, period, now))
        done.append(period)
    return done


async def summary(
    counties: Counties,
    order: ProvinceOrder,
    now: datetime,
    zone: ZoneInfo,
    bounds: Bounds,
    kept: Kept | None = None,
) -> ProvinceSummary:
    """Every county's figures for the order's period, and the province's (pooled): kept
    ones if fresh enough (``as_of`` then says when they were counted), else counted now
    (and kept)."""
    found = None if kept is None else kept.get(order.period, now)
    if found is None:
        found = await count(counties, order.period, now)
        if kept is not None:
            kept.put(order.period, found)
    as_of = found.at if found.at < now else None
    return ProvinceSummary(order, found.counties, found.total, periods(now, zone, bounds), as_of)
