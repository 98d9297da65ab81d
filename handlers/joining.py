"""A villager's further messages to a request, as the handler and the villager see them:
the relays that take them to the handler together, and the villager's "已补充".

What waits and what leaves in one relay are ``bot.domain.joining``'s rules and
``bot.services.relays``' use cases; here a relay becomes calls: one message with every
text taken so far (quoted one after another; in pages if long), then the files, places
and contacts, and the case card edited in place (the only message with its buttons).
``relay_tick`` is the sweep's handler that relays what waits (run every second by
``bot.edge.relays`` through ``bot.edge.ticks``).
"""

from __future__ import annotations

from dataclasses import replace

from bot.calls import Call
from bot.domain.joining import Answer, Join
from bot.i18n import Texts
from bot.services import relays
from bot.services.filing import Joined
from bot.services.relays import Relay

from . import notify, outgoing, paging, threads, undelivered
from .context import Unit, View
from .paging import Part, bounded
from .tell_cadre import captioned, card_edit, continued, media_calls, said
from .tell_household import handler_blanks


async def relay_tick(unit: Unit) -> int:
    """The sweep: relay the follow-ups each handler's chat has room for; returns the
    calls queued."""
    view = unit.view()
    waiting = await relays.relay_waiting(unit.work)
    calls = [call for found in waiting for call in relay_calls(view, found)]
    unit.send(*calls)
    return len(calls)


def answer_call(view: View, user_id: int, reply_to: int, joined: Joined) -> Call | None:
    """What the villager hears of a follow-up: added (or: the reason sent), then once
    that everything is recorded, then nothing until the window ends; "added" has a
    「另起一件事」 button, and names the household if the phone speaks for several."""
    if joined.answer is None:
        return None
    texts, request = view.texts, joined.request
    who = handler_blanks(texts, joined.handler, request.handler_id)
    keyboard = None
    if joined.answer is Answer.JOINED:
        key = "reason_relayed" if joined.reason else "joined"
        text = texts(f"villager_requests.{key}", number=request.number, **who)
        keyboard = None if joined.reason else threads.split_button(texts, joined)
    else:
        text = texts("relay.all_received", **who)
    text = threads.named(texts, joined.household, text)
    return outgoing.message(user_id, text, reply_to=reply_to, keyboard=keyboard)


def relay_calls(view: View, relay: Relay) -> list[Call]:
    """One message with the texts (quoted, one after another; in pages if long), then
    the files, places and contacts; then the case card edited in place."""
    texts, request, lane = view.texts, relay.request, relay.lane
    view = replace(view, origin=f"{view.origin}j{relay.taken[0].id}")
    owed = undelivered.to_household(
        view, request, relay.handler, relay.household, lane, relay.writers
    )
    head = bounded(relay.household.head_name)
    parts = [Part(texts("relay.joined_many", number=request.number, head=head))]
    caption = texts("relay.joined_media", number=request.number, head=head)
    files: list[Call] = []
    for found in relay.taken:
        parts += _parts(texts, found)
        files += media_calls(lane, found.content, caption, owed)
    if len(parts) == 1:  # files only: each carries the number in its caption
        return notify.about(request.id, [*files, *_card(view, relay)])
    pages = paging.pages(parts, continued(texts, request))
    made = [*outgoing.messages(lane, pages, if_failed=owed), *files, *_card(view, relay)]
    return notify.about(request.id, made)


def _card(view: View, relay: Relay) -> list[Call]:
    """The handler's case card says what came last (the buttons are on it, not here)."""
    return [] if relay.card is None else card_edit(view, relay.lane, relay.card)


def _parts(texts: Texts, found: Join) -> list[Part]:
    """One follow-up in the relay's text: what it carried (a file, a place, a contact)
    and its words, quoted."""
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
        return [Part(f"\n{label}\n" if label else "\n"), Part(words, quoted=True)]
    return [Part(f"\n{label}")] if label else []


def joined_calls(view: View, user_id: int, reply_to: int, joined: Joined) -> list[Call]:
    """A follow-up joined: the notices, the relay if it left now, the villager's answer."""
    sent = notify.calls(view, joined.notices)
    if joined.relay is not None:
        sent += relay_calls(view, joined.relay)
    answer = answer_call(view, user_id, reply_to, joined)
    return notify.about(joined.request.id, [*sent, answer] if answer is not None else sent)
