"""The schedule sweep's use case: for a round that is due (``bot.domain.schedule.due``),
which reminders go to whom, as plain data; the view (``handlers.reminders``) words them.

Each round is done once: ``remind`` skips a round already marked, and marks it in the
same transaction as the reminders are queued. Every reminder names its dedup key (its
person, day and kind), so nothing is sent twice whatever happens between a crash and a
restart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain import schedule, stats
from bot.domain.schedule import (
    BoundCadre,
    Digest,
    Kind,
    Noted,
    Occasion,
    OpenHousehold,
    Optin,
    Rules,
    Standing,
)
from bot.domain.stats import By, Figures, Period
from bot.services.moment import Moment

ADMINS = "*admins"  # the administrators' digest lines (``bot.services.deadlines.ADMINS``)
RANKED = 10  # a long ranking shows its top and bottom this many; the middle is counted

# --- what the rounds ask of storage ---------------------------------------------------


class RoundStore(Protocol):
    async def round_done(self, occasion: str) -> bool: ...
    async def mark_round(self, occasion: str, now: datetime, sent: int) -> None: ...
    async def bound_cadres(self) -> list[BoundCadre]: ...


class ServiceDayStore(Protocol):
    async def open_households(self) -> dict[str, list[OpenHousehold]]: ...
    async def optins(self) -> list[Optin]: ...


class QuotaStore(Protocol):
    async def stay_days(self, first: date, last: date) -> dict[str, int]: ...


class DigestStore(Protocol):
    async def digest_mark(self, cadre_id: str) -> datetime | None: ...
    async def set_digest_mark(self, cadre_id: str, through: datetime) -> None: ...
    async def digest(self, region_id: str, since: datetime, now: datetime) -> Digest: ...
    async def drain_lines(self, recipient: str, now: datetime) -> list[Noted]:
        """The lines the use cases noted for ``recipient`` (a cadre id, or ``ADMINS``)
        since their last digest, marked as digested."""


class RankingStore(Protocol):
    async def breakdown(
        self, region_id: str, period: Period, now: datetime, by: By
    ) -> dict[str, Figures]: ...
    async def place_names(self, region_id: str) -> dict[str, str]: ...
    async def cadre_names(self, cadre_ids: Sequence[str]) -> dict[str, str]: ...


class ReminderStore(RoundStore, ServiceDayStore, QuotaStore, DigestStore, RankingStore, Protocol):
    pass


class ReminderWork(Moment, Protocol):
    @property
    def schedule(self) -> ReminderStore: ...


# --- the reminders, as data -----------------------------------------------------------


@dataclass(frozen=True)
class ServiceDay:
    """A cadre, the evening before or the morning of a service day: their households
    with open requests."""

    chat: int
    cadre_id: str
    day: date  # the service day
    kind: Kind  # EVENING or MORNING
    households: tuple[OpenHousehold, ...]

    @property
    def key(self) -> str:
        return f"svc:{self.cadre_id}:{self.day.isoformat()}:{self.kind}"


@dataclass(frozen=True)
class VisitNote:
    """A villager who asked: tomorrow their household's cadre comes to the village."""

    chat: int
    day: date  # the service day
    optin: Optin

    @property
    def key(self) -> str:
        return f"visit:{self.optin.user_id}:{self.optin.household_id}:{self.day.isoformat()}"


@dataclass(frozen=True)
class Reception:
    """A cadre whose rank receives villagers today."""

    chat: int
    cadre_id: str
    day: date

    @property
    def key(self) -> str:
        return f"rcp:{self.cadre_id}:{self.day.isoformat()}"


@dataclass(frozen=True)
class Quota:
    """A cadre behind their rank's stay quota this month."""

    chat: int
    cadre_id: str
    day: date
    standing: Standing
    last: date  # the month's last day

    @property
    def days_left(self) -> int:
        return (self.last - self.day).days + 1

    @property
    def key(self) -> str:
        return f"quota:{self.cadre_id}:{self.day.isoformat()}"


@dataclass(frozen=True)
class DigestNote:
    """A supervisor: new and escalated requests since their last digest, overdue ones."""

    chat: int
    cadre_id: str
    day: date
    digest: Digest

    @property
    def key(self) -> str:
        return f"digest:{self.cadre_id}:{self.day.isoformat()}"


@dataclass(frozen=True)
class AdminDigest:
    """An administrator: what the use cases noted for the administrators since the last
    digest (requests stalled at the top of their chain …)."""

    chat: int
    day: date
    noted: tuple[Noted, ...]

    @property
    def key(self) -> str:
        return f"digest:admin:{self.chat}:{self.day.isoformat()}"


@dataclass(frozen=True)
class Place:
    """One line of a ranking: its place (1 = best), name and figures."""

    place: int
    name: str
    figures: Figures


@dataclass(frozen=True)
class Ranked:
    """A ranking best first, shortened if long: the top, how many left out, the bottom."""

    top: tuple[Place, ...]
    skipped: int = 0
    bottom: tuple[Place, ...] = ()


@dataclass(frozen=True)
class Ranking:
    """A supervisor: last month's villages and cadres of their jurisdiction."""

    chat: int
    cadre_id: str
    month: date  # its first day
    villages: Ranked
    cadres: Ranked

    @property
    def key(self) -> str:
        return f"rank:{self.cadre_id}:{self.month:%Y-%m}"


