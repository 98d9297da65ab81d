"""How a request looks to a cadre: the case (household, words, media, due times, how it
was routed, its trail), the action buttons, and the tells of ``bot.domain.requests``
rendered for the handler's account."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Callback
from bot.calls import Call, Priority
from bot.domain.lifecycle import Event, Status
from bot.domain.requests import Audience, Content, InboxLine, Request, TrailLine
from bot.domain.roster import Cadre, HouseholdDetails, LinkedCadre
from bot.domain.routing import Route, Why
from bot.i18n import Texts
from bot.services.notices import Notice
from handlers.context import Shows, View

from . import outgoing, paging, round_views, undelivered
from .paging import Page, Part, bounded

SCOPE = "rq"
SLOT = "\x00"  # where a person's words go in a rendered sentence (cleaned words have none)
_SEND_MEDIA = {
    "photo": "sendPhoto",
    "voice": "sendVoice",
    "audio": "sendAudio",
    "video": "sendVideo",
    "video_note": "sendVideoNote",
    "document": "sendDocument",
}
_NO_CAPTION = frozenset({"video_note"})


# --- relaying what a person sent ------------------------------------------------------


def media_calls(
    chat_id: int,
    content: Content | None,
    caption: str | Page = "",
    if_failed: tuple[Call, ...] = (),
) -> list[Call]:
    """The Bot API calls that pass on ``content``'s file, place or contact (by file id:
    nothing is downloaded). A caption over Telegram's 1,024 is left off: the caller
    sends such words apart (``handlers.paging``)."""
    if content is None:
        return []
    page = caption if isinstance(caption, Page) else Page(caption)
    calls: list[Call] = []
    method = _SEND_MEDIA.get(content.media or "")
    if method and content.file_id:
        params: dict[str, Any] = {"chat_id": chat_id, content.media or "": content.file_id}
        if page.text and content.media not in _NO_CAPTION and can_caption(page.text):
            params["caption"] = page.text
            if page.entities:
                params["caption_entities"] = page.entities
        calls.append(Call(chat_id, method, params, Priority.INTERACTIVE, if_failed=if_failed))
    if content.latitude is not None and content.longitude is not None:
        place = {"chat_id": chat_id, "latitude": content.latitude, "longitude": content.longitude}
        calls.append(Call(chat_id, "sendLocation", place, if_failed=if_failed))
    if content.contact:
        name, _, phone = content.contact.rpartition(" ")
        contact = {"chat_id": chat_id, "phone_number": phone, "first_name": name or phone}
        calls.append(Call(chat_id, "sendContact", contact, if_failed=if_failed))
    return calls


def can_caption(text: str) -> bool:
    return paging.fits(text, paging.CAPTION_LIMIT)


def captioned(content: Content | None) -> bool:
    """Whether ``content`` is a file that takes a caption."""
    if content is None or not content.file_id:
        return False
    return content.media in _SEND_MEDIA and content.media not in _NO_CAPTION


def said(content: Content | None) -> str:
    """What the person wrote, cleaned of bidi and control characters ("" for none)."""
    return paging.clean(content.text) if content is not None and content.text else ""


def words(texts: Texts, content: Content | None) -> str:
    """The text of ``content``, or a word for what came without text."""
    if content is None:
        return texts("requests_cadre.words_none")
    if content.text:
        return said(content)
    if content.media:
        return texts(f"requests_cadre.media.{content.media}")
    if content.latitude is not None:
        return texts("requests_cadre.media.location")
    if content.contact:
        return texts("requests_cadre.media.contact")
    return texts("requests_cadre.words_none")


# --- buttons --------------------------------------------------------------------------


def action(name: str, request_id: int, argument: str = "") -> str:
    tail = f"{request_id}:{argument}" if argument else str(request_id)
    return Callback(SCOPE, name, tail).encode()


def actions_keyboard(texts: Texts, request: Request) -> InlineKeyboardMarkup | None:
    """受理 / 回复 / 办结 / 政策解答 / 转交 / 上报, as the request's state allows; a closed
    case offers 回头看 (``handlers.rounds`` checks who may schedule it)."""
    if request.status is Status.CLOSED:
        return InlineKeyboardMarkup([[round_views.revisit_button(texts, request.id)]])

    def button(name: str) -> InlineKeyboardButton:
        label = texts(f"requests_cadre.button.{name}")
        return InlineKeyboardButton(label, callback_data=action(name, request.id))

    if request.status is Status.RESOLVED:
        return InlineKeyboardMarkup([[button("reply")]])
    first = [button("reply")]
    if request.status is Status.OPEN:
        first.insert(0, button("ack"))
    return InlineKeyboardMarkup(
        [first, [button("done"), button("explain")], [button("hand"), button("esc")]]
    )


def handover_keyboard(
    texts: Texts, request_id: int, cadres: Sequence[LinkedCadre]
) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                texts("requests_cadre.handto_line", name=bounded(c.cadre.name), tier=c.tier),
                callback_data=action("handto", request_id, c.cadre.id),
            )
        ]
        for c in cadres
    ]
    return InlineKeyboardMarkup(rows)


def open_keyboard(texts: Texts, lines: Sequence[InboxLine]) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                texts(
                    "requests_cadre.open_button", number=line.number, head=bounded(line.head_name)
                ),
                callback_data=action("open", line.request_id),
            )
        ]
        for line in lines
    ]
    return InlineKeyboardMarkup(rows)


# --- the case -------------------------------------------------------------------------


def local(shown: Shows, moment: datetime) -> str:
    return moment.astimezone(shown.zone).strftime("%Y-%m-%d %H:%M")


def _name(cadres: Mapping[str, Cadre], cadre_id: str | None) -> str:
    if not cadre_id:
        return ""
    cadre = cadres.get(cadre_id)
    return bounded(cadre.name) if cadre is not None else cadre_id


def continued(texts: Texts, request: Request) -> str:
    """The line that begins every page after the first of a long message."""
    return texts("relay.continued", number=request.number)


def quoting(text: str, words: str) -> list[Part]:
    """``text`` rendered with ``SLOT`` where the words go, as parts with the words quoted."""
    before, _, after = text.partition(SLOT)
    return [Part(before), Part(words, quoted=True), Part(after)]


def relay_pages(texts: Texts, request: Request, text: str, words: str) -> list[Page]:
    """A message carrying a person's words (``text`` with ``SLOT`` for them), in pages."""
    return paging.pages(quoting(text, words), continued(texts, request))


