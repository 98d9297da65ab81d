"""Due times at the edge: ``/extend`` (the handler's one later resolution date, with a
reason the villager sees), and the messages of the deadline sweep (reminders, and the
admins' notice of a request past due with no one above).

Everything the sweep sends is bulk: ``bot.edge.sweeps`` lowers the priority of the calls
queued here, so an answer to a person never waits behind a reminder.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.domain import deadlines
from bot.domain.deadlines import Reminder
from bot.edge.unit import Unit
from storage import cadre_views
from storage.people import People
from storage.requests import Requests

from . import notify, outgoing, tell_cadre
from .context import AnyApp, LianxinContext


async def extend(update: Update, context: LianxinContext) -> None:
    """``/extend LX-2026-000123 2026-12-05 原因``: resolve by the end of that day."""
    user = update.effective_user
    if user is None:
        return
    unit = context.unit
    texts = unit.services.texts
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
    try:
        until = deadlines.end_of_day(day, unit.services.config.general.zone)
        done = await deadlines.extend(
            Requests(unit.tx), unit.now, request_id, cadre_id, until, reason
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
        )
        unit.send(outgoing.message(user.id, text))
        return
    await notify.deliver(unit, done.tells)
    text = texts(
        "deadlines.extend.done",
        number=done.request.number,
        due=tell_cadre.local(unit, done.request.resolve_by),
        reason=reason.strip(),
    )
    unit.send(outgoing.message(user.id, text))


async def remind(unit: Unit, reminder: Reminder) -> None:
    """A reminder to the handler, with the request's buttons; its key keeps it single."""
    request = reminder.request
    user = await cadre_views.cadre_account(unit.tx, request.handler_id)
    if user is None:
        return
    texts = unit.services.texts
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
