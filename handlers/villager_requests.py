"""A villager's requests: filing what they send, the receipt's buttons, confirming (销号);
/my is ``handlers.my_requests``. The rules are the domain's (``bot.domain.requests``,
``marks``, ``about_cadre``); this module pulls ids and content out of Telegram and
renders what happened."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update

from bot import callbacks
from bot.calls import Call
from bot.domain import about_cadre, marks, talking
from bot.domain import requests as service
from bot.domain.lifecycle import Category, InvalidTransition, Outcome
from bot.domain.requests import Audience, Done, NotAllowed
from bot.domain.talking import Purpose
from handlers.context import Unit
from storage import conversations, villager_views
from storage.requests import Requests

from . import joining, my_requests, notify, outgoing, requesting, tell_household
from .context import LianxinContext
from .tell_household import handler_of, local_time

# --- filing ---------------------------------------------------------------------------


async def file_or_join(unit: Unit, incoming: Message, user_id: int, household_id: str) -> None:
    """The message joins the request the villager is talking about, or files a new one."""
    store = Requests(unit.tx)
    content = requesting.content_of(incoming)
    talk = await conversations.get(unit.tx, user_id)
    if talk is not None and talk.purpose in (Purpose.TALKING, Purpose.REOPENING):
        request = await store.get(talk.request_id)
        idle = unit.setup.config.requests.conversation_idle
        if request is not None and talking.joins(
            request, talk.since, unit.now, idle, household_id
        ):
            done = await service.villager_says(store, unit.now, request.id, user_id, content)
            # The trail has the words now; the handler gets them with the others that
            # come meanwhile (handlers.joining), the other tells as they are.
            await notify.deliver(
                unit, [t for t in done.tells if t.audience is not Audience.HANDLER]
            )
            key = "reason_relayed" if talk.purpose is Purpose.REOPENING else "joined"
            await joining.join(
                unit, done.request, user_id, content, reply_to=incoming.message_id, key=key
            )
            await conversations.set_(unit.tx, user_id, request.id, Purpose.TALKING, unit.now)
            return
    done = await service.file(
        store, unit.now, household_id, content, requesting.deadlines(unit), by_user=user_id
    )
    # The receipt quotes the message that filed the request, in the filer's chat.
    await notify.deliver(unit, done.tells, reply_to=(incoming.chat_id, incoming.message_id))
    await conversations.set_(unit.tx, user_id, done.request.id, Purpose.TALKING, unit.now)


# --- the buttons ----------------------------------------------------------------------


async def press(update: Update, context: LianxinContext) -> None:
    """Every villager button of a request: checked by the domain against the presser's
    households and the request's state; a refused press changes nothing and says so."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    unit = context.unit
    texts = unit.setup.texts
    pressed = callbacks.request_press(query.data)
    try:
        if pressed is None:
            raise NotAllowed("not a request button")
        answer = await _act(
            unit, query.message, user.id, pressed.action, pressed.request_id, pressed.argument
        )
    except (NotAllowed, InvalidTransition):
        unit.send(outgoing.answer_button(user.id, query.id, texts("villager_requests.expired")))
        return
    unit.send(outgoing.answer_button(user.id, query.id, answer))


async def _act(
    unit: Unit, shown: object, user_id: int, action: str, request_id: int, argument: str
) -> str:
    """Do what the button says; return the short answer shown on the button press."""
    texts = unit.setup.texts
    store = Requests(unit.tx)
    message = shown if isinstance(shown, Message) else None
    match action:
        case tell_household.CATEGORY:
            category = _category(argument)
            done = await marks.categorise(
                store, unit.now, request_id, user_id, category, requesting.deadlines(unit)
            )
            _refresh_receipt(unit, message, done)
            return texts(
                "villager_requests.category_set", category=texts(f"requests.category.{category}")
            )
        case tell_household.URGENT:
            done = await marks.mark_urgent(
                store, unit.now, request_id, user_id, requesting.deadlines(unit)
            )
            _refresh_receipt(unit, message, done)
            return texts(
                "villager_requests.urgent_set", resolve=local_time(unit, done.request.resolve_by)
            )
        case tell_household.ABOUT_CADRE:
            done = await about_cadre.about_my_cadre(store, unit.now, request_id, user_id)
            await notify.deliver(unit, done.tells)
            _refresh_receipt(unit, message, done)
            return texts(
                "villager_requests.about_cadre_done",
                **await handler_of(unit, done.request.handler_id),
            )
        case tell_household.SATISFIED | tell_household.PARTLY | tell_household.NOT_SOLVED:
            return await _confirm(unit, message, user_id, action, request_id)
        case tell_household.SEE:
            found = await villager_views.one_of_mine(unit.tx, user_id, request_id)
            if found is None:
                raise NotAllowed("not a request of this member's household")
            text = await my_requests.detail_text(unit, user_id, found)
            unit.send(outgoing.message(user_id, text))
            return ""
    raise NotAllowed(f"no villager button {action}")


async def _confirm(
    unit: Unit, message: Message | None, user_id: int, action: str, request_id: int
) -> str:
    """销号 (satisfied or partly) or reopen (not solved, then ask why: optional)."""
    texts = unit.setup.texts
    rating = {tell_household.SATISFIED: Outcome.SATISFIED, tell_household.PARTLY: Outcome.PARTLY}
    outcome = rating.get(action)
    done = await service.confirm(Requests(unit.tx), unit.now, request_id, user_id, outcome)
    await notify.deliver(unit, done.tells)
    if message is not None:
        unit.send(_edit_keyboard(message, None))
    number = done.request.number
    if outcome is None:
        await conversations.set_(unit.tx, user_id, request_id, Purpose.REOPENING, unit.now)
        who = await handler_of(unit, done.request.handler_id)
        text = texts("villager_requests.reopened", number=number, **who)
    else:
        talk = await conversations.get(unit.tx, user_id)
        if talk is not None and talk.request_id == request_id:
            await conversations.clear(unit.tx, user_id)
        text = texts(f"villager_requests.confirmed_{outcome}", number=number)
    unit.send(outgoing.message(user_id, text))
    return ""


def _category(argument: str) -> Category:
    try:
        return Category(argument)
    except ValueError:
        raise NotAllowed(f"no category {argument!r}") from None


def _refresh_receipt(unit: Unit, message: Message | None, done: Done) -> None:
    """Show the marks on the receipt's buttons (ticked category, urgent)."""
    if message is None:
        return
    keyboard = tell_household.receipt_keyboard(unit.setup.texts, done.request)
    if message.reply_markup is None or message.reply_markup.to_dict() != keyboard.to_dict():
        unit.send(_edit_keyboard(message, keyboard))


def _edit_keyboard(message: Message, keyboard: InlineKeyboardMarkup | None) -> Call:
    params: dict[str, object] = {"chat_id": message.chat_id, "message_id": message.message_id}
    params["reply_markup"] = (keyboard or InlineKeyboardMarkup([])).to_dict()
    return Call(message.chat_id, "editMessageReplyMarkup", params)
