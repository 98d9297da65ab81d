"""Threads: which request a message belongs to when the person says so.

A swipe-reply (Telegram's "reply to") to a message about a request names that request,
whatever the idle-time conversation says; 「另起一件事」 takes a follow-up out of the
request it joined into one of its own. These are the rules; the use cases are
``bot.services.threads`` and ``bot.services.filing``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.lifecycle import Status
from bot.domain.requests import Content, NotAllowed, Request
from bot.domain.roster import Household


@dataclass(frozen=True)
class FollowUp:
    """A villager's message that joined a request (``split_to``: the request it was
    moved to by 「另起一件事」, if it was)."""

    id: int
    request_id: int
    user_id: int
    content: Content
    at: datetime
    split_to: int | None = None


class AlreadySplit(NotAllowed):
    """「另起一件事」 pressed again: the follow-up is a request of its own already."""

    def __init__(self, follow_up: FollowUp) -> None:
        super().__init__(f"follow-up {follow_up.id} was split already")
        self.follow_up = follow_up


def joinable(request: Request) -> bool:
    """A swipe-reply joins a request that is not closed (销号 or 撤回: a new one is filed)."""
    return request.status is not Status.CLOSED


def household_of(request: Request, households: Sequence[Household]) -> Household | None:
    """The household of ``request`` if the phone speaks for it (is bound to it)."""
    return next((h for h in households if h.id == request.household_id), None)


def may_split(follow_up: FollowUp | None, user_id: int) -> FollowUp:
    """The follow-up, if ``user_id`` sent it and it was not split yet; raises
    ``NotAllowed`` (forged, another's) or ``AlreadySplit`` (a repeated press)."""
    if follow_up is None or follow_up.user_id != user_id:
        raise NotAllowed("not this person's follow-up")
    if follow_up.split_to is not None:
        raise AlreadySplit(follow_up)
    return follow_up


def several(households: Sequence[Household], household: Household) -> Household | None:
    """The household to name in an answer: only when the phone speaks for several."""
    return household if len(households) > 1 else None
