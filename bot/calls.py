"""An outgoing Bot API call as plain data: what a handler or a view owes a chat.

The outbox (``storage.outbox``) stores these in the transaction that owes them, and the
sender makes them; nothing here knows Telegram or SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

# In the params of an ``editMessageReplyMarkup`` with a topic and no ``message_id`` (the
# sender strips the buttons of the topic's last message): spare this message id, the one
# about to become the topic's message.
KEEP = "$keep"


class Priority(IntEnum):
    """Interactive calls (answers to a person) go before bulk ones (reminders, digests)."""

    INTERACTIVE = 0
    BULK = 1


@dataclass(frozen=True)
class Call:
    """One Bot API call to make: ``method`` with JSON-able ``params``."""

    lane: int
    method: str
    params: dict[str, Any]
    priority: Priority = Priority.INTERACTIVE
    dedup_key: str | None = None
    # Enqueued if Telegram refuses this call for good (the sender gives up): telling
    # the person whose words these were, and the administrators, that they did not
    # arrive. Give them dedup keys: every part of a long relay carries the same ones.
    if_failed: tuple[Call, ...] = ()
    # The request this message is about: a swipe-reply to it finds the request, and a
    # confidential complaint's copies in the accused's chat are found by it.
    request_id: int | None = None
    # The one message of the request that this chat keeps up to date (e.g. "card"): an
    # ``edit*`` call with a topic and no ``message_id`` edits the last message sent with
    # that topic, or is sent as a new message when there is none or it cannot be edited.
    topic: str | None = None
