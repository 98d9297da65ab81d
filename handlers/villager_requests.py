"""A villager's requests: filing or joining what they send, and the receipt's buttons
(category, urgent, about my cadre, 销号 or not solved, see); /my is
``handlers.my_requests``. The use cases are ``bot.services.filing`` and
``bot.services.receipts``; here ids and content come out of Telegram and what happened
is rendered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Message, Update

from bot import callbacks
from bot.callbacks import RequestPress
from bot.calls import Call
from bot.domain.lifecycle import Category, InvalidTransition, Outcome
from bot.domain.requests import NotAllowed, Request
from bot.domain.roster import Cadre
from bot.services import confidential, filing, receipts, villager
from bot.services.confidential import Moved
from bot.services.filing import Filed, Joined
from bot.services.identity import Identity
from bot.services.receipts import Confirmed

from . import joining, my_requests, notify, outgoing, requesting, tell_household, threads
from .context import LianxinContext, Unit, View
from .tell_household import handler_blanks, local_time

# --- filing ---------------------------------------------------------------------------


async def file_or_join(unit: Unit, incoming: Message, who: Identity) -> None:
    """The message joins the request the villager is talking about, or files a new one
    (raises ``NoHousehold`` if the phone speaks for none now)."""
    done = await filing.file_or_join(
        unit.work,
        who,
        requesting.content_of(incoming),
        message_id=incoming.message_id,
        idle=unit.setup.config.requests.conversation_idle,
        deadlines=requesting.deadlines(unit),
        replied_to=requesting.replied_to(incoming),
    )
    unit.send(*filed_calls(unit.view(), who.user_id, incoming.message_id, done))


def filed_calls(view: View, user_id: int, message_id: int, done: Filed | Joined) -> list[Call]:
    """A new request's receipt and case card (after a word that the request swiped to
    was closed), or a follow-up's relay and answer."""
    if isinstance(done, Joined):
        return joining.joined_calls(view, user_id, message_id, done)
    notices = threads.naming(done.notices, done.household)
    if done.after is None:
        return notify.calls(view, notices)
    return [threads.closed_call(view, user_id, done.after), *notify.calls(view, notices)]


# --- the buttons ----------------------------------------------------------------------

Act = Callable[[Unit, Identity, Message | None, RequestPress], Awaitable[str]]


async def press(update: Update, context: LianxinContext) -> None:
    """Every villager button of a request: checked by the use case against the presser's
    households and the request's state; a refused press changes nothing and says so."""
    query, unit, who = update.callback_query, context.unit, context.unit.who
    if query is None or who is None:
        return
    pressed = callbacks.request_press(query.data)
    act = ACTS.get(pressed.action) if pressed is not None else None
    shown = query.message if isinstance(query.message, Message) else None
    try:
        if act is None or pressed is None:
            raise NotAllowed("not a villager's request button")
        answer = await act(unit, who, shown, pressed)
    except (NotAllowed, InvalidTransition):
        answer = unit.texts("villager_requests.expired")
    unit.send(outgoing.answer_button(who.user_id, query.id, answer))


async def _categorise(unit: Unit, who: Identity, shown: Message | None, p: RequestPress) -> str:
    try:
        category = Category(p.argument)
    except ValueError:
        raise NotAllowed(f"no category {p.argument!r}") from None
    deadlines = requesting.deadlines(unit)
    done = await receipts.categorise(unit.work, who, p.request_id, category, deadlines)
    unit.send(*refreshed(unit.view(), shown, done.request, done.handler))
    return unit.texts(
        "villager_requests.category_set", category=unit.texts(f"requests.category.{category}")
    )


async def _urgent(unit: Unit, who: Identity, shown: Message | None, p: RequestPress) -> str:
    deadlines = requesting.deadlines(unit)
    done = await receipts.mark_urgent(unit.work, who, p.request_id, deadlines)
    view = unit.view()
    unit.send(
        *notify.calls(view, done.notices), *refreshed(view, shown, done.request, done.handler)
    )
    resolve = local_time(unit, done.request.resolve_by)
    return unit.texts("villager_requests.urgent_set", resolve=resolve)


async def _about_cadre(unit: Unit, who: Identity, shown: Message | None, p: RequestPress) -> str:
    moved = await confidential.about_my_cadre(unit.work, who, p.request_id)
    unit.send(*moved_calls(unit.view(), shown, moved))
    who_now = handler_blanks(unit.texts, moved.handler, moved.request.handler_id)
    return unit.texts("villager_requests.about_cadre_done", **who_now)


async def _confirm(unit: Unit, who: Identity, shown: Message | None, p: RequestPress) -> str:
    """销号 (satisfied or partly) or reopen (not solved, then ask why: optional)."""
    outcome = RATINGS.get(p.action)
    done = await receipts.confirm(unit.work, who, p.request_id, outcome)
    unit.send(*confirmed_calls(unit.view(), who.user_id, shown, done))
    return ""


async def _see(unit: Unit, who: Identity, shown: Message | None, p: RequestPress) -> str:
    found = await villager.detail(unit.work, who, p.request_id)
    unit.send(my_requests.detail_message(unit.view(), who.user_id, found))
    return ""


async def _withdraw(unit: Unit, who: Identity, shown: Message | None, p: RequestPress) -> str:
    """撤回, first press: nothing changes; the buttons become 确定撤回 / 不撤回."""
    request = await receipts.may_withdraw(unit.work, who, p.request_id)
    if shown is not None:
        origin = tell_household.ON_RECEIPT if _on_receipt(shown) else tell_household.ON_DETAIL
        keyboard = tell_household.withdraw_keyboard(unit.texts, request.id, origin)
        unit.send(_edit_keyboard(shown, keyboard))
    return unit.texts("urgent.withdraw.ask", number=request.number)


