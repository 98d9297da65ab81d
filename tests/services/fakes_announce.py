"""In-memory fakes of what ``bot.services.announce`` asks: a village (V1, in township T1)
of three households, the notices switch, announcements and their state."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from bot.domain.announce import Announcement, Binding, Recipient
from bot.domain.roster import Cadre, Household, LinkedCadre, Rank
from bot.services.identity import Identity

NOW = datetime(2031, 3, 4, 1, 0, tzinfo=UTC)  # Tuesday 09:00 in Asia/Shanghai

ZHENG = Cadre("K009", "郑小红", Rank.VILLAGE_CADRE, "柳树村委", "13900000009", "G1")
SUN = Cadre("K003", "孙丽", Rank.TOWNSHIP_SECRETARY, "东坪镇", "13900000003", "T1", None, "T1")
WANG = Cadre("K005", "王磊", Rank.SECTION_CHIEF, "县水利局", "13900000005", "C1")

HOMES = {
    "H0001": Household("H0001", "王秀英", "G1"),
    "H0002": Household("H0002", "李大山", "G1"),
    "H0003": Household("H0003", "赵四", "V1"),
}
# Region → its village (a group lies in its village).
VILLAGE_OF = {"G1": "V1", "V1": "V1", "T1": None, "C1": None}
IN_REGION = {"V1": {"H0001", "H0002", "H0003"}, "T1": {"H0001", "H0002", "H0003"}}
NAMES = {"V1": "柳树村", "T1": "东坪镇", "G1": "柳树村一组"}


@dataclass
class FakeNotices:
    members: dict[str, list[int]] = field(
        default_factory=lambda: {"H0001": [101, 102], "H0002": [201], "H0003": []}
    )
    off: set[str] = field(default_factory=set)
    asks: dict[str, datetime] = field(default_factory=dict)
    stored: dict[int, Announcement] = field(default_factory=dict)
    leader_list: list[Cadre] = field(default_factory=lambda: [SUN])

    async def asked(self, cadre_id: str) -> datetime | None:
        return self.asks.get(cadre_id)

    async def ask(self, cadre_id: str, now: datetime) -> None:
        self.asks[cadre_id] = now

    async def forget_ask(self, cadre_id: str) -> None:
        self.asks.pop(cadre_id, None)

    async def village_of(self, region_id: str) -> str | None:
        return VILLAGE_OF.get(region_id)

    async def region_name(self, region_id: str) -> str:
        return NAMES.get(region_id, region_id)

    async def draft(
        self, cadre_id: str, region_id: str, text: str, photo: str | None, now: datetime
    ) -> int:
        found = len(self.stored) + 1
        self.stored[found] = Announcement(found, cadre_id, region_id, text, photo)
        return found

    async def announcement(self, announcement_id: int) -> Announcement | None:
        return self.stored.get(announcement_id)

    async def publish(self, announcement_id: int, reached: int, now: datetime) -> bool:
        found = self.stored[announcement_id]
        if not found.draft:
            return False
        self.stored[announcement_id] = replace(found, published=True)
        return True

    async def cancel(self, announcement_id: int, now: datetime) -> bool:
        found = self.stored[announcement_id]
        if not found.draft:
            return False
        self.stored[announcement_id] = replace(found, cancelled=True)
        return True

    async def recipients(self, region_id: str) -> list[Recipient]:
        return [
            Recipient(chat, h)
            for h in sorted(IN_REGION.get(region_id, set()) - self.off)
            for chat in self.members[h]
        ]

    async def leaders(self, household_id: str) -> list[Cadre]:
        return list(self.leader_list)

    async def binding(self, region_id: str, level: str) -> list[Binding]:
        return []

    async def binding_whole(self, region_id: str) -> Binding:
        homes = IN_REGION.get(region_id, set())
        bound = sum(1 for h in homes if self.members[h])
        return Binding(region_id, NAMES.get(region_id, region_id), len(homes), bound)


@dataclass
class FakePeople:
    async def linked_cadres(self, household_id: str) -> list[LinkedCadre]:
        return [LinkedCadre(1, ZHENG), LinkedCadre(2, SUN)]


@dataclass
class FakeWork:
    now: datetime = NOW
    notices: FakeNotices = field(default_factory=FakeNotices)
    people: FakePeople = field(default_factory=FakePeople)


def cadre(who: Cadre, user_id: int = 900) -> Identity:
    return Identity(user_id, admin=False, cadre=who, households=(), current=None)


def villager(user_id: int, *ids: str) -> Identity:
    homes = tuple(HOMES[i] for i in ids)
    return Identity(user_id, False, None, homes, homes[0] if len(homes) == 1 else None)
