"""Requests from 挂号 to 销号: filing, the handler's actions, the villager's confirmation.

Setup check rights and state, write the change and its trail event through a
``RequestStore``, and return what happened with who must be told (``Tell``); the edge
renders those into messages. They raise ``NotAllowed`` or ``InvalidTransition`` before
writing anything, so a refused press changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.domain.lifecycle import (
    RESPONSES,
    Category,
    Event,
    Outcome,
    Resolution,
    Status,
    next_status,
)
from bot.domain.roster import Rank
from bot.domain.routing import Candidate, Route, Why, excluding, route


@dataclass(frozen=True)
class Content:
    """What a person sent: any of text, one media file (by Telegram file id), a place."""

    text: str = ""
    media: str | None = None  # photo, voice, audio, video, video_note, document
    file_id: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    contact: str | None = None  # a shared contact's name and phone


@dataclass(frozen=True)
class Request:
    id: int
    number: str
    household_id: str
    category: Category
    urgent: bool
    about_cadre: bool
    status: Status
    handler_id: str
    tier: int
    filed_at: datetime
    respond_by: datetime
    resolve_by: datetime
    first_response_at: datetime | None = None
    resolution: Resolution | None = None
    outcome: Outcome | None = None
    reopened: int = 0
    due_from: datetime | None = None  # when the current due times were set; None: filing
    extended_at: datetime | None = None  # the handler's one later resolution date, when
    stalled_at: datetime | None = None  # past due with no one above: supervisors told then
    reopen_escalated: int = 0  # how many of the reopens an escalation has answered
    accused_id: str | None = None  # a confidential complaint: the cadre it is about
    leader_id: str | None = None  # 包案: the leader who took the case personally

    @property
    def due_since(self) -> datetime:
        return self.due_from or self.filed_at

    @property
    def confidential(self) -> bool:
        return self.accused_id is not None

    def hidden_from(self, cadre_id: str | None) -> bool:
        """A confidential complaint is never shown to, told to, or handled by the cadre
        it is about (every read path asks this, or its SQL twin ``accused_id IS NOT``)."""
        return cadre_id is not None and cadre_id == self.accused_id


@dataclass(frozen=True)
class Deadlines:
    """How long a handler has: to respond (``acknowledge``), and to resolve, by category
    (``by_category``, else ``resolve``), or ``urgent`` for an urgent matter."""

    acknowledge: timedelta
    resolve: timedelta
    urgent: timedelta
    by_category: Mapping[Category, timedelta] = field(default_factory=dict)

    def resolve_within(self, category: Category, urgent: bool) -> timedelta:
        return self.urgent if urgent else self.by_category.get(category, self.resolve)

    def due_times(
        self, start: datetime, category: Category, urgent: bool
    ) -> tuple[datetime, datetime]:
        """(respond by, resolve by) for due times starting at ``start``; the response is
        never due after the resolution."""
        resolve_in = self.resolve_within(category, urgent)
        return start + min(self.acknowledge, resolve_in), start + resolve_in


class Audience(StrEnum):
    HOUSEHOLD = "household"  # every bound member of the request's household
    HANDLER = "handler"  # the current handler's account
    CADRE = "cadre"  # a named cadre (a previous handler, the one handed over from)
    SUPERVISOR = "supervisor"  # a named cadre supervising the household's jurisdiction
    ADMINS = "admins"


@dataclass(frozen=True)
class Tell:
    audience: Audience
    what: Event
    request: Request
    content: Content | None = None
    cadre_id: str | None = None  # for CADRE; else whose action it was
    route: Route | None = None
    not_user: int | None = None  # for HOUSEHOLD: the member who acted, answered apart
    reason: str | None = None  # why the system acted: the due time missed ("respond", …)


@dataclass(frozen=True)
class Done:
    request: Request
    tells: Sequence[Tell] = field(default_factory=tuple)


@dataclass(frozen=True)
class TrailLine:
    """One event of a request's trail, with the names to show for it."""

    at: datetime
    kind: str
    actor: str  # 'villager:<user id>', 'cadre:<id>', 'system'
    actor_name: str  # the cadre's or the villager's name; "" for the system
    handler_id: str | None  # the handler after this event
    handler_name: str
    detail: dict[str, object]


@dataclass(frozen=True)
class MyRequest:
    """One of a villager's requests as /my shows it: with its handler's name and rank and
    the household head's name."""

    request: Request
    handler_name: str
    handler_rank: Rank
    head_name: str


