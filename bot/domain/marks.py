"""What a villager may add to a request they filed: a category, an urgent mark, and
whether it is about the household's own cadre (``bot.domain.about_cadre``).

None of it is required (someone who cannot read the buttons files by voice alone).
Marks change the request's summary row and leave a trail event; they are refused once
the request is closed, and by anyone outside the household.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Protocol

from bot.domain.lifecycle import Category, Event, next_status
from bot.domain.requests import (
    Audience,
    Content,
    Deadlines,
    Done,
    NotAllowed,
    Request,
    RequestStore,
    Tell,
)


class MarkStore(RequestStore, Protocol):
    async def filed_content(self, request_id: int) -> Content | None:
        """What the villager sent when filing (the FILED event's content)."""


async def member_request(store: RequestStore, request_id: int, user_id: int) -> Request:
    """The request, if ``user_id`` is a member of its household; NotAllowed otherwise
    (an unknown id says the same, so a forged id learns nothing)."""
    request = await store.get(request_id)
    if request is None or not await store.is_member(user_id, request.household_id):
        raise NotAllowed("not a request of this member's household")
    return request


async def categorise(
    store: MarkStore,
    now: datetime,
    request_id: int,
    user_id: int,
    category: Category,
    deadlines: Deadlines | None = None,
) -> Done:
    """Set the category; the same one again changes nothing (no event, no tell).

    With ``deadlines`` the resolution due time becomes the new category's, counted from
    filing, but never before the response due time already promised (a category chosen
    late does not make a request overdue at once). An urgent, escalated or extended
    request keeps its due times: the urgent limit, the tier's own time or the promised
    date stand."""
    request = await member_request(store, request_id, user_id)
    next_status(request.status, Event.MARKED)
    if request.category is category:
        return Done(request)
    changed = replace(request, category=category)
    own_times = request.urgent or request.extended_at or request.due_since != request.filed_at
    if deadlines is not None and not own_times:
        by_category = request.filed_at + deadlines.resolve_within(category, urgent=False)
        changed = replace(changed, resolve_by=max(by_category, request.respond_by))
    await store.record(
        changed, now, Event.MARKED, f"villager:{user_id}", {"category": category.value}
    )
    return Done(changed)


async def mark_urgent(
    store: MarkStore, now: datetime, request_id: int, user_id: int, deadlines: Deadlines
) -> Done:
    """Mark urgent: the due times shrink to the urgent limit counted from filing (never
    grow), and the handler is told at once (``reason`` "urgent"). Marking twice changes
    nothing and tells no one."""
    request = await member_request(store, request_id, user_id)
    next_status(request.status, Event.MARKED)
    if request.urgent:
        return Done(request)
    respond_by, urgent_by = deadlines.due_times(request.filed_at, request.category, urgent=True)
    changed = replace(
        request,
        urgent=True,
        resolve_by=min(request.resolve_by, urgent_by),
        respond_by=min(request.respond_by, respond_by),
    )
    await store.record(changed, now, Event.MARKED, f"villager:{user_id}", {"urgent": True})
    return Done(changed, [Tell(Audience.HANDLER, Event.MARKED, changed, reason=URGENT)])


URGENT = "urgent"  # the reason of the handler's tell when a villager marks a request urgent
