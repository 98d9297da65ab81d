"""A cadre's chat: the request buttons, replies and resolutions, /inbox (/file is
``handlers.pickers``').

Each handler reads the update, calls one use case (``bot.services.casework``,
``bot.services.inbox``) and renders what comes back with the pure views below and in
``tell_cadre``; what others must hear comes back as notices (``notify.calls``). A refusal
(``NotAllowed``, ``InvalidTransition``) is answered on the button and changes nothing.
/away is ``handlers.away``'s.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import callbacks
from bot.callbacks import RequestPress
from bot.calls import Call
from bot.domain.lifecycle import Event, InvalidTransition
from bot.domain.requests import Content, NotAllowed
from bot.domain.talking import Purpose
from bot.i18n import Texts
from bot.services import casework, field
from bot.services import inbox as cases
from bot.services.casework import (
    Acted,
    Asked,
    CadresOnly,
    Choices,
    Filed,
    Moved,
    NoOneAbove,
)
from bot.services.identity import Identity
from bot.services.inbox import NotFound, OpenCase
from bot.services.notices import CaseCard

from . import announce, inbox_pages, notify, outgoing, requesting, supervision, tell_cadre
from .context import AnyApp, LianxinContext, Unit, View
from .paging import bounded

_ASKS = {"reply": Purpose.REPLYING, "done": Purpose.RESOLVING, "explain": Purpose.EXPLAINING}
_ASKING = {
    Purpose.REPLYING: "requests_cadre.answer.ask_reply",
    Purpose.RESOLVING: "requests_cadre.answer.ask_done",
    Purpose.EXPLAINING: "requests_cadre.answer.ask_explain",
}
_ANSWERED = {
    Event.ACKNOWLEDGED: "requests_cadre.answer.acknowledged",
    Event.REPLIED: "requests_cadre.answer.replied",
    Event.RESOLVED: "requests_cadre.answer.resolved",
    Event.EXPLAINED: "requests_cadre.answer.explained",
    Event.HANDED_OVER: "requests_cadre.answer.handed_over",
    Event.ESCALATED: "requests_cadre.answer.escalated",
}


async def message(update: Update, context: LianxinContext, cadre_id: str) -> None:
    """What a bound cadre sends: a swipe-reply to a case's message (it answers that
    case), a request filed for a household (after /file), the reply, resolution or
    explanation their last button asked for, or else how to start.
    (``cadre_id`` is the cadre villager.py found; the use case takes ``unit.who``'s.)"""
    incoming, unit, who = update.effective_message, context.unit, context.unit.who
    if incoming is None or who is None:
        return
    content = requesting.content_of(incoming)
    if await supervision.noted(unit, who, content, incoming.message_id):
        return  # the note of a 催办 (handlers.supervision)
    if await announce.caught(unit, who, incoming):
        return  # the announcement after /announce (handlers.announce)
    try:
        replied = requesting.replied_to(incoming)  # a swipe-reply answers its request
        done = await casework.message(unit.work, who, content, rules(unit), replied)
    except (NotAllowed, InvalidTransition):
        unit.send(outgoing.message(who.user_id, unit.texts("requests_cadre.answer.refused")))
        return
    if done is None and await _pictured(unit, who, content, incoming.message_id):
        return  # the photo of the visit or stay just logged
    unit.send(*written_calls(unit.view(), incoming.chat_id, incoming.message_id, done))


async def _pictured(unit: Unit, who: Identity, content: Content, message_id: int) -> bool:
    """A photo nothing asked for, minutes after /visit or /stay, is that entry's."""
    if not await field.picture(unit.work, who, content):
        return False
    text = unit.texts("schedule.log.pictured")
    unit.send(outgoing.message(who.user_id, text, reply_to=message_id))
    return True


def rules(unit: Unit) -> casework.Rules:
    idle = unit.setup.config.requests.conversation_idle
    return casework.Rules(requesting.deadlines(unit), idle)


# --- buttons --------------------------------------------------------------------------

# An action gets the press and the message its button was under (the card, edited there).
Action = Callable[[Unit, Identity, RequestPress, int | None], Awaitable[str | None]]


async def on_button(update: Update, context: LianxinContext) -> None:
    """``rq:<action>:<request id>[:<argument>]``, checked by the use case against the
    request's state and the presser (a villager, another cadre: refused)."""
    query, unit, who = update.callback_query, context.unit, context.unit.who
    if query is None or who is None:
        return
    pressed = callbacks.request_press(query.data)
    handle = ACTIONS.get(pressed.action) if pressed else None
    answer: str | None = unit.texts("requests_cadre.answer.refused")
    at = query.message.message_id if query.message is not None else None
    if handle is not None and pressed is not None:
        with contextlib.suppress(NotAllowed, InvalidTransition):
            answer = await handle(unit, who, pressed, at)
    unit.send(outgoing.answer_button(who.user_id, query.id, answer))


async def _acknowledge(
    unit: Unit, who: Identity, pressed: RequestPress, at: int | None
) -> str | None:
    acted = await casework.acknowledge(unit.work, who, pressed.request_id)
    unit.send(*acted_calls(unit.view(), who.user_id, acted, at))
    return unit.texts("case_card.answer.acknowledged", number=acted.request.number)


def _ask(purpose: Purpose) -> Action:
    async def ask(unit: Unit, who: Identity, pressed: RequestPress, at: int | None) -> str | None:
        asked = await casework.ask(unit.work, who, pressed.request_id, purpose)
        unit.send(outgoing.message(who.user_id, asking_text(unit.texts, asked)))
        return None

    return ask


async def _choose_handover(
    unit: Unit, who: Identity, pressed: RequestPress, at: int | None
) -> str | None:
    choices = await casework.handover_choices(unit.work, who, pressed.request_id)
    if not choices.cadres:
        return unit.texts("requests_cadre.answer.no_handover")
    unit.send(choices_call(unit.texts, who.user_id, choices, at))
    return unit.texts("requests_cadre.answer.choose_handover", number=choices.request.number)


async def _hand_to(unit: Unit, who: Identity, pressed: RequestPress, at: int | None) -> str | None:
    moved = await casework.hand_over(unit.work, who, pressed.request_id, pressed.argument)
    unit.send(*moved_calls(unit.view(), who.user_id, moved, at))
    return moved_answer(unit.texts, moved)


async def _escalate(
    unit: Unit, who: Identity, pressed: RequestPress, at: int | None
) -> str | None:
    deadlines = requesting.deadlines(unit)  # the new tier gets due times of its own
    try:
        moved = await casework.escalate(unit.work, who, pressed.request_id, deadlines)
    except NoOneAbove as refused:
        number = refused.request.number
        return unit.texts("requests_cadre.answer.no_one_above", number=number)
    unit.send(*moved_calls(unit.view(), who.user_id, moved, at))
    return moved_answer(unit.texts, moved)


async def _open(unit: Unit, who: Identity, pressed: RequestPress, at: int | None) -> str | None:
    """From /inbox or a notice: the card comes as a new message (the chat's card now)."""
    opened = await _found(cases.open_case(unit.work, who, pressed.request_id))
    unit.send(*case_calls(unit.view(), who.user_id, opened))
    return None


async def _card(unit: Unit, who: Identity, pressed: RequestPress, at: int | None) -> str | None:
    """↩ from the hand-over choices: the card shows its own buttons again."""
    opened = await _found(cases.open_case(unit.work, who, pressed.request_id))
    if opened is None:
        return unit.texts("requests_cadre.answer.not_found")
    unit.send(*tell_cadre.card_edit(unit.view(), who.user_id, card_of(opened), at=at))
    return None


async def _found(opening: Awaitable[OpenCase]) -> OpenCase | None:
    """The case, or None for one that does not exist or is not this cadre's to see."""
    try:
        return await opening
    except NotFound:
        return None


ACTIONS: dict[str, Action] = {
    "ack": _acknowledge,
    **{name: _ask(purpose) for name, purpose in _ASKS.items()},
    "hand": _choose_handover,
    "handto": _hand_to,
    "esc": _escalate,
    "open": _open,
    "card": _card,
}


# --- commands -------------------------------------------------------------------------


async def inbox(update: Update, context: LianxinContext) -> None:
    """``/inbox``: the first page of the cases waiting (``handlers.inbox_pages``);
    ``/inbox LX-2026-000007`` opens one."""
    unit, who = context.unit, context.unit.who
    if who is None:
        return
    try:
        if context.args:
            opened = await _found(cases.open_number(unit.work, who, context.args[0]))
            unit.send(*case_calls(unit.view(), who.user_id, opened))
        else:
            shown = await cases.page(unit.work, who)
            unit.send(inbox_pages.page_message(unit.view(), who.user_id, shown))
    except CadresOnly:
        unit.send(outgoing.message(who.user_id, unit.texts("requests_cadre.cadres_only")))


# --- views ----------------------------------------------------------------------------


def written_calls(
    view: View, chat: int, message_id: int, done: Acted | Filed | None
) -> list[Call]:
    """What a cadre's message did: the request filed, the answer passed on (quoting the
    cadre's message, the card re-rendered), or, when no button asked for it, how to
    start."""
    texts = view.texts
    if done is None:
        return [outgoing.message(chat, texts("requests_cadre.answer.how_to"))]
    if isinstance(done, Filed):
        return [*notify.calls(view, done.notices), outgoing.message(chat, filed_text(view, done))]
    text = texts(_ANSWERED[done.event], number=done.request.number)
    said = outgoing.message(chat, text, reply_to=message_id)
    return [
        *notify.calls(view, done.notices),
        *notify.about(done.request.id, [said]),
        *tell_cadre.card_edit(view, chat, done.card),
    ]


def filed_text(view: View, filed: Filed) -> str:
    return view.texts(
        "requests_cadre.file.filed",
        head=bounded(filed.household.head_name),
        number=filed.request.number,
        handler=bounded(filed.handler.name),
        resolve_by=tell_cadre.local(view, filed.request.resolve_by),
    )


def acted_calls(view: View, user: int, acted: Acted, at: int | None) -> list[Call]:
    """受理 done: the household hears; the card (where the button was) shows the buttons
    for what comes next."""
    card = tell_cadre.card_edit(view, user, acted.card, at=at)
    return [*notify.calls(view, acted.notices), *card]


def asking_text(texts: Texts, asked: Asked) -> str:
    return texts(_ASKING[asked.purpose], number=asked.request.number)


def choices_call(texts: Texts, user: int, choices: Choices, at: int | None) -> Call:
    """The card's buttons become the cadres it may go to, and ↩ (back to the card's)."""
    keyboard = tell_cadre.handover_keyboard(texts, choices.request.id, choices.cadres)
    params: dict[str, Any] = {"chat_id": user, "reply_markup": keyboard.to_dict()}
    if at is not None:
        params["message_id"] = at
    return Call(user, "editMessageReplyMarkup", params, request_id=choices.request.id)


def moved_calls(view: View, user: int, moved: Moved, at: int | None) -> list[Call]:
    """Handed over or escalated: the new handler and the household (and the one before)
    hear; this cadre's card says who holds it now and keeps only 回复."""
    card = tell_cadre.card_edit(view, user, moved.card, at=at, handler=False)
    return [*notify.calls(view, moved.notices), *card]


def moved_answer(texts: Texts, moved: Moved) -> str:
    key = "handed_over" if moved.event is Event.HANDED_OVER else "escalated"
    name = bounded(moved.handler.name)
    return texts(f"case_card.answer.{key}", number=moved.request.number, name=name)


def card_of(opened: OpenCase) -> CaseCard:
    """The card of a case opened: the last event and the handler from its trail."""
    last = opened.trail[-1] if opened.trail else None
    handler = next((t.handler_name for t in reversed(opened.trail) if t.handler_name), "")
    return CaseCard(opened.request, opened.household, opened.content, last, handler)


def case_calls(view: View, user: int, opened: OpenCase | None) -> list[Call]:
    """The card (the chat's card of the case from now on), its trail, then what was
    filed (a file, a place); "not found" for one that is not there or not this cadre's
    to see."""
    if opened is None:
        return [outgoing.message(user, view.texts("requests_cadre.answer.not_found"))]
    request = opened.request
    keyboard = supervision.keyboard(view.texts, request) if opened.supervising else None
    intro = supervision.taken_intro(view.texts, opened)
    made = [
        *tell_cadre.card_calls(
            view, user, card_of(opened), intro=intro, trail=opened.trail, keyboard=keyboard
        ),
        *tell_cadre.media_calls(user, opened.content, request.number),
    ]
    return notify.about(request.id, made)  # a swipe-reply to it answers the case


def register(app: AnyApp) -> None:
    """Cadre commands and the request buttons (a cadre's messages come via villager.py,
    which hands a bound cadre's messages to ``message``)."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("inbox", inbox, filters=private))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^rq:"))
    inbox_pages.register(app)