def route_line(texts: Texts, cadres: Mapping[str, Cadre], route: Route | None) -> str:
    if route is None:
        return ""
    if route.why is Why.BACKUP:
        return texts("requests_cadre.route.backup", name=_name(cadres, route.instead_of))
    return texts(f"requests_cadre.route.{route.why}", tier=route.tier)


@dataclass(frozen=True)
class Case:
    """A request as its handler sees it: the household, the cadres named, what was sent."""

    request: Request
    household: HouseholdDetails
    cadres: Mapping[str, Cadre]
    content: Content | None
    route: Route | None = None
    trail: Sequence[TrailLine] | None = None  # None: the card alone

    @classmethod
    def of(cls, notice: Notice) -> Case:
        """The case a notice carries: the filed words and the trail when it moved."""
        tell = notice.tell
        if notice.trail or notice.first is not None:
            return cls(
                notice.request, notice.household, notice.cadres, notice.first, None, notice.trail
            )
        return cls(notice.request, notice.household, notice.cadres, tell.content, tell.route)


def case_pages(view: View, case: Case, *, intro: str = "") -> list[Page]:
    """The request as its handler needs it at first sight: the card (one message within
    Telegram's limit, the villager's words quoted, "（续）" where they go on), then the
    rest of the words and, with the trail, every event so far."""
    texts, request = view.texts, case.request
    before, _, after = f"{intro}{_card_text(view, case)}".partition(SLOT)
    card, rest = paging.card(
        [Part(before)], words(texts, case.content), [Part(after)], texts("relay.continues")
    )
    more = trail_parts(view, case.trail) if case.trail is not None else []
    line = continued(texts, request)
    if not rest:
        return paging.pages([*card, *([Part("\n\n"), *more] if more else [])], line)
    tail = [Part(line), Part(rest, quoted=True), *([Part("\n\n"), *more] if more else [])]
    return [*paging.pages(card, line), *paging.pages(tail, line)]


