"""Due times at the edge: ``/extend`` (the handler's one later resolution date, with a
reason the villager sees), and the messages of the deadline sweep (reminders, and the
admins' notice of a request past due with no one above).

Everything the sweep sends is bulk: ``bot.edge.sweeps`` lowers the priority of the calls
queued here, so an answer to a person never waits behind a reminder.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, filters

from bot.calls import Priority
from bot.domain import deadlines
from bot.domain.deadlines import ExtendLimits, Reminder
from bot.domain.requests import Audience, Tell
from handlers.context import Unit
from storage import cadre_views
from storage.deadlines import DeadlineRequests
from storage.people import People

from . import notify, outgoing, tell_cadre
from .context import AnyApp, LianxinContext


async def extend(update: Update, context: LianxinContext) -> None:
    """``/extend LX-2026-000123 2026-12-05 原因``: resolve by the end of that day."""
    user = update.effective_user
    if user is None:
        return
    unit = context.unit
    texts = unit.setup.texts
    cadre_id = await People(unit.tx).cadre_of_user(user.id)
    if cadre_id is None:
        unit.send(outgoing.message(user.id, texts("requests_cadre.cadres_only")))
        return
    args = context.args or []
    if len(args) < 2:
        unit.send(outgoing.message(user.id, texts("deadlines.extend.usage")))
        return
    number, day, reason = args[0], args[1], " ".join(args[2:])
    request_id = await cadre_views.request_id_by_number(unit.tx, number.strip().upper())
    if request_id is None or not await cadre_views.may_see(unit.tx, cadre_id, request_id):
        unit.send(outgoing.message(user.id, texts("deadlines.extend.not_found", number=number)))
        return
    config = unit.setup.config.deadlines
    limits = ExtendLimits(normal=config.max_extend, urgent=config.max_extend_urgent)
    try:
        until = deadlines.end_of_day(day, unit.setup.config.general.zone)
        done = await deadlines.extend(
            DeadlineRequests(unit.tx), unit.now, request_id, cadre_id, until, reason, limits
        )
    except deadlines.BadDate:
        unit.send(outgoing.message(user.id, texts("deadlines.extend.bad_date", text=day)))
        return
    except deadlines.ExtendRefused as refused:
        request = refused.request
        text = texts(
            f"deadlines.extend.{refused.why}",
            number=request.number if request else number,
            due=tell_cadre.local(unit, request.resolve_by) if request else "",
            latest=tell_cadre.local(unit, refused.latest) if refused.latest else "",
        )
        unit.send(outgoing.message(user.id, text))
        return
    await notify.deliver(unit, [t for t in done.tells if t.audience is not Audience.SUPERVISOR])
    for tell in done.tells:
        if tell.audience is Audience.SUPERVISOR:
            await _tell_supervisor_extended(unit, tell, cadre_id)
    text = texts(
        "deadlines.extend.done",
        number=done.request.number,
        due=tell_cadre.local(unit, done.request.resolve_by),
        reason=reason.strip(),
    )
    unit.send(outgoing.message(user.id, text))


async def _tell_supervisor_extended(unit: Unit, tell: Tell, handler_id: str) -> None:
    """督办: the supervisor hears of every later date (bulk, behind answers to people),
    with a button to open the case."""
    user = await cadre_views.cadre_account(unit.tx, tell.cadre_id or "")
    if user is None:
        return
    texts = unit.setup.texts
    request = tell.request
    text = texts(
        "deadlines.supervisor.extended",
        number=request.number,
        head=(await cadre_views.household_card(unit.tx, request.household_id)).head_name,
        urgent=texts("requests_cadre.urgent_mark") if request.urgent else "",
        handler=(await People(unit.tx).cadre(handler_id)).name,
        due=tell_cadre.local(unit, request.resolve_by),
        reason=tell.content.text if tell.content else "",
    )
    label = texts("deadlines.button.open")
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=tell_cadre.action("open", request.id))]]
    )
    unit.send(outgoing.message(user, text, keyboard=keyboard, priority=Priority.BULK))


async def remind(unit: Unit, reminder: Reminder) -> None:
    """A reminder to the handler, with the request's buttons; its key keeps it single."""
    request = reminder.request
    user = await cadre_views.cadre_account(unit.tx, request.handler_id)
    if user is None:
        return
    texts = unit.setup.texts
    head = await tell_cadre.head_of(unit, request)
    text = texts(
        f"deadlines.remind.{reminder.due}",
        number=request.number,
        head=head,
        due=tell_cadre.local(unit, reminder.due_at),
    )
    keyboard = tell_cadre.actions_keyboard(texts, request)
    unit.send(outgoing.message(user, text, keyboard=keyboard, dedup_key=reminder.key))


def register(app: AnyApp) -> None:
    app.add_handler(CommandHandler("extend", extend, filters=filters.ChatType.PRIVATE))
