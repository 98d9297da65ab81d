"""How a request looks to the household that filed it: the receipt with its buttons, the
cadre's acknowledgement, replies and resolution (with the confirm buttons), hand-overs,
and closing; and the tells of ``bot.domain.requests`` rendered for every bound member
(several phones of one family all see the same request)."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Callback
from bot.calls import Call, Priority
from bot.domain.lifecycle import Category, Event, Status
from bot.domain.requests import Content, Request
from bot.domain.roster import Cadre
from bot.domain.routing import Route, Why
from bot.i18n import Texts
from bot.services.deadlines import ClosingSoon
from bot.services.notices import CADRES_WORDS, Notice
from handlers.context import Shows, View

from . import outgoing, paging, undelivered
from .paging import Page, Part, bounded
from .tell_cadre import SLOT, can_caption, captioned, continued, media_calls, quoting, said

# The villager's buttons: a scope of their own (``rq:`` is the cadre's, handlers/cadre.py),
# so each side's handler sees only its own presses.
SCOPE = "rv"
CATEGORY, URGENT, ABOUT_CADRE, SATISFIED, PARTLY, NOT_SOLVED, SEE = (
    "cat",
    "urg",
    "up",
    "ok",
    "part",
    "no",
    "see",
)
# 撤回: the first press asks (the keyboard becomes yes / no), the second does it; the
# argument of yes and no says which keyboard to give back (the receipt's or /my's).
WITHDRAW, WITHDRAW_YES, WITHDRAW_NO = "wd", "wdy", "wdn"
ON_RECEIPT, ON_DETAIL = "r", "m"
ACTIONS = (
    CATEGORY,
    URGENT,
    ABOUT_CADRE,
    SATISFIED,
    PARTLY,
    NOT_SOLVED,
    SEE,
    WITHDRAW,
    WITHDRAW_YES,
    WITHDRAW_NO,
)
PATTERN = rf"^{SCOPE}:({'|'.join(ACTIONS)}):"


def button_data(action: str, request_id: int, argument: str = "") -> str:
    tail = f"{request_id}:{argument}" if argument else str(request_id)
    return Callback(SCOPE, action, tail).encode()


# --- words ----------------------------------------------------------------------------


def local_time(shown: Shows, moment: datetime) -> str:
    """11月22日 18:00 in the configured time zone; 2027年1月5日 18:00 in another year."""
    at = moment.astimezone(shown.zone)
    key = "villager_requests.time"
    if at.year != shown.now.astimezone(shown.zone).year:
        key = "villager_requests.time_year"
    return shown.texts(key, year=at.year, month=at.month, day=at.day, hm=at.strftime("%H:%M"))


def handler_blanks(texts: Texts, cadre: Cadre | None, cadre_id: str = "") -> dict[str, str]:
    """The handler's name and rank as the blanks ``handler`` and ``rank``."""
    if cadre is None:
        return {"handler": bounded(cadre_id), "rank": ""}
    return {"handler": bounded(cadre.name), "rank": texts(f"people.rank.{cadre.rank}")}


def how(texts: Texts, notice: Notice, route: Route | None) -> str:
    """Why this cadre handles it, when it is not simply the household's first contact."""
    if route is None or route.why is Why.CHAIN:
        return ""
    if route.why is Why.BACKUP:
        away = notice.cadre(route.instead_of)
        return texts("villager_requests.how.backup", away=bounded(away.name) if away else "")
    if route.why is Why.UNREACHABLE:
        handler = notice.handler
        return texts(
            "villager_requests.how.unreachable", phone=bounded(handler.phone if handler else "")
        )
    return texts(f"villager_requests.how.{route.why}")


def receipt_text(view: View, notice: Notice) -> str:
    request = notice.request
    return view.texts(
        "villager_requests.receipt",
        number=request.number,
        how=how(view.texts, notice, notice.tell.route),
        respond=local_time(view, request.respond_by),
        resolve=local_time(view, request.resolve_by),
        **handler_blanks(view.texts, notice.handler, request.handler_id),
    )


def receipt_again(view: View, request: Request, handler: Cadre | None) -> str:
    """The receipt with the request's due times now (after 🚨 or a category that moved
    them); the route's note of the filing is not repeated."""
    return view.texts(
        "villager_requests.receipt",
        number=request.number,
        how="",
        respond=local_time(view, request.respond_by),
        resolve=local_time(view, request.resolve_by),
        **handler_blanks(view.texts, handler, request.handler_id),
    )


# --- keyboards ------------------------------------------------------------------------


