"""/my: a villager's requests, newest first, each opened with its trail. Only the
households of the asking phone are ever read (``storage.villager_views`` scopes every
query by the member's account), so another household's number is simply not found."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.domain import members
from bot.domain.lifecycle import Status
from bot.domain.requests import TrailLine
from handlers.context import Unit
from storage import villager_views
from storage.people import People
from storage.villager_views import MyRequest

from . import common, outgoing, tell_household
from .context import LianxinContext
from .tell_household import local_time


async def show(update: Update, context: LianxinContext) -> None:
    """/my: the households' latest requests; /my LX-2026-000123: that one, if it is theirs."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    unit = context.unit
    texts = unit.setup.texts
    member = await members.membership(People(unit.tx), user.id)
    if not member.bound:
        await common.not_bound(update, context)
        return
    if context.args:
        request_id = await villager_views.id_of_mine(unit.tx, user.id, context.args[0])
        found = None
        if request_id is not None:
            found = await villager_views.one_of_mine(unit.tx, user.id, request_id)
        text = (
            await detail_text(unit, user.id, found)
            if found
            else texts("villager_requests.my.not_found")
        )
        unit.send(outgoing.message(message.chat_id, text))
        return
    mine = await villager_views.mine(unit.tx, user.id)
    if not mine:
        unit.send(outgoing.message(message.chat_id, texts("villager_requests.my.empty")))
        return
    several = len(member.households) > 1
    lines = [_line(unit, found, several) for found in mine]
    text = "\n".join([texts("villager_requests.my.header", count=len(mine)), *lines])
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts("villager_requests.my.open_button", number=found.request.number),
                    callback_data=tell_household.button_data(tell_household.SEE, found.request.id),
                )
            ]
            for found in mine
        ]
    )
    unit.send(outgoing.message(message.chat_id, text, keyboard=keyboard))


def _line(unit: Unit, found: MyRequest, several: bool) -> str:
    texts = unit.setup.texts
    request = found.request
    return texts(
        "villager_requests.my.line_household" if several else "villager_requests.my.line",
        number=request.number,
        head=found.head_name,
        category=texts(f"requests.category.{request.category}"),
        urgent=texts("villager_requests.my.urgent") if request.urgent else "",
        status=texts(f"requests.status.{request.status}"),
        handler=found.handler_name,
        due=_due(unit, found),
    )


def _due(unit: Unit, found: MyRequest) -> str:
    texts = unit.setup.texts
    if found.request.status is Status.CLOSED:
        return texts("villager_requests.my.due_closed")
    resolve = local_time(unit, found.request.resolve_by)
    return texts("villager_requests.my.due_resolve", resolve=resolve)


async def detail_text(unit: Unit, user_id: int, found: MyRequest) -> str:
    """One request with its trail: every event in order, with time and who did it."""
    texts = unit.setup.texts
    request = found.request
    events = []
    for line in await villager_views.trail(unit.tx, user_id, request.id):
        kind = line.actor.partition(":")[0]
        actor = line.actor_name or texts(
            "villager_requests.my.villager"
            if kind == "villager"
            else "villager_requests.my.system"
        )
        events.append(
            texts(
                "villager_requests.my.event_line",
                at=local_time(unit, line.at),
                actor=actor,
                event=texts(f"villager_requests.event.{line.kind}"),
                note=_note(unit, line),
            )
        )
    return texts(
        "villager_requests.my.detail",
        number=request.number,
        head=found.head_name,
        category=texts(f"requests.category.{request.category}"),
        urgent=texts("villager_requests.my.urgent") if request.urgent else "",
        status=texts(f"requests.status.{request.status}"),
        handler=found.handler_name,
        rank=texts(f"people.rank.{found.handler_rank}"),
        due=_due(unit, found),
        events="\n".join(events),
    )


NOTE_LENGTH = 40


def _note(unit: Unit, line: TrailLine) -> str:
    """A few words of what the event carried: to whom, what was said, the rating."""
    texts = unit.setup.texts
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
