"""Relaying a villager's waiting follow-ups to the request's handler (the rules are
``bot.domain.joining``'s).

Each follow-up waits as a row until a relay takes it; the rows a relay takes are deleted
in the unit of work that queues the relay, so a restart neither loses nor repeats one.
A relay is returned as data (the request, the handler's account, the follow-ups taken,
and what the view names); the handler renders it. Used at once when a villager adds a
message (``bot.services.filing``) and by the sweep every second (``relay_waiting``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from bot.domain import joining
from bot.domain.joining import Join
from bot.domain.requests import Request
from bot.domain.roster import Cadre, HouseholdDetails
from bot.services import notices
from bot.services.moment import Moment

REQUESTS_PER_SWEEP = 200


class RelayJoins(Protocol):
    async def requests_waiting(self, limit: int) -> list[int]: ...
    async def waiting(self, request_id: int, limit: int) -> list[Join]: ...
    async def relayed(self, request_id: int, up_to: int) -> None: ...
    async def lane_backlog(self, lane: int) -> int: ...


class RelayRequests(notices.CardTrails, Protocol):
    async def get(self, request_id: int) -> Request | None: ...


class RelayDirectory(Protocol):
    async def cadre_account(self, cadre_id: str) -> int | None: ...
    async def household(self, household_id: str) -> HouseholdDetails: ...


class RelayCadres(Protocol):
    async def cadre(self, cadre_id: str) -> Cadre: ...


class RelayWork(Moment, Protocol):
    @property
    def joins(self) -> RelayJoins: ...
    @property
    def requests(self) -> RelayRequests: ...
    @property
    def directory(self) -> RelayDirectory: ...
    @property
    def people(self) -> RelayCadres: ...


@dataclass(frozen=True)
class Relay:
    """Follow-ups leaving for the handler's chat (``lane``) in one relay."""

    request: Request
    lane: int  # the handler's account
    handler: Cadre | None  # None: no longer in the roster (named by id)
    household: HouseholdDetails
    taken: tuple[Join, ...]  # in order, at least one
    card: notices.CaseCard | None = None  # the handler's case card, re-rendered in place

    @property
    def writers(self) -> list[int]:
        """The members whose words these are (told if the relay never arrives)."""
        return sorted({found.user_id for found in self.taken})


async def relay(work: RelayWork, request_id: int, busy: Collection[int] = ()) -> Relay | None:
    """The relay of the request's waiting follow-ups, if its handler's chat has room (a
    chat in ``busy`` has a relay queued in this unit already); the rows it takes are
    deleted. None: nothing waits, or no room yet. Follow-ups to a handler without an
    account are dropped from the queue: the trail keeps the words, no relay is owed."""
    waiting = await work.joins.waiting(request_id, joining.TAKE)
    if not waiting:
        return None
    request = await work.requests.get(request_id)
    lane = None if request is None else await work.directory.cadre_account(request.handler_id)
    if request is None or lane is None:
        await work.joins.relayed(request_id, waiting[-1].id)
        return None
    backlog = await work.joins.lane_backlog(lane) + (1 if lane in busy else 0)
    if not joining.room(backlog):
        return None
    taken = joining.batch(waiting)
    await work.joins.relayed(request_id, taken[-1].id)
    household = await work.directory.household(request.household_id)
    handler = await named(work.people, request.handler_id)
    card = await notices.case_card(work.requests, request, household)
    return Relay(request, lane, handler, household, tuple(taken), card)


async def relay_waiting(work: RelayWork, limit: int = REQUESTS_PER_SWEEP) -> list[Relay]:
    """The sweep: relay what each request's handler has room for, the longest waiting
    first; one relay per handler's chat per sweep (the next waits for the chat)."""
    relays: list[Relay] = []
    for request_id in await work.joins.requests_waiting(limit):
        found = await relay(work, request_id, busy={r.lane for r in relays})
        if found is not None:
            relays.append(found)
    return relays


async def named(people: RelayCadres, cadre_id: str) -> Cadre | None:
    """The cadre to name, or None if no longer in the roster (the views show the id)."""
    try:
        return await people.cadre(cadre_id)
    except LookupError:
        return None
