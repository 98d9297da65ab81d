"""What the administrators read when a cadre leaves: one summary of the requests the
command line re-routed (``bot.edge.leavers`` tells the new handlers and the villagers
through ``notify``), and the notice of a villager's words that reached no handler."""

from __future__ import annotations

from collections.abc import Sequence

from bot.calls import Call, Priority
from bot.domain.requests import Request
from bot.domain.routing import Why
from bot.services.notices import Notice
from handlers.context import Unit, View
from storage import cadre_views
from storage.leavers import Untold
from storage.people import People

from . import outgoing


async def _name_phone(unit: Unit, cadre_id: str) -> tuple[str, str]:
    try:
        cadre = await People(unit.tx).cadre(cadre_id)
    except LookupError:
        return cadre_id, "-"
    return cadre.name, cadre.phone or "-"


async def summary_line(unit: Unit, row: Untold, request: Request) -> str:
    texts = unit.setup.texts
    household = await cadre_views.household_card(unit.tx, request.household_id)
    gone, _ = await _name_phone(unit, row.gone)
    blanks = {
        "number": request.number,
        "village": household.village,
        "head": household.head_name,
        "gone": gone,
        "reason": texts(f"leavers.reason.{row.reason}"),
    }
    if row.route is None:
        return texts("leavers.admin_line_none", **blanks)
    handler, phone = await _name_phone(unit, row.route.cadre_id)
    key = (
        "leavers.admin_line_unreachable"
        if row.route.why is Why.UNREACHABLE
        else "leavers.admin_line"
    )
    return texts(key, handler=handler, phone=phone, **blanks)


def tell_admins(unit: Unit, lines: Sequence[str]) -> None:
    """One summary per sweep (a bulk message), not a ping per request."""
    if not lines:
        return
    texts = unit.setup.texts
    text = "\n".join([texts("leavers.admin_head", count=len(lines)), *lines])
    for admin in unit.setup.config.general.admins:
        unit.send(outgoing.message(admin, text, priority=Priority.BULK))


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
