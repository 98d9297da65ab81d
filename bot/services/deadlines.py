"""Due times as use cases: ``/extend`` (the handler's one later resolution date, with a
reason the villager sees), the deadline sweep (reminders before due times, 督办 past
them: the handler urged, the supervisor told; one tier up only after
``deadlines.escalate_after``) and the confirm-timeout sweep (销号 by timeout).

What supervisors and administrators would have been sent one message each for becomes
a line of their next digest (``DigestBook``, drained by ``bot.services.reminders``),
unless the request is urgent or ``[notices]`` says "instant".

The rules are ``bot.domain.deadlines`` and ``bot.domain.requests``; these functions find
what they act on, apply them, and return what happened with the notices owed
(``bot.services.notices``), so the views (``handlers.deadlines``, ``handlers.sweeps``)
look nothing up. Everything a sweep changes is a row (the request, its trail, the
reminder sent), so a sweep run twice, or after a restart, repeats nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain import deadlines, requests
from bot.domain.deadlines import (
    BadDate,
    DeadlineStore,
    Due,
    ExtendLimits,
    ExtendRefused,
    Missed,
    Reminder,
    Supervision,
)
from bot.domain.lifecycle import Event
from bot.domain.requests import Audience, Deadlines, Request, Tell
from bot.domain.roster import Cadre
from bot.services import notices
from bot.services.identity import Identity
from bot.services.notices import Notice, NoticeWork
from bot.services.relays import named
from bot.services.reminders import ADMINS

# Escalations one sweep tick makes, each in the writer's one transaction with its trail
# and notices; the next tick (``requests.sweep_every`` later) takes the rest.
ESCALATE_PER_TICK = 50
REMIND_PER_TICK = 500  # requests near a due time looked at (a reminder is one small row)
CLOSE_PER_TICK = 500  # resolved requests closed unconfirmed
DAY = timedelta(days=1)  # the household is reminded this long before 销号 by timeout
REOPENS = deadlines.REOPENS_TO_URGE
DEFAULT = Supervision()  # the configuration's defaults: digests, no second deadline


# --- what the use cases ask of storage ------------------------------------------------


class DigestBook(Protocol):
    async def note_for_digest(
        self, recipient: str, request_id: int, what: str, note: str, at: datetime
    ) -> None:
        """A line for ``recipient``'s next digest (a cadre id, or ``ADMINS``)."""


class ExtendStore(DeadlineStore, DigestBook, Protocol):
    async def visible(self, cadre_id: str, number: str) -> int | None:
        """The request numbered ``number`` if the cadre may see it."""


class SweepStore(DeadlineStore, DigestBook, Protocol):
    async def unurged(self, now: datetime, reopens: int, limit: int) -> list[int]:
        """Requests with an overdue fact (``deadlines.missed``) not yet urged."""

    async def mark_urged(self, request_id: int, fact: Missed, at: datetime) -> bool:
        """Note the fact urged; False if it was already."""

    async def urged_at(self, request_id: int, fact: Missed) -> datetime | None: ...
    async def to_escalate(
        self, now: datetime, cutoff: datetime, reopens: int, limit: int
    ) -> list[int]:
        """Requests with a due time missed before ``cutoff`` (or a second reopen urged
        before it): the second deadline has passed."""

    async def near_due(self, now: datetime, horizon: datetime, limit: int) -> list[int]: ...
    async def resolved_before(self, cutoff: datetime, limit: int) -> list[int]: ...
    async def closing_soon(
        self, remind: datetime, close: datetime, limit: int
    ) -> list[tuple[int, datetime]]:
        """Resolved requests (id, resolved at) resolved in (``close``, ``remind``] whose
        close was not yet reminded of for that resolution."""

    async def mark_close_reminded(
        self, request_id: int, resolved_at: datetime, at: datetime
    ) -> bool:
        """Note the reminder; False if it was noted already."""


class DeadlineStores(ExtendStore, SweepStore, Protocol):
    pass


class ExtendWork(NoticeWork, Protocol):
    @property
    def deadlines(self) -> ExtendStore: ...


class SweepWork(NoticeWork, Protocol):
    @property
    def deadlines(self) -> SweepStore: ...


class DeadlinesWork(NoticeWork, Protocol):
    """Both, as the unit of work offers them (a base of ``bot.services.work.Work``)."""

    @property
    def deadlines(self) -> DeadlineStores: ...


# --- what happened --------------------------------------------------------------------


