"""Stays with evidence: a location sent during a stay (once, or live: the first message
and its updates, which Telegram delivers as edited messages), and the supervisor's
「🌙 住村」 button under /stats (``sy:month``).

Each handler reads the update, calls one use case of ``bot.services.stays`` and words
the result with ``stay_views``. A location that belongs to no stay goes on to
``schedule.location`` (a visit's place, or a message like any other).
"""

from __future__ import annotations

from telegram import Location, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.domain.schedule import CadresOnly
from bot.domain.stays import NoStayOpen, NotSupervisor
from bot.services import stays
from bot.services.stays import Located

from . import cadre_keyboard, outgoing, schedule, stay_views
from .context import AnyApp, LianxinContext, Unit
from .pickers import rules

SCOPE = "sy"


async def location(update: Update, context: LianxinContext) -> None:
    """A new location: a point of the cadre's stay tonight (or last night, before noon)."""
    incoming, unit = update.effective_message, context.unit
    if incoming is None or incoming.location is None:
        return
    located = await _locate(unit, incoming.location, incoming.message_id, moving=False)
    if located is None or unit.who is None:
        await schedule.location(update, context)
        return
    text = stay_views.located_text(unit.texts, located)
    keyboard = cadre_keyboard.of(unit.texts, unit.who)
    reply = outgoing.message(
        unit.who.user_id, text, keyboard=keyboard, reply_to=incoming.message_id
    )
    unit.send(reply)


async def moved(update: Update, context: LianxinContext) -> None:
    """A live location moving (an edited message): stored as a point of its stay, said
    to no one (it may come every few minutes all night)."""
    incoming = update.edited_message
    if incoming is not None and incoming.location is not None:
        await _locate(context.unit, incoming.location, incoming.message_id, moving=True)


async def _locate(unit: Unit, place: Location, message_id: int, moving: bool) -> Located | None:
    if unit.who is None:
        return None
    try:
        return await stays.locate(
            unit.work,
            unit.who,
            rules(unit),
            place.latitude,
            place.longitude,
            live=place.live_period is not None,
            message_id=message_id,
            update=moving,
        )
    except (CadresOnly, NoStayOpen):
        return None


async def pressed(update: Update, context: LianxinContext) -> None:
    """``sy:month``: this month's nights of each cadre of the presser's region."""
    query, unit, who = update.callback_query, context.unit, context.unit.who
    if query is None or who is None:
        return
    try:
        standings = await stays.standings(unit.work, who, rules(unit))
    except NotSupervisor:
        refused = unit.texts("stays.standing.refused")
        unit.send(outgoing.answer_button(who.user_id, query.id, refused))
        return
    text = stay_views.standings_text(unit.texts, standings)
    unit.send(outgoing.answer_button(who.user_id, query.id), outgoing.message(who.user_id, text))


def register(app: AnyApp) -> None:
    """Before schedule.py: a location during a stay is this module's; the rest goes on
    to ``schedule.location``. Edited messages reach only ``moved`` (every other handler
    takes new messages only)."""
    private = filters.ChatType.PRIVATE
    app.add_handler(
        MessageHandler(private & filters.UpdateType.MESSAGE & filters.LOCATION, location)
    )
    app.add_handler(
        MessageHandler(private & filters.UpdateType.EDITED_MESSAGE & filters.LOCATION, moved)
    )
    app.add_handler(CallbackQueryHandler(pressed, pattern=rf"^{SCOPE}:"))
