"""A province's figures: each county's, counted by its own storage over its own read
(its schema: the county's connection sees nothing else), then put together
(``bot.domain.province.combined``). The caller opens each county in turn; nothing here
knows where a county's rows are kept."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.province import CountyFigures
from bot.domain.stats import Figures, Period, Place


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