def receipt_keyboard(texts: Texts, request: Request) -> InlineKeyboardMarkup:
    """Categories two a row (the chosen one ticked), urgent, and "about my cadre" while the
    request is fresh. None is required."""

    rows = _category_rows(texts, request)
    urgent = _mark(texts, texts("villager_requests.button_urgent"), request.urgent)
    rows.append([InlineKeyboardButton(urgent, callback_data=button_data(URGENT, request.id))])
    if (
        request.status is Status.OPEN
        and request.first_response_at is None
        and not request.about_cadre
    ):
        label = texts("villager_requests.button_about_cadre")
        rows.append(
            [InlineKeyboardButton(label, callback_data=button_data(ABOUT_CADRE, request.id))]
        )
    rows += _withdraw_row(texts, request)
    return InlineKeyboardMarkup(rows)


def _withdraw_row(texts: Texts, request: Request) -> list[list[InlineKeyboardButton]]:
    """撤回, while the request is being worked on (not once resolved or closed)."""
    if request.status not in (Status.OPEN, Status.ACKNOWLEDGED):
        return []
    label = texts("urgent.withdraw.button")
    return [[InlineKeyboardButton(label, callback_data=button_data(WITHDRAW, request.id))]]


def detail_keyboard(texts: Texts, request: Request) -> InlineKeyboardMarkup | None:
    """/my's detail of one request: 撤回 while it may be withdrawn."""
    rows = _withdraw_row(texts, request)
    return InlineKeyboardMarkup(rows) if rows else None


def withdraw_keyboard(texts: Texts, request_id: int, origin: str) -> InlineKeyboardMarkup:
    """确定撤回吗？ yes / no (``origin``: which keyboard "no" gives back)."""
    yes = texts("urgent.withdraw.yes")
    no = texts("urgent.withdraw.no")
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    yes, callback_data=button_data(WITHDRAW_YES, request_id, origin)
                ),
                InlineKeyboardButton(
                    no, callback_data=button_data(WITHDRAW_NO, request_id, origin)
                ),
            ]
        ]
    )


def _mark(texts: Texts, label: str, chosen: bool) -> str:
    return texts("villager_requests.chosen_mark", label=label) if chosen else label


def _category_rows(texts: Texts, request: Request) -> list[list[InlineKeyboardButton]]:
    """The categories two a row, the chosen one ticked (other is never ticked)."""
    categories = [
        InlineKeyboardButton(
            _mark(
                texts,
                texts(f"requests.category.{c}"),
                c is request.category and c is not Category.OTHER,
            ),
            callback_data=button_data(CATEGORY, request.id, c.value),
        )
        for c in Category
    ]
    return [categories[i : i + 2] for i in range(0, len(categories), 2)]


