"""Threads at the edge: 「另起一件事」 under a villager's "已补充到诉求" (the follow-up
becomes a request of its own), and the words that say which household and which request
a message went to. The swipe-replies themselves are read by ``requesting.replied_to``
and handled by the filing and casework use cases; the rules are ``bot.domain.threads``,
the use case ``bot.services.threads.split``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler

from bot import callbacks
from bot.calls import Call
from bot.domain.lifecycle import InvalidTransition, Outcome
from bot.domain.requests import NotAllowed, Request
from bot.domain.roster import Household
from bot.domain.threads import AlreadySplit
from bot.i18n import Texts
from bot.services import threads as service
from bot.services.filing import Joined
from bot.services.notices import Notice
from bot.services.threads import Split

from . import notify, outgoing, requesting
from .context import AnyApp, LianxinContext, View
from .paging import bounded
from .tell_household import local_time

SCOPE, SPLIT = "th", "new"
PATTERN = rf"^{SCOPE}:"


async def press(update: Update, context: LianxinContext) -> None:
    """「另起一件事」: checked by the use case (the presser's own follow-up, not split yet);
    a forged or repeated press changes nothing and says so."""
    query, unit, who = update.callback_query, context.unit, context.unit.who
    if query is None or who is None:
        return
    pressed = callbacks.decode(query.data)
    follow_up = callbacks.identifier(pressed.argument) if pressed else None
    shown = query.message if isinstance(query.message, Message) else None
    quoted = shown.reply_to_message if shown is not None else None
    try:
        if pressed is None or pressed.action != SPLIT or follow_up is None:
            raise NotAllowed("not a 另起一件事 button")
        deadlines = requesting.deadlines(unit)
        quote = quoted.message_id if quoted is not None else None
        done = await service.split(unit.work, who, follow_up, deadlines, quote)
    except AlreadySplit:
        answer = unit.texts("threads.split_again")
    except (NotAllowed, InvalidTransition):
        answer = unit.texts("threads.split_refused")
    else:
        unit.send(*split_calls(unit.view(), shown, done))
        answer = unit.texts("threads.split_done", old=done.old.number, new=done.new.number)
    unit.send(outgoing.answer_button(who.user_id, query.id, answer))


# --- views ----------------------------------------------------------------------------


def split_button(texts: Texts, joined: Joined) -> InlineKeyboardMarkup | None:
    """「另起一件事」 under "已补充到诉求": not for a confidential complaint, whose words
    stay with its supervisor."""
    if not joined.follow_up or joined.request.confidential:
        return None
    data = callbacks.Callback(SCOPE, SPLIT, str(joined.follow_up)).encode()
    label = texts("threads.split_button")
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]])


def named(texts: Texts, household: Household | None, text: str) -> str:
    """The answer, naming the household first when the phone speaks for several."""
    if household is None:
        return text
    return f"{texts('threads.for_household', head=bounded(household.head_name))}\n{text}"


def naming(notices: Sequence[Notice], household: Household | None) -> list[Notice]:
    """The notices, the filer's receipt naming the household (``household``: set when the
    phone speaks for several)."""
    if household is None:
        return list(notices)
    return [replace(n, name_household=True) if n.reply_to else n for n in notices]


def closed_call(view: View, user_id: int, request: Request) -> Call:
    """A swipe-reply to a request that is closed: said before the new request's receipt."""
    withdrawn = request.outcome is Outcome.WITHDRAWN
    key = "threads.closed_withdrawn" if withdrawn else "threads.closed_done"
    call = outgoing.message(user_id, view.texts(key, number=request.number))
    return notify.about(request.id, [call])[0]


def split_calls(view: View, shown: Message | None, done: Split) -> list[Call]:
    """The new request's receipt and case card; the old handler told if the follow-up
    had reached them; the button gone from the answer."""
    calls = notify.calls(view, naming(done.notices, done.household))
    if done.told is not None:
        text = view.texts(
            "threads.split_told",
            old=done.old.number,
            new=done.new.number,
            at=local_time(view, done.follow_up.at),
        )
        calls += notify.about(done.old.id, [outgoing.message(done.told, text)])
    if shown is not None:
        params: dict[str, object] = {"chat_id": shown.chat_id, "message_id": shown.message_id}
        params["reply_markup"] = InlineKeyboardMarkup([]).to_dict()
        calls.append(Call(shown.chat_id, "editMessageReplyMarkup", params))
    return calls


def register(app: AnyApp) -> None:
    app.add_handler(CallbackQueryHandler(press, pattern=PATTERN))
