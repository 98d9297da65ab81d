"""An in-memory ``StayStore`` for the stays use cases (bot.services.stays)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from bot.domain.stats import StayLine
from bot.domain.stays import Area, Part, Point, Stay


@dataclass
class StoredPoint:
    day_id: int
    point: Point
    inside: bool
    message_id: int | None


@dataclass
class FakeStays:
    stays: dict[int, Stay] = field(default_factory=dict)
    areas: dict[int, Area] = field(default_factory=dict)  # by stay id
    points: list[StoredPoint] = field(default_factory=list)
    visits_since: dict[str, datetime] = field(default_factory=dict)  # unplaced visit at
    lines: list[StayLine] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    def start(self, cadre_id: str, night: date, area: Area) -> Stay:
        stay = Stay(len(self.stays) + 1, cadre_id, night)
        self.stays[stay.id] = stay
        self.areas[stay.id] = area
        return stay

    async def open_stay(self, cadre_id: str, nights: Sequence[date]) -> Stay | None:
        found = [s for s in self.stays.values() if s.cadre_id == cadre_id and s.night in nights]
        return max(found, key=lambda s: (s.night, s.id), default=None)

    async def stay_of_message(self, cadre_id: str, message_id: int) -> Stay | None:
        for p in reversed(self.points):
            stay = self.stays[p.day_id]
            if p.message_id == message_id and stay.cadre_id == cadre_id:
                return stay
        return None

    async def visit_unplaced_since(self, cadre_id: str, since: datetime) -> bool:
        at = self.visits_since.get(cadre_id)
        return at is not None and at >= since

    async def area_of(self, day_id: int) -> Area:
        return self.areas[day_id]

    async def add_point(
        self, day_id: int, point: Point, inside: bool, message_id: int | None
    ) -> None:
        self.points.append(StoredPoint(day_id, point, inside, message_id))

    async def mark(self, day_id: int, part: Part, at: datetime) -> None:
        stay = self.stays[day_id]
        if part == Part.EVENING and stay.evening_at is None:
            self.stays[day_id] = replace(stay, evening_at=at)
        if part == Part.MORNING and stay.morning_at is None:
            self.stays[day_id] = replace(stay, morning_at=at)

    async def nights(self, region_id: str, first: date, last: date) -> list[StayLine]:
        return list(self.lines)

    async def region_name(self, region_id: str) -> str:
        return self.names.get(region_id, region_id)


@dataclass
class FakeStayWork:
    now: datetime
    stays: FakeStays = field(default_factory=FakeStays)
