"""How a request looks to a cadre: the case (household, words, media, due times, how it
was routed, its trail), the action buttons, and the tells of ``bot.domain.requests``
rendered for the handler's account."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Callback
from bot.calls import KEEP, Call, Priority
from bot.domain.lifecycle import Event, Outcome, Status
from bot.domain.requests import Audience, Content, InboxLine, Request, TrailLine
from bot.domain.roster import Cadre, LinkedCadre
from bot.domain.routing import Route, Why
from bot.i18n import Texts
from bot.services.notices import CaseCard, Notice
from handlers.context import Shows, View

from . import outgoing, paging, round_views, undelivered
from .paging import Page, Part, bounded

SCOPE = "rq"
CARD = "card"  # the topic of the case card a cadre's chat keeps up to date
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
    case offers 回头看 (``handlers.rounds`` checks who may schedule it), unless the
    household withdrew it."""
    if request.status is Status.CLOSED:
        if request.outcome in (None, Outcome.WITHDRAWN):
            return None
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


def card_keyboard(
    texts: Texts, request: Request, *, handler: bool = True
) -> InlineKeyboardMarkup | None:
    """The buttons that apply now: the handler's (``actions_keyboard``: a closed case
    only 回头看); a former handler may still reply, and has none once it is closed."""
    if handler:
        return actions_keyboard(texts, request)
    if request.status is Status.CLOSED:
        return None
    label = texts("requests_cadre.button.reply")
    button = InlineKeyboardButton(label, callback_data=action("reply", request.id))
    return InlineKeyboardMarkup([[button]])


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
    back = InlineKeyboardButton(texts("case_card.back"), callback_data=action("card", request_id))
    return InlineKeyboardMarkup([*rows, [back]])


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


# --- the case card, kept up to date in place ------------------------------------------


def card_pages(
    view: View,
    card: CaseCard,
    *,
    intro: str = "",
    route: str = "",
    trail: Sequence[TrailLine] | None = None,
) -> list[Page]:
    """The card (one message within Telegram's limit, the villager's words quoted, "（续）"
    where they go on), then the rest of the words and, with the trail, every event so far
    (on the card's own page while it fits: a later edit shows the card alone)."""
    texts, request = view.texts, card.request
    before, _, after = f"{intro}{card_text(view, card, route)}".partition(SLOT)
    parts, rest = paging.card(
        [Part(before)], words(texts, card.content), [Part(after)], texts("relay.continues")
    )
    more = [Part("\n\n"), *trail_parts(view, trail)] if trail is not None else []
    line = continued(texts, request)
    if not rest:
        return paging.pages([*parts, *more], line)
    tail = [Part(line), Part(rest, quoted=True), *more]
    return [*paging.pages(parts, line), *paging.pages(tail, line)]


def card_text(view: View, card: CaseCard, route: str = "") -> str:
    """The card's sentence, ``SLOT`` where the villager's words go: who, what, the status,
    the due times (⏰ past them), and the last thing that happened, when and by whom."""
    texts, request, household = view.texts, card.request, card.household
    return texts(
        "case_card.text",
        number=request.number,
        urgent=texts("requests_cadre.urgent_mark") if request.urgent else "",
        head=bounded(household.head_name),
        village=bounded(household.village),
        address=bounded(household.address or household.id),
        phone=bounded(household.phone or "-"),
        category=texts(f"requests.category.{request.category}"),
        status=texts(f"requests.status.{request.status}"),
        handler=bounded(card.handler_name or request.handler_id),
        words=SLOT,
        route=f"{route}\n" if route else "",
        due=_due_line(view, request),
        last=_last_line(view, card.last),
    ).rstrip()


def _due_line(view: View, request: Request) -> str:
    texts = view.texts
    outcome = texts(f"requests.outcome.{request.outcome}") if request.outcome else ""
    line = texts(
        f"case_card.due.{request.status}",
        respond_by=local(view, request.respond_by),
        resolve_by=local(view, request.resolve_by),
        outcome=outcome,
    )
    return f"{texts('case_card.overdue')}{line}" if overdue(request, view.now) else line


def overdue(request: Request, now: datetime) -> bool:
    """Past the due time that applies now (the answer while none was given, then the
    solution); a resolved or closed case is not."""
    if request.status in (Status.RESOLVED, Status.CLOSED):
        return False
    due = request.resolve_by if request.first_response_at else request.respond_by
    return now > due


def _last_line(view: View, last: TrailLine | None) -> str:
    if last is None:
        return ""
    texts = view.texts
    kind = last.actor.partition(":")[0]
    if kind == "cadre":
        actor = bounded(last.actor_name or last.actor.partition(":")[2])
    else:
        actor = texts(f"requests_cadre.actor.{'villager' if kind == 'villager' else 'system'}")
    try:
        event = texts(f"requests_cadre.event.{last.kind}")
    except KeyError:  # an event this version has no word for yet
        event = last.kind
    return texts("case_card.last", at=local(view, last.at), actor=actor, event=event)


