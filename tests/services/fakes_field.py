"""In-memory fakes of the schedule store (``bot.services.field.FieldStore`` and
``bot.services.reminders.ReminderStore``) and of the unit of work that offers it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.roster import Cadre, Household, Rank
from bot.domain.schedule import BoundCadre, DayKind, Digest, Noted, OpenHousehold, Optin
from bot.domain.stats import By, Figures, Period
from bot.services.identity import Identity


@dataclass
class Day:
    """A stay or visit as the store keeps it."""

    cadre_id: str
    kind: DayKind
    day: date
    at: datetime
    household_id: str | None
    note: str
    place: tuple[float, float] | None = None
    photo: str = ""


@dataclass
class FakeSchedule:
    # field work
    visitable_by: dict[str, set[str]] = field(default_factory=dict)  # cadre -> household ids
    households: dict[str, Household] = field(default_factory=dict)
    days: list[Day] = field(default_factory=list)
    opted: set[tuple[int, str]] = field(default_factory=set)
    # reminder rounds
    rounds: dict[str, int] = field(default_factory=dict)  # occasion -> reminders queued
    cadres: list[BoundCadre] = field(default_factory=list)
    open: dict[str, list[OpenHousehold]] = field(default_factory=dict)
    optin_rows: list[Optin] = field(default_factory=list)
    marks: dict[str, datetime] = field(default_factory=dict)
    digests: dict[str, Digest] = field(default_factory=dict)
    noted: dict[str, list[Noted]] = field(default_factory=dict)  # by recipient

    async def visitable(self, cadre_id: str, household_id: str) -> Household | None:
        if household_id in self.visitable_by.get(cadre_id, set()):
            return self.households[household_id]
        return None

    async def log_day(
        self,
        cadre_id: str,
        kind: DayKind,
        day: date,
        now: datetime,
        household_id: str | None,
        note: str,
    ) -> int:
        self.days.append(Day(cadre_id, kind, day, now, household_id, note))
        return len(self.days)

    async def stay_days_of(self, cadre_id: str, first: date, last: date) -> int:
        return len(
            {
                d.day
                for d in self.days
                if d.cadre_id == cadre_id and d.kind == DayKind.STAY and first <= d.day <= last
            }
        )

    async def stayed_on(self, cadre_id: str, night: date) -> bool:
        return any(
            d.cadre_id == cadre_id and d.kind == DayKind.STAY and d.day == night for d in self.days
        )

    async def place_last_day(
        self, cadre_id: str, since: datetime, latitude: float, longitude: float
    ) -> bool:
        unplaced = [
            d for d in self.days if d.cadre_id == cadre_id and d.at >= since and d.place is None
        ]
        if not unplaced:
            return False
        unplaced[-1].place = (latitude, longitude)
        return True

    async def picture_last_day(self, cadre_id: str, since: datetime, file_id: str) -> bool:
        bare = [d for d in self.days if d.cadre_id == cadre_id and d.at >= since and not d.photo]
        if not bare:
            return False
        bare[-1].photo = file_id
        return True

    async def opted_in(self, user_id: int, household_id: str) -> bool:
        return (user_id, household_id) in self.opted

    async def set_optin(self, user_id: int, household_id: str, on: bool, now: datetime) -> None:
        if on:
            self.opted.add((user_id, household_id))
        else:
            self.opted.discard((user_id, household_id))

    async def round_done(self, occasion: str) -> bool:
        return occasion in self.rounds

    async def mark_round(self, occasion: str, now: datetime, sent: int) -> None:
        assert occasion not in self.rounds, "a round is marked once"
        self.rounds[occasion] = sent

    async def bound_cadres(self) -> list[BoundCadre]:
        return list(self.cadres)

    async def open_households(self) -> dict[str, list[OpenHousehold]]:
        return self.open

    async def optins(self) -> list[Optin]:
        return list(self.optin_rows)

    async def stay_days(self, first: date, last: date) -> dict[str, int]:
        return {c.id: n for c in self.cadres if (n := await self.stay_days_of(c.id, first, last))}

    async def digest_mark(self, cadre_id: str) -> datetime | None:
        return self.marks.get(cadre_id)

    async def set_digest_mark(self, cadre_id: str, through: datetime) -> None:
        self.marks[cadre_id] = through

    async def digest(self, region_id: str, since: datetime, now: datetime) -> Digest:
        return self.digests.get(region_id, Digest([], [], []))

    async def drain_lines(self, recipient: str, now: datetime) -> list[Noted]:
        return self.noted.pop(recipient, [])

    async def breakdown(
        self, region_id: str, period: Period, now: datetime, by: By
    ) -> dict[str, Figures]:
        return {}

    async def place_names(self, region_id: str) -> dict[str, str]:
        return {}

    async def cadre_names(self, cadre_ids: Sequence[str]) -> dict[str, str]:
        return {}


@dataclass
class FakeWork:
    now: datetime
    schedule: FakeSchedule = field(default_factory=FakeSchedule)


def cadre(cadre_id: str, rank: Rank, user_id: int, supervises: str | None = None) -> Identity:
    """A person bound as the cadre ``cadre_id`` (no household of their own)."""
    bound = Cadre(cadre_id, f"干部{cadre_id}", rank, "", "13800000000", "V01", None, supervises)
    return Identity(user_id, admin=False, cadre=bound, households=(), current=None)


def villager(user_id: int, *households: Household) -> Identity:
    current = households[0] if len(households) == 1 else None
    return Identity(user_id, admin=False, cadre=None, households=households, current=current)