def _card_text(view: View, case: Case) -> str:
    """The case card's sentence, ``SLOT`` where the villager's words go."""
    texts, request, household = view.texts, case.request, case.household
    return texts(
        "requests_cadre.case",
        number=request.number,
        urgent=texts("requests_cadre.urgent_mark") if request.urgent else "",
        head=bounded(household.head_name),
        village=bounded(household.village),
        address=bounded(household.address or household.id),
        phone=bounded(household.phone or "-"),
        category=texts(f"requests.category.{request.category}"),
        status=texts(f"requests.status.{request.status}"),
        words=SLOT,
        route=route_line(texts, case.cadres, case.route),
        respond_by=local(view, request.respond_by),
        resolve_by=local(view, request.resolve_by),
    )


def trail_parts(view: View, trail: Sequence[TrailLine]) -> list[Part]:
    """Every event of the request so far, one line each, in order; what villagers said
    quoted."""
    parts = [Part(view.texts("requests_cadre.trail", lines="").rstrip("\n"))]
    for event in trail:
        parts.extend(_trail_line(view, event))
    return parts


def _trail_line(view: View, event: TrailLine) -> list[Part]:
    texts = view.texts
    kind = event.actor.partition(":")[0]
    if kind == "cadre":
        actor = event.actor_name
    else:
        actor = texts(f"requests_cadre.actor.{'villager' if kind == 'villager' else 'system'}")
    written = paging.clean(str(event.detail.get("text") or event.detail.get("note") or ""))
    note = ""
    if not written and event.detail.get("media"):
        note = texts(f"requests_cadre.media.{event.detail['media']}")
    if event.kind in (Event.ROUTED, Event.ESCALATED, Event.REASSIGNED):
        written, note = "", bounded(event.handler_name)
    if event.kind == Event.CONFIRMED and event.detail.get("rating"):
        written, note = "", texts(f"requests.outcome.{event.detail['rating']}")
    line = texts(
        "requests_cadre.trail_line",
        at=local(view, event.at),
        actor=bounded(actor),
        event=texts(f"requests_cadre.event.{event.kind}"),
        note=texts("requests_cadre.trail_note", note=SLOT if written else note)
        if written or note
        else "",
    )
    return quoting(f"\n{line}", written) if written else [Part(f"\n{line}")]


# --- tells ----------------------------------------------------------------------------


def calls(view: View, notice: Notice) -> list[Call]:
    """A tell for the handler (or a named cadre), as messages to their account. What
    carries the villager's words says so to the household if Telegram refuses it."""
    sent: list[Call] = []
    for user in notice.to:
        owed: tuple[Call, ...] = ()
        if notice.members:
            owed = undelivered.to_household(
                view, notice.request, notice.handler, notice.household, user, notice.members
            )
        sent += _calls_to(view, notice, user, owed)
    return sent


