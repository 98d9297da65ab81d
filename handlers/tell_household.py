"""How a request looks to the household that filed it: the receipt with its buttons, the
cadre's acknowledgement, replies and resolution (with the confirm buttons), hand-overs,
and closing; and the tells of ``bot.domain.requests`` rendered for every bound member
(several phones of one family all see the same request)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Callback
from bot.calls import Call
from bot.domain.lifecycle import Category, Event, Status
from bot.domain.requests import Content, Request, Tell
from bot.domain.routing import Route, Why
from bot.i18n import Texts
from handlers.context import Unit
from storage import conversations
from storage.conversations import Purpose
from storage.people import People

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
ACTIONS = (CATEGORY, URGENT, ABOUT_CADRE, SATISFIED, PARTLY, NOT_SOLVED, SEE)
PATTERN = rf"^{SCOPE}:({'|'.join(ACTIONS)}):"


def button_data(action: str, request_id: int, argument: str = "") -> str:
    tail = f"{request_id}:{argument}" if argument else str(request_id)
    return Callback(SCOPE, action, tail).encode()


# --- words ----------------------------------------------------------------------------


def local_time(unit: Unit, moment: datetime) -> str:
    """11月22日 18:00 in the configured time zone; 2027年1月5日 18:00 in another year."""
    zone = unit.setup.config.general.zone
    at = moment.astimezone(zone)
    key = "villager_requests.time"
    if at.year != unit.now.astimezone(zone).year:
        key = "villager_requests.time_year"
    return unit.setup.texts(key, year=at.year, month=at.month, day=at.day, hm=at.strftime("%H:%M"))


async def handler_of(unit: Unit, cadre_id: str) -> dict[str, str]:
    """The handler's name and rank as the blanks ``handler`` and ``rank``."""
    cadre = await People(unit.tx).cadre(cadre_id)
    rank = unit.setup.texts(f"people.rank.{cadre.rank}")
    return {"handler": bounded(cadre.name), "rank": rank}


async def how(unit: Unit, route: Route | None, request: Request) -> str:
    """Why this cadre handles it, when it is not simply the household's first contact."""
    texts = unit.setup.texts
    if route is None or route.why is Why.CHAIN:
        return ""
    people = People(unit.tx)
    if route.why is Why.BACKUP:
        away = bounded((await people.cadre(route.instead_of)).name) if route.instead_of else ""
        return texts("villager_requests.how.backup", away=away)
    if route.why is Why.UNREACHABLE:
        phone = (await people.cadre(request.handler_id)).phone
        return texts("villager_requests.how.unreachable", phone=bounded(phone))
    return texts(f"villager_requests.how.{route.why}")


async def receipt_text(unit: Unit, request: Request, route: Route | None) -> str:
    return unit.setup.texts(
        "villager_requests.receipt",
        number=request.number,
        how=await how(unit, route, request),
        respond=local_time(unit, request.respond_by),
        resolve=local_time(unit, request.resolve_by),
        **await handler_of(unit, request.handler_id),
    )


# --- keyboards ------------------------------------------------------------------------


def receipt_keyboard(texts: Texts, request: Request) -> InlineKeyboardMarkup:
    """Categories two a row (the chosen one ticked), urgent, and "about my cadre" while the
    request is fresh. None is required."""

    def mark(label: str, chosen: bool) -> str:
        return texts("villager_requests.chosen_mark", label=label) if chosen else label

    categories = [
        InlineKeyboardButton(
            mark(
                texts(f"requests.category.{c}"), c is request.category and c is not Category.OTHER
            ),
            callback_data=button_data(CATEGORY, request.id, c.value),
        )
        for c in Category
    ]
    rows = [categories[i : i + 2] for i in range(0, len(categories), 2)]
    urgent = mark(texts("villager_requests.button_urgent"), request.urgent)
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
    return InlineKeyboardMarkup(rows)


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


# Tells that carry the cadre's words: if a phone never gets them, the cadre hears it.
_CADRES_WORDS = frozenset({Event.REPLIED, Event.RESOLVED, Event.EXPLAINED, Event.EXTENDED})


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


async def render(
    unit: Unit, tell: Tell, user_ids: Sequence[int], *, reply_to: tuple[int, int] | None = None
) -> None:
    """A tell for the household, as messages to each member's chat. ``reply_to`` (user id,
    message id) quotes the message that filed the request in the filer's chat."""
    texts = unit.setup.texts
    request = tell.request
    who = await handler_of(unit, request.handler_id)
    words = said(tell.content) or texts("villager_requests.words_none")
    keyboard: InlineKeyboardMarkup | None = None
    talking = False
    match tell.what:
        case Event.ROUTED | Event.FILED:
            text = await receipt_text(unit, request, tell.route)
            keyboard = receipt_keyboard(texts, request)
        case Event.REPLIED:
            text = texts("villager_requests.replied", number=request.number, words=SLOT, **who)
            if tell.content is not None and not tell.content.text and tell.content.file_id:
                text = texts("villager_requests.replied_caption", number=request.number, **who)
            talking = True
        case Event.RESOLVED | Event.EXPLAINED:
            key = "resolved" if tell.what is Event.RESOLVED else "explained"
            text = texts(f"villager_requests.{key}", number=request.number, words=SLOT, **who)
            keyboard = confirm_keyboard(texts, request.id)
            talking = True
        case Event.CONFIRMED:
            outcome = texts(f"requests.outcome.{request.outcome}")
            text = texts(
                "villager_requests.closed_by_member", number=request.number, outcome=outcome
            )
        case Event.REOPENED:
            text = texts("villager_requests.reopened_by_member", number=request.number, **who)
        case Event.EXTENDED:
            text = texts(
                "deadlines.villager.extended",
                number=request.number,
                due=local_time(unit, request.resolve_by),
                words=SLOT,
                **who,
            )
        case Event.HANDED_OVER | Event.ESCALATED | Event.REASSIGNED:
            text = texts(
                f"villager_requests.{tell.what}",
                number=request.number,
                how=await how(unit, tell.route, request),
                **who,
            )
        case _:
            text = texts(f"villager_requests.{tell.what}", number=request.number, **who)
    parts = quoting(text, words) if SLOT in text else [Part(text)]
    short = texts("villager_requests.replied_caption", number=request.number, **who)
    content = tell.content if tell.what is not Event.ROUTED else None
    for user in user_ids:
        owed: tuple[Call, ...] = ()
        if tell.what in _CADRES_WORDS:
            cadre_id = tell.cadre_id or request.handler_id
            origin = undelivered.source(unit)
            owed = await undelivered.to_cadre(unit, request, cadre_id, user, origin)
        quoted = reply_to[1] if reply_to is not None and reply_to[0] == user else None
        calls = _relay(
            user,
            content,
            parts,
            short,
            line=continued(texts, request),
            keyboard=keyboard,
            reply_to=quoted,
            owed=owed,
        )
        unit.send(*calls)
        if talking:
            await conversations.set_(unit.tx, user, request.id, Purpose.TALKING, unit.now)
