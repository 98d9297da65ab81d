"""The views of what the request rules say must be told: each notice
(``bot.services.notices``: a tell, addressed, with what it needs to be shown) as the
calls to the household's members, the handler or a named cadre, or the administrators.
Pure: the use case looked everything up."""

from __future__ import annotations

from collections.abc import Sequence

from bot.calls import Call
from bot.domain.lifecycle import Event
from bot.domain.requests import Audience
from bot.services.notices import Notice

from . import leavers, outgoing, tell_cadre, tell_household
from .context import View
from .paging import bounded


def calls(view: View, told: Sequence[Notice]) -> list[Call]:
    """The calls for every notice, in order."""
    sent: list[Call] = []
    for notice in told:
        if notice.lost:
            sent += leavers.follow_up_lost(view, notice)
            continue
        match notice.tell.audience:
            case Audience.HOUSEHOLD:
                sent += tell_household.calls(view, notice)
            case Audience.HANDLER | Audience.CADRE | Audience.SUPERVISOR:
                sent += tell_cadre.calls(view, notice)
            case Audience.ADMINS:
                sent += _to_admins(view, notice)
    return sent


def _to_admins(view: View, notice: Notice) -> list[Call]:
    """A request no one reachable holds, or one stalled at the top of its chain."""
    texts, request = view.texts, notice.request
    handler = notice.handler
    who = {
        "number": request.number,
        "head": bounded(notice.household.head_name),
        "village": bounded(notice.household.village),
        "handler": bounded(handler.name if handler else request.handler_id),
        "phone": bounded(handler.phone if handler else "-"),
    }
    if notice.tell.what is Event.OVERDUE:
        reason = texts(f"deadlines.reason.{notice.tell.reason}")
        text = texts("deadlines.admin_stalled", reason=reason, **who)
    else:
        text = texts("requests_cadre.admin_unreachable", **who)
    return [outgoing.message(admin, text) for admin in view.admins]
