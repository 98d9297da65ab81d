"""In-memory fakes of what the statistics use cases ask of a unit of work and of the long
work runner: a small county whose figures are given per region (each the figures of that
region's subtree, as storage counts them), a record of every scope read, and the runner's
pace. No SQLite: each test runs in a millisecond."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.domain.announce import Binding
from bot.domain.roster import Cadre, Rank
from bot.domain.rota import Kept
from bot.domain.stats import (
    Bounds,
    By,
    Day,
    Figures,
    OverdueLine,
    Period,
    Place,
    ReportLine,
    StayLine,
)
from bot.services.identity import Identity
from bot.services.stats import Rules

NOW = datetime(2031, 3, 4, 0, 0, tzinfo=UTC)  # 08:00 in Asia/Shanghai; fixed, never the wall
ZONE = ZoneInfo("Asia/Shanghai")
RULES = Rules(ZONE, Bounds(earliest=date(2000, 1, 1), max_days=366), per_minute=3)

PLACES = {
    "C01": Place("C01", "和平县", "county", None),
    "T01": Place("T01", "东坪镇", "township", "C01"),
    "T02": Place("T02", "西河乡", "township", "C01"),
    "V01": Place("V01", "柳树村", "village", "T01"),
    "V02": Place("V02", "石桥村", "village", "T01"),
    "V03": Place("V03", "青山村", "village", "T02"),
}
FIGURES = {  # the figures of each region's subtree
    "C01": Figures(filed=5, responded_in_time=3),
    "T01": Figures(filed=4, responded_in_time=2),
    "T02": Figures(filed=1, responded_in_time=1),
}
VILLAGES = {
    "T01": {"V01": Figures(filed=3), "V02": Figures(filed=1, responded_in_time=1)},
    "T02": {"V03": Figures(filed=1)},
}
OWN = {"K007": Figures(filed=2, responded_in_time=2)}  # the requests a cadre handles

SUN = Cadre("K003", "孙丽", Rank.TOWNSHIP_SECRETARY, "东坪镇", "13800000003", "T01", None, "T01")
WU = Cadre("K006", "吴海", Rank.TOWNSHIP_SECRETARY, "西河乡", "13800000006", "T02", None, "T02")
ZHENG = Cadre("K007", "郑小红", Rank.GRID_WORKER, "柳树村", "13800000007", "V01")


def person(user_id: int, cadre: Cadre | None) -> Identity:
    return Identity(user_id, admin=False, cadre=cadre, households=(), current=None)


@dataclass
class FakeStats:
    """The county above (``bot.services.stats.StatsStore``); ``read`` records each scope
    asked for, e.g. ``"region:T01"`` or ``"cadre:K007"``."""

    read: list[str] = field(default_factory=list)

    def _region(self, region_id: str) -> None:
        self.read.append(f"region:{region_id}")

    async def region(self, region_id: str) -> Place | None:
        self._region(region_id)
        return PLACES.get(region_id)

    async def region_figures(self, region_id: str, period: Period, now: datetime) -> Figures:
        self._region(region_id)
        return FIGURES.get(region_id, Figures())

    async def cadre_figures(self, cadre_id: str, period: Period, now: datetime) -> Figures:
        self.read.append(f"cadre:{cadre_id}")
        return OWN.get(cadre_id, Figures())

    async def region_days(self, region_id: str, period: Period, zone: ZoneInfo) -> list[Day]:
        self._region(region_id)
        return [Day(d, 0, None) for d in period.days()]

    async def cadre_days(self, cadre_id: str, period: Period, zone: ZoneInfo) -> list[Day]:
        self.read.append(f"cadre:{cadre_id}")
        return [Day(d, 0, None) for d in period.days()]

    async def region_breakdown(
        self, region_id: str, period: Period, now: datetime, by: By
    ) -> dict[str, Figures]:
        self._region(region_id)
        return VILLAGES.get(region_id, {}) if by == "village" else {}

    async def places(self, region_id: str) -> dict[str, Place]:
        self._region(region_id)
        return {k: p for k, p in PLACES.items() if region_id in (k, p.parent_id)}

    async def cadre_names(self, cadre_ids: Sequence[str]) -> dict[str, str]:
        return {}

    async def overdue(self, region_id: str, now: datetime, limit: int) -> list[OverdueLine]:
        self._region(region_id)
        return []

    async def report_lines(
        self, region_id: str, period: Period, now: datetime
    ) -> list[ReportLine]:
        self._region(region_id)
        return []

    async def stay_days(self, region_id: str, period: Period) -> list[StayLine] | None:
        self._region(region_id)
        return None

    async def rota_kept(self, region_id: str, first: date, last: date) -> list[Kept]:
        self._region(region_id)
        return []

    async def binding(self, region_id: str) -> list[Binding]:
        self._region(region_id)
        return []


@dataclass
class FakeWork:
    """A (read) unit of work: the moment and the statistics."""

    now: datetime = NOW
    stats: FakeStats = field(default_factory=FakeStats)


@dataclass
class FakePace:
    """The long-work runner's memory: keys in the making and when each job started."""

    busy_keys: set[str] = field(default_factory=set)
    starts: dict[str, list[datetime]] = field(default_factory=dict)

    def busy(self, key: str) -> bool:
        return key in self.busy_keys

    def started_since(self, key: str, since: datetime) -> int:
        return sum(1 for at in self.starts.get(key, []) if at >= since)
