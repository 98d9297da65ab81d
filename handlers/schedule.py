"""Stays, visits and service-day notes: a location after ``/stay`` or ``/visit`` (the
commands are ``handlers.pickers``'), and ``/visits`` with its on/off buttons for villagers.

Each handler reads the update, calls one use case of ``bot.services.field`` and words
what comes back with the views below. The reminders themselves are sent by the sweep
(``bot.edge.schedules``, worded by ``handlers.reminders``).
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callbacks
from bot.calls import Call
from bot.domain.schedule import CadresOnly, DayKind, NothingToPlace, NotYourHousehold
from bot.i18n import Texts
from bot.services import field
from bot.services.field import Logged, Note
from bot.services.identity import Identity

from . import cadre_keyboard, outgoing, villager
from .context import AnyApp, LianxinContext, Unit

SCOPE = "sv"


async def location(update: Update, context: LianxinContext) -> None:
    """A location: joins a cadre's stay or visit logged just before; anything else is a
    message like any other (a villager's location files or joins a request)."""
    incoming, unit = update.effective_message, context.unit
    if incoming is None or incoming.location is None:
        return
    who, place = unit.who, incoming.location
    if who is None or not await _placed(unit, who, place.latitude, place.longitude):
        await villager.message(update, context)
        return
    text, keyboard = unit.texts("schedule.log.placed"), cadre_keyboard.of(unit.texts, who)
    unit.send(outgoing.message(who.user_id, text, keyboard=keyboard, reply_to=incoming.message_id))


async def _placed(unit: Unit, who: Identity, latitude: float, longitude: float) -> bool:
    try:
        await field.place(unit.work, who, latitude, longitude)
    except (CadresOnly, NothingToPlace):
        return False
    return True


# --- villagers: "your cadre visits tomorrow" ------------------------------------------


async def visits(update: Update, context: LianxinContext) -> None:
    """``/visits``: the service-day note, on or off, for each of the person's households."""
    unit, who = context.unit, context.unit.who
    if who is None:
        return
    unit.send(notes_message(unit.texts, who.user_id, await field.notes(unit.work, who)))


async def pressed(update: Update, context: LianxinContext) -> None:
    """``sv:on:<household>`` / ``sv:off:<household>``, checked against membership."""
    query, unit, who = update.callback_query, context.unit, context.unit.who
    if query is None or who is None:
        return
    chosen = callbacks.decode(query.data)
    notes = await _switch(unit, who, chosen) if chosen is not None else None
    if chosen is None or notes is None:
        refused = unit.texts("schedule.optin.refused")
        unit.send(outgoing.answer_button(who.user_id, query.id, refused))
        return
    done = unit.texts(f"schedule.optin.done_{chosen.action}")
    unit.send(outgoing.answer_button(who.user_id, query.id, done))
    unit.send(notes_message(unit.texts, who.user_id, notes))


async def _switch(unit: Unit, who: Identity, chosen: callbacks.Callback) -> list[Note] | None:
    """The notes after the switch, or None for a button that is not this person's."""
    if chosen.action not in ("on", "off"):
        return None
    try:
        return await field.switch_note(unit.work, who, chosen.argument, chosen.action == "on")
    except NotYourHousehold:
        return None


# --- views ----------------------------------------------------------------------------


def logged_text(texts: Texts, logged: Logged, hint: str = "schedule.log.place_hint") -> str:
    """What the cadre is told of a stay or visit just logged (``hint``: how to add the
    place)."""
    h = logged.household
    where = texts("schedule.log.household", head=h.head_name, id=h.id) if h else ""
    when = texts("schedule.date", month=logged.day.month, day=logged.day.day)
    if logged.kind == DayKind.VISIT:
        line = texts("schedule.log.visit", date=when, household=where)
    elif not logged.needed:
        line = texts("schedule.log.stay_no_quota", date=when, household=where)
    else:
        line = texts(
            "schedule.log.stay",
            date=when,
            household=where,
            logged=logged.logged,
            needed=logged.needed,
        )
    lines = [line, texts(hint)]
    if logged.unknown:
        lines.insert(0, texts("schedule.log.unknown_household", id=logged.unknown))
    return "\n".join(lines)


def notes_message(texts: Texts, chat_id: int, notes: list[Note]) -> Call:
    """The notes as buttons that switch them, or how to bind first if there are none."""
    if not notes:
        return outgoing.message(chat_id, texts("schedule.optin.not_bound"))
    rows = []
    for note in notes:
        household = note.household
        label = texts(f"schedule.optin.{'on' if note.on else 'off'}", head=household.head_name)
        data = callbacks.Callback(SCOPE, "off" if note.on else "on", household.id).encode()
        rows.append([InlineKeyboardButton(label, callback_data=data)])
    keyboard = InlineKeyboardMarkup(rows)
    return outgoing.message(chat_id, texts("schedule.optin.show"), keyboard=keyboard)


def register(app: AnyApp) -> None:
    """Before villager.py: a location just after /stay or /visit belongs here (the
    commands themselves, and their household pickers, are ``handlers.pickers``')."""
    private = filters.ChatType.PRIVATE
    fresh = private & filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("visits", visits, filters=private))
    app.add_handler(MessageHandler(fresh & filters.LOCATION, location))
    app.add_handler(CallbackQueryHandler(pressed, pattern=rf"^{SCOPE}:"))
