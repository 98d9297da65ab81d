"""A cadre's chat: the request buttons, replies and resolutions, /inbox, /away, /file.

Every press is checked by the domain against the request's state and the presser; a
refusal (``NotAllowed``, ``InvalidTransition``) is answered on the button and changes
nothing. Rendering lives in ``tell_cadre``; delivery of what others must hear in ``notify``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import callbacks
from bot.calls import Priority
from bot.domain import away, requests
from bot.domain.lifecycle import Event, InvalidTransition
from bot.domain.talking import Purpose
from handlers.context import Unit
from storage import cadre_views, conversations
from storage.people import People
from storage.requests import Requests

from . import notify, outgoing, requesting, tell_cadre
from .context import AnyApp, LianxinContext
from .paging import bounded

_WRITING = {
    Purpose.REPLYING: (Event.REPLIED, "requests_cadre.answer.replied"),
    Purpose.RESOLVING: (Event.RESOLVED, "requests_cadre.answer.resolved"),
    Purpose.EXPLAINING: (Event.EXPLAINED, "requests_cadre.answer.explained"),
}
_ASK = {
    "reply": (Purpose.REPLYING, Event.REPLIED, "requests_cadre.answer.ask_reply"),
    "done": (Purpose.RESOLVING, Event.RESOLVED, "requests_cadre.answer.ask_done"),
    "explain": (Purpose.EXPLAINING, Event.EXPLAINED, "requests_cadre.answer.ask_explain"),
}
BACK = callbacks.Callback("away", "off")


async def message(update: Update, context: LianxinContext, cadre_id: str) -> None:
    """What a bound cadre sends: a request filed for a household (after /file), the
    reply, resolution or explanation their last button asked for, or else how to start."""
    incoming, user = update.effective_message, update.effective_user
    if incoming is None or user is None:
        return
    unit = context.unit
    texts = unit.setup.texts
    content = requesting.content_of(incoming)
    household_id = await cadre_views.filing_for(unit.tx, user.id, cadre_id)
    if household_id is not None:
        await cadre_views.stop_filing(unit.tx, user.id)
        await _file_for(unit, user.id, cadre_id, household_id, content)
        return
    talk = await conversations.get(unit.tx, user.id)
    idle = unit.setup.config.requests.conversation_idle
    if talk is not None and unit.now - talk.since > idle:
        # A button pressed long ago: this message is probably not the answer it asked for.
        await conversations.clear(unit.tx, user.id)
        talk = None
    if talk is None or talk.purpose not in _WRITING:
        unit.send(outgoing.message(incoming.chat_id, texts("requests_cadre.answer.how_to")))
        return
    event, answer = _WRITING[talk.purpose]
    await conversations.clear(unit.tx, user.id)
    try:
        done = await requests.act(
            Requests(unit.tx), unit.now, talk.request_id, cadre_id, event, content
        )
    except (requests.NotAllowed, InvalidTransition):
        unit.send(outgoing.message(user.id, texts("requests_cadre.answer.refused")))
        return
    await notify.deliver(unit, done.tells)
    text = texts(answer, number=done.request.number)
    unit.send(outgoing.message(incoming.chat_id, text, reply_to=incoming.message_id))


async def _file_for(
    unit: Unit, user_id: int, cadre_id: str, household_id: str, content: requests.Content
) -> None:
    done = await requests.file(
        Requests(unit.tx),
        unit.now,
        household_id,
        content,
        requesting.deadlines(unit),
        by_cadre=cadre_id,
    )
    await notify.deliver(unit, done.tells)
    people = People(unit.tx)
    text = unit.setup.texts(
        "requests_cadre.file.filed",
        head=bounded((await people.household(household_id)).head_name),
        number=done.request.number,
        handler=bounded((await people.cadre(done.request.handler_id)).name),
        resolve_by=tell_cadre.local(unit, done.request.resolve_by),
    )
    unit.send(outgoing.message(user_id, text))


# --- buttons --------------------------------------------------------------------------

Action = Callable[[Unit, str, int, str, int], Awaitable[str | None]]


async def on_button(update: Update, context: LianxinContext) -> None:
    """``rq:<action>:<request id>[:<argument>]`` pressed by a bound cadre."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    unit = context.unit
    texts = unit.setup.texts
    pressed = callbacks.request_press(query.data)
    cadre_id = await People(unit.tx).cadre_of_user(user.id)
    handle = ACTIONS.get(pressed.action) if pressed else None
    answer: str | None = texts("requests_cadre.answer.refused")
    if cadre_id is not None and handle is not None and pressed is not None:
        with contextlib.suppress(requests.NotAllowed, InvalidTransition):
            answer = await handle(unit, cadre_id, pressed.request_id, pressed.argument, user.id)
    unit.send(outgoing.answer_button(user.id, query.id, answer))


