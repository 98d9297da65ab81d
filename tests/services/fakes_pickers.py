"""In-memory fakes for the pickers (``bot.services.pickers``): the cadre-side unit of work
of ``fakes_cadre`` (for /file), the schedule store of ``fakes_field`` (for /visit and
/stay) and the households a cadre picks from."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.picking import Listed
from bot.domain.roster import Household
from tests.services import fakes_cadre
from tests.services.fakes_field import FakeSchedule


@dataclass
class FakePicks:
    listed: list[Listed] = field(default_factory=list)
    links: dict[str, set[str]] = field(default_factory=dict)  # cadre -> household ids
    regions: dict[str, set[str]] = field(default_factory=dict)  # supervisor -> region ids
    searched: list[tuple[str, str, bool]] = field(default_factory=list)

    async def linked_households(self, cadre_id: str) -> list[Listed]:
        mine = self.links.get(cadre_id, set())
        return [item for item in self.listed if item.household.id in mine]

    async def named_households(
        self, cadre_id: str, name: str, supervised: bool, limit: int
    ) -> list[Listed]:
        self.searched.append((cadre_id, name, supervised))
        mine, regions = self.links.get(cadre_id, set()), self.regions.get(cadre_id, set())
        return [
            item
            for item in self.listed
            if name in item.household.head_name
            and (item.household.id in mine or (supervised and item.household.region_id in regions))
        ][:limit]


@dataclass
class FakeWork(fakes_cadre.FakeWork):
    schedule: FakeSchedule = field(default_factory=FakeSchedule)
    picks: FakePicks = field(default_factory=FakePicks)


def listed(household_id: str, head: str, region: str, group: str) -> Listed:
    return Listed(Household(household_id, head, region), group)