@dataclass(frozen=True)
class InboxLine:
    request_id: int
    number: str
    household_id: str
    head_name: str
    category: str
    urgent: bool
    status: str
    due: datetime
    handler_id: str = ""
    village: str = ""
    text: str = ""  # the words filed (a snippet of them is shown)
    media: str | None = None  # what was filed without words: "voice", "photo" …


class InboxFilter(StrEnum):
    """/inbox's filters: every case in the cadre's reach, past due, urgent, handled by
    them, or waiting for the villager to confirm."""

    ALL = "all"
    OVERDUE = "overdue"
    URGENT = "urgent"
    MINE = "mine"
    WAITING = "waiting"


class NotAllowed(Exception):
    """The person may not do this to this request (not theirs, or not their turn)."""


class RequestStore(Protocol):
    async def next_number(self, year: int) -> int: ...
    async def insert(
        self, request: Request, filed_by_user: int | None, by_cadre: str | None
    ) -> int: ...
    async def get(self, request_id: int) -> Request | None: ...
    async def record(
        self, request: Request, at: datetime, event: Event, actor: str, detail: dict[str, object]
    ) -> None:
        """Write the request's new state and its trail event, together (the one way in)."""

    async def chain(self, household_id: str) -> list[Candidate]: ...
    async def supervisors_above(self, household_id: str) -> list[Candidate]: ...
    async def supervisors_over(self, cadre_id: str) -> list[Candidate]:
        """Supervisors of the cadre's own region and the regions above it, nearest first."""

    async def previous_handlers(self, request_id: int) -> set[str]: ...
    async def is_member(self, user_id: int, household_id: str) -> bool: ...
    async def linked(self, cadre_id: str, household_id: str) -> bool: ...


def number_of(year: int, sequence: int) -> str:
    return f"LX-{year}-{sequence:06d}"


def _content_detail(content: Content | None, note: str = "") -> dict[str, object]:
    detail: dict[str, object] = {k: v for k, v in vars(content).items() if v} if content else {}
    if note:
        detail["note"] = note
    return detail


async def insert_filed(
    store: RequestStore,
    now: datetime,
    deadlines: Deadlines,
    content: Content,
    *,
    household_id: str,
    handler: Route,
    actor: str,
    by_user: int | None,
    by_cadre: str | None = None,
    category: Category = Category.OTHER,
    urgent: bool = False,
    about_cadre: bool = False,
    accused_id: str | None = None,
) -> Request:
    """A new request numbered, due from ``now``, held by the routed ``handler``, written
    with its FILED event (every way of filing goes through here)."""
    respond_by, resolve_by = deadlines.due_times(now, category, urgent)
    request = Request(
        id=0,
        number=number_of(now.year, await store.next_number(now.year)),
        household_id=household_id,
        category=category,
        urgent=urgent,
        about_cadre=about_cadre,
        status=Status.OPEN,
        handler_id=handler.cadre_id,
        tier=handler.tier,
        filed_at=now,
        respond_by=respond_by,
        resolve_by=resolve_by,
        due_from=now,
        accused_id=accused_id,
    )
    request = replace(request, id=await store.insert(request, by_user, by_cadre))
    await store.record(request, now, Event.FILED, actor, _content_detail(content))
    return request


async def file(
    store: RequestStore,
    now: datetime,
    household_id: str,
    content: Content,
    deadlines: Deadlines,
    *,
    by_user: int | None = None,
    by_cadre: str | None = None,
    category: Category = Category.OTHER,
    urgent: bool = False,
    about_cadre: bool = False,
) -> Done:
    """挂号: number the request, route it, and tell the handler and the household."""
    chosen = route(
        await store.chain(household_id),
        await store.supervisors_above(household_id),
        now,
        about_cadre=about_cadre,
    )
    actor = f"cadre:{by_cadre}" if by_cadre else f"villager:{by_user}"
    request = await insert_filed(
        store,
        now,
        deadlines,
        content,
        household_id=household_id,
        handler=chosen,
        actor=actor,
        by_user=by_user,
        by_cadre=by_cadre,
        category=category,
        urgent=urgent,
        about_cadre=about_cadre,
    )
    detail: dict[str, object] = {"why": chosen.why.value, "tier": chosen.tier}
    if chosen.instead_of:
        detail["instead_of"] = chosen.instead_of
    await store.record(request, now, Event.ROUTED, "system", detail)
    tells = [
        Tell(Audience.HANDLER, Event.FILED, request, content, route=chosen),
        Tell(Audience.HOUSEHOLD, Event.ROUTED, request, route=chosen),
    ]
    if chosen.why is Why.UNREACHABLE:
        tells.append(Tell(Audience.ADMINS, Event.ROUTED, request, route=chosen))
    return Done(request, tells)