async def _acknowledge(
    unit: Unit, cadre_id: str, request_id: int, argument: str, user_id: int
) -> str | None:
    store = Requests(unit.tx)
    done = await requests.act(store, unit.now, request_id, cadre_id, Event.ACKNOWLEDGED)
    await notify.deliver(unit, done.tells)
    text = unit.setup.texts("requests_cadre.answer.acknowledged", number=done.request.number)
    keyboard = tell_cadre.actions_keyboard(unit.setup.texts, done.request)
    unit.send(outgoing.message(user_id, text, keyboard=keyboard))
    return None


def _ask(name: str) -> Action:
    purpose, event, key = _ASK[name]

    async def ask(
        unit: Unit, cadre_id: str, request_id: int, argument: str, user_id: int
    ) -> str | None:
        request = await requests.may_act(Requests(unit.tx), request_id, cadre_id, event)
        await cadre_views.stop_filing(unit.tx, user_id)
        await conversations.set_(unit.tx, user_id, request.id, purpose, unit.now)
        text = unit.setup.texts(key, number=request.number)
        unit.send(outgoing.message(user_id, text))
        return None

    return ask


async def _choose_handover(
    unit: Unit, cadre_id: str, request_id: int, argument: str, user_id: int
) -> str | None:
    texts = unit.setup.texts
    request = await requests.may_act(Requests(unit.tx), request_id, cadre_id, Event.HANDED_OVER)
    others = [
        c
        for c in await People(unit.tx).linked_cadres(request.household_id)
        if c.cadre.id != cadre_id
    ]
    if not others:
        return texts("requests_cadre.answer.no_handover")
    text = texts("requests_cadre.answer.choose_handover", number=request.number)
    keyboard = tell_cadre.handover_keyboard(texts, request.id, others)
    unit.send(outgoing.message(user_id, text, keyboard=keyboard))
    return None


async def _hand_to(
    unit: Unit, cadre_id: str, request_id: int, argument: str, user_id: int
) -> str | None:
    done = await requests.hand_over(Requests(unit.tx), unit.now, request_id, cadre_id, argument)
    return await _moved(unit, done, "requests_cadre.answer.handed_over", user_id)


async def _escalate(
    unit: Unit, cadre_id: str, request_id: int, argument: str, user_id: int
) -> str | None:
    store = Requests(unit.tx)
    request = await requests.may_act(store, request_id, cadre_id, Event.ESCALATED)
    try:
        done = await requests.escalate(
            store,
            unit.now,
            request_id,
            f"cadre:{cadre_id}",
            by_cadre=cadre_id,
            deadlines=requesting.deadlines(unit),  # the new tier gets due times of its own
        )
    except requests.NotAllowed:
        return unit.setup.texts("requests_cadre.answer.no_one_above", number=request.number)
    return await _moved(unit, done, "requests_cadre.answer.escalated", user_id)


async def _moved(unit: Unit, done: requests.Done, key: str, user_id: int) -> str | None:
    await notify.deliver(unit, done.tells)
    name = bounded((await People(unit.tx).cadre(done.request.handler_id)).name)
    text = unit.setup.texts(key, number=done.request.number, name=name)
    unit.send(outgoing.message(user_id, text))
    return None