def card_calls(
    view: View,
    user: int,
    card: CaseCard,
    *,
    intro: str = "",
    route: str = "",
    trail: Sequence[TrailLine] | None = None,
    owed: tuple[Call, ...] = (),
    keyboard: InlineKeyboardMarkup | None = None,
) -> list[Call]:
    """The card sent as a new message (the case's card in this chat from now on: the one
    before loses its buttons), then the rest of the words and the trail; ``keyboard``
    replaces the handler's buttons (a supervisor's 督办)."""
    pages = card_pages(view, card, intro=intro, route=route, trail=trail)
    keyboard = keyboard or card_keyboard(view.texts, card.request)
    made = outgoing.messages(user, pages, keyboard=keyboard, keyboard_first=True, if_failed=owed)
    request_id = card.request.id
    first = replace(made[0], request_id=request_id, topic=CARD)
    rest = [replace(c, request_id=request_id) for c in made[1:]]
    return [_strip(user, request_id), first, *rest]


def card_edit(
    view: View, user: int, card: CaseCard, *, at: int | None = None, handler: bool = True
) -> list[Call]:
    """The card re-rendered in place: in the message ``at`` (the one whose button was
    pressed; the card before it loses its buttons), else in the chat's last card (or sent
    anew when there is none: ``bot.edge.sender``). Edits do not notify."""
    (page, *_) = card_pages(view, card)
    params: dict[str, Any] = {"chat_id": user, "text": page.text}
    if page.entities:
        params["entities"] = page.entities
    keyboard = card_keyboard(view.texts, card.request, handler=handler)
    if keyboard is not None:
        params["reply_markup"] = keyboard.to_dict()
    request_id = card.request.id
    if at is None:
        return [Call(user, "editMessageText", params, request_id=request_id, topic=CARD)]
    params["message_id"] = at
    edit = Call(user, "editMessageText", params, request_id=request_id, topic=CARD)
    return [_strip(user, request_id, keep=at), edit]


def _strip(user: int, request_id: int, keep: int | None = None) -> Call:
    """The buttons off the chat's card of the request (other than message ``keep``)."""
    params: dict[str, Any] = {"chat_id": user}
    if keep is not None:
        params[KEEP] = keep
    return Call(user, "editMessageReplyMarkup", params, request_id=request_id, topic=CARD)


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
    """New messages only for what needs the cadre (a new case, the villager's words, a
    case moved to or from them); the card, with the only live buttons, is re-rendered."""
    texts, tell = view.texts, notice.tell
    head = bounded(notice.household.head_name)
    match tell.what:
        case Event.ESCALATED | Event.OVERDUE if tell.audience is Audience.SUPERVISOR:
            return [_supervisor_notice(view, notice, user, head)]
        case Event.MARKED:  # 🚨: the villager marked it urgent
            urgent = outgoing.message(user, _urgent(view, notice, head))
            return [urgent, *_edit(view, notice, user)]
        case Event.FILED | Event.ROUTED:
            route = route_line(texts, notice.cadres, tell.route)
            made = card_calls(view, user, first_card(notice), route=route, owed=owed)
            return [*_relayed(view, notice, user, owed), *made]
        case Event.HANDED_OVER | Event.ESCALATED | Event.REASSIGNED if (
            tell.audience is Audience.CADRE
        ):
            moved = outgoing.message(user, _moved_away(texts, notice, head))
            return [moved, *_edit(view, notice, user, handler=False)]
        case Event.HANDED_OVER | Event.ESCALATED | Event.REASSIGNED:
            intro, trail = f"{_moved(texts, notice)}\n\n", notice.trail
            made = card_calls(view, user, first_card(notice), intro=intro, trail=trail, owed=owed)
            return [*_relayed(view, notice, user, owed), *made]
        case _:
            return _told_calls(view, notice, user, owed)


def _relayed(view: View, notice: Notice, user: int, owed: tuple[Call, ...]) -> list[Call]:
    """The file, place or contact the tell carries, passed on as it was sent."""
    head = bounded(notice.household.head_name)
    caption = view.texts("requests_cadre.caption", number=notice.request.number, head=head)
    return media_calls(user, notice.tell.content, caption, owed)


def _told_calls(view: View, notice: Notice, user: int, owed: tuple[Call, ...]) -> list[Call]:
    """What happened (with the villager's words, if any) as a new message without
    buttons, then the card re-rendered."""
    texts, request = view.texts, notice.request
    told_text = _told(texts, notice, head=bounded(notice.household.head_name))
    said = words(texts, notice.tell.content) if SLOT in told_text else ""
    pages = relay_pages(texts, request, told_text, said)
    told = outgoing.messages(user, pages, if_failed=owed)
    return [*told, *_relayed(view, notice, user, owed), *_edit(view, notice, user)]


def first_card(notice: Notice) -> CaseCard:
    """The card a notice brings a cadre at first sight: with the words filed."""
    if notice.card is not None:
        return notice.card
    handler = notice.handler
    filed = notice.first if notice.first is not None else notice.tell.content
    name = handler.name if handler is not None else notice.request.handler_id
    return CaseCard(notice.request, notice.household, filed, None, name)


def _edit(view: View, notice: Notice, user: int, *, handler: bool = True) -> list[Call]:
    """The card of the notice's request re-rendered in this chat (a former handler's has
    only 回复)."""
    return [] if notice.card is None else card_edit(view, user, notice.card, handler=handler)


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
