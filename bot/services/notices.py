"""Who hears what the request rules say must be told (``Tell``), and what they must see.

Every use case that changes a request gets tells back from the domain: for the household,
the handler, a named cadre, a supervisor or the administrators. ``address`` turns them
into notices: the accounts to message and every fact the views need to render them
(the household's details, the cadres they name, the case's trail for a cadre who takes
it over), so the views look nothing up. It also remembers, for each household member who
receives the cadre's words, that their next message continues that request.

A cadre without an account cannot be told; routing marks that case ``Why.UNREACHABLE``
and the rules add an ADMINS tell, so someone always hears of the request; a villager's
further words to such a handler become a ``lost`` notice for the administrators.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.domain.lifecycle import Event
from bot.domain.requests import Audience, Content, Request, Tell, TrailLine
from bot.domain.roster import Cadre, HouseholdDetails
from bot.domain.talking import Conversation, Purpose
from bot.services.moment import Moment

# A villager's words for the handler: if the handler has no account, the admins hear.
VILLAGER_WORDS = frozenset({Event.MESSAGE, Event.REOPENED})
# Tells that carry what the villagers said: if the handler never gets them, they hear it.
VILLAGERS_WORDS = frozenset(
    {Event.FILED, Event.ROUTED, Event.MESSAGE, Event.HANDED_OVER, Event.ESCALATED, Event.ASSIGNED}
)
# Tells that carry the cadre's words: if a phone never gets them, the cadre hears it.
CADRES_WORDS = frozenset({Event.REPLIED, Event.RESOLVED, Event.EXPLAINED, Event.EXTENDED})
# Tells after which the members' next message continues the request.
TALKING = frozenset({Event.REPLIED, Event.RESOLVED, Event.EXPLAINED})
# Tells that hand the handler the whole case (the filed words and the trail).
MOVED = frozenset({Event.HANDED_OVER, Event.ESCALATED, Event.REASSIGNED, Event.ASSIGNED})


class Directory(Protocol):
    async def member_users(self, household_id: str) -> list[int]: ...
    async def cadre_account(self, cadre_id: str) -> int | None: ...
    async def household(self, household_id: str) -> HouseholdDetails: ...


class Cadres(Protocol):
    async def cadre(self, cadre_id: str) -> Cadre: ...


class Trails(Protocol):
    async def trail(self, request_id: int) -> list[TrailLine]: ...
    async def filed_content(self, request_id: int) -> Content | None: ...


class Talks(Protocol):
    async def get(self, user_id: int) -> Conversation | None: ...
    async def set(
        self, user_id: int, request_id: int, purpose: Purpose, now: datetime
    ) -> None: ...
    async def clear(self, user_id: int) -> None: ...


class NoticeWork(Moment, Protocol):
    @property
    def directory(self) -> Directory: ...
    @property
    def people(self) -> Cadres: ...
    @property
    def requests(self) -> Trails: ...
    @property
    def conversations(self) -> Talks: ...


class CardTrails(Protocol):
    async def trail(self, request_id: int) -> list[TrailLine]: ...
    async def filed_content(self, request_id: int) -> Content | None: ...


@dataclass(frozen=True)
class CaseCard:
    """What a cadre's case card shows, kept up to date in place as the case moves: the
    request now, the household, the words filed, and the last thing that happened."""

    request: Request
    household: HouseholdDetails
    content: Content | None
    last: TrailLine | None
    handler_name: str  # the handler now ("" when unknown)


async def case_card(trails: CardTrails, request: Request, household: HouseholdDetails) -> CaseCard:
    """The card of ``request`` as it is now (its trail read once)."""
    trail = await trails.trail(request.id)
    last = trail[-1] if trail else None
    handler = next((t.handler_name for t in reversed(trail) if t.handler_name), "")
    return CaseCard(request, household, await trails.filed_content(request.id), last, handler)


@dataclass(frozen=True)
class Notice:
    """One tell, addressed: ``to`` are the accounts to message (for ADMINS tells and
    ``lost`` ones, the administrators: the view knows them)."""

    tell: Tell
    to: tuple[int, ...]
    household: HouseholdDetails
    cadres: Mapping[str, Cadre]  # every cadre the view may name, by id
    members: tuple[int, ...] = ()  # told if the handler never gets the villagers' words
    cadre_account: int | None = None  # told if a phone never gets this cadre's words
    previous: str | None = None  # the handler before a move
    first: Content | None = None  # what was filed, for a cadre who takes the case
    trail: tuple[TrailLine, ...] = ()
    lost: bool = False  # villagers' words for a handler without an account
    reply_to: tuple[int, int] | None = None  # (user, message id) to quote in that chat
    # The quoted member's copy names the household (their phone speaks for several).
    name_household: bool = False
    card: CaseCard | None = None  # the case card, re-rendered in place in a cadre's chat

    @property
    def request(self) -> Request:
        return self.tell.request

    def cadre(self, cadre_id: str | None) -> Cadre | None:
        return self.cadres.get(cadre_id) if cadre_id else None

    @property
    def handler(self) -> Cadre | None:
        return self.cadre(self.request.handler_id)


@dataclass
class _Lookups:
    """What one ``address`` call has looked up, so a batch of tells asks once each."""

    work: NoticeWork
    households: dict[str, HouseholdDetails] = field(default_factory=dict)
    cadres: dict[str, Cadre] = field(default_factory=dict)
    members: dict[str, tuple[int, ...]] = field(default_factory=dict)

    async def household(self, household_id: str) -> HouseholdDetails:
        if household_id not in self.households:
            self.households[household_id] = await self.work.directory.household(household_id)
        return self.households[household_id]

    async def member_users(self, household_id: str) -> tuple[int, ...]:
        if household_id not in self.members:
            found = await self.work.directory.member_users(household_id)
            self.members[household_id] = tuple(found)
        return self.members[household_id]

    async def named(self, ids: Iterable[str | None]) -> dict[str, Cadre]:
        """The cadres by id; an id no longer in the roster is left out (shown as is)."""
        for cadre_id in ids:
            if cadre_id and cadre_id not in self.cadres:
                try:
                    self.cadres[cadre_id] = await self.work.people.cadre(cadre_id)
                except LookupError:
                    continue
        return {i: self.cadres[i] for i in ids if i and i in self.cadres}


async def address(
    work: NoticeWork, tells: Sequence[Tell], *, reply_to: tuple[int, int] | None = None
) -> list[Notice]:
    """The notices for ``tells``, in order. ``reply_to`` (user, message id) quotes the
    message that filed the request in that member's chat."""
    looked = _Lookups(work)
    notices: list[Notice] = []
    for tell in tells:
        notice = await _address(looked, tell, reply_to)
        if notice is not None:
            notices.append(notice)
    return notices


