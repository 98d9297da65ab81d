"""Threads: a swipe-reply names the request a message belongs to, and 「另起一件事」 takes
a follow-up out of the request it joined into one of its own.

The villager's swipe-reply is ``bot.services.filing``'s (it joins or files), the cadre's
``bot.services.casework``'s (it answers); both ask ``replied_request`` which request the
bot's message was about (``request_messages``, remembered by the sender). ``split`` is
the 「另起一件事」 button: the follow-up is filed as a new request for the same household,
its relay moves with it if it had not left (else the old handler is told), and the old
request's trail no longer shows it (a SPLIT event says where it went).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain import requests as rules
from bot.domain import threads
from bot.domain.lifecycle import Event, next_status
from bot.domain.requests import Content, Deadlines, NotAllowed, Request, RequestStore
from bot.domain.roster import Household
from bot.domain.talking import Purpose
from bot.domain.threads import FollowUp
from bot.services.identity import Identity
from bot.services.notices import Notice, NoticeWork, Talks, Trails, address


class MessageIndex(Protocol):
    """Which request a bot message in a chat was about (storage.outbox.Outbox)."""

    async def request_of_message(self, chat_id: int, message_id: int) -> int | None: ...


class FollowUpStore(Protocol):
    async def add(
        self, request_id: int, user_id: int, join_id: int, content: Content, at: datetime
    ) -> int: ...
    async def get(self, follow_up_id: int) -> FollowUp | None: ...
    async def split(self, follow_up_id: int, to_request: int) -> bool: ...


class SplitRequests(RequestStore, Trails, Protocol):
    pass


class SplitWork(NoticeWork, Protocol):
    @property
    def requests(self) -> SplitRequests: ...
    @property
    def follow_ups(self) -> FollowUpStore: ...
    @property
    def conversations(self) -> Talks: ...


@dataclass(frozen=True)
class Split:
    """A follow-up filed as ``new``: its receipt and case card (``notices``); ``moved``:
    its relay had not left and goes with the new case card; else ``told`` (the old
    handler's account) hears that it belongs to a new matter."""

    old: Request
    new: Request
    follow_up: FollowUp
    notices: tuple[Notice, ...]
    moved: bool
    told: int | None
    household: Household | None  # named in the answer when the phone speaks for several


async def replied_request(work: MessageIndex, chat_id: int, message_id: int | None) -> int | None:
    """The request the bot's message ``message_id`` (swiped to reply) was about."""
    if message_id is None:
        return None
    found = await work.request_of_message(chat_id, message_id)
    # Below 1: another kind of message kept up to date (a roster upload's), no request.
    return found if found is not None and found > 0 else None


async def split(
    work: SplitWork, who: Identity, follow_up_id: int, deadlines: Deadlines, quote: int | None
) -> Split:
    """「另起一件事」: the follow-up becomes a request of its own for the same household.
    Raises ``NotAllowed`` (forged, another's, a confidential complaint's words, a phone
    no longer of the household) or ``AlreadySplit`` (pressed again); nothing changes."""
    follow_up = threads.may_split(await work.follow_ups.get(follow_up_id), who.user_id)
    old = await work.requests.get(follow_up.request_id)
    household = threads.household_of(old, who.households) if old is not None else None
    if old is None or household is None:
        raise NotAllowed("not a request of this phone's households")
    if old.confidential:  # its words stay with the supervisor, never the household's chain
        raise NotAllowed("a confidential complaint's follow-up stays in it")
    next_status(old.status, Event.SPLIT)
    done = await rules.file(
        work.requests, work.now, household.id, follow_up.content, deadlines, by_user=who.user_id
    )
    moved = await work.follow_ups.split(follow_up.id, done.request.id)
    detail: dict[str, object] = {"to": done.request.number}
    await work.requests.record(old, work.now, Event.SPLIT, f"villager:{who.user_id}", detail)
    reply_to = (who.user_id, quote) if quote is not None else None
    notices = await address(work, done.tells, reply_to=reply_to)
    told = None if moved else await work.directory.cadre_account(old.handler_id)
    await work.conversations.set(who.user_id, done.request.id, Purpose.TALKING, work.now)
    named = threads.several(who.households, household)
    return Split(old, done.request, follow_up, tuple(notices), moved, told, named)