Reminder = ServiceDay | VisitNote | Reception | Quota | DigestNote | AdminDigest | Ranking


# --- the use case ---------------------------------------------------------------------


async def remind(
    work: ReminderWork, rules: Rules, occasion: Occasion, zone: ZoneInfo
) -> list[Reminder] | None:
    """The reminders of ``occasion`` to queue now, its round marked done with them; None
    if the round was done before (nothing to queue)."""
    store = work.schedule
    if await store.round_done(occasion.key):
        return None
    found = await _ROUNDS[occasion.kind](store, rules, occasion, work.now, zone)
    await store.mark_round(occasion.key, work.now, len(found))
    return found


async def _service_day(
    store: ReminderStore, rules: Rules, occasion: Occasion, now: datetime, zone: ZoneInfo
) -> list[Reminder]:
    """Every bound cadre, with their households that have open requests; and, the
    evening before, the villagers who asked to be told."""
    opens = await store.open_households()
    found: list[Reminder] = [
        ServiceDay(c.user_id, c.id, occasion.day, occasion.kind, tuple(opens.get(c.id, [])))
        for c in await store.bound_cadres()
    ]
    if occasion.kind == Kind.EVENING:
        found += [VisitNote(o.user_id, occasion.day, o) for o in await store.optins()]
    return found


async def _reception(
    store: ReminderStore, rules: Rules, occasion: Occasion, now: datetime, zone: ZoneInfo
) -> list[Reminder]:
    return [
        Reception(c.user_id, c.id, occasion.day)
        for c in await store.bound_cadres()
        if c.rank in occasion.ranks
    ]


async def _quota(
    store: ReminderStore, rules: Rules, occasion: Occasion, now: datetime, zone: ZoneInfo
) -> list[Reminder]:
    """Cadres behind their rank's stay quota this month: how many logged, how many needed."""
    first, last = schedule.month_of(occasion.day)
    stays = await store.stay_days(first, last)
    found: list[Reminder] = []
    for cadre in await store.bound_cadres():
        standing = schedule.behind(rules, cadre.rank, stays.get(cadre.id, 0))
        if standing is not None:
            found.append(Quota(cadre.user_id, cadre.id, occasion.day, standing, last))
    return found


async def _digest(
    store: ReminderStore, rules: Rules, occasion: Occasion, now: datetime, zone: ZoneInfo
) -> list[Reminder]:
    """Each bound supervisor: requests of their jurisdiction since their last digest, with
    the lines noted for them (督办: overdue, reopened, extended …); each administrator, the
    lines noted for the administrators, if any."""
    found: list[Reminder] = []
    for cadre in await store.bound_cadres():
        if cadre.supervises is None:
            continue
        since = schedule.digest_since(rules, occasion, await store.digest_mark(cadre.id))
        digest = await store.digest(cadre.supervises, since, now)
        digest = replace(digest, noted=await store.drain_lines(cadre.id, now))
        await store.set_digest_mark(cadre.id, now)
        found.append(DigestNote(cadre.user_id, cadre.id, occasion.day, digest))
    noted = tuple(await store.drain_lines(ADMINS, now))
    if noted:
        found += [AdminDigest(admin, occasion.day, noted) for admin in rules.admins]
    return found


def ranked(table: Mapping[str, Figures], names: Mapping[str, str]) -> Ranked:
    """``table`` best first (``stats.ranking``), numbered, named; top and bottom if long."""
    lines = [
        Place(place, names.get(key, key), figures)
        for place, (key, figures) in enumerate(stats.ranking(table), 1)
    ]
    top, skipped, bottom = schedule.top_and_bottom(lines, RANKED)
    return Ranked(tuple(top), skipped, tuple(bottom))


async def _ranking(
    store: ReminderStore, rules: Rules, occasion: Occasion, now: datetime, zone: ZoneInfo
) -> list[Reminder]:
    """Each bound supervisor: last month's villages and cadres of their jurisdiction,
    best first, with the figures of ``/stats`` (a cadre: the requests they handle)."""
    first, _ = schedule.last_month(occasion.day)
    month = stats.month_of(first, zone)
    found: list[Reminder] = []
    for cadre in await store.bound_cadres():
        if cadre.supervises is None:
            continue
        villages = await store.breakdown(cadre.supervises, month, now, "village")
        cadres = await store.breakdown(cadre.supervises, month, now, "cadre")
        village_names = await store.place_names(cadre.supervises)
        cadre_names = await store.cadre_names(list(cadres))
        found.append(
            Ranking(
                cadre.user_id,
                cadre.id,
                first,
                ranked(villages, village_names),
                ranked(cadres, cadre_names),
            )
        )
    return found


Round = Callable[[ReminderStore, Rules, Occasion, datetime, ZoneInfo], Awaitable[list[Reminder]]]
_ROUNDS: dict[Kind, Round] = {
    Kind.EVENING: _service_day,
    Kind.MORNING: _service_day,
    Kind.RECEPTION: _reception,
    Kind.QUOTA: _quota,
    Kind.DIGEST: _digest,
    Kind.RANKING: _ranking,
}
