"""Due times at work: reminders before them, 督办 past them, and the handler's one later
resolution date (限时解决, village, town and county supervising in turn).

Past a due time the request stays with its handler: the handler is urged and the
supervisor of the jurisdiction hears of it (``urge``, once per fact: ``missed``). It goes
one tier up only when a person decides (上报, 转上级办理) or, if configured, after a
second deadline (``escalation_due``, ``deadlines.escalate_after``).

A request is due twice: a first response (``respond_by``, while none was given) and a
solution (``resolve_by``). The sweep's use case (``bot.services.deadlines.watch``) asks
these about the requests the store finds near or past a due time; everything they change
goes through ``RequestStore.record`` like any other change, and reminders are rows too,
so a sweep run twice, or after a restart, repeats nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain import dates, requests
from bot.domain.lifecycle import Event, Status, next_status
from bot.domain.requests import (
    Audience,
    Content,
    Deadlines,
    Done,
    NotAllowed,
    Request,
    RequestStore,
    Tell,
)

_WORKING = (Status.OPEN, Status.ACKNOWLEDGED)
# A request the villager reopened twice is a fact the supervisor hears of (a digest line);
# it goes one tier up only by someone's decision or ``deadlines.escalate_after``.
REOPENS_TO_URGE = 2


class Due(StrEnum):
    RESPOND = "respond"  # the first response
    RESOLVE = "resolve"  # the solution
    REOPENED = "reopened"  # not a due time: reopened twice (a reason to urge)


@dataclass(frozen=True)
class Reminder:
    request: Request
    due: Due
    due_at: datetime

    @property
    def key(self) -> str:
        """The same reminder always has the same key (the outbox refuses a second one)."""
        return f"due:{self.request.id}:{self.due}:{self.due_at.isoformat()}"


@dataclass(frozen=True)
class Missed:
    """An overdue fact, urged once: a due time missed (``at``), or the villager's
    ``reopens``-th "not solved" with no escalation answering it."""

    due: Due
    at: datetime | None = None
    reopens: int = 0


class Delivery(StrEnum):
    """How supervisors (or administrators) hear of what the rules tell them."""

    DIGEST = "digest"  # one line in their next digest (urgent requests: at once too)
    INSTANT = "instant"  # a message each, at once


# What becomes a digest line rather than a message. An escalation is listed by the
# digest from the trail itself; a request no reachable cadre holds stays at once.
BATCHED = frozenset({Event.URGED_BY_SYSTEM, Event.OVERDUE, Event.EXTENDED, Event.ESCALATED})


@dataclass(frozen=True)
class Supervision:
    """督办 as configured: the second deadline (``deadlines.escalate_after``; None: work
    moves up only by a person's decision) and how supervisors and administrators hear
    (``[notices]``)."""

    escalate_after: timedelta | None = None
    supervisors: Delivery = Delivery.DIGEST
    admins: Delivery = Delivery.DIGEST

    def at_once(self, tell: Tell) -> bool:
        """Whether ``tell`` is a message now; else a line of the recipient's digest."""
        if tell.audience is Audience.SUPERVISOR:
            delivery = self.supervisors
        elif tell.audience is Audience.ADMINS and tell.route is None:
            delivery = self.admins
        else:
            return True
        if tell.what not in BATCHED:
            return True
        return tell.request.urgent or delivery is Delivery.INSTANT


class DeadlineStore(RequestStore, Protocol):
    async def mark_reminded(
        self, request_id: int, due: Due, due_at: datetime, at: datetime
    ) -> bool:
        """Note the reminder; False if it was already sent."""

    async def jurisdiction_supervisors(self, household_id: str) -> list[str]:
        """The cadres supervising the nearest region above the household that has any."""

    async def all_supervisors_above(self, household_id: str) -> list[str]:
        """Every cadre supervising a region above the household, nearest first."""


# --- pure rules ------------------------------------------------------------------------


def remind_at(due_at: datetime, since: datetime, before: timedelta) -> datetime:
    """When to remind of a due time set at ``since``: ``before`` it, or halfway to it
    when the whole time is shorter than twice ``before``."""
    return due_at - min(before, (due_at - since) / 2)


def close_reminder_lead(confirm_within: timedelta, before: timedelta) -> timedelta:
    """How long before 销号 by timeout the household is reminded to confirm: ``before``
    (a day), or halfway when ``confirm_within`` is shorter than twice that."""
    return min(before, confirm_within / 2)


def dues(request: Request) -> list[tuple[Due, datetime]]:
    """The due times still running: the response (while none was given) and the solution,
    for a request being worked on."""
    if request.status not in _WORKING:
        return []
    running = [(Due.RESOLVE, request.resolve_by)]
    if request.first_response_at is None:
        running.insert(0, (Due.RESPOND, request.respond_by))
    return running


def to_remind(request: Request, now: datetime, before: timedelta) -> list[tuple[Due, datetime]]:
    """The due times to remind of now: reached their reminder moment, not yet passed (a
    reminder that no longer matters is dropped; the escalation then comes instead)."""
    return [
        (due, at)
        for due, at in dues(request)
        if remind_at(at, request.due_since, before) <= now < at
    ]


def reopened_unanswered(request: Request) -> bool:
    """The villager said "not solved" twice (or more) and no escalation answered it."""
    return (
        request.status is Status.OPEN
        and request.reopened >= REOPENS_TO_URGE
        and request.reopen_escalated < request.reopened
    )


def missed(request: Request, now: datetime) -> list[Missed]:
    """The overdue facts of a request being worked on: each due time passed, and a second
    reopen nobody answered. Each is urged once (``Missed.due`` with its ``at`` or
    ``reopens`` names it); the request stays with its handler (督办, not moving it)."""
    if request.status not in _WORKING or request.stalled_at is not None:
        return []
    found = [Missed(due, at) for due, at in dues(request) if at <= now]
    if reopened_unanswered(request):
        found.append(Missed(Due.REOPENED, reopens=request.reopened))
    return found


def escalation_due(
    request: Request, now: datetime, after: timedelta | None, reopen_urged_at: datetime | None
) -> Due | None:
    """The second deadline: ``after`` past a missed due time (or past the urge of an
    unanswered second reopen) the request goes one tier up. None: not yet, or never
    (``after`` None: ``deadlines.escalate_after`` is off)."""
    if after is None or request.status not in _WORKING or request.stalled_at is not None:
        return None
    for due, at in dues(request):
        if at + after <= now:
            return due
    if (
        reopened_unanswered(request)
        and reopen_urged_at is not None
        and reopen_urged_at + after <= now
    ):
        return Due.REOPENED
    return None


class BadDate(ValueError):
    """Not a date written as YYYY-MM-DD (or, given ``now``, in any form of
    ``bot.domain.dates``)."""


def end_of_day(text: str, zone: ZoneInfo, now: datetime | None = None) -> datetime:
    """``2026-12-05`` as the last minute of that day, local time; given ``now``, also
    明天, 下周五, 12月5日 (the next one) … as ``bot.domain.dates`` reads them."""
    try:
        day = dates.day(text, now, zone) if now is not None else date.fromisoformat(text.strip())
    except ValueError:
        raise BadDate(text) from None
    return datetime.combine(day, time(23, 59), tzinfo=zone)


# --- services --------------------------------------------------------------------------


async def remind(
    store: DeadlineStore, now: datetime, request_id: int, before: timedelta
) -> list[Reminder]:
    """The reminders owed for the request now, each noted so it is never sent twice."""
    request = await store.get(request_id)
    if request is None:
        return []
    owed = []
    for due, at in to_remind(request, now, before):
        if await store.mark_reminded(request.id, due, at, now):
            owed.append(Reminder(request, due, at))
    return owed


async def escalate_overdue(
    store: DeadlineStore, now: datetime, request: Request, why: Due, deadlines: Deadlines
) -> Done:
    """The second deadline passed (``escalation_due``): one tier up, with due times of
    its own, and the supervisor of the jurisdiction told. At the top, the supervisors
    above and the admins are told once and the request is marked stalled."""
    try:
        done = await requests.escalate(
            store, now, request.id, "system", deadlines=deadlines, reason=why.value
        )
    except NotAllowed:
        return await _stalled(store, now, request, why)
    changed = done.request
    told = {changed.handler_id, request.handler_id}
    supervisors = [
        Tell(Audience.SUPERVISOR, Event.ESCALATED, changed, cadre_id=s, reason=why.value)
        for s in await store.jurisdiction_supervisors(changed.household_id)
        if s not in told
    ]
    return Done(changed, [*done.tells, *supervisors])


async def urge(store: DeadlineStore, now: datetime, request: Request, fact: Missed) -> Done:
    """督办 by the system: the fact goes into the trail (``urged_by_system``); the handler
    is urged at once (a due time missed: a reopen they heard of already) and the
    supervisors of the jurisdiction are told. The request stays where it is."""
    next_status(request.status, Event.URGED_BY_SYSTEM)
    detail: dict[str, object] = {"reason": fact.due.value}
    if fact.at is not None:
        detail["since"] = fact.at.isoformat()
    else:
        detail["reopens"] = fact.reopens
    await store.record(request, now, Event.URGED_BY_SYSTEM, "system", detail)
    tells: list[Tell] = []
    if fact.due is not Due.REOPENED:
        tells.append(Tell(Audience.HANDLER, Event.URGED_BY_SYSTEM, request, reason=fact.due.value))
    tells += [
        Tell(
            Audience.SUPERVISOR, Event.URGED_BY_SYSTEM, request, cadre_id=s, reason=fact.due.value
        )
        for s in await store.jurisdiction_supervisors(request.household_id)
        if s != request.handler_id and not request.hidden_from(s)
    ]
    return Done(request, tells)


async def _stalled(store: DeadlineStore, now: datetime, request: Request, why: Due) -> Done:
    next_status(request.status, Event.OVERDUE)
    changed = replace(request, stalled_at=now, reopen_escalated=request.reopened)
    await store.record(changed, now, Event.OVERDUE, "system", {"reason": why.value})
    tells = [Tell(Audience.HANDLER, Event.OVERDUE, changed, reason=why.value)]
    tells += [
        Tell(Audience.SUPERVISOR, Event.OVERDUE, changed, cadre_id=s, reason=why.value)
        for s in await store.all_supervisors_above(changed.household_id)
        if s != changed.handler_id
    ]
    tells.append(Tell(Audience.ADMINS, Event.OVERDUE, changed, reason=why.value))
    return Done(changed, tells)


class ExtendRefused(Exception):
    """The later date cannot be set; ``why`` names the reason for the answer, ``latest``
    the latest date allowed (for ``too_far``)."""

    def __init__(
        self, why: str, request: Request | None = None, latest: datetime | None = None
    ) -> None:
        super().__init__(why)
        self.why = why
        self.request = request
        self.latest = latest


@dataclass(frozen=True)
class ExtendLimits:
    """How far past the current solution time one extension may go: a date years ahead
    would switch escalation off, and an urgent matter must stay urgent."""

    normal: timedelta
    urgent: timedelta

    def latest(self, request: Request) -> datetime:
        return request.resolve_by + (self.urgent if request.urgent else self.normal)


async def extend(
    store: DeadlineStore,
    now: datetime,
    request_id: int,
    cadre_id: str,
    until: datetime,
    reason: str,
    limits: ExtendLimits,
) -> Done:
    """The handler sets a later resolution date, once, within ``limits``, with a reason
    the villager sees; the supervisor of the jurisdiction is told."""
    request = await store.get(request_id)
    if request is None:
        raise ExtendRefused("not_found")
    if cadre_id != request.handler_id:
        raise ExtendRefused("not_handler", request)
    if request.status not in _WORKING:
        raise ExtendRefused("not_open", request)
    if request.extended_at is not None:
        raise ExtendRefused("already", request)
    if until <= request.resolve_by or until <= now:
        raise ExtendRefused("not_later", request)
    latest = limits.latest(request)
    if until > latest:
        raise ExtendRefused("too_far_urgent" if request.urgent else "too_far", request, latest)
    if not reason.strip():
        raise ExtendRefused("no_reason", request)
    changed = replace(request, resolve_by=until, extended_at=now, stalled_at=None)
    detail: dict[str, object] = {"from": request.resolve_by.isoformat(), "to": until.isoformat()}
    detail["note"] = reason.strip()
    await store.record(changed, now, Event.EXTENDED, f"cadre:{cadre_id}", detail)
    told = Content(text=reason.strip())
    supervisors = [
        Tell(Audience.SUPERVISOR, Event.EXTENDED, changed, told, cadre_id=s)
        for s in await store.jurisdiction_supervisors(changed.household_id)
        if s != cadre_id
    ]
    return Done(
        changed,
        [Tell(Audience.HOUSEHOLD, Event.EXTENDED, changed, told, cadre_id), *supervisors],
    )
