"""How a request looks to a cadre: the case (household, words, media, due times, how it
was routed, its trail), the action buttons, and the tells of ``bot.domain.requests``
rendered for the handler's account."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import Callback
from bot.domain.lifecycle import Event, Status
from bot.domain.requests import Audience, Content, Request, Tell
from bot.domain.roster import LinkedCadre
from bot.domain.routing import Route, Why
from bot.edge.unit import Unit
from bot.i18n import Texts
from storage import cadre_views
from storage import requests as stored_requests
from storage.outbox import Call, Priority
from storage.people import People

from . import outgoing

SCOPE = "rq"
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


def media_calls(chat_id: int, content: Content | None, caption: str = "") -> list[Call]:
    """The Bot API calls that pass on ``content``'s file, place or contact (by file id:
    nothing is downloaded)."""
    if content is None:
        return []
    calls: list[Call] = []
    method = _SEND_MEDIA.get(content.media or "")
    if method and content.file_id:
        params: dict[str, Any] = {"chat_id": chat_id, content.media or "": content.file_id}
        if caption and content.media not in _NO_CAPTION:
            params["caption"] = caption
        calls.append(Call(chat_id, method, params, Priority.INTERACTIVE))
    if content.latitude is not None and content.longitude is not None:
        place = {"chat_id": chat_id, "latitude": content.latitude, "longitude": content.longitude}
        calls.append(Call(chat_id, "sendLocation", place, Priority.INTERACTIVE))
    if content.contact:
        name, _, phone = content.contact.rpartition(" ")
        contact = {"chat_id": chat_id, "phone_number": phone, "first_name": name or phone}
        calls.append(Call(chat_id, "sendContact", contact, Priority.INTERACTIVE))
    return calls


def words(texts: Texts, content: Content | None) -> str:
    """The text of ``content``, or a word for what came without text."""
    if content is None:
        return texts("requests_cadre.words_none")
    if content.text:
        return content.text
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
    """受理 / 回复 / 办结 / 政策解答 / 转交 / 上报, as the request's state allows."""
    if request.status is Status.CLOSED:
        return None

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
                texts("requests_cadre.handto_line", name=c.cadre.name, tier=c.tier),
                callback_data=action("handto", request_id, c.cadre.id),
            )
        ]
        for c in cadres
    ]
    return InlineKeyboardMarkup(rows)


def open_keyboard(texts: Texts, lines: Sequence[cadre_views.InboxLine]) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                texts("requests_cadre.open_button", number=line.number, head=line.head_name),
                callback_data=action("open", line.request_id),
            )
        ]
        for line in lines
    ]
    return InlineKeyboardMarkup(rows)


# --- the case -------------------------------------------------------------------------


def local(unit: Unit, moment: datetime) -> str:
    return moment.astimezone(unit.services.config.general.zone).strftime("%Y-%m-%d %H:%M")


async def _name(unit: Unit, cadre_id: str | None) -> str:
    if not cadre_id:
        return ""
    try:
        return (await People(unit.tx).cadre(cadre_id)).name
    except LookupError:
        return cadre_id


async def route_line(unit: Unit, route: Route | None) -> str:
    if route is None:
        return ""
    texts = unit.services.texts
    if route.why is Why.BACKUP:
        return texts("requests_cadre.route.backup", name=await _name(unit, route.instead_of))
    return texts(f"requests_cadre.route.{route.why}", tier=route.tier)


async def case_text(
    unit: Unit, request: Request, content: Content | None, route: Route | None
) -> str:
    """The request as its handler needs it at first sight."""
    texts = unit.services.texts
    household = await cadre_views.household_card(unit.tx, request.household_id)
    return texts(
        "requests_cadre.case",
        number=request.number,
        urgent=texts("requests_cadre.urgent_mark") if request.urgent else "",
        head=household.head_name,
        village=household.village,
        address=household.address or household.id,
        phone=household.phone or "-",
        category=texts(f"requests.category.{request.category}"),
        status=texts(f"requests.status.{request.status}"),
        words=words(texts, content),
        route=await route_line(unit, route),
        respond_by=local(unit, request.respond_by),
        resolve_by=local(unit, request.resolve_by),
    )