async def _address(
    looked: _Lookups, tell: Tell, reply_to: tuple[int, int] | None
) -> Notice | None:
    request = tell.request
    household = await looked.household(request.household_id)
    instead_of = tell.route.instead_of if tell.route is not None else None
    match tell.audience:
        case Audience.HOUSEHOLD:
            return await _to_household(looked, tell, household, instead_of, reply_to)
        case Audience.HANDLER | Audience.CADRE | Audience.SUPERVISOR:
            return await _to_cadre(looked, tell, household, instead_of)
        case Audience.ADMINS:
            cadres = await looked.named([request.handler_id])
            return Notice(tell, (), household, cadres)
    return None


async def _to_household(
    looked: _Lookups,
    tell: Tell,
    household: HouseholdDetails,
    instead_of: str | None,
    reply_to: tuple[int, int] | None,
) -> Notice | None:
    request = tell.request
    users = tuple(u for u in await looked.member_users(request.household_id) if u != tell.not_user)
    if not users:
        return None
    speaker = tell.cadre_id or request.handler_id
    cadres = await looked.named([request.handler_id, instead_of, speaker])
    account = None
    if tell.what in CADRES_WORDS:
        account = await looked.work.directory.cadre_account(speaker)
    if tell.what in TALKING:
        for user in users:
            await looked.work.conversations.set(user, request.id, Purpose.TALKING, looked.work.now)
    return Notice(tell, users, household, cadres, cadre_account=account, reply_to=reply_to)


async def _to_cadre(
    looked: _Lookups, tell: Tell, household: HouseholdDetails, instead_of: str | None
) -> Notice | None:
    request = tell.request
    cadre_id = (
        request.handler_id
        if tell.audience is Audience.HANDLER
        else tell.cadre_id or request.handler_id
    )
    if request.hidden_from(cadre_id):  # a confidential complaint: never to the accused
        return None
    user = await looked.work.directory.cadre_account(cadre_id)
    if user is None:
        if tell.audience is Audience.HANDLER and tell.what in VILLAGER_WORDS:
            cadres = await looked.named([request.handler_id])
            return Notice(tell, (), household, cadres, lost=True)  # never swallowed
        return None
    members: tuple[int, ...] = ()
    if tell.audience is Audience.HANDLER and tell.what in VILLAGERS_WORDS:
        members = await looked.member_users(request.household_id)
    previous: str | None = None
    first: Content | None = None
    trail: tuple[TrailLine, ...] = ()
    if _takes_the_case(tell):
        trail = tuple(await looked.work.requests.trail(request.id))
        first = await looked.work.requests.filed_content(request.id)
        previous = tell.cadre_id or _previous(trail, tell)
    cadres = await looked.named([request.handler_id, instead_of, previous, tell.cadre_id])
    card = None
    if tell.audience is not Audience.SUPERVISOR:  # the handler's, or a former handler's
        card = await case_card(looked.work.requests, request, household)
    return Notice(
        tell,
        (user,),
        household,
        cadres,
        members=members,
        previous=previous,
        first=first,
        trail=trail,
        card=card,
    )


def _takes_the_case(tell: Tell) -> bool:
    """A move told to the cadre who now holds the request: they get the whole case."""
    if tell.what not in MOVED or tell.audience is Audience.CADRE:
        return False
    return not (tell.audience is Audience.SUPERVISOR and tell.what is Event.ESCALATED)


def _previous(trail: Sequence[TrailLine], tell: Tell) -> str | None:
    """The handler before the move ``tell`` tells of, from the trail's last such event."""
    for event in reversed(trail):
        if event.kind == tell.what:
            found = event.detail.get("from")
            return str(found) if found else None
    return None
