"""What a bound villager sends: it joins the request they are talking about, or files a
new one for the household they speak for (挂号).

A message joins while the conversation is fresh (``bot.domain.talking.joins``: active
within ``idle``, the request not closed, of the household the phone speaks for now); it
goes into the trail at once, waits for the handler as a row and leaves in a relay when
the handler's chat has room (``bot.services.relays``). Otherwise it files a request:
numbered, routed, due times from ``deadlines``; the handler and the household are told.
Either way the villager's next message continues that request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain import joining, talking
from bot.domain import requests as rules
from bot.domain.joining import Answer
from bot.domain.members import NoHousehold
from bot.domain.requests import Audience, Content, Deadlines, Request, RequestStore
from bot.domain.roster import Cadre, Household
from bot.domain.talking import Purpose
from bot.services import relays
from bot.services.identity import Identity
from bot.services.notices import Notice, NoticeWork, Talks, Trails, address
from bot.services.relays import Relay, RelayJoins, RelayWork, named


class FilingRequests(RequestStore, Trails, Protocol):
    """The request rules' store, and what the notices read of a request."""


class FilingJoins(RelayJoins, Protocol):
    async def add(self, request_id: int, user_id: int, content: Content, at: datetime) -> int: ...
    async def count_message(self, user_id: int, now: datetime, window: timedelta) -> int: ...


class FilingWork(NoticeWork, RelayWork, Protocol):
    @property
    def requests(self) -> FilingRequests: ...
    @property
    def joins(self) -> FilingJoins: ...
    @property
    def conversations(self) -> Talks: ...


@dataclass(frozen=True)
class Filed:
    """A new request: the receipt (quoting the message, in the filer's chat), the
    handler's case card and any other notice."""

    request: Request
    notices: tuple[Notice, ...]


@dataclass(frozen=True)
class Joined:
    """The message joined ``request``: relayed now if the handler's chat had room, and
    the villager answered as the window allows."""

    request: Request
    notices: tuple[Notice, ...]  # told at once (the handler's words come in relays)
    relay: Relay | None
    answer: Answer | None  # None: answered enough in this window already
    reason: bool  # it says why a reopened request is not solved
    handler: Cadre | None  # the handler, named in the answer


async def file_or_join(
    work: FilingWork,
    who: Identity,
    content: Content,
    *,
    message_id: int,
    idle: timedelta,
    deadlines: Deadlines,
) -> Filed | Joined:
    """Join the request the villager is talking about, or file a new one; ``message_id``
    is quoted by the receipt. Raises ``NoHousehold``."""
    household = who.current
    if household is None:
        raise NoHousehold
    talk = await work.conversations.get(who.user_id)
    if talk is not None and talk.purpose in (Purpose.TALKING, Purpose.REOPENING):
        request = await work.requests.get(talk.request_id)
        if request is not None and talking.joins(
            request, talk.since, work.now, idle, household.id
        ):
            return await _join(work, who, request, content, talk.purpose is Purpose.REOPENING)
    return await _file(work, who, household, content, message_id, deadlines)


async def _file(
    work: FilingWork,
    who: Identity,
    household: Household,
    content: Content,
    message_id: int,
    deadlines: Deadlines,
) -> Filed:
    done = await rules.file(
        work.requests, work.now, household.id, content, deadlines, by_user=who.user_id
    )
    notices = await address(work, done.tells, reply_to=(who.user_id, message_id))
    await work.conversations.set(who.user_id, done.request.id, Purpose.TALKING, work.now)
    return Filed(done.request, tuple(notices))


async def _join(
    work: FilingWork, who: Identity, request: Request, content: Content, reason: bool
) -> Joined:
    done = await rules.villager_says(work.requests, work.now, request.id, who.user_id, content)
    # The trail has the words now; the handler gets them with the others that come
    # meanwhile (a relay), the other tells as they are.
    tells = [t for t in done.tells if t.audience is not Audience.HANDLER]
    notices = await address(work, tells)
    await work.joins.add(request.id, who.user_id, content, work.now)
    relay = await relays.relay(work, request.id)
    count = await work.joins.count_message(who.user_id, work.now, joining.ANSWER_WINDOW)
    answer = joining.answer(count)
    handler = await named(work.people, done.request.handler_id) if answer is not None else None
    await work.conversations.set(who.user_id, request.id, Purpose.TALKING, work.now)
    return Joined(done.request, tuple(notices), relay, answer, reason, handler)