def _calls_to(view: View, notice: Notice, user: int, owed: tuple[Call, ...]) -> list[Call]:
    texts, tell, request = view.texts, notice.tell, notice.request
    head = bounded(notice.household.head_name)
    keyboard = actions_keyboard(texts, request)
    caption = texts("requests_cadre.caption", number=request.number, head=head)
    relay = media_calls(user, tell.content, caption, owed)
    match tell.what:
        case Event.ESCALATED | Event.OVERDUE if tell.audience is Audience.SUPERVISOR:
            return [_supervisor_notice(view, notice, user, head)]
        case Event.MARKED:  # 🚨: the villager marked it urgent
            return [outgoing.message(user, _urgent(view, notice, head), keyboard=keyboard)]
        case Event.FILED | Event.ROUTED:
            pages = case_pages(view, Case.of(notice))
            return [*relay, *_case_calls(user, pages, keyboard, owed)]
        case Event.HANDED_OVER | Event.ESCALATED | Event.REASSIGNED if (
            tell.audience is Audience.CADRE
        ):
            return [outgoing.message(user, _moved_away(texts, notice, head))]
        case Event.HANDED_OVER | Event.ESCALATED | Event.REASSIGNED:
            pages = case_pages(view, Case.of(notice), intro=f"{_moved(texts, notice)}\n\n")
            return [*relay, *_case_calls(user, pages, keyboard, owed)]
        case _:
            pages = relay_pages(
                texts, request, _told(texts, notice, head), words(texts, tell.content)
            )
            return [*outgoing.messages(user, pages, keyboard=keyboard, if_failed=owed), *relay]


def _urgent(view: View, notice: Notice, head: str) -> str:
    """The villager marked the request urgent: its due times now."""
    request = notice.request
    return view.texts(
        "urgent.handler",
        number=request.number,
        head=head,
        respond=local(view, request.respond_by),
        resolve=local(view, request.resolve_by),
    )


def _moved_away(texts: Texts, notice: Notice, head: str) -> str:
    """A cadre who held the request hears who holds it now."""
    request = notice.request
    return texts(
        "requests_cadre.tell.moved_away",
        number=request.number,
        head=head,
        name=_name(notice.cadres, request.handler_id),
    )


def _told(texts: Texts, notice: Notice, head: str) -> str:
    """What happened to the request, with ``SLOT`` where the words go."""
    request = notice.request
    return texts(
        f"requests_cadre.tell.{notice.tell.what}",
        number=request.number,
        head=head,
        words=SLOT,
        rating=texts(f"requests.outcome.{request.outcome}") if request.outcome else "",
    )


def _moved(texts: Texts, notice: Notice) -> str:
    """Why the case is now this cadre's: from whom, by what route (and, the sweep's, the
    due time missed first)."""
    tell = notice.tell
    key = "rerouted" if tell.what is Event.HANDED_OVER and tell.route else tell.what
    intro = texts(
        f"requests_cadre.tell.{key}",
        number=notice.request.number,
        name=_name(notice.cadres, notice.previous),
        route=route_line(texts, notice.cadres, tell.route),
    )
    if tell.reason:
        intro = f"{texts(f'deadlines.reason.{tell.reason}')}\n{intro}"
    return intro


def _case_calls(
    user: int, pages: Sequence[Page], keyboard: InlineKeyboardMarkup | None, owed: tuple[Call, ...]
) -> list[Call]:
    """The case card with its buttons, then its continuation pages."""
    return outgoing.messages(user, pages, keyboard=keyboard, keyboard_first=True, if_failed=owed)


def _supervisor_notice(view: View, notice: Notice, user: int, head: str) -> Call:
    """The supervisor of the jurisdiction hears of an escalation past a due time (or of a
    request past due with no one above), with a button to open the case."""
    texts, tell, request = view.texts, notice.tell, notice.request
    text = texts(
        f"deadlines.supervisor.{tell.what}",
        number=request.number,
        head=head,
        name=_name(notice.cadres, request.handler_id),
        reason=texts(f"deadlines.reason.{tell.reason or 'resolve'}"),
    )
    label = texts("deadlines.button.open")
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=action("open", request.id))]]
    )
    return outgoing.message(user, text, keyboard=keyboard)
