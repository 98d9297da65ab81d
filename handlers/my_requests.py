"""/my: a villager's requests, newest first, each opened with its trail. The use cases
(``bot.services.villager``) read only the households of the asking phone, so another
household's number is simply not found; here the list and the trail are worded."""

from __future__ import annotations

from dataclasses import replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.calls import Call
from bot.domain.lifecycle import Outcome, Status
from bot.domain.requests import MyRequest, TrailLine
from bot.i18n import Texts
from bot.services import villager
from bot.services.villager import Detail, Mine, NotAVillager

from . import common, outgoing, tell_household
from .context import LianxinContext, Shows, View
from .tell_household import local_time


async def show(update: Update, context: LianxinContext) -> None:
    """/my: the households' latest requests; /my LX-2026-000123: that one, if it is theirs."""
    message, unit, who = update.effective_message, context.unit, context.unit.who
    if message is None or who is None:
        return
    try:
        if context.args:
            found = await villager.my_request(unit.work, who, context.args[0])
            unit.send(detail_message(unit.view(), message.chat_id, found))
        else:
            mine = await villager.my_requests(unit.work, who)
            unit.send(list_message(unit.view(), message.chat_id, mine))
    except NotAVillager:
        await common.not_bound(update, context)


# --- views ----------------------------------------------------------------------------


def detail_message(view: View, chat_id: int, found: Detail | None) -> Call:
    if found is None:
        return outgoing.message(chat_id, view.texts("villager_requests.my.not_found"))
    request = found.found.request
    keyboard = tell_household.detail_keyboard(view.texts, request)
    call = outgoing.message(chat_id, detail_text(view, found), keyboard=keyboard)
    return replace(call, request_id=request.id)  # a swipe-reply to it joins the request


def list_message(view: View, chat_id: int, mine: Mine) -> Call:
    """The list, each request with a button that opens it."""
    texts = view.texts
    if not mine.requests:
        return outgoing.message(chat_id, texts("villager_requests.my.empty"))
    lines = [_line(view, found, mine.several) for found in mine.requests]
    text = "\n".join([texts("villager_requests.my.header", count=len(mine.requests)), *lines])
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts("villager_requests.my.open_button", number=found.request.number),
                    callback_data=tell_household.button_data(tell_household.SEE, found.request.id),
                )
            ]
            for found in mine.requests
        ]
    )
    return outgoing.message(chat_id, text, keyboard=keyboard)


def _line(shown: Shows, found: MyRequest, several: bool) -> str:
    texts = shown.texts
    request = found.request
    return texts(
        "villager_requests.my.line_household" if several else "villager_requests.my.line",
        number=request.number,
        head=found.head_name,
        category=texts(f"requests.category.{request.category}"),
        urgent=texts("villager_requests.my.urgent") if request.urgent else "",
        status=texts(f"requests.status.{request.status}"),
        handler=found.handler_name,
        due=_due(shown, found),
    )


def _due(shown: Shows, found: MyRequest) -> str:
    texts = shown.texts
    if found.request.outcome is Outcome.WITHDRAWN:
        return texts("urgent.withdraw.status")
    if found.request.status is Status.CLOSED:
        return texts("villager_requests.my.due_closed")
    resolve = local_time(shown, found.request.resolve_by)
    return texts("villager_requests.my.due_resolve", resolve=resolve)


def detail_text(shown: Shows, detail: Detail) -> str:
    """One request with its trail: every event in order, with time and who did it."""
    texts, found = shown.texts, detail.found
    request = found.request
    return texts(
        "villager_requests.my.detail",
        number=request.number,
        head=found.head_name,
        category=texts(f"requests.category.{request.category}"),
        urgent=texts("villager_requests.my.urgent") if request.urgent else "",
        status=texts(f"requests.status.{request.status}"),
        handler=found.handler_name,
        rank=texts(f"people.rank.{found.handler_rank}"),
        due=_due(shown, found),
        events="\n".join(_event(shown, line) for line in detail.trail),
    )


def _event(shown: Shows, line: TrailLine) -> str:
    texts = shown.texts
    kind = line.actor.partition(":")[0]
    actor = line.actor_name or texts(
        "villager_requests.my.villager" if kind == "villager" else "villager_requests.my.system"
    )
    return texts(
        "villager_requests.my.event_line",
        at=local_time(shown, line.at),
        actor=actor,
        event=texts(f"villager_requests.event.{line.kind}"),
        note=_note(texts, line),
    )


NOTE_LENGTH = 40


def _note(texts: Texts, line: TrailLine) -> str:
    """A few words of what the event carried: to whom, what was said, the rating."""
    detail = line.detail
    if line.kind in ("routed", "handed_over", "escalated"):
        note = line.handler_name
    elif detail.get("rating"):
        note = texts(f"requests.outcome.{detail['rating']}")
    elif detail.get("category"):
        note = texts(f"requests.category.{detail['category']}")
    elif detail.get("urgent"):
        note = texts("requests.urgent")
    else:
        note = str(detail.get("text") or detail.get("note") or "")
        if not note and detail.get("media"):
            note = texts(f"villager_requests.media.{detail['media']}")
        elif not note and detail.get("latitude") is not None:
            note = texts("villager_requests.media.location")
        elif not note and detail.get("contact"):
            note = texts("villager_requests.media.contact")
    if len(note) > NOTE_LENGTH:
        note = note[:NOTE_LENGTH] + "…"
    return texts("villager_requests.my.note", note=note) if note else ""
