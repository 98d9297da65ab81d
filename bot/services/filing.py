"""What a bound villager sends: it joins the request they are talking about, or files a
new one for the household they speak for (挂号).

A message joins while the conversation is fresh (``bot.domain.talking.joins``: active
within ``idle``, the request not closed, of the household the phone speaks for now); it
goes into the trail at once, waits for the handler as a row and leaves in a relay when
the handler's chat has room (``bot.services.relays``). Otherwise it files a request:
numbered, routed, due times from ``deadlines``; the handler and the household are told.
Either way the villager's next message continues that request.

A swipe-reply to a bot message about a request of a household the phone speaks for
names that request whatever the conversation says (``bot.domain.threads``): it joins it,
or, if it is closed (销号 or 撤回), a new request is filed for that household and the
receipt says the old one was closed. A joined follow-up is kept (``follow_ups``) so that
「另起一件事」 can split it off (``bot.services.threads``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain import joining, talking, threads
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
from bot.services.threads import FollowUpStore, MessageIndex, replied_request


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
    @property
    def outbox(self) -> MessageIndex: ...
    @property
    def follow_ups(self) -> FollowUpStore: ...


@dataclass(frozen=True)
class Filed:
    """A new request: the receipt (quoting the message, in the filer's chat), the
    handler's case card and any other notice."""

    request: Request
    notices: tuple[Notice, ...]
    household: Household | None = None  # named in the receipt: the phone speaks for several
    after: Request | None = None  # the closed request the message was a swipe-reply to


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
    follow_up: int = 0  # the follow-up kept, for 「另起一件事」 (0: none)
    household: Household | None = None  # named in the answer: the phone speaks for several


async def file_or_join(
    work: FilingWork,
    who: Identity,
    content: Content,
    *,
    message_id: int,
    idle: timedelta,
    deadlines: Deadlines,
    replied_to: int | None = None,
) -> Filed | Joined:
    """Join the request the villager is talking about (or swiped to reply to: the bot's
    message ``replied_to``), or file a new one; ``message_id`` is quoted by the receipt.
    Raises ``NoHousehold``."""
    threaded = await _replied(work, who, content, message_id, replied_to, deadlines)
    if threaded is not None:
        return threaded
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


async def _replied(
    work: FilingWork,
    who: Identity,
    content: Content,
    message_id: int,
    replied_to: int | None,
    deadlines: Deadlines,
) -> Filed | Joined | None:
    """A swipe-reply to a message about a request of one of the phone's households: it
    joins that request, or files a new one if it is closed; None for anything else."""
    found = await replied_request(work.outbox, who.user_id, replied_to)
    request = await work.requests.get(found) if found is not None else None
    household = threads.household_of(request, who.households) if request else None
    if request is None or household is None:
        return None
    if threads.joinable(request):
        talk = await work.conversations.get(who.user_id)
        reason = talk is not None and talk.purpose is Purpose.REOPENING
        reason = reason and talk is not None and talk.request_id == request.id
        return await _join(work, who, request, content, reason)
    filed = await _file(work, who, household, content, message_id, deadlines)
    return replace(filed, after=request)


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
    return Filed(done.request, tuple(notices), threads.several(who.households, household))


async def _join(
    work: FilingWork, who: Identity, request: Request, content: Content, reason: bool
) -> Joined:
    done = await rules.villager_says(work.requests, work.now, request.id, who.user_id, content)
    # The trail has the words now; the handler gets them with the others that come
    # meanwhile (a relay), the other tells as they are.
    tells = [t for t in done.tells if t.audience is not Audience.HANDLER]
    notices = await address(work, tells)
    join_id = await work.joins.add(request.id, who.user_id, content, work.now)
    kept = await work.follow_ups.add(request.id, who.user_id, join_id, content, work.now)
    relay = await relays.relay(work, request.id)
    count = await work.joins.count_message(who.user_id, work.now, joining.ANSWER_WINDOW)
    answer = joining.answer(count)
    handler = await named(work.people, done.request.handler_id) if answer is not None else None
    await work.conversations.set(who.user_id, request.id, Purpose.TALKING, work.now)
    household = threads.household_of(request, who.households)
    shown = threads.several(who.households, household) if household else None
    return Joined(done.request, tuple(notices), relay, answer, reason, handler, kept, shown)
