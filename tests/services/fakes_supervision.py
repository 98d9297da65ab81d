"""Fakes for 督办 (``bot.services.supervision``): the cadre fakes' county (孙丽 supervises
the township of both households), with two departments: 供电所 serving the township
(contact 冯涛) and 水利站 serving only 桃园村 (contact 李强), so not 王秀英's village."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.roster import Department
from tests.services.fakes_cadre import FENG, LI_QIANG, FakeSupervises, FakeWork

POWER = Department("D01", "供电所", "T01", FENG.id)
WATER = Department("D02", "水利站", "V02", LI_QIANG.id)


@dataclass
class FakeJurisdictions(FakeSupervises):
    departments: dict[str, Department] = field(
        default_factory=lambda: {POWER.id: POWER, WATER.id: WATER}
    )
    leaders: dict[int, str] = field(default_factory=dict)  # request id -> 包案 leader

    async def department(self, department_id: str) -> Department | None:
        return self.departments.get(department_id)

    async def departments_for(self, household_id: str) -> list[Department]:
        # Both households are in 柳树村 (V01) of the township T01.
        return [d for d in self.departments.values() if d.region_id in ("T01", "V01")]

    async def take(self, request_id: int, leader_id: str) -> None:
        self.leaders[request_id] = leader_id


@dataclass
class FakeSupervisionWork(FakeWork):
    supervision: FakeJurisdictions = field(default_factory=FakeJurisdictions)
