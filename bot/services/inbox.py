"""/inbox: the requests a cadre holds, oldest due first, and a case opened (by its
number, or by a button) with everything the cadre needs to act on it.

/inbox is read a page at a time (``PAGE`` lines), under a filter (``InboxFilter``): every
case in the cadre's reach (handled by them, of a household linked to them, or in the
region they supervise: a supervisor's jurisdiction), past due, urgent, handled by them,
or waiting for the villager to confirm. A page past the end (the list got shorter since
the button was drawn) shows the last one.

A cadre may open a request they handle now, one of a household linked to them, or one
of a household in the region they supervise; anything else reads exactly as a number
that does not exist, so numbers cannot be probed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.requests import Content, InboxFilter, InboxLine, Request, TrailLine
from bot.domain.roster import HouseholdDetails
from bot.services import notices
from bot.services.casework import cadre_of
from bot.services.identity import Identity
from bot.services.moment import Moment

LIMIT = 50  # lines in one /inbox answer (it says when there may be more)
PAGE = 8  # lines in one page of /inbox
PAGES = 1000  # a page number past this one is not one a button was drawn with


class Cases(Protocol):
    async def open_for(self, cadre_id: str, limit: int) -> list[InboxLine]: ...
    async def may_see(self, cadre_id: str, request_id: int) -> bool: ...
    async def id_by_number(self, number: str) -> int | None: ...
    async def count(self, cadre_id: str, wanted: InboxFilter, now: datetime) -> int: ...
    async def page(
        self, cadre_id: str, wanted: InboxFilter, now: datetime, offset: int, limit: int
    ) -> list[InboxLine]: ...


class CaseFiles(notices.Trails, Protocol):
    async def get(self, request_id: int) -> Request | None: ...


class Households(Protocol):
    async def household(self, household_id: str) -> HouseholdDetails: ...


class Supervises(Protocol):
    async def supervises(self, cadre_id: str, household_id: str) -> bool: ...


class InboxWork(Moment, Protocol):
    @property
    def cases(self) -> Cases: ...
    @property
    def supervision(self) -> Supervises: ...
    @property
    def requests(self) -> CaseFiles: ...
    @property
    def directory(self) -> Households: ...


@dataclass(frozen=True)
class Inbox:
    lines: Sequence[InboxLine]
    more: bool  # the list stopped at LIMIT: there may be more


@dataclass(frozen=True)
class InboxPage:
    """One page of /inbox under a filter: its lines, which page of how many, and how many
    cases the filter finds in all."""

    wanted: InboxFilter
    page: int  # from 0
    pages: int  # at least 1
    count: int
    lines: tuple[InboxLine, ...]
    cadre_id: str  # whose inbox: a line of theirs is "mine"


class BadPage(ValueError):
    """A page number no button was drawn with (negative, or absurdly far)."""


@dataclass(frozen=True)
class OpenCase:
    """A request as its handler sees it when opened: the household, what was filed (the
    words and any file, place or contact), and every event so far."""

    request: Request
    household: HouseholdDetails
    content: Content | None
    trail: Sequence[TrailLine]
    supervising: bool = False  # opened by a supervisor who does not handle it: 督办 buttons


class NotFound(LookupError):
    """No such request, or none this cadre may see (the same answer)."""


async def inbox(work: InboxWork, who: Identity) -> Inbox:
    """The requests this cadre handles that wait for them (open, acknowledged, or resolved
    and waiting for the villager), oldest due first. Raises ``CadresOnly``."""
    cadre = cadre_of(who)
    lines = await work.cases.open_for(cadre.id, LIMIT)
    return Inbox(tuple(lines), more=len(lines) >= LIMIT)


async def page(
    work: InboxWork, who: Identity, wanted: InboxFilter = InboxFilter.ALL, number: int = 0
) -> InboxPage:
    """Page ``number`` (from 0) of the cases ``wanted`` finds for this cadre, soonest due
    first. Raises ``CadresOnly``, or ``BadPage`` for a page no button shows."""
    cadre = cadre_of(who)
    if not 0 <= number < PAGES:
        raise BadPage(number)
    count = await work.cases.count(cadre.id, wanted, work.now)
    pages = max(1, -(-count // PAGE))
    number = min(number, pages - 1)
    lines = await work.cases.page(cadre.id, wanted, work.now, number * PAGE, PAGE)
    return InboxPage(wanted, number, pages, count, tuple(lines), cadre.id)


async def open_number(work: InboxWork, who: Identity, number: str) -> OpenCase:
    """``/inbox LX-2026-000007``. Raises ``CadresOnly`` or ``NotFound``."""
    cadre_of(who)
    request_id = await work.cases.id_by_number(number)
    if request_id is None:
        raise NotFound(number)
    return await open_case(work, who, request_id)


async def open_case(work: InboxWork, who: Identity, request_id: int) -> OpenCase:
    """A case opened from /inbox's buttons. Raises ``CadresOnly`` or ``NotFound``."""
    cadre = cadre_of(who)
    request = None
    if await work.cases.may_see(cadre.id, request_id):
        request = await work.requests.get(request_id)
    if request is None:
        raise NotFound(request_id)
    supervising = request.handler_id != cadre.id and (
        who.supervises is not None
        and await work.supervision.supervises(cadre.id, request.household_id)
    )
    return OpenCase(
        request,
        await work.directory.household(request.household_id),
        await work.requests.filed_content(request.id),
        tuple(await work.requests.trail(request.id)),
        supervising,
    )
