"""Delivery of what the request services say must be told (``Tell``) to the accounts
that must hear it: the household's members, the handler or a named cadre, the admins.

A cadre without an account cannot be told; routing marks that case ``Why.UNREACHABLE``
and the services add an ADMINS tell, so someone always hears of the request.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.lifecycle import Event
from bot.domain.requests import Audience, Tell
from handlers.context import Unit
from storage import cadre_views
from storage.people import People

from . import leavers, outgoing, tell_cadre, tell_household
from .paging import bounded

# A villager's words for the handler: if the handler has no account, the admins hear.
_VILLAGER_WORDS = frozenset({Event.MESSAGE, Event.REOPENED})


async def deliver(unit: Unit, tells: Sequence[Tell]) -> None:
    """Queue the messages for every tell, in order, in the update's unit of work."""
    for tell in tells:
        match tell.audience:
            case Audience.HOUSEHOLD:
                users = await cadre_views.member_users(unit.tx, tell.request.household_id)
                users = [u for u in users if u != tell.not_user]
                if users:
                    await tell_household.render(unit, tell, users)
            case Audience.HANDLER | Audience.CADRE | Audience.SUPERVISOR:
                cadre_id = (
                    tell.request.handler_id
                    if tell.audience is Audience.HANDLER
                    else tell.cadre_id or tell.request.handler_id
                )
                user = await cadre_views.cadre_account(unit.tx, cadre_id)
                if user is not None:
                    await tell_cadre.render(unit, tell, [user])
                elif tell.audience is Audience.HANDLER and tell.what in _VILLAGER_WORDS:
                    await leavers.follow_up_lost(unit, tell.request)  # never swallowed
            case Audience.ADMINS:
                await _tell_admins(unit, tell)


async def _tell_admins(unit: Unit, tell: Tell) -> None:
    """A request no one reachable holds, or one stalled at the top of its chain."""
    texts = unit.setup.texts
    request = tell.request
    household = await cadre_views.household_card(unit.tx, request.household_id)
    handler = await People(unit.tx).cadre(request.handler_id)
    who = {
        "number": request.number,
        "head": bounded(household.head_name),
        "village": bounded(household.village),
        "handler": bounded(handler.name),
        "phone": bounded(handler.phone),
    }
    if tell.what is Event.OVERDUE:
        reason = texts(f"deadlines.reason.{tell.reason}")
        text = texts("deadlines.admin_stalled", reason=reason, **who)
    else:
        text = texts("requests_cadre.admin_unreachable", **who)
    for admin in unit.setup.config.general.admins:
        unit.send(outgoing.message(admin, text))
