"""Button data as a small typed codec: ``scope:action:argument``, parsed in one place.

Telegram returns a button's data verbatim, so anyone can forge it: a decoded callback
says only what was asked, and the handler still checks it against current state and
the presser's rights. Ids and dates in it are read here, strictly (ASCII digits, a
bounded length), so forged data is "no longer valid", never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LIMIT = 64  # bytes Telegram keeps of callback_data
_ID = re.compile(r"[0-9]{1,12}", re.ASCII)
_PAGE = re.compile(r"[0-9]{1,3}", re.ASCII)
INBOX = "iq"  # /inbox's pages: ``iq:<filter>:<page>``


@dataclass(frozen=True)
class Callback:
    scope: str  # e.g. "hh" (household)
    action: str  # e.g. "pick"
    argument: str = ""

    def encode(self) -> str:
        data = f"{self.scope}:{self.action}:{self.argument}"
        if len(data.encode()) > LIMIT or ":" in self.scope + self.action:
            raise ValueError(f"callback data cannot carry {data!r}")
        return data


@dataclass(frozen=True)
class RequestPress:
    """A request button: ``scope:action:<request id>[:<argument>]``."""

    scope: str
    action: str
    request_id: int
    argument: str = ""


def decode(data: str | None) -> Callback | None:
    """The callback, or None for data that is not ours (old, foreign or forged)."""
    if not data:
        return None
    parts = data.split(":", 2)
    if len(parts) != 3 or not parts[0] or not parts[1]:
        return None
    return Callback(*parts)


def identifier(text: str) -> int | None:
    """A database id written in button data: 1 to 12 ASCII digits, else None (``²``,
    ``１２`` or 57 digits are forged, and would not fit an SQLite integer anyway)."""
    return int(text) if _ID.fullmatch(text) else None


def request_press(data: str | None) -> RequestPress | None:
    """A request button's action, request id and argument, or None for anything else."""
    pressed = decode(data)
    if pressed is None:
        return None
    id_text, _, argument = pressed.argument.partition(":")
    request_id = identifier(id_text)
    if request_id is None:
        return None
    return RequestPress(pressed.scope, pressed.action, request_id, argument)


@dataclass(frozen=True)
class InboxPress:
    """A page of /inbox under a filter: ``iq:<filter>:<page from 0>`` (the filter's name
    is checked by the handler against the filters there are)."""

    wanted: str
    page: int


def inbox_page(wanted: str, page: int) -> Callback:
    return Callback(INBOX, wanted, str(page))


def inbox_press(data: str | None) -> InboxPress | None:
    """The filter and page of an /inbox button, or None for forged data (a page of 4
    digits or more, "-1", "²")."""
    pressed = decode(data)
    if pressed is None or pressed.scope != INBOX or not _PAGE.fullmatch(pressed.argument):
        return None
    return InboxPress(pressed.action, int(pressed.argument))


def pick_household(household_id: str) -> Callback:
    return Callback("hh", "pick", household_id)
