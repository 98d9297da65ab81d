"""An in-memory rota store (``bot.services.rota.RotaStore``) over a small county: a
township (T01) with its secretary and two cadres, two villages (V01, V02), households."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from bot.domain.roster import Cadre, Household, Rank
from bot.domain.rota import Duty, Kept, Member, Night, Person, Region, Swap
from bot.services.identity import Identity

REGIONS = {
    "T01": Region("T01", "township", "东坪镇"),
    "V01": Region("V01", "village", "柳树村"),
    "V02": Region("V02", "village", "石桥村"),
}
ABOVE = {"G011": ["V01", "T01"], "V01": ["V01", "T01"], "V02": ["V02", "T01"], "T01": ["T01"]}
PEOPLE = [
    Person("K003", "孙丽", Rank.TOWNSHIP_SECRETARY, "13908710003", "T01", 103),
    Person("K004", "李强", Rank.TOWNSHIP_CADRE, "13908710004", "T01", 104),
    Person("K005", "周芳", Rank.TOWNSHIP_CADRE, "13908710005", "T01", 105),
    Person("K007", "郑小红", Rank.VILLAGE_CADRE, "13908710007", "V01", 107),
    Person("K008", "王磊", Rank.GRID_WORKER, "13908710008", "V01", 108),
    Person("K009", "冯涛", Rank.VILLAGE_CADRE, "13908710009", "V02", 109),
]


def cadre(cadre_id: str, supervises: str | None = None) -> Identity:
    p = next(p for p in PEOPLE if p.id == cadre_id)
    c = Cadre(p.id, p.name, p.rank, "", p.phone, p.region_id, supervises=supervises)
    return Identity(p.user_id or 0, False, c, (), None)


def villager(user_id: int = 2001, region_id: str = "G011") -> Identity:
    home = Household("H0001", "王秀英", region_id)
    return Identity(user_id, False, None, (home,), home)


@dataclass
class FakeRotas:
    people: list[Person] = field(default_factory=lambda: list(PEOPLE))
    weeks: set[tuple[str, date]] = field(default_factory=set)
    rows: dict[int, Duty] = field(default_factory=dict)
    reminded: set[int] = field(default_factory=set)
    offers: set[tuple[str, date]] = field(default_factory=set)
    swaps: dict[int, tuple[int, str, str, str | None]] = field(default_factory=dict)
    stays: set[tuple[str, date]] = field(default_factory=set)  # (cadre, night) logged

    def _person(self, cadre_id: str) -> Person | None:
        return next((p for p in self.people if p.id == cadre_id), None)

    async def regions(self, under: str | None = None) -> list[Region]:
        return [r for r in REGIONS.values() if under in (None, r.id, "T01", "C01")]

    async def region(self, region_id: str) -> Region | None:
        return REGIONS.get(region_id)

    async def built(self, week: date) -> set[str]:
        return {r for r, w in self.weeks if w == week}

    async def members(self, region_id: str) -> list[Member]:
        return [Member(p.id, p.rank) for p in self.people if p.region_id == region_id]

    async def volunteers(self, region_id: str, first: date, last: date) -> dict[date, set[str]]:
        found: dict[date, set[str]] = {}
        for cadre_id, night in self.offers:
            person = self._person(cadre_id)
            if person and person.region_id == region_id and first <= night <= last:
                found.setdefault(night, set()).add(cadre_id)
        return found

    async def load(self, region_id: str, since: date, until: date) -> dict[str, int]:
        found: dict[str, int] = {}
        for d in self.rows.values():
            if d.region.id == region_id and since <= d.night < until:
                found[d.person.id] = found.get(d.person.id, 0) + 1
        return found

    async def save_week(
        self, region_id: str, week: date, nights: Sequence[Night], now: datetime
    ) -> None:
        self.weeks.add((region_id, week))
        for night in nights:
            for cadre_id in night.cadres:
                duty_id = len(self.rows) + 1
                person = self._person(cadre_id)
                assert person is not None
                volunteer = cadre_id in night.volunteers
                self.rows[duty_id] = Duty(
                    duty_id, REGIONS[region_id], night.night, person, volunteer
                )

    async def duties(self, region_id: str, first: date, last: date) -> list[Duty]:
        return sorted(
            (
                d
                for d in self.rows.values()
                if d.region.id == region_id and first <= d.night <= last
            ),
            key=lambda d: (d.night, d.id),
        )

    async def duty(self, duty_id: int) -> Duty | None:
        return self.rows.get(duty_id)

    async def unreminded(self, night: date) -> list[Duty]:
        return [d for i, d in self.rows.items() if d.night == night and i not in self.reminded]

    async def mark_reminded(self, duty_id: int, now: datetime) -> bool:
        if duty_id in self.reminded:
            return False
        self.reminded.add(duty_id)
        return True

    async def next_night(self, region_id: str, since: date) -> date | None:
        nights = [d.night for d in self.rows.values() if d.region.id == region_id]
        return min((n for n in nights if n >= since), default=None)

    async def person(self, cadre_id: str) -> Person | None:
        return self._person(cadre_id)

    async def colleagues(self, region_id: str) -> list[Person]:
        return [p for p in self.people if p.region_id == region_id]

    async def volunteered(self, cadre_id: str, first: date, last: date) -> set[date]:
        return {n for c, n in self.offers if c == cadre_id and first <= n <= last}

    async def set_volunteer(self, cadre_id: str, night: date, on: bool, now: datetime) -> None:
        (self.offers.add if on else self.offers.discard)((cadre_id, night))

    async def on_night(self, region_id: str, night: date, cadre_id: str) -> bool:
        return any(
            d.region.id == region_id and d.night == night and d.person.id == cadre_id
            for d in self.rows.values()
        )

    async def ask_swap(self, duty_id: int, from_cadre: str, to_cadre: str, now: datetime) -> int:
        swap_id = len(self.swaps) + 1
        self.swaps[swap_id] = (duty_id, from_cadre, to_cadre, None)
        return swap_id

    async def swap(self, swap_id: int) -> Swap | None:
        if swap_id not in self.swaps:
            return None
        duty_id, from_cadre, to_cadre, answer = self.swaps[swap_id]
        duty, to = self.rows.get(duty_id), self._person(to_cadre)
        if duty is None or to is None or duty.person.id != from_cadre:
            return None
        return Swap(swap_id, duty, to, answer)

    async def answer_swap(self, swap_id: int, answer: str, now: datetime) -> bool:
        duty_id, from_cadre, to_cadre, before = self.swaps[swap_id]
        if before is not None:
            return False
        self.swaps[swap_id] = (duty_id, from_cadre, to_cadre, answer)
        return True

    async def reassign(self, duty_id: int, from_cadre: str, to_cadre: str) -> bool:
        duty, to = self.rows[duty_id], self._person(to_cadre)
        if duty.person.id != from_cadre or to is None:
            return False
        self.rows[duty_id] = replace(duty, person=to, volunteer=False)
        self.reminded.discard(duty_id)
        return True

    async def places_above(self, region_id: str) -> list[Region]:
        return [REGIONS[r] for r in ABOVE.get(region_id, [])]

    async def kept(self, region_id: str, first: date, last: date) -> list[Kept]:
        found = []
        for region in await self.regions(region_id):
            duties = await self.duties(region.id, first, last)
            if duties:
                kept = sum((d.person.id, d.night) in self.stays for d in duties)
                found.append(Kept(region, len(duties), kept))
        return found


@dataclass
class FakeRotaWork:
    now: datetime
    rota: FakeRotas = field(default_factory=FakeRotas)