async def _load(store: RequestStore, request_id: int) -> Request:
    request = await store.get(request_id)
    if request is None:
        raise NotAllowed(f"no request {request_id}")
    return request


async def villager_says(
    store: RequestStore, now: datetime, request_id: int, user_id: int, content: Content
) -> Done:
    """The villager's further message joins the request and goes to its handler."""
    request = await _load(store, request_id)
    if not await store.is_member(user_id, request.household_id):
        raise NotAllowed("not a member of this household")
    next_status(request.status, Event.MESSAGE)
    await store.record(
        request, now, Event.MESSAGE, f"villager:{user_id}", _content_detail(content)
    )
    return Done(request, [Tell(Audience.HANDLER, Event.MESSAGE, request, content)])


async def may_act(store: RequestStore, request_id: int, cadre_id: str, event: Event) -> Request:
    """The request, if ``cadre_id`` may do ``event`` to it now; raises NotAllowed or
    InvalidTransition otherwise. Asked before a cadre starts writing a reply, so a stale
    button is refused at the press, not after the cadre has typed."""
    request = await _load(store, request_id)
    if request.hidden_from(cadre_id):
        raise NotAllowed("a confidential complaint about this cadre")
    if cadre_id != request.handler_id and not (
        event is Event.REPLIED and cadre_id in await store.previous_handlers(request.id)
    ):
        raise NotAllowed("not the handler of this request")
    next_status(request.status, event)
    return request


async def act(
    store: RequestStore,
    now: datetime,
    request_id: int,
    cadre_id: str,
    event: Event,
    content: Content | None = None,
) -> Done:
    """The handler acknowledges, replies, resolves or explains. A previous handler may
    still reply (escalation keeps them in the conversation); nothing else."""
    request = await may_act(store, request_id, cadre_id, event)
    status = next_status(request.status, event)
    changed = replace(request, status=status)
    if event in RESPONSES and request.first_response_at is None:
        changed = replace(changed, first_response_at=now)
    if event in (Event.RESOLVED, Event.EXPLAINED):
        kind = Resolution.EXPLAINED if event is Event.EXPLAINED else Resolution.RESOLVED
        changed = replace(changed, resolution=kind)
    await store.record(changed, now, event, f"cadre:{cadre_id}", _content_detail(content))
    return Done(changed, [Tell(Audience.HOUSEHOLD, event, changed, content, cadre_id=cadre_id)])


async def confirm(
    store: RequestStore, now: datetime, request_id: int, user_id: int, rating: Outcome | None
) -> Done:
    """销号 by the villager: satisfied or partly closes; ``None`` (not solved) reopens to
    the same handler."""
    request = await _load(store, request_id)
    if not await store.is_member(user_id, request.household_id):
        raise NotAllowed("not a member of this household")
    actor = f"villager:{user_id}"
    if rating is None:
        changed = replace(
            request,
            status=next_status(request.status, Event.REOPENED),
            resolution=None,
            reopened=request.reopened + 1,
            stalled_at=None,  # a new round: past due again, the supervisors hear again
        )
        await store.record(changed, now, Event.REOPENED, actor, {})
        others = Tell(Audience.HOUSEHOLD, Event.REOPENED, changed, not_user=user_id)
        return Done(changed, [Tell(Audience.HANDLER, Event.REOPENED, changed), others])
    changed = replace(request, status=next_status(request.status, Event.CONFIRMED), outcome=rating)
    await store.record(changed, now, Event.CONFIRMED, actor, {"rating": rating.value})
    others = Tell(Audience.HOUSEHOLD, Event.CONFIRMED, changed, not_user=user_id)
    return Done(changed, [Tell(Audience.HANDLER, Event.CONFIRMED, changed), others])


async def withdraw(store: RequestStore, now: datetime, request_id: int, user_id: int) -> Done:
    """撤回: a member of the household takes the request back while it is being worked on
    (not once it is resolved or closed); it closes as withdrawn, the handler and the
    other members are told."""
    request = await _load(store, request_id)
    if not await store.is_member(user_id, request.household_id):
        raise NotAllowed("not a member of this household")
    changed = replace(
        request,
        status=next_status(request.status, Event.WITHDRAWN),
        outcome=Outcome.WITHDRAWN,
    )
    await store.record(changed, now, Event.WITHDRAWN, f"villager:{user_id}", {})
    others = Tell(Audience.HOUSEHOLD, Event.WITHDRAWN, changed, not_user=user_id)
    return Done(changed, [Tell(Audience.HANDLER, Event.WITHDRAWN, changed), others])