async def _withdraw_yes(unit: Unit, who: Identity, shown: Message | None, p: RequestPress) -> str:
    """撤回, confirmed: closed as withdrawn, the handler told, the buttons gone."""
    done = await receipts.withdraw(unit.work, who, p.request_id)
    view = unit.view()
    calls = notify.calls(view, done.notices)
    if shown is not None:
        calls.append(_edit_keyboard(shown, None))
    handler = next((n.handler for n in done.notices if n.handler), None)
    who_now = handler_blanks(unit.texts, handler, done.request.handler_id)
    text = unit.texts("urgent.withdraw.done", number=done.request.number, **who_now)
    unit.send(*calls, outgoing.message(who.user_id, text))
    return ""


async def _withdraw_no(unit: Unit, who: Identity, shown: Message | None, p: RequestPress) -> str:
    """Not withdrawn after all: the buttons it had come back."""
    request = await receipts.may_withdraw(unit.work, who, p.request_id)
    if shown is not None:
        keyboard = (
            tell_household.receipt_keyboard(unit.texts, request)
            if p.argument == tell_household.ON_RECEIPT
            else tell_household.detail_keyboard(unit.texts, request)
        )
        unit.send(_edit_keyboard(shown, keyboard))
    return unit.texts("urgent.withdraw.kept", number=request.number)


def _on_receipt(shown: Message) -> bool:
    """Whether the pressed message is a receipt (it has the urgent button), not /my's."""
    markup = shown.reply_markup
    rows = markup.inline_keyboard if markup is not None else ()
    marks = (str(b.callback_data or "") for row in rows for b in row)
    return any(d.startswith(f"{tell_household.SCOPE}:{tell_household.URGENT}:") for d in marks)


RATINGS = {tell_household.SATISFIED: Outcome.SATISFIED, tell_household.PARTLY: Outcome.PARTLY}
ACTS: dict[str, Act] = {
    tell_household.CATEGORY: _categorise,
    tell_household.URGENT: _urgent,
    tell_household.ABOUT_CADRE: _about_cadre,
    tell_household.SATISFIED: _confirm,
    tell_household.PARTLY: _confirm,
    tell_household.NOT_SOLVED: _confirm,
    tell_household.SEE: _see,
    tell_household.WITHDRAW: _withdraw,
    tell_household.WITHDRAW_YES: _withdraw_yes,
    tell_household.WITHDRAW_NO: _withdraw_no,
}


# --- views ----------------------------------------------------------------------------


def moved_calls(view: View, shown: Message | None, moved: Moved) -> list[Call]:
    """ "About my cadre": the notices, the receipt without that button, and the accused's
    copies deleted from their chat."""
    calls = [
        *notify.calls(view, moved.notices),
        *refreshed(view, shown, moved.request, moved.handler),
    ]
    if moved.withdrawn is not None:
        chat = moved.withdrawn.chat_id
        blank = view.texts("confidential.withdrawn_copy")
        calls += [withdrawn_copy(chat, m, blank) for m in moved.withdrawn.message_ids]
    return calls


def withdrawn_copy(chat: int, message_id: int, blank: str) -> Call:
    """Delete the message; one Telegram no longer lets us delete (older than 48 hours)
    is blanked instead, its words and buttons gone."""
    where = {"chat_id": chat, "message_id": message_id}
    blanked = Call(chat, "editMessageText", {**where, "text": blank})
    return Call(chat, "deleteMessage", where, if_failed=(blanked,))


def confirmed_calls(
    view: View, user_id: int, shown: Message | None, done: Confirmed
) -> list[Call]:
    """The notices, the confirm buttons taken away, and what the villager is told."""
    texts, number = view.texts, done.request.number
    calls = notify.calls(view, done.notices)
    if shown is not None:
        calls.append(_edit_keyboard(shown, None))
    if done.outcome is None:
        who = handler_blanks(texts, done.handler, done.request.handler_id)
        text = texts("villager_requests.reopened", number=number, **who)
    else:
        text = texts(f"villager_requests.confirmed_{done.outcome}", number=number)
    return notify.about(done.request.id, [*calls, outgoing.message(user_id, text)])


def refreshed(
    view: View, shown: Message | None, request: Request, handler: Cadre | None
) -> list[Call]:
    """Show the marks on the receipt's buttons (ticked category, urgent), and its due
    times as they are now (🚨 or a category moved them), if anything changed."""
    if shown is None:
        return []
    keyboard = tell_household.receipt_keyboard(view.texts, request)
    text = tell_household.receipt_again(view, request, handler)
    if shown.text is not None and not _shows_due_times(view, shown.text, request):
        params = {"chat_id": shown.chat_id, "message_id": shown.message_id, "text": text}
        params["reply_markup"] = keyboard.to_dict()
        return [Call(shown.chat_id, "editMessageText", params)]
    if shown.reply_markup is not None and shown.reply_markup.to_dict() == keyboard.to_dict():
        return []
    return [_edit_keyboard(shown, keyboard)]


def _shows_due_times(view: View, text: str, request: Request) -> bool:
    """Whether the receipt already shows the request's due times (else it is worded
    again, and the route's note of the filing is not repeated)."""
    due = (local_time(view, request.respond_by), local_time(view, request.resolve_by))
    return all(moment in text for moment in due)


def _edit_keyboard(message: Message, keyboard: InlineKeyboardMarkup | None) -> Call:
    params: dict[str, object] = {"chat_id": message.chat_id, "message_id": message.message_id}
    params["reply_markup"] = (keyboard or InlineKeyboardMarkup([])).to_dict()
    return Call(message.chat_id, "editMessageReplyMarkup", params)
