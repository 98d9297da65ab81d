"""What the administrators read when a cadre leaves: one summary of the requests the
command line re-routed (``handlers.sweeps.tell_reroutes`` tells the new handlers and the
villagers through ``notify``), and the notice of a villager's words that reached no
handler. Pure views: ``bot.services.leavers`` gathered the names."""

from __future__ import annotations

from collections.abc import Sequence

from bot.calls import Call, Priority
from bot.domain.routing import Why
from bot.services.leavers import SummaryLine
from bot.services.notices import Notice
from handlers.context import View

from . import outgoing


def summary_line(view: View, line: SummaryLine) -> str:
    texts = view.texts
    blanks = {
        "number": line.number,
        "village": line.household.village,
        "head": line.household.head_name,
        "gone": line.gone,
        "reason": texts(f"leavers.reason.{line.reason}"),
    }
    if line.route is None:
        return texts("leavers.admin_line_none", **blanks)
    key = (
        "leavers.admin_line_unreachable"
        if line.route.why is Why.UNREACHABLE
        else "leavers.admin_line"
    )
    return texts(key, handler=line.handler, phone=line.phone, **blanks)


def summary(view: View, lines: Sequence[SummaryLine]) -> list[Call]:
    """One summary per sweep (a bulk message), not a ping per request."""
    if not lines:
        return []
    texts = view.texts
    shown = [summary_line(view, line) for line in lines]
    text = "\n".join([texts("leavers.admin_head", count=len(shown)), *shown])
    return [outgoing.message(admin, text, priority=Priority.BULK) for admin in view.admins]


def follow_up_lost(view: View, notice: Notice) -> list[Call]:
    """A villager's further words went to a handler without an account: the admins hear
    of it (the words stay in the trail for whoever takes the case)."""
    request, handler = notice.request, notice.handler
    text = view.texts(
        "leavers.follow_up_lost",
        number=request.number,
        village=notice.household.village,
        head=notice.household.head_name,
        handler=handler.name if handler else request.handler_id,
        phone=(handler.phone if handler else "") or "-",
    )
    return [outgoing.message(admin, text) for admin in view.admins]