async def _open(unit: Unit, cadre_id: str, request_id: int, argument: str, user_id: int) -> None:
    await show_case(unit, cadre_id, request_id, user_id)


async def show_case(unit: Unit, cadre_id: str, request_id: int | None, user_id: int) -> None:
    """The case with its trail and buttons, if this cadre may see it; else "not found"."""
    texts = unit.setup.texts
    request = None
    if request_id is not None and await cadre_views.may_see(unit.tx, cadre_id, request_id):
        request = await Requests(unit.tx).get(request_id)
    if request is None:
        unit.send(outgoing.message(user_id, texts("requests_cadre.answer.not_found")))
        return
    pages = await tell_cadre.full_case(unit, request)
    keyboard = tell_cadre.actions_keyboard(texts, request)
    unit.send(*outgoing.messages(user_id, pages, keyboard=keyboard, keyboard_first=True))
    first = await Requests(unit.tx).filed_content(request.id)
    unit.send(*tell_cadre.media_calls(user_id, first, request.number))


ACTIONS: dict[str, Action] = {
    "ack": _acknowledge,
    "reply": _ask("reply"),
    "done": _ask("done"),
    "explain": _ask("explain"),
    "hand": _choose_handover,
    "handto": _hand_to,
    "esc": _escalate,
    "open": _open,
}


# --- commands -------------------------------------------------------------------------


async def _cadre(update: Update, context: LianxinContext) -> tuple[Unit, int, str] | None:
    """The unit, user id and cadre id of a cadre's command; None (and an answer) for
    anyone else."""
    user = update.effective_user
    if user is None:
        return None
    unit = context.unit
    cadre_id = await People(unit.tx).cadre_of_user(user.id)
    if cadre_id is None:
        unit.send(outgoing.message(user.id, unit.setup.texts("requests_cadre.cadres_only")))
        return None
    return unit, user.id, cadre_id


async def inbox(update: Update, context: LianxinContext) -> None:
    """``/inbox``: open requests, oldest due first; ``/inbox LX-2026-000007`` opens one."""
    found = await _cadre(update, context)
    if found is None:
        return
    unit, user_id, cadre_id = found
    texts = unit.setup.texts
    if context.args:
        request_id = await cadre_views.request_id_by_number(unit.tx, context.args[0])
        await show_case(unit, cadre_id, request_id, user_id)
        return
    lines = await cadre_views.inbox(unit.tx, cadre_id)
    if not lines:
        unit.send(outgoing.message(user_id, texts("requests_cadre.inbox.empty")))
        return
    body = "\n".join(
        texts(
            "requests_cadre.inbox.line",
            number=line.number,
            head=bounded(line.head_name),
            category=texts(f"requests.category.{line.category}"),
            urgent=texts("requests_cadre.urgent_mark") if line.urgent else "",
            status=texts(f"requests.status.{line.status}"),
            due=tell_cadre.local(unit, line.due),
        )
        for line in lines
    )
    more = (
        "\n" + texts("requests_cadre.inbox.more", count=len(lines))
        if len(lines) >= cadre_views.INBOX_LIMIT
        else ""
    )
    text = f"{texts('requests_cadre.inbox.head', count=len(lines))}\n{body}{more}"
    keyboard = tell_cadre.open_keyboard(texts, lines)
    unit.send(outgoing.message(user_id, text, keyboard=keyboard))