class NotExtended(Exception):
    """``/extend`` refused; ``why`` names the answer (``cadres_only``, ``usage``,
    ``not_found``, ``bad_date`` or one of ``ExtendRefused``'s), with what it shows: the
    number and date as typed, the request's due time, the latest date allowed."""

    def __init__(
        self,
        why: str,
        number: str = "",
        *,
        typed: str = "",
        due: datetime | None = None,
        latest: datetime | None = None,
    ) -> None:
        super().__init__(why)
        self.why = why
        self.number = number
        self.typed = typed
        self.due = due
        self.latest = latest


@dataclass(frozen=True)
class Extended:
    """The later date set: the request as it is now, the reason given, who set it, and
    the household's and the supervisors' notices."""

    request: Request
    reason: str
    handler: Cadre
    notices: tuple[Notice, ...]

    @property
    def for_supervisors(self) -> tuple[Notice, ...]:
        return tuple(n for n in self.notices if n.tell.audience is Audience.SUPERVISOR)

    @property
    def for_others(self) -> tuple[Notice, ...]:
        return tuple(n for n in self.notices if n.tell.audience is not Audience.SUPERVISOR)


@dataclass(frozen=True)
class DueSoon:
    """A reminder to the handler's account (``chat``), with the household head's name."""

    reminder: Reminder
    chat: int
    head: str


@dataclass(frozen=True)
class Watched:
    """One tick of the deadline sweep: the notices owed at once (handlers urged, urgent
    requests' supervisors, escalations past the second deadline), the reminders owed, and
    how many of each; ``digested``: lines noted for digests instead of messages."""

    notices: tuple[Notice, ...]
    reminders: tuple[DueSoon, ...]
    escalated: int
    reminded: int  # reminders noted (sent, or dropped for a handler without an account)
    urged: int = 0  # overdue facts urged (each once)
    digested: int = 0

    @property
    def acted(self) -> int:
        return self.escalated + self.reminded + self.urged


@dataclass(frozen=True)
class ClosingSoon:
    """The household's reminder to confirm before 销号 by timeout (at ``closes_at``): the
    members' chats (``to``) and who resolved it."""

    request: Request
    closes_at: datetime
    to: tuple[int, ...]
    handler: Cadre | None


@dataclass(frozen=True)
class Closed:
    """One tick of the confirm-timeout sweep: how many closed, the notices owed, and the
    reminders owed to households whose request closes soon."""

    closed: int
    notices: tuple[Notice, ...]
    reminders: tuple[ClosingSoon, ...] = ()


# --- the use cases --------------------------------------------------------------------


async def extend(
    work: ExtendWork,
    who: Identity,
    limits: ExtendLimits,
    zone: ZoneInfo,
    words: Sequence[str],
    supervision: Supervision = DEFAULT,
) -> Extended:
    """``/extend`` with ``words`` (``number date reason…``): the handler resolves by the
    end of that local day instead, once, within ``limits``; the supervisor hears of it in
    their digest (or at once, per ``supervision``). Raises ``NotExtended`` (nothing
    changed)."""
    if who.cadre is None:
        raise NotExtended("cadres_only")
    if len(words) < 2:
        raise NotExtended("usage")
    number, day, reason = words[0], words[1], " ".join(words[2:])
    store = work.deadlines
    request_id = await store.visible(who.cadre.id, number.strip().upper())
    if request_id is None:
        raise NotExtended("not_found", number)
    try:
        until = deadlines.end_of_day(day, zone, work.now)
        done = await deadlines.extend(
            store, work.now, request_id, who.cadre.id, until, reason, limits
        )
    except BadDate:
        raise NotExtended("bad_date", number, typed=day) from None
    except ExtendRefused as refused:
        request = refused.request
        raise NotExtended(
            refused.why,
            request.number if request else number,
            due=request.resolve_by if request else None,
            latest=refused.latest,
        ) from None
    at_once, _ = await deliver(work, store, supervision, done.tells)
    return Extended(done.request, reason.strip(), who.cadre, tuple(at_once))


