"""「🔒 反映干部问题」: a villager's confidential complaint about a cadre. The button asks
which of the household's cadres; the next message is the complaint, filed before
anything is sent to anyone and handled by the supervisor above the accused
(``bot.services.confidential``). The accused is never told."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot import callbacks
from bot.calls import Call
from bot.domain.members import NoHousehold
from bot.domain.requests import Audience, NotAllowed
from bot.i18n import Texts
from bot.services import confidential
from bot.services.confidential import Choices, Chosen, Complained, NoOneAbove
from bot.services.identity import Identity

from . import common, notify, outgoing, requesting, tell_household, villager_requests
from .context import LianxinContext, Unit, View
from .paging import bounded
from .people import household_chooser

SCOPE = "cf"
PATTERN = rf"^{SCOPE}:who:"


async def start(update: Update, context: LianxinContext) -> None:
    """The button: which cadre is it about (the household's cadres as buttons)."""
    message, unit, who = update.effective_message, context.unit, context.unit.who
    if message is None or who is None:
        return
    if who.cadre is not None and not who.villager:  # a cadre's phone: their own buttons
        unit.send(outgoing.message(message.chat_id, unit.texts("requests_cadre.how_to")))
        return
    if not who.villager:
        await common.not_bound(update, context)
        return
    try:
        found = await confidential.choices(unit.work, who)
    except NoHousehold:
        keyboard = household_chooser(who.households)
        text = unit.texts("villager.choose_household")
        unit.send(outgoing.message(message.chat_id, text, keyboard=keyboard))
        return
    unit.send(choices_call(unit.texts, message.chat_id, found))


async def pick(update: Update, context: LianxinContext) -> None:
    """A cadre chosen: the next message is the complaint (whom it goes to is said now)."""
    query, unit, who = update.callback_query, context.unit, context.unit.who
    if query is None or who is None:
        return
    chosen = callbacks.decode(query.data)
    try:
        done = await confidential.choose(unit.work, who, chosen.argument if chosen else "")
    except (NotAllowed, NoHousehold):
        answer = unit.texts("villager_requests.expired")
        unit.send(outgoing.answer_button(who.user_id, query.id, answer))
        return
    except NoOneAbove as missing:
        text = unit.texts("confidential.no_supervisor", accused=bounded(missing.accused.name))
        unit.send(
            outgoing.answer_button(who.user_id, query.id), outgoing.message(who.user_id, text)
        )
        return
    unit.send(
        outgoing.answer_button(who.user_id, query.id), asked_call(unit.texts, who.user_id, done)
    )


async def file_or_join(unit: Unit, incoming: Message, who: Identity) -> None:
    """The complaint the villager chose a cadre for; else an ordinary message (filed or
    joined as always)."""
    content = requesting.content_of(incoming)
    try:
        done = await confidential.file_if_asked(
            unit.work, who, content, requesting.deadlines(unit)
        )
    except NoOneAbove as missing:
        text = unit.texts("confidential.no_supervisor", accused=bounded(missing.accused.name))
        unit.send(outgoing.message(who.user_id, text, reply_to=incoming.message_id))
        return
    if done is None:
        await villager_requests.file_or_join(unit, incoming, who)
        return
    unit.send(*complained_calls(unit.view(), who.user_id, incoming.message_id, done))


# --- views ----------------------------------------------------------------------------


def _rank(texts: Texts, rank: str) -> str:
    return texts(f"people.rank.{rank}")


def choices_call(texts: Texts, chat_id: int, found: Choices) -> Call:
    cadres = [c.cadre for c in found.cadres] + list(found.above)
    if not cadres:
        return outgoing.message(chat_id, texts("confidential.no_cadres"))
    rows = [
        [
            InlineKeyboardButton(
                f"{bounded(c.name)}（{_rank(texts, c.rank)}）",
                callback_data=callbacks.Callback(SCOPE, "who", c.id).encode(),
            )
        ]
        for c in cadres
    ]
    keyboard = InlineKeyboardMarkup(rows)
    return outgoing.message(chat_id, texts("confidential.choose"), keyboard=keyboard)


def asked_call(texts: Texts, chat_id: int, done: Chosen) -> Call:
    text = texts(
        "confidential.ask",
        accused=bounded(done.accused.name),
        rank=_rank(texts, done.accused.rank),
        supervisor=bounded(done.supervisor.name),
        supervisor_rank=_rank(texts, done.supervisor.rank),
    )
    return outgoing.message(chat_id, text)


def complained_calls(view: View, user_id: int, message_id: int, done: Complained) -> list[Call]:
    """The supervisor's case card and a line naming the accused; the villager's receipt
    (quoting the complaint), with the category and urgent buttons."""
    texts, request = view.texts, done.request
    calls = notify.calls(view, done.notices)
    note = texts(
        "confidential.for_supervisor",
        number=request.number,
        accused=bounded(done.accused.name),
        rank=_rank(texts, done.accused.rank),
    )
    for notice in done.notices:
        if notice.tell.audience is Audience.HANDLER:
            calls += [outgoing.message(to, note) for to in notice.to]
    receipt = texts(
        "confidential.receipt",
        number=request.number,
        supervisor=bounded(done.supervisor.name),
        rank=_rank(texts, done.supervisor.rank),
        accused=bounded(done.accused.name),
        respond=tell_household.local_time(view, request.respond_by),
        resolve=tell_household.local_time(view, request.resolve_by),
    )
    keyboard = tell_household.receipt_keyboard(texts, request)
    calls.append(outgoing.message(user_id, receipt, keyboard=keyboard, reply_to=message_id))
    return notify.about(request.id, calls)  # a swipe-reply to the receipt joins it
