"""The province's use case over a fake county: the whole county's figures (its root
region's), or ``NoRoster`` before its roster is imported."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.stats import Figures, Period, Place, days
from bot.services import province

NOW = datetime(2026, 11, 15, 1, tzinfo=UTC)
PERIOD = days(date(2026, 11, 1), date(2026, 11, 30), ZoneInfo("Asia/Shanghai"))
HEPING = Place("C01", "和平县", "county", None)


@dataclass
class FakeStats:
    place: Place | None
    asked: list[str] = field(default_factory=list)

    async def root(self) -> Place | None:
        return self.place

    async def region_figures(self, region_id: str, period: Period, now: datetime) -> Figures:
        self.asked.append(region_id)
        return Figures(filed=4)


@dataclass
class FakeWork:
    stats: FakeStats
    now: datetime = NOW


async def test_a_county_s_figures_are_its_root_region_s() -> None:
    work = FakeWork(FakeStats(HEPING))
    found = await province.county_figures(work, "heping", PERIOD)
    assert (found.county, found.place, found.figures.filed) == ("heping", HEPING, 4)
    assert work.stats.asked == ["C01"]


async def test_a_county_without_a_roster_is_named() -> None:
    with pytest.raises(province.NoRoster, match="heping"):
        await province.county_figures(FakeWork(FakeStats(None)), "heping", PERIOD)
