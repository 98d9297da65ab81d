"""Stays, visits and service-day notes: ``/stay``, ``/visit``, a location after them,
and ``/visits`` with its on/off buttons for villagers.

A stay (住村) counts once per local day against the rank's monthly quota
(``[schedule.stay_quota]``); a visit is logged but not counted. The reminders
themselves are sent by the sweep in ``bot.edge.schedules``.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callbacks
from bot.domain import schedule
from bot.domain.roster import Household
from handlers.context import Unit
from storage import schedule as stored
from storage.people import People

from . import outgoing, villager
from .context import AnyApp, LianxinContext

PLACE_WITHIN = timedelta(minutes=10)  # a location this soon after /stay or /visit joins it
SCOPE = "sv"


async def stay(update: Update, context: LianxinContext) -> None:
    """``/stay [household id] [note]``: a village-stay day."""
    await _log(update, context, stored.DayKind.STAY)


async def visit(update: Update, context: LianxinContext) -> None:
    """``/visit [household id] [note]``: a visit to a household."""
    await _log(update, context, stored.DayKind.VISIT)


async def _log(update: Update, context: LianxinContext, kind: stored.DayKind) -> None:
    user = update.effective_user
    if user is None:
        return
    unit = context.unit
    texts = unit.setup.texts
    people = People(unit.tx)
    cadre_id = await people.cadre_of_user(user.id)
    if cadre_id is None:
        unit.send(outgoing.message(user.id, texts("schedule.cadres_only")))
        return
    args = list(context.args or [])
    household, unknown = await _household(unit, cadre_id, args[0] if args else "")
    if household is not None or unknown:
        args = args[1:]
    rules = unit.setup.config.schedule.rules(unit.setup.config.general.zone)
    today = schedule.local_date(rules, unit.now)
    await stored.log_day(
        unit.tx,
        cadre_id,
        kind,
        today,
        unit.now,
        household.id if household else None,
        " ".join(args),
    )
    where = (
        texts("schedule.log.household", head=household.head_name, id=household.id)
        if household
        else ""
    )
    when = texts("schedule.date", month=today.month, day=today.day)
    lines = []
    if unknown:
        lines.append(texts("schedule.log.unknown_household", id=unknown))
    lines.append(await _logged(unit, cadre_id, kind, rules, where, when))
    lines.append(texts("schedule.log.place_hint"))
    unit.send(outgoing.message(user.id, "\n".join(lines)))


async def _household(unit: Unit, cadre_id: str, word: str) -> tuple[Household | None, str]:
    """The household a first argument names, if the cadre is linked to it or supervises
    it; (None, the word) if it looks like an id but names none of theirs (a stranger's
    household reads exactly as a missing one); (None, "") if it is not an id (then it is
    part of the note)."""
    candidate = word.strip().upper()
    if not candidate.startswith("H") or not candidate[1:].isdigit():
        return None, ""
    found = await stored.visitable(unit.tx, cadre_id, candidate)
    return (found, "") if found is not None else (None, candidate)


async def _logged(
    unit: Unit,
    cadre_id: str,
    kind: stored.DayKind,
    rules: schedule.Rules,
    where: str,
    when: str,
) -> str:
    texts = unit.setup.texts
    if kind == stored.DayKind.VISIT:
        return texts("schedule.log.visit", date=when, household=where)
    needed = rules.quota((await People(unit.tx).cadre(cadre_id)).rank)
    if not needed:
        return texts("schedule.log.stay_no_quota", date=when, household=where)
    first, last = schedule.month_of(schedule.local_date(rules, unit.now))
    logged = await stored.stay_days_of(unit.tx, cadre_id, first, last)
    return texts("schedule.log.stay", date=when, household=where, logged=logged, needed=needed)


async def location(update: Update, context: LianxinContext) -> None:
    """A location: joins a cadre's stay or visit logged just before; anything else is a
    message like any other (a villager's location files or joins a request)."""
    incoming, user = update.effective_message, update.effective_user
    if incoming is None or user is None or incoming.location is None:
        return
    unit = context.unit
    cadre_id = await People(unit.tx).cadre_of_user(user.id)
    place = incoming.location
    if cadre_id is not None and await stored.place_last_day(
        unit.tx, cadre_id, unit.now - PLACE_WITHIN, place.latitude, place.longitude
    ):
        text = unit.setup.texts("schedule.log.placed")
        unit.send(outgoing.message(user.id, text, reply_to=incoming.message_id))
        return
    await villager.message(update, context)


# --- villagers: "your cadre visits tomorrow" ------------------------------------------


async def visits(update: Update, context: LianxinContext) -> None:
    """``/visits``: the service-day note, on or off, for each of the person's households."""
    user = update.effective_user
    if user is None:
        return
    unit = context.unit
    await _show_optins(unit, user.id)


async def _show_optins(unit: Unit, user_id: int) -> None:
    texts = unit.setup.texts
    households = await People(unit.tx).households_of(user_id)
    if not households:
        unit.send(outgoing.message(user_id, texts("schedule.optin.not_bound")))
        return
    rows = []
    for household in households:
        on = await stored.opted_in(unit.tx, user_id, household.id)
        label = texts(f"schedule.optin.{'on' if on else 'off'}", head=household.head_name)
        data = callbacks.Callback(SCOPE, "off" if on else "on", household.id).encode()
        rows.append([InlineKeyboardButton(label, callback_data=data)])
    text = texts("schedule.optin.show")
    unit.send(outgoing.message(user_id, text, keyboard=InlineKeyboardMarkup(rows)))


async def pressed(update: Update, context: LianxinContext) -> None:
    """``sv:on:<household>`` / ``sv:off:<household>``, checked against membership."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    unit = context.unit
    texts = unit.setup.texts
    chosen = callbacks.decode(query.data)
    people = People(unit.tx)
    if (
        chosen is None
        or chosen.action not in ("on", "off")
        or not await people.is_member(user.id, chosen.argument)
    ):
        unit.send(outgoing.answer_button(user.id, query.id, texts("schedule.optin.refused")))
        return
    on = chosen.action == "on"
    await stored.set_optin(unit.tx, user.id, chosen.argument, on, unit.now)
    done = texts(f"schedule.optin.done_{'on' if on else 'off'}")
    unit.send(outgoing.answer_button(user.id, query.id, done))
    await _show_optins(unit, user.id)


def register(app: AnyApp) -> None:
    """Before villager.py: a location just after /stay or /visit belongs here."""
    private = filters.ChatType.PRIVATE
    fresh = private & filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("stay", stay, filters=private))
    app.add_handler(CommandHandler("visit", visit, filters=private))
    app.add_handler(CommandHandler("visits", visits, filters=private))
    app.add_handler(MessageHandler(fresh & filters.LOCATION, location))
    app.add_handler(CallbackQueryHandler(pressed, pattern=rf"^{SCOPE}:"))
