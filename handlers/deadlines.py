"""Due times at the edge: ``/extend`` (the handler's one later resolution date, with a
reason the villager sees), and the views of the deadline sweep's reminders.

The handler calls ``bot.services.deadlines.extend`` and words what comes back; the
supervisor hears of every later date as bulk (behind answers to people). The sweep
itself is ``handlers.sweeps.watch_deadlines``, whose calls all go out as bulk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, filters

from bot.calls import Call, Priority
from bot.domain.deadlines import ExtendLimits
from bot.domain.lifecycle import Event
from bot.domain.requests import Audience
from bot.services import deadlines
from bot.services.deadlines import DueSoon, Extended, NotExtended
from bot.services.notices import Notice

from . import notify, outgoing, tell_cadre
from .context import AnyApp, LianxinContext, Unit, View
from .paging import bounded

# Refusals worded outside the ``deadlines.extend`` catalogue section.
REFUSAL_KEYS = {"cadres_only": "requests_cadre.cadres_only"}


async def extend(update: Update, context: LianxinContext) -> None:
    """``/extend LX-2026-000123 2026-12-05 原因`` (or 下周五, 12月5日 …): resolve by the
    end of that day."""
    unit, who = context.unit, context.unit.who
    if who is None:
        return
    try:
        config = unit.setup.config
        supervision = config.deadlines.supervision(config.notices)
        words = context.args or []
        done = await deadlines.extend(unit.work, who, _limits(unit), unit.zone, words, supervision)
    except NotExtended as refused:
        unit.send(outgoing.message(who.user_id, refused_text(unit.view(), refused)))
        return
    unit.send(*extended_calls(unit.view(), who.user_id, done))


def _limits(unit: Unit) -> ExtendLimits:
    config = unit.setup.config.deadlines
    return ExtendLimits(normal=config.max_extend, urgent=config.max_extend_urgent)


# --- views ----------------------------------------------------------------------------


def refused_text(view: View, refused: NotExtended) -> str:
    """Why the later date was not set, with the request's due time (and the latest date
    allowed) where it helps."""
    texts = view.texts
    key = REFUSAL_KEYS.get(refused.why, f"deadlines.extend.{refused.why}")
    if refused.why == "bad_date":
        return texts(key, text=refused.typed, forms=texts("dates.forms"))
    return texts(
        key,
        number=refused.number,
        due=tell_cadre.local(view, refused.due) if refused.due else "",
        latest=tell_cadre.local(view, refused.latest) if refused.latest else "",
    )


def extended_calls(view: View, chat: int, done: Extended) -> list[Call]:
    """The household told why (``notify``), each supervisor told with a button to open the
    case, and the handler's confirmation."""
    sent = notify.calls(view, done.for_others)
    for notice in done.for_supervisors:
        sent += supervisor_extended(view, notice, done)
    text = view.texts(
        "deadlines.extend.done",
        number=done.request.number,
        due=tell_cadre.local(view, done.request.resolve_by),
        reason=done.reason,
    )
    return [*sent, outgoing.message(chat, text)]


def supervisor_extended(view: View, notice: Notice, done: Extended) -> list[Call]:
    """督办: the supervisor hears of every later date (bulk, behind answers to people)."""
    texts, request = view.texts, notice.request
    content = notice.tell.content
    text = texts(
        "deadlines.supervisor.extended",
        number=request.number,
        head=notice.household.head_name,
        urgent=texts("requests_cadre.urgent_mark") if request.urgent else "",
        handler=done.handler.name,
        due=tell_cadre.local(view, request.resolve_by),
        reason=content.text if content else "",
    )
    label = texts("deadlines.button.open")
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=tell_cadre.action("open", request.id))]]
    )
    return [
        outgoing.message(user, text, keyboard=keyboard, priority=Priority.BULK)
        for user in notice.to
    ]


def urged_calls(view: View, told: Sequence[Notice]) -> list[Call]:
    """The sweep's notices: the handler urged (what is overdue, since when; the case card
    re-rendered), a supervisor told at once (urgent, or ``notices.supervisors = "instant"``)
    with a button to open the case; the rest as ``notify`` words them."""
    sent: list[Call] = []
    for notice in told:
        if notice.tell.what is not Event.URGED_BY_SYSTEM:
            sent += notify.calls(view, [notice])
        elif notice.tell.audience is Audience.HANDLER:
            sent += [call for user in notice.to for call in _urge(view, notice, user)]
        else:
            sent += [_supervisor_urged(view, notice, user) for user in notice.to]
    return sent


def _urged_words(view: View, notice: Notice) -> dict[str, str]:
    request, reason = notice.request, notice.tell.reason or "resolve"
    since = request.respond_by if reason == "respond" else request.resolve_by
    return {
        "number": request.number,
        "head": bounded(notice.household.head_name),
        "village": bounded(notice.household.village),
        "since": tell_cadre.local(view, since),
        "what": view.texts(f"supervise.overdue.{reason}"),
        "urgent": view.texts("requests_cadre.urgent_mark") if request.urgent else "",
    }


def _urge(view: View, notice: Notice, user: int) -> list[Call]:
    """The urge as a message of its own (it must be seen), and the case card re-rendered
    with the time passed (⏰): the card keeps the case's only live buttons."""
    text = view.texts("supervise.urge.handler", **_urged_words(view, notice))
    urged = notify.about(notice.request.id, [outgoing.message(user, text)])
    card = [] if notice.card is None else tell_cadre.card_edit(view, user, notice.card)
    return [*urged, *card]


def _supervisor_urged(view: View, notice: Notice, user: int) -> Call:
    handler = notice.handler
    name = bounded(handler.name) if handler else notice.request.handler_id
    text = view.texts("supervise.urge.supervisor", handler=name, **_urged_words(view, notice))
    label = view.texts("deadlines.button.open")
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=tell_cadre.action("open", notice.request.id))]]
    )
    return outgoing.message(user, text, keyboard=keyboard)


def reminder_call(view: View, due: DueSoon) -> Call:
    """A reminder to the handler (the buttons stay on the case card); its key keeps it
    single."""
    reminder = due.reminder
    request = reminder.request
    text = view.texts(
        f"deadlines.remind.{reminder.due}",
        number=request.number,
        head=bounded(due.head),
        due=tell_cadre.local(view, reminder.due_at),
    )
    reminder_message = outgoing.message(due.chat, text, dedup_key=reminder.key)
    return replace(reminder_message, request_id=request.id)


def register(app: AnyApp) -> None:
    app.add_handler(CommandHandler("extend", extend, filters=filters.ChatType.PRIVATE))