async def close_by_timeout(store: RequestStore, now: datetime, request_id: int) -> Done:
    """The villager did not answer in time: closed, marked so, never counted satisfied."""
    request = await _load(store, request_id)
    changed = replace(
        request,
        status=next_status(request.status, Event.CLOSED_BY_TIMEOUT),
        outcome=Outcome.TIMEOUT,
    )
    await store.record(changed, now, Event.CLOSED_BY_TIMEOUT, "system", {})
    return Done(
        changed,
        [
            Tell(Audience.HOUSEHOLD, Event.CLOSED_BY_TIMEOUT, changed),
            Tell(Audience.HANDLER, Event.CLOSED_BY_TIMEOUT, changed),
        ],
    )


async def hand_over(
    store: RequestStore, now: datetime, request_id: int, cadre_id: str, to_cadre: str
) -> Done:
    """The handler passes the request to another cadre linked to the household."""
    request = await _load(store, request_id)
    if cadre_id != request.handler_id:
        raise NotAllowed("not the handler of this request")
    if to_cadre == cadre_id or not await store.linked(to_cadre, request.household_id):
        raise NotAllowed("that cadre is not linked to this household")
    if request.hidden_from(to_cadre):
        raise NotAllowed("a confidential complaint never goes to the cadre it is about")
    next_status(request.status, Event.HANDED_OVER)
    tier = next(
        (c.tier for c in await store.chain(request.household_id) if c.cadre_id == to_cadre),
        request.tier,
    )
    changed = replace(request, handler_id=to_cadre, tier=tier)
    await store.record(changed, now, Event.HANDED_OVER, f"cadre:{cadre_id}", {"from": cadre_id})
    return Done(
        changed,
        [
            Tell(Audience.HANDLER, Event.HANDED_OVER, changed, cadre_id=cadre_id),
            Tell(Audience.HOUSEHOLD, Event.HANDED_OVER, changed, cadre_id=cadre_id),
        ],
    )


async def escalate(
    store: RequestStore,
    now: datetime,
    request_id: int,
    actor: str,
    *,
    by_cadre: str | None = None,
    deadlines: Deadlines | None = None,
    reason: str | None = None,
) -> Done:
    """One tier up the household's chain (by the handler, or by the deadline sweep).
    With ``deadlines`` the new tier gets its own due times, counted from now; ``reason``
    (the due time missed) goes into the trail and the tells."""
    request = await _load(store, request_id)
    if by_cadre is not None and by_cadre != request.handler_id:
        raise NotAllowed("not the handler of this request")
    next_status(request.status, Event.ESCALATED)
    # Past the chain, the supervisors over the current handler's own region: a county
    # leader's request goes to the county office, not back down to a township.
    supervisors = [
        c
        for c in excluding(await store.supervisors_over(request.handler_id), request.accused_id)
        if c.cadre_id != request.handler_id
    ]
    chain = excluding(await store.chain(request.household_id), request.accused_id)
    try:
        chosen = route(chain, supervisors, now, above_tier=request.tier)
    except LookupError:
        raise NotAllowed("there is no one above the current handler") from None
    if chosen.cadre_id == request.handler_id:
        raise NotAllowed("there is no one above the current handler")
    # An escalation answers the villager's reopens so far (``bot.domain.deadlines``).
    changed = replace(
        request, handler_id=chosen.cadre_id, tier=chosen.tier, reopen_escalated=request.reopened
    )
    if deadlines is not None:
        respond_by, resolve_by = deadlines.due_times(now, request.category, request.urgent)
        changed = replace(
            changed, respond_by=respond_by, resolve_by=resolve_by, due_from=now, stalled_at=None
        )
    detail: dict[str, object] = {"from": request.handler_id, "why": chosen.why.value}
    if reason:
        detail["reason"] = reason
    await store.record(changed, now, Event.ESCALATED, actor, detail)
    was = request.handler_id
    tells = [
        Tell(Audience.HANDLER, Event.ESCALATED, changed, route=chosen, reason=reason),
        # The previous handler hears where it went, and may still reply.
        Tell(Audience.CADRE, Event.ESCALATED, changed, cadre_id=was, reason=reason),
        Tell(Audience.HOUSEHOLD, Event.ESCALATED, changed, route=chosen, reason=reason),
    ]
    if chosen.why is Why.UNREACHABLE:  # the new handler is not on Lianxin: a person must act
        tells.append(Tell(Audience.ADMINS, Event.ESCALATED, changed, route=chosen))
    return Done(changed, tells)
