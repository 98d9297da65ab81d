"""Field work: a cadre logs a stay (住村) or a visit (走访) and may attach the place; a
villager switches the note "your cadre visits tomorrow" on or off.

A stay is one per local day (its night; a second is refused) against the rank's monthly
quota, and counts with evidence by ``bot.services.stays``; a visit is logged but not
counted. Who is asking comes in resolved (``Identity``): a cadre is not looked up
again. The reminders themselves are the sweep's (``bot.services.reminders``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.domain import schedule
from bot.domain.requests import Content
from bot.domain.roster import Cadre, Household
from bot.domain.schedule import CadresOnly, DayKind, NothingToPlace, NotYourHousehold, Rules
from bot.domain.stays import StayedAlready
from bot.services.identity import Identity
from bot.services.moment import Moment

# --- what the use cases ask of storage ------------------------------------------------


class DayLog(Protocol):
    async def visitable(self, cadre_id: str, household_id: str) -> Household | None: ...
    async def log_day(
        self,
        cadre_id: str,
        kind: DayKind,
        day: date,
        now: datetime,
        household_id: str | None,
        note: str,
    ) -> int: ...
    async def stay_days_of(self, cadre_id: str, first: date, last: date) -> int: ...
    async def stayed_on(self, cadre_id: str, night: date) -> bool: ...
    async def place_last_day(
        self, cadre_id: str, since: datetime, latitude: float, longitude: float
    ) -> bool: ...
    async def picture_last_day(self, cadre_id: str, since: datetime, file_id: str) -> bool: ...


class NoteSwitches(Protocol):
    async def opted_in(self, user_id: int, household_id: str) -> bool: ...
    async def set_optin(
        self, user_id: int, household_id: str, on: bool, now: datetime
    ) -> None: ...


class FieldStore(DayLog, NoteSwitches, Protocol):
    pass


class LogWork(Moment, Protocol):
    @property
    def schedule(self) -> DayLog: ...


class NoteWork(Moment, Protocol):
    @property
    def schedule(self) -> NoteSwitches: ...


class FieldWork(Moment, Protocol):
    """Both, as the unit of work offers them (a base of ``bot.services.work.Work``)."""

    @property
    def schedule(self) -> FieldStore: ...


# --- what happened --------------------------------------------------------------------


@dataclass(frozen=True)
class Logged:
    """A stay or visit as logged, with what the cadre is told of it."""

    kind: DayKind
    day: date  # the local day it counts for
    household: Household | None  # the household named, if theirs
    unknown: str  # an id named that is none of theirs (logged without it); "" if none
    logged: int = 0  # STAY: days stayed this month, this one included
    needed: int = 0  # STAY: the rank's monthly quota (0: none)


@dataclass(frozen=True)
class Note:
    """Whether the service-day note is on for one of the person's households."""

    household: Household
    on: bool


# --- the use cases --------------------------------------------------------------------


def _cadre(who: Identity) -> Cadre:
    if who.cadre is None:
        raise CadresOnly
    return who.cadre


async def log_day(
    work: LogWork, who: Identity, rules: Rules, kind: DayKind, words: Sequence[str]
) -> Logged:
    """``/stay`` or ``/visit`` with ``words`` (``[household id] [note]``). A household the
    cadre is neither linked to nor supervises reads exactly as a missing one: the day is
    logged without it and the cadre told so. Raises ``CadresOnly``."""
    cadre = _cadre(who)
    named, note = schedule.household_and_note(words)
    household = await work.schedule.visitable(cadre.id, named) if named else None
    unknown = named if named and household is None else ""
    return await log_for(work, who, rules, kind, household, note, unknown)


async def log_for(
    work: LogWork,
    who: Identity,
    rules: Rules,
    kind: DayKind,
    household: Household | None,
    note: str = "",
    unknown: str = "",
) -> Logged:
    """Log the day for ``household``, already checked as the cadre's to visit (a button,
    a name found), or for none. Raises ``CadresOnly``; a second stay the same night
    raises ``StayedAlready`` and logs nothing."""
    cadre = _cadre(who)
    store = work.schedule
    today = schedule.local_date(rules, work.now)
    if kind == DayKind.STAY and await store.stayed_on(cadre.id, today):
        raise StayedAlready(today)
    await store.log_day(cadre.id, kind, today, work.now, household.id if household else None, note)
    needed = rules.quota(cadre.rank) if kind == DayKind.STAY else 0
    if not needed:
        return Logged(kind, today, household, unknown)
    first, last = schedule.month_of(today)
    logged = await store.stay_days_of(cadre.id, first, last)
    return Logged(kind, today, household, unknown, logged, needed)


async def place(work: LogWork, who: Identity, latitude: float, longitude: float) -> None:
    """A location joins the cadre's stay or visit logged within ``PLACE_WITHIN``. Raises
    ``CadresOnly`` or ``NothingToPlace`` (then it is a message like any other)."""
    cadre = _cadre(who)
    since = schedule.place_since(work.now)
    if not await work.schedule.place_last_day(cadre.id, since, latitude, longitude):
        raise NothingToPlace


async def picture(work: LogWork, who: Identity, content: Content) -> bool:
    """A photo nothing else asked for joins the cadre's stay or visit logged within
    ``PLACE_WITHIN`` (once: a second photo is a message like any other). False when it
    is not a cadre's photo or there is no such entry."""
    if who.cadre is None or content.media != "photo" or content.file_id is None:
        return False
    since = schedule.place_since(work.now)
    return await work.schedule.picture_last_day(who.cadre.id, since, content.file_id)


async def notes(work: NoteWork, who: Identity) -> list[Note]:
    """The service-day note, on or off, for each of the person's households (none: not
    bound)."""
    store = work.schedule
    return [Note(h, await store.opted_in(who.user_id, h.id)) for h in who.households]


async def switch_note(work: NoteWork, who: Identity, household_id: str, on: bool) -> list[Note]:
    """Switch the note for ``household_id`` (a button: checked against membership);
    returns the notes as they now are. Raises ``NotYourHousehold``."""
    if household_id not in {h.id for h in who.households}:
        raise NotYourHousehold(household_id)
    await work.schedule.set_optin(who.user_id, household_id, on, work.now)
    return await notes(work, who)
