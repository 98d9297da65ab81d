"""A villager's further messages to a request, relayed to its handler together.

Three hundred messages at once used to be three hundred relays in the handler's chat,
which Telegram lets through one a second: another household's new request waited five
minutes behind them. Now each message goes into the request's trail at once and into
``storage.joins``; relays leave only while the handler's chat has nothing waiting
(``BACKLOG``), the texts taken so far joined into one message (in pages if long), one
file at a time. So a new request reaches the handler after at most a call or two,
and the flood still reaches them whole. The villager hears "已补充" once per
``ANSWER_WINDOW``, then once that everything is recorded, then nothing until the window
ends; no word is ever dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.calls import Call
from bot.domain.requests import Content, Request
from handlers.context import Unit
from storage import cadre_views, joins
from storage.joins import Join
from storage.requests import Requests

from . import outgoing, paging, undelivered
from .paging import Part, bounded
from .tell_cadre import (
    actions_keyboard,
    captioned,
    continued,
    media_calls,
    said,
)
from .tell_household import handler_of

ANSWER_WINDOW = timedelta(seconds=30)
BACKLOG = 1  # calls that may wait in the handler's chat before follow-ups wait here
FILES_PER_RELAY = 1  # files, places and contacts sent with one relay
TAKE = 500  # follow-ups read per relay


async def join(
    unit: Unit, request: Request, user_id: int, content: Content, *, reply_to: int, key: str
) -> None:
    """Keep the follow-up for the handler, relay what the handler's chat has room for,
    and answer the villager (``key``: "joined" or "reason_relayed") as the window allows."""
    await joins.add(unit.tx, request.id, user_id, content, unit.now)
    await relay(unit, request.id)
    count = await joins.count_message(unit.tx, user_id, unit.now, ANSWER_WINDOW)
    if count > 2:
        return
    texts = unit.setup.texts
    who = await handler_of(unit, request.handler_id)
    if count == 1:
        text = texts(f"villager_requests.{key}", number=request.number, **who)
    else:
        text = texts("relay.all_received", **who)
    unit.send(outgoing.message(user_id, text, reply_to=reply_to))


async def relay(unit: Unit, request_id: int) -> bool:
    """Relay the request's waiting follow-ups if its handler's chat has room; returns
    whether any are still waiting."""
    request = await Requests(unit.tx).get(request_id)
    waiting = await joins.waiting(unit.tx, request_id, TAKE)
    if not waiting:
        return False
    lane = (
        None if request is None else await cadre_views.cadre_account(unit.tx, request.handler_id)
    )
    if request is None or lane is None:
        # No account to tell (as for every message to an unreachable handler): the trail
        # keeps the words; the relay is not owed to anyone.
        await joins.relayed(unit.tx, request_id, waiting[-1].id)
        return False
    queued = sum(1 for call in unit.calls if call.lane == lane)
    if await joins.lane_backlog(unit.tx, lane) + queued >= BACKLOG:
        return True
    taken = _batch(waiting)
    await joins.relayed(unit.tx, request_id, taken[-1].id)
    unit.send(*await _calls(unit, request, lane, taken))
    return len(taken) < len(waiting)


def _batch(waiting: Sequence[Join]) -> list[Join]:
    """The follow-ups of one relay: in order, up to ``FILES_PER_RELAY`` files (at least
    one follow-up, so the queue always moves)."""
    taken: list[Join] = []
    files = 0
    for found in waiting:
        carries = _carries_file(found.content)
        if taken and carries and files >= FILES_PER_RELAY:
            break
        files += carries
        taken.append(found)
    return taken


def _carries_file(content: Content) -> bool:
    return bool(
        (content.media and content.file_id) or content.latitude is not None or content.contact
    )


async def _calls(unit: Unit, request: Request, lane: int, taken: Sequence[Join]) -> list[Call]:
    """One message with the texts (quoted, one after another; in pages if long), then
    the files, places and contacts; the case's buttons under the text."""
    texts = unit.setup.texts
    household = await unit.work.directory.household(request.household_id)
    handler = await unit.work.people.cadre(request.handler_id)
    head = bounded(household.head_name)
    writers = sorted({found.user_id for found in taken})
    view = unit.view(f"j{taken[0].id}")
    owed = undelivered.to_household(view, request, handler, household, lane, writers)
    parts = [Part(texts("relay.joined_many", number=request.number, head=head))]
    files: list[Call] = []
    caption = texts("relay.joined_media", number=request.number, head=head)
    for found in taken:
        content = found.content
        words = said(content)
        label = ""
        if content.media and (words or not captioned(content)):
            label = texts(f"requests_cadre.media.{content.media}")
        elif content.latitude is not None:
            label = texts("requests_cadre.media.location")
        elif content.contact:
            label = texts("requests_cadre.media.contact")
        if words:
            parts += [Part(f"\n{label}\n" if label else "\n"), Part(words, quoted=True)]
        elif label:
            parts.append(Part(f"\n{label}"))
        files += media_calls(lane, content, caption, owed)
    keyboard = actions_keyboard(texts, request)
    if len(parts) == 1:  # files only: each carries the number in its caption
        return files
    pages = paging.pages(parts, continued(texts, request))
    return [*outgoing.messages(lane, pages, keyboard=keyboard, if_failed=owed), *files]
