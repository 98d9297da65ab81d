"""The views of what the request rules say must be told: each notice
(``bot.services.notices``: a tell, addressed, with what it needs to be shown) as the
calls to the household's members, the handler or a named cadre, or the administrators.
Pure: the use case looked everything up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.calls import Call
from bot.domain.lifecycle import Event
from bot.domain.requests import Audience
from bot.services.notices import Notice

from . import leavers, outgoing, tell_cadre, tell_household
from .context import View
from .paging import bounded


def calls(view: View, told: Sequence[Notice]) -> list[Call]:
    """The calls for every notice, in order, each marked with its request (a swipe-reply
    to any of them finds it)."""
    sent: list[Call] = []
    for notice in told:
        sent += about(notice.request.id, _calls(view, notice))
    return sent


def about(request_id: int, made: Sequence[Call]) -> list[Call]:
    """The calls marked as being about the request (unless they already name one)."""
    return [c if c.request_id is not None else replace(c, request_id=request_id) for c in made]


def _calls(view: View, notice: Notice) -> list[Call]:
    if notice.lost:
        return leavers.follow_up_lost(view, notice)
    match notice.tell.audience:
        case Audience.HOUSEHOLD:
            return tell_household.calls(view, notice)
        case Audience.HANDLER | Audience.CADRE | Audience.SUPERVISOR:
            return tell_cadre.calls(view, notice)
        case Audience.ADMINS:
            return _to_admins(view, notice)


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