def confirm_keyboard(texts: Texts, request_id: int) -> InlineKeyboardMarkup:
    """销号: 已解决，满意 / 部分解决 / 没有解决."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts("requests.outcome.satisfied"),
                    callback_data=button_data(SATISFIED, request_id),
                )
            ],
            [
                InlineKeyboardButton(
                    texts("requests.outcome.partly"), callback_data=button_data(PARTLY, request_id)
                )
            ],
            [
                InlineKeyboardButton(
                    texts("villager_requests.not_solved"),
                    callback_data=button_data(NOT_SOLVED, request_id),
                )
            ],
        ]
    )


# --- tells ----------------------------------------------------------------------------


def _relay(
    chat_id: int,
    content: Content | None,
    parts: list[Part],
    short: str,
    *,
    line: str,
    keyboard: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
    owed: tuple[Call, ...] = (),
) -> list[Call]:
    """A cadre's words and media for one member: a file with the words as its caption
    when they fit Telegram's 1,024 (else the file with ``short`` as its caption, then
    the words in pages), or the words, then the place or contact; the buttons on the
    last message."""
    pages = paging.pages(parts, line)
    alone = not keyboard and reply_to is None and len(pages) == 1
    if captioned(content) and alone and can_caption(pages[0].text):
        return media_calls(chat_id, content, pages[0], owed)
    if captioned(content):
        head = media_calls(chat_id, content, Page(short), owed)
        return [*head, *outgoing.messages(chat_id, pages, keyboard=keyboard, if_failed=owed)]
    extras = media_calls(chat_id, content, if_failed=owed) if content is not None else []
    return [
        *extras,
        *outgoing.messages(chat_id, pages, keyboard=keyboard, reply_to=reply_to, if_failed=owed),
    ]


def _keyboard(texts: Texts, notice: Notice) -> InlineKeyboardMarkup | None:
    """The receipt's buttons, or 销号's once it is resolved or explained."""
    request = notice.request
    match notice.tell.what:
        case Event.ROUTED | Event.FILED:
            return receipt_keyboard(texts, request)
        case Event.RESOLVED | Event.EXPLAINED:
            return confirm_keyboard(texts, request.id)
    return None


def _text(view: View, notice: Notice) -> str:
    """The sentence for the household (``SLOT`` where the cadre's words go)."""
    texts, tell, request = view.texts, notice.tell, notice.request
    who = _who(texts, notice)
    match tell.what:
        case Event.ROUTED | Event.FILED:
            return receipt_text(view, notice)
        case Event.REPLIED | Event.RESOLVED | Event.EXPLAINED | Event.EXTENDED:
            return _cadres_words(view, notice, who)
        case Event.CONFIRMED:
            outcome = texts(f"requests.outcome.{request.outcome}")
            key = "villager_requests.closed_by_member"
            return texts(key, number=request.number, outcome=outcome)
        case Event.REOPENED:
            return texts("villager_requests.reopened_by_member", number=request.number, **who)
        case Event.HANDED_OVER | Event.ESCALATED | Event.REASSIGNED:
            moved = how(texts, notice, tell.route)
            key = f"villager_requests.{tell.what}"
            return texts(key, number=request.number, how=moved, **who)
    return texts(f"villager_requests.{tell.what}", number=request.number, **who)


def _who(texts: Texts, notice: Notice) -> dict[str, str]:
    """Whose words these are: the cadre who wrote them (a former handler may still
    reply), else the handler."""
    request, tell = notice.request, notice.tell
    if tell.what in CADRES_WORDS and tell.cadre_id:
        return handler_blanks(texts, notice.cadre(tell.cadre_id), tell.cadre_id)
    return handler_blanks(texts, notice.handler, request.handler_id)


def _cadres_words(view: View, notice: Notice, who: dict[str, str]) -> str:
    """A reply, a resolution, an explanation or a later date, with the cadre's words."""
    texts, tell, request = view.texts, notice.tell, notice.request
    match tell.what:
        case Event.REPLIED:
            key = "replied"
            if tell.content is not None and not tell.content.text and tell.content.file_id:
                key = "replied_caption"
        case Event.EXTENDED:
            due = local_time(view, request.resolve_by)
            key = "deadlines.villager.extended"
            return texts(key, number=request.number, due=due, words=SLOT, **who)
        case _:
            key = "resolved" if tell.what is Event.RESOLVED else "explained"
    return texts(f"villager_requests.{key}", number=request.number, words=SLOT, **who)


def _owed(view: View, notice: Notice, user: int) -> tuple[Call, ...]:
    """What a message carrying the cadre's words owes if it never reaches ``user``."""
    tell, request = notice.tell, notice.request
    if tell.what not in CADRES_WORDS:
        return ()
    cadre = notice.cadre(tell.cadre_id or request.handler_id)
    return undelivered.to_cadre(view, request, cadre, notice.household, notice.cadre_account, user)


def calls(view: View, notice: Notice) -> list[Call]:
    """A tell for the household, as messages to each member's chat (the filer's quoting
    the message that filed it, when the notice says so)."""
    texts, tell, request = view.texts, notice.tell, notice.request
    text, keyboard = _text(view, notice), _keyboard(texts, notice)
    words = said(tell.content) or texts("villager_requests.words_none")
    parts = quoting(text, words) if SLOT in text else [Part(text)]
    who = _who(texts, notice)
    short = texts("villager_requests.replied_caption", number=request.number, **who)
    content = tell.content if tell.what is not Event.ROUTED else None
    sent: list[Call] = []
    line = continued(texts, request)
    for user in notice.to:
        quoted = notice.reply_to[1] if notice.reply_to and notice.reply_to[0] == user else None
        owed = _owed(view, notice, user)
        said_to = _named(texts, notice, parts) if quoted is not None else parts
        sent += _relay(
            user, content, said_to, short, line=line, keyboard=keyboard, reply_to=quoted, owed=owed
        )
    return sent


def _named(texts: Texts, notice: Notice, parts: list[Part]) -> list[Part]:
    """The filer's copy, naming the household when their phone speaks for several."""
    if not notice.name_household:
        return parts
    head = bounded(notice.household.head_name)
    return [Part(texts("threads.for_household", head=head) + "\n"), *parts]


def closing_soon_calls(view: View, soon: ClosingSoon) -> list[Call]:
    """A day before 销号 by timeout: each member is asked once more, with the buttons."""
    request = soon.request
    text = view.texts(
        "urgent.closing_soon",
        number=request.number,
        closes=local_time(view, soon.closes_at),
        **handler_blanks(view.texts, soon.handler, request.handler_id),
    )
    keyboard = confirm_keyboard(view.texts, request.id)
    return [
        outgoing.message(user, text, keyboard=keyboard, priority=Priority.BULK) for user in soon.to
    ]