async def deliver(
    work: NoticeWork, book: DigestBook, supervision: Supervision, tells: Sequence[Tell]
) -> tuple[list[Notice], int]:
    """The tells owed at once, addressed; the others (``Supervision.at_once``) noted as
    digest lines. Returns the notices and how many lines were noted."""
    now, at_once, noted = work.now, [], 0
    for tell in tells:
        if supervision.at_once(tell):
            at_once.append(tell)
            continue
        if tell.what is Event.ESCALATED:  # the digest lists escalations from the trail
            continue
        recipient = ADMINS if tell.audience is Audience.ADMINS else tell.cadre_id
        if recipient is None or tell.request.hidden_from(recipient):
            continue
        note = tell.content.text if tell.content else (tell.reason or "")
        await book.note_for_digest(recipient, tell.request.id, tell.what.value, note, now)
        noted += 1
    return await notices.address(work, at_once), noted


async def watch(
    work: SweepWork,
    table: Deadlines,
    before: timedelta,
    supervision: Supervision = DEFAULT,
    *,
    batch: int = ESCALATE_PER_TICK,
) -> Watched:
    """Past a due time (or reopened twice): the handler urged and the supervisor told,
    once per fact, the request left where it is; past ``supervision.escalate_after`` as
    well, one tier up. Then remind handlers of the due times ``before`` ahead. Each
    reminder and urge is noted as it is owed, so it is never owed twice."""
    store, now = work.deadlines, work.now
    tells: list[Tell] = []
    escalated = urged = 0
    if supervision.escalate_after is not None:
        after = supervision.escalate_after
        for request_id in await store.to_escalate(now, now - after, REOPENS, batch):
            request = await store.get(request_id)
            if request is None:
                continue
            reopen = Missed(Due.REOPENED, reopens=request.reopened)
            why = deadlines.escalation_due(
                request, now, after, await store.urged_at(request.id, reopen)
            )
            if why is not None:
                escalated += 1
                done = await deadlines.escalate_overdue(store, now, request, why, table)
                tells += done.tells
    for request_id in await store.unurged(now, REOPENS, batch):
        request = await store.get(request_id)
        for fact in deadlines.missed(request, now) if request else ():
            if request and await store.mark_urged(request.id, fact, now):
                urged += 1
                tells += (await deadlines.urge(store, now, request, fact)).tells
    told, digested = await deliver(work, store, supervision, tells)
    owed, reminded = await _reminders(work, before)
    return Watched(tuple(told), owed, escalated, reminded, urged, digested)


async def _reminders(work: SweepWork, before: timedelta) -> tuple[tuple[DueSoon, ...], int]:
    store, now = work.deadlines, work.now
    owed: list[DueSoon] = []
    reminded = 0
    for request_id in await store.near_due(now, now + before, REMIND_PER_TICK):
        for reminder in await deadlines.remind(store, now, request_id, before):
            reminded += 1
            due = await _due_soon(work, reminder)
            if due is not None:
                owed.append(due)
    return tuple(owed), reminded


async def _due_soon(work: SweepWork, reminder: Reminder) -> DueSoon | None:
    request = reminder.request
    chat = await work.directory.cadre_account(request.handler_id)
    if chat is None:  # no one to remind; the escalation will come instead
        return None
    household = await work.directory.household(request.household_id)
    return DueSoon(reminder, chat, household.head_name)


async def close_unconfirmed(
    work: SweepWork, confirm_within: timedelta, remind_before: timedelta = DAY
) -> Closed:
    """销号 by timeout: resolved requests the villager has not answered within
    ``confirm_within`` close, marked so; those that close within ``remind_before``
    (``deadlines.close_reminder_lead``) are reminded of once per resolution."""
    store, now = work.deadlines, work.now
    due = await store.resolved_before(now - confirm_within, CLOSE_PER_TICK)
    told: list[Notice] = []
    for request_id in due:
        done = await requests.close_by_timeout(store, now, request_id)
        told += await notices.address(work, done.tells)
    return Closed(len(due), tuple(told), await _closing_soon(work, confirm_within, remind_before))


async def _closing_soon(
    work: SweepWork, within: timedelta, before: timedelta
) -> tuple[ClosingSoon, ...]:
    store, now = work.deadlines, work.now
    lead = deadlines.close_reminder_lead(within, before)
    owed: list[ClosingSoon] = []
    for request_id, resolved_at in await store.closing_soon(
        now - within + lead, now - within, REMIND_PER_TICK
    ):
        request = await store.get(request_id)
        if request is None or not await store.mark_close_reminded(request_id, resolved_at, now):
            continue
        members = tuple(await work.directory.member_users(request.household_id))
        handler = await named(work.people, request.handler_id)
        owed.append(ClosingSoon(request, resolved_at + within, members, handler))
    return tuple(owed)