async def set_away(update: Update, context: LianxinContext) -> None:
    """``/away 2026-12-01`` (away until that day begins), ``/away off``, or ``/away``."""
    found = await _cadre(update, context)
    if found is None:
        return
    unit, user_id, cadre_id = found
    texts = unit.setup.texts
    argument = context.args[0] if context.args else ""
    if argument.lower() in ("off", "back", "取消", "回来"):
        await _back(unit, cadre_id, user_id)
        return
    back_button = InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts("requests_cadre.button.back"), callback_data=BACK.encode())]]
    )
    if not argument:
        current = await cadre_views.away_until(unit.tx, cadre_id)
        if current is None or current <= unit.now:
            unit.send(outgoing.message(user_id, texts("requests_cadre.away.not_away")))
        else:
            text = texts("requests_cadre.away.status", until=tell_cadre.local(unit, current))
            unit.send(outgoing.message(user_id, text, keyboard=back_button))
        return
    longest = unit.setup.config.away.max
    try:
        until = away.until(argument, unit.now, unit.setup.config.general.zone, longest)
    except away.TooFar as far:
        text = texts(
            "requests_cadre.away.too_far", latest=far.latest.isoformat(), days=longest.days
        )
        unit.send(outgoing.message(user_id, text))
        return
    except away.PastDate as past:
        text = texts("requests_cadre.away.past_date", date=past.day.isoformat())
        unit.send(outgoing.message(user_id, text))
        return
    except away.BadDate:
        unit.send(outgoing.message(user_id, texts("requests_cadre.away.bad_date", text=argument)))
        return
    await cadre_views.set_away(unit.tx, cadre_id, until)
    me = await People(unit.tx).cadre(cadre_id)
    when = tell_cadre.local(unit, until)
    backup = bounded((await People(unit.tx).cadre(me.backup_id)).name) if me.backup_id else ""
    if backup:
        text = texts("requests_cadre.away.set", until=when, backup=backup)
    else:
        text = texts("requests_cadre.away.set_no_backup", until=when)
    unit.send(outgoing.message(user_id, text, keyboard=back_button))
    # The supervisor hears of it: away for long hands a cadre's households on.
    notice = texts(
        "requests_cadre.away.supervisor",
        name=me.name,
        rank=texts(f"people.rank.{me.rank}"),
        until=when,
        backup=backup or texts("requests_cadre.away.supervisor_no_backup"),
    )
    for supervisor in await cadre_views.nearest_supervisor_users(unit.tx, cadre_id):
        unit.send(outgoing.message(supervisor, notice, priority=Priority.BULK))


async def back_pressed(update: Update, context: LianxinContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    unit = context.unit
    cadre_id = await People(unit.tx).cadre_of_user(user.id)
    if cadre_id is None:
        text = unit.setup.texts("requests_cadre.answer.refused")
        unit.send(outgoing.answer_button(user.id, query.id, text))
        return
    unit.send(outgoing.answer_button(user.id, query.id))
    await _back(unit, cadre_id, user.id)


async def _back(unit: Unit, cadre_id: str, user_id: int) -> None:
    texts = unit.setup.texts
    was_away = await cadre_views.clear_away(unit.tx, cadre_id)
    key = "requests_cadre.away.back" if was_away else "requests_cadre.away.not_away"
    unit.send(outgoing.message(user_id, texts(key)))


async def file_for(update: Update, context: LianxinContext) -> None:
    """``/file H0001``: the cadre's next message files a request for that household."""
    found = await _cadre(update, context)
    if found is None:
        return
    unit, user_id, cadre_id = found
    texts = unit.setup.texts
    if not context.args:
        unit.send(outgoing.message(user_id, texts("requests_cadre.file.usage")))
        return
    household_id = context.args[0].strip().upper()
    if not await Requests(unit.tx).linked(cadre_id, household_id):
        text = texts("requests_cadre.file.not_linked", household=household_id)
        unit.send(outgoing.message(user_id, text))
        return
    await conversations.clear(unit.tx, user_id)
    await cadre_views.start_filing(unit.tx, user_id, cadre_id, household_id, unit.now)
    head = bounded((await People(unit.tx).household(household_id)).head_name)
    unit.send(outgoing.message(user_id, texts("requests_cadre.file.ask", head=head)))


def register(app: AnyApp) -> None:
    """Cadre commands and the request buttons (a cadre's messages come via villager.py,
    which hands a bound cadre's messages to ``message``)."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("inbox", inbox, filters=private))
    app.add_handler(CommandHandler("away", set_away, filters=private))
    app.add_handler(CommandHandler("file", file_for, filters=private))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^rq:"))
    app.add_handler(CallbackQueryHandler(back_pressed, pattern=r"^away:off:"))
