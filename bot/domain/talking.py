"""Which request a villager's next message belongs to.

A message joins the request the villager is talking about while that conversation is
fresh (active within ``idle``), the request is not closed, and it is of the household
they speak for now (a shared phone may have switched); otherwise it files a new one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.lifecycle import Status
from bot.domain.requests import Request


def joins(
    request: Request | None, since: datetime, now: datetime, idle: timedelta, household_id: str
) -> bool:
    return (
        request is not None
        and request.status is not Status.CLOSED
        and request.household_id == household_id
        and now - since < idle
    )
