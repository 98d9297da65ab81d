"""/inbox a page at a time: eight cases a page, each with its village and household, a
snippet of what was asked and whether it is past due (⏰) or urgent (🚨); ◀ ▶ and the
filters (全部 / 逾期 / 紧急 / 我经办 / 待群众确认) edit the same message, and a button per
case opens its card (``rq:open``, ``handlers.cadre``).

The paging buttons are ``iq:<filter>:<page>`` (``bot.callbacks``); forged ones (a filter
there is not, a page no list has) are answered plainly and change nothing.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot import callbacks
from bot.calls import Call
from bot.domain.lifecycle import Status
from bot.domain.requests import InboxFilter, InboxLine
from bot.i18n import Texts
from bot.services import inbox as cases
from bot.services.casework import CadresOnly
from bot.services.inbox import BadPage, InboxPage

from . import outgoing, paging, tell_cadre
from .context import AnyApp, LianxinContext, View
from .paging import bounded

SNIPPET = 20  # characters of the words filed shown on a line
NAME = 12  # characters of a village's or a head's name on a line
TOPIC = "inbox"  # an /inbox message Telegram no longer lets us edit comes as a new one
_ROWS = (
    (InboxFilter.ALL, InboxFilter.OVERDUE, InboxFilter.URGENT),
    (InboxFilter.MINE, InboxFilter.WAITING),
)


async def on_page(update: Update, context: LianxinContext) -> None:
    """◀ ▶ or a filter pressed: the same message shows that page."""
    query, unit, who = update.callback_query, context.unit, context.unit.who
    if query is None or who is None:
        return
    pressed = callbacks.inbox_press(query.data)
    wanted = _filter(pressed.wanted) if pressed is not None else None
    answer: str | None = unit.texts("case_card.inbox.bad")
    if pressed is not None and wanted is not None:
        try:
            shown = await cases.page(unit.work, who, wanted, pressed.page)
        except (BadPage, CadresOnly):
            shown = None
        if shown is not None and query.message is not None:
            unit.send(page_edit(unit.view(), who.user_id, query.message.message_id, shown))
            answer = None
    unit.send(outgoing.answer_button(who.user_id, query.id, answer))


def _filter(name: str) -> InboxFilter | None:
    try:
        return InboxFilter(name)
    except ValueError:
        return None


# --- views ----------------------------------------------------------------------------


def page_message(view: View, user: int, shown: InboxPage) -> Call:
    """The page as a new message (``/inbox``)."""
    return outgoing.message(user, page_text(view, shown), keyboard=page_keyboard(view, shown))


def page_edit(view: View, user: int, message_id: int, shown: InboxPage) -> Call:
    """The page in place of the one the button was under."""
    params: dict[str, Any] = {
        "chat_id": user,
        "message_id": message_id,
        "text": page_text(view, shown),
        "reply_markup": page_keyboard(view, shown).to_dict(),
    }
    return Call(user, "editMessageText", params, topic=TOPIC)


def page_text(view: View, shown: InboxPage) -> str:
    texts = view.texts
    title = texts(f"case_card.title.{shown.wanted}")
    if not shown.lines and shown.wanted is InboxFilter.ALL:
        return texts("requests_cadre.inbox.empty")
    if not shown.lines:
        return texts("case_card.inbox.empty", filter=title)
    head = texts(
        "case_card.inbox.head",
        filter=title,
        count=shown.count,
        page=shown.page + 1,
        pages=shown.pages,
    )
    first = shown.page * cases.PAGE + 1
    body = [line_text(view, first + n, line) for n, line in enumerate(shown.lines)]
    return "\n".join([head, *body])


def line_text(view: View, n: int, line: InboxLine) -> str:
    """``3. LX-2026-000123 ⏰柳树村 王秀英：院墙裂了，下雨天怕塌…（2026-03-05 08:00 前）``"""
    texts = view.texts
    return texts(
        "case_card.inbox.line",
        n=n,
        number=line.number,
        mark=_mark(view, line),
        village=bounded(line.village, NAME) if line.village else "",
        head=bounded(line.head_name, NAME),
        snippet=snippet(texts, line),
        due=tell_cadre.local(view, line.due),
    )


def _mark(view: View, line: InboxLine) -> str:
    late = line.status != Status.RESOLVED and view.now > line.due
    marks = [view.texts("case_card.inbox.overdue")] if late else []
    if line.urgent:
        marks.append(view.texts("case_card.inbox.urgent"))
    return "".join(marks)


def snippet(texts: Texts, line: InboxLine) -> str:
    """The first words filed, on one line, or what was sent without words ([语音])."""
    words = " ".join(paging.clean(line.text).split())
    if words:
        return bounded(words, SNIPPET)
    if line.media:
        return texts(f"requests_cadre.media.{line.media}")
    return texts("requests_cadre.words_none")


def page_keyboard(view: View, shown: InboxPage) -> InlineKeyboardMarkup:
    """A button per case, ◀ ▶ when there is more, and the filters (the one shown ticked)."""
    texts, first = view.texts, shown.page * cases.PAGE + 1
    opens = [
        InlineKeyboardButton(
            texts("case_card.inbox.open", n=first + n, number=line.number),
            callback_data=tell_cadre.action("open", line.request_id),
        )
        for n, line in enumerate(shown.lines)
    ]
    rows = [opens[i : i + 2] for i in range(0, len(opens), 2)]
    turns = []
    if shown.page > 0:
        turns.append(_button(texts("case_card.inbox.previous"), shown.wanted, shown.page - 1))
    if shown.page + 1 < shown.pages:
        turns.append(_button(texts("case_card.inbox.next"), shown.wanted, shown.page + 1))
    if turns:
        rows.append(turns)
    for row in _ROWS:
        rows.append([_filter_button(texts, wanted, shown.wanted) for wanted in row])
    return InlineKeyboardMarkup(rows)


def _filter_button(texts: Texts, wanted: InboxFilter, shown: InboxFilter) -> InlineKeyboardButton:
    label = texts(f"case_card.filter.{wanted}")
    return _button(f"✓{label}" if wanted is shown else label, wanted, 0)


def _button(label: str, wanted: InboxFilter, page: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=callbacks.inbox_page(wanted, page).encode())


def register(app: AnyApp) -> None:
    app.add_handler(CallbackQueryHandler(on_page, pattern=rf"^{callbacks.INBOX}:"))
