"""A villager's further messages to a request: what waits for the handler, what leaves in
one relay, and how often the villager hears that they were added.

Three hundred messages at once used to be three hundred relays in the handler's chat,
which Telegram lets through one a second: another household's new request waited five
minutes behind them. Now each message goes into the request's trail at once and waits
as a ``Join``; a relay leaves only while the handler's chat has fewer than ``BACKLOG``
calls waiting, with the texts taken so far in one message and at most
``FILES_PER_RELAY`` files. The villager hears "已补充" once per ``ANSWER_WINDOW``, then
once that everything is recorded, then nothing until the window ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.requests import Content

ANSWER_WINDOW = timedelta(seconds=30)
BACKLOG = 1  # calls that may wait in the handler's chat before follow-ups wait as rows
FILES_PER_RELAY = 1  # files, places and contacts sent with one relay
TAKE = 500  # follow-ups read per relay


@dataclass(frozen=True)
class Join:
    """A follow-up whose relay to the handler is still owed."""

    id: int
    user_id: int
    content: Content
    at: datetime


class Answer(StrEnum):
    """What the villager hears of a follow-up."""

    JOINED = "joined"  # the first in a window: added to the request (or: the reason sent)
    ALL_RECEIVED = "all_received"  # the second: everything is recorded, please wait


def answer(count: int) -> Answer | None:
    """The answer to the ``count``-th follow-up of the current window (None: silence)."""
    if count == 1:
        return Answer.JOINED
    return Answer.ALL_RECEIVED if count == 2 else None


def room(backlog: int) -> bool:
    """Whether the handler's chat, with ``backlog`` calls waiting, takes a relay now."""
    return backlog < BACKLOG


def carries_file(content: Content) -> bool:
    return bool(
        (content.media and content.file_id) or content.latitude is not None or content.contact
    )


def batch(waiting: Sequence[Join]) -> list[Join]:
    """The follow-ups of one relay: in order, up to ``FILES_PER_RELAY`` files (at least
    one follow-up, so the queue always moves)."""
    taken: list[Join] = []
    files = 0
    for found in waiting:
        carries = carries_file(found.content)
        if taken and carries and files >= FILES_PER_RELAY:
            break
        files += carries
        taken.append(found)
    return taken
