"""The villager's buttons on a request: a category, the urgent mark (the handler told at
once), 撤回 (withdraw, after a confirmation), and 销号 (satisfied, partly) or "not solved"
(reopened to the same cadre); "about my cadre" is ``bot.services.confidential``'s.

Every press is checked by the rules against the presser's households and the request's
state (``bot.domain.marks``, ``requests.confirm``): a forged, stale or
repeated press raises ``NotAllowed`` or ``InvalidTransition`` before anything is written.
Confirming ends the conversation about the request; "not solved" makes the villager's
next message the reason, for the handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.domain import marks
from bot.domain import requests as rules
from bot.domain.lifecycle import Category, Event, Outcome, next_status
from bot.domain.marks import MarkStore
from bot.domain.requests import Deadlines, Request
from bot.domain.roster import Cadre
from bot.domain.talking import Purpose
from bot.services.identity import Identity
from bot.services.notices import Notice, NoticeWork, Talks, Trails, address
from bot.services.relays import named


class ReceiptRequests(MarkStore, Trails, Protocol):
    """The marks' store, and what the notices read of a request."""


class ReceiptWork(NoticeWork, Protocol):
    @property
    def requests(self) -> ReceiptRequests: ...
    @property
    def conversations(self) -> Talks: ...


@dataclass(frozen=True)
class Marked:
    """The request with its category or urgent mark (the same mark again changed nothing),
    who handles it (to show on the receipt again) and the notices owed (urgent: the
    handler's)."""

    request: Request
    handler: Cadre | None = None
    notices: tuple[Notice, ...] = ()


@dataclass(frozen=True)
class Withdrawn:
    """撤回: the request closed as withdrawn; the handler's and the other members' notices."""

    request: Request
    notices: tuple[Notice, ...]


@dataclass(frozen=True)
class Confirmed:
    """销号 (``outcome`` satisfied or partly) or reopened (``outcome`` None)."""

    request: Request
    notices: tuple[Notice, ...]
    outcome: Outcome | None
    handler: Cadre | None  # who handles it still (named when reopened)


async def categorise(
    work: ReceiptWork, who: Identity, request_id: int, category: Category, deadlines: Deadlines
) -> Marked:
    """Set the category; the resolution due time becomes the category's (``marks``)."""
    done = await marks.categorise(
        work.requests, work.now, request_id, who.user_id, category, deadlines
    )
    return Marked(done.request, await named(work.people, done.request.handler_id))


async def mark_urgent(
    work: ReceiptWork, who: Identity, request_id: int, deadlines: Deadlines
) -> Marked:
    """Mark it urgent: due within the urgent limit, counted from filing; the handler is
    told at once (with the case's buttons)."""
    done = await marks.mark_urgent(work.requests, work.now, request_id, who.user_id, deadlines)
    notices = await address(work, done.tells)
    handler = await named(work.people, done.request.handler_id)
    return Marked(done.request, handler, tuple(notices))


async def may_withdraw(work: ReceiptWork, who: Identity, request_id: int) -> Request:
    """The first press of 撤回 (nothing changes yet, the villager is asked to confirm):
    the request, if the presser's household may withdraw it now; raises ``NotAllowed``
    or ``InvalidTransition`` as the withdrawal itself would."""
    request = await marks.member_request(work.requests, request_id, who.user_id)
    next_status(request.status, Event.WITHDRAWN)
    return request


async def withdraw(work: ReceiptWork, who: Identity, request_id: int) -> Withdrawn:
    """撤回, confirmed: the request closes as withdrawn (only by a member of its household,
    only while it is being worked on); the handler and the other members are told, and
    the conversation about it ends."""
    done = await rules.withdraw(work.requests, work.now, request_id, who.user_id)
    notices = await address(work, done.tells)
    talk = await work.conversations.get(who.user_id)
    if talk is not None and talk.request_id == request_id:
        await work.conversations.clear(who.user_id)
    return Withdrawn(done.request, tuple(notices))


async def confirm(
    work: ReceiptWork, who: Identity, request_id: int, outcome: Outcome | None
) -> Confirmed:
    """销号 with ``outcome``, or None: not solved, reopened to the same handler, and the
    villager's next message says why (optional)."""
    done = await rules.confirm(work.requests, work.now, request_id, who.user_id, outcome)
    notices = await address(work, done.tells)
    talks = work.conversations
    if outcome is None:
        await talks.set(who.user_id, request_id, Purpose.REOPENING, work.now)
        handler = await named(work.people, done.request.handler_id)
        return Confirmed(done.request, tuple(notices), outcome, handler)
    talk = await talks.get(who.user_id)
    if talk is not None and talk.request_id == request_id:
        await talks.clear(who.user_id)
    return Confirmed(done.request, tuple(notices), outcome, None)
