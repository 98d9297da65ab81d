"""Which request a villager's next message belongs to.

A message joins the request the villager is talking about while that conversation is
fresh (active within ``idle``), the request is not closed, and it is of the household
they speak for now (a shared phone may have switched); otherwise it files a new one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.lifecycle import Event, Status
from bot.domain.requests import Request


class Purpose(StrEnum):
    TALKING = "talking"  # a villager's messages join this request
    REPLYING = "replying"  # a cadre's next message is a reply to the villager
    RESOLVING = "resolving"  # ... the note (or photo) that resolves it
    EXPLAINING = "explaining"  # ... the policy explanation
    REOPENING = "reopening"  # a villager's next message says why it is not solved
    URGING = "urging"  # a supervisor's next message is the note of their 催办


@dataclass(frozen=True)
class Conversation:
    request_id: int
    purpose: Purpose
    since: datetime


def joins(
    request: Request | None, since: datetime, now: datetime, idle: timedelta, household_id: str
) -> bool:
    return (
        request is not None
        and request.status is not Status.CLOSED
        and request.household_id == household_id
        and now - since < idle
    )


# A cadre's next message, after the button that asked for it: the reply, the resolution
# or the explanation, while that press is fresh (``still_asked``).
WRITES: Mapping[Purpose, Event] = {
    Purpose.REPLYING: Event.REPLIED,
    Purpose.RESOLVING: Event.RESOLVED,
    Purpose.EXPLAINING: Event.EXPLAINED,
}


def still_asked(talk: Conversation, now: datetime, idle: timedelta) -> bool:
    """Whether what a button asked for still stands: pressed more than ``idle`` ago, the
    message that comes now is probably not the answer it asked for."""
    return now - talk.since <= idle
