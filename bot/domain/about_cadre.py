"""A request about the household's own cadre goes one tier up (issue 4, routing).

The villager says so with a button on the receipt, right after filing. It is allowed
only while nobody has taken the request up yet (still open, no answer): after that the
cadre has seen it, and moving it is the handler's "hand over" or "escalate".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain.lifecycle import Event, InvalidTransition, Status, next_status
from bot.domain.marks import MarkStore, member_request
from bot.domain.requests import Audience, Done, Tell
from bot.domain.routing import route


async def about_my_cadre(store: MarkStore, now: datetime, request_id: int, user_id: int) -> Done:
    """Re-route a fresh request one tier up the chain (``routing.route(about_cadre=True)``),
    leave a HANDED_OVER event by the villager, and tell the new and the old handler."""
    request = await member_request(store, request_id, user_id)
    if (
        request.status is not Status.OPEN
        or request.first_response_at is not None
        or request.about_cadre
    ):
        raise InvalidTransition(request.status, Event.HANDED_OVER)
    next_status(request.status, Event.HANDED_OVER)
    chosen = route(
        await store.chain(request.household_id),
        await store.supervisors_above(request.household_id),
        now,
        about_cadre=True,
    )
    old = request.handler_id
    changed = replace(request, about_cadre=True, handler_id=chosen.cadre_id, tier=chosen.tier)
    detail: dict[str, object] = {"from": old, "why": chosen.why.value, "tier": chosen.tier}
    await store.record(changed, now, Event.HANDED_OVER, f"villager:{user_id}", detail)
    content = await store.filed_content(request.id)
    tells = [Tell(Audience.HOUSEHOLD, Event.HANDED_OVER, changed, route=chosen)]
    if chosen.cadre_id != old:
        tells.insert(0, Tell(Audience.HANDLER, Event.HANDED_OVER, changed, content, route=chosen))
        tells.insert(1, Tell(Audience.CADRE, Event.HANDED_OVER, changed, cadre_id=old))
    return Done(changed, tells)