async def trail_text(unit: Unit, request: Request) -> str:
    """Every event of the request so far, one line each, in order."""
    texts = unit.services.texts
    lines = []
    for event in await stored_requests.trail(unit.tx, request.id):
        kind = event.actor.partition(":")[0]
        if kind == "cadre":
            actor = event.actor_name
        else:
            actor = texts(f"requests_cadre.actor.{'villager' if kind == 'villager' else 'system'}")
        note = str(event.detail.get("text") or event.detail.get("note") or "")
        if not note and event.detail.get("media"):
            note = texts(f"requests_cadre.media.{event.detail['media']}")
        if event.kind in (Event.ROUTED, Event.ESCALATED, Event.REASSIGNED):
            note = event.handler_name
        if event.kind == Event.CONFIRMED and event.detail.get("rating"):
            note = texts(f"requests.outcome.{event.detail['rating']}")
        lines.append(
            texts(
                "requests_cadre.trail_line",
                at=local(unit, event.at),
                actor=actor,
                event=texts(f"requests_cadre.event.{event.kind}"),
                note=texts("requests_cadre.trail_note", note=note) if note else "",
            )
        )
    return texts("requests_cadre.trail", lines="\n".join(lines))


async def full_case(unit: Unit, request: Request) -> str:
    """The case with its trail, for /inbox and for a cadre who takes a request over."""
    first = await stored_requests.Requests(unit.tx).filed_content(request.id)
    return "\n\n".join(
        (await case_text(unit, request, first, None), await trail_text(unit, request))
    )


# --- tells ----------------------------------------------------------------------------


async def render(unit: Unit, tell: Tell, user_ids: Sequence[int]) -> None:
    """A tell for the handler (or a named cadre), as messages to their account(s)."""
    texts = unit.services.texts
    request = tell.request
    head = (await cadre_views.household_card(unit.tx, request.household_id)).head_name
    keyboard = actions_keyboard(texts, request)
    caption = texts("requests_cadre.caption", number=request.number, head=head)
    for user in user_ids:
        relay = media_calls(user, tell.content, caption)
        match tell.what:
            case Event.ESCALATED | Event.OVERDUE if tell.audience is Audience.SUPERVISOR:
                unit.send(await _supervisor_notice(unit, tell, user, head))
            case Event.FILED | Event.ROUTED:
                text = await case_text(unit, request, tell.content, tell.route)
                unit.send(*relay, outgoing.message(user, text, keyboard=keyboard))
            case Event.HANDED_OVER | Event.ESCALATED | Event.REASSIGNED if (
                tell.audience is Audience.CADRE
            ):
                text = texts(
                    "requests_cadre.tell.moved_away",
                    number=request.number,
                    head=head,
                    name=await _name(unit, request.handler_id),
                )
                unit.send(outgoing.message(user, text))
            case Event.HANDED_OVER | Event.ESCALATED | Event.REASSIGNED:
                was = await _previous_handler(unit, tell)
                key = "rerouted" if tell.what is Event.HANDED_OVER and tell.route else tell.what
                intro = texts(
                    f"requests_cadre.tell.{key}",
                    number=request.number,
                    name=await _name(unit, was),
                    route=await route_line(unit, tell.route),
                )
                if tell.reason:  # the sweep's: the due time missed comes first
                    intro = f"{texts(f'deadlines.reason.{tell.reason}')}\n{intro}"
                text = f"{intro}\n\n{await full_case(unit, request)}"
                unit.send(*relay, outgoing.message(user, text, keyboard=keyboard))
            case _:
                text = texts(
                    f"requests_cadre.tell.{tell.what}",
                    number=request.number,
                    head=head,
                    words=words(texts, tell.content),
                    rating=texts(f"requests.outcome.{request.outcome}") if request.outcome else "",
                )
                unit.send(outgoing.message(user, text, keyboard=keyboard), *relay)


async def _supervisor_notice(unit: Unit, tell: Tell, user: int, head: str) -> Call:
    """The supervisor of the jurisdiction hears of an escalation past a due time (or of a
    request past due with no one above), with a button to open the case."""
    texts = unit.services.texts
    request = tell.request
    text = texts(
        f"deadlines.supervisor.{tell.what}",
        number=request.number,
        head=head,
        name=await _name(unit, request.handler_id),
        reason=texts(f"deadlines.reason.{tell.reason or 'resolve'}"),
    )
    label = texts("deadlines.button.open")
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=action("open", request.id))]]
    )
    return outgoing.message(user, text, keyboard=keyboard)


async def _previous_handler(unit: Unit, tell: Tell) -> str | None:
    if tell.cadre_id:
        return tell.cadre_id
    for event in reversed(await stored_requests.trail(unit.tx, tell.request.id)):
        if event.kind == tell.what:
            found = event.detail.get("from")
            return str(found) if found else None
    return None
