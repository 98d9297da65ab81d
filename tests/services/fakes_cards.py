"""In-memory fakes for the administrator's contact cards (bot.services.cards)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from bot.domain.codes import CodeState, Holder, HouseholdCard, HouseholdHit, Place
from bot.domain.roster import Household

NOW = datetime(2026, 11, 29, 8, tzinfo=UTC)


@dataclass
class FakeCards:
    """A county C > townships T1, T2 > villages; households with their code state."""

    places_by_parent: dict[str | None, list[Place]] = field(default_factory=dict)
    households: dict[str, tuple[str, Holder]] = field(default_factory=dict)  # id: (region, page)
    issued: int = 0  # codes issued by prints
    revoked: list[str] = field(default_factory=list)

    def add_place(self, parent: str | None, place: Place) -> None:
        self.places_by_parent.setdefault(parent, []).append(place)

    def add_household(self, household_id: str, head: str, region: str, state: CodeState) -> None:
        holder = Holder(household_id, head, region, "", 1, (), state)
        self.households[household_id] = (region, holder)

    async def places(self, parent_id: str | None) -> list[Place]:
        return list(self.places_by_parent.get(parent_id, []))

    async def place(self, region_id: str) -> Place | None:
        every = (p for places in self.places_by_parent.values() for p in places)
        return next((p for p in every if p.id == region_id), None)

    def _card(self, household_id: str) -> HouseholdCard:
        region, holder = self.households[household_id]
        if holder.code is not CodeState.LIVE:
            self.issued += 1
            self.households[household_id] = (region, replace(holder, code=CodeState.LIVE))
        return HouseholdCard(Household(household_id, holder.head_name, region), region, (), "c")

    async def household_cards(self, region_id: str) -> tuple[list[HouseholdCard], int]:
        before = self.issued
        found = [self._card(h) for h, (r, _) in sorted(self.households.items()) if r == region_id]
        return found, self.issued - before

    async def household_card(self, household_id: str) -> HouseholdCard | None:
        return self._card(household_id) if household_id in self.households else None

    async def find(self, query: str, limit: int, offset: int) -> tuple[list[HouseholdHit], int]:
        hits = [
            HouseholdHit(h, page.head_name, region)
            for h, (region, page) in sorted(self.households.items())
            if h.lower() == query.lower() or query in page.head_name
        ]
        return hits[offset : offset + limit], len(hits)

    async def holder(self, household_id: str) -> Holder | None:
        found = self.households.get(household_id)
        return None if found is None else found[1]

    async def revoke(self, household_id: str) -> bool:
        region, holder = self.households[household_id]
        if holder.code is not CodeState.LIVE:
            return False
        self.revoked.append(household_id)
        self.households[household_id] = (region, replace(holder, code=CodeState.REVOKED))
        return True


@dataclass
class FakeCardsWork:
    cards: FakeCards = field(default_factory=FakeCards)
    now: datetime = NOW


def county() -> FakeCardsWork:
    work = FakeCardsWork()
    cards = work.cards
    cards.add_place(None, Place("C", "和平县", "county", 12))
    cards.add_place("C", Place("T1", "东坪镇", "township", 11))
    cards.add_place("C", Place("T2", "西河乡", "township", 1))
    cards.add_place("T1", Place("V1", "柳树村", "village", 11))
    cards.add_place("T2", Place("V2", "石门村", "village", 0))
    for n in range(10):
        cards.add_household(f"H{n:04}", f"王{n}", "V1", CodeState.NONE)
    cards.add_household("H0100", "李大山", "V1", CodeState.LIVE)
    cards.add_household("H0200", "刘福", "T2", CodeState.LIVE)
    return work
