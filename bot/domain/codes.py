"""Contact-card codes: what a card carries, and the deep link that binds a phone with it.

A code is the only secret on a card: whoever holds it can bind a phone to the household
(or to the cadre). So it is random, about 96 bits, never derived from an id, and a lost card
is handled by revoking its code and printing a new one, never by guessing it back.

Telegram passes ``/start <payload>`` from ``https://t.me/<bot>?start=<payload>``; the
payload may hold only ``A-Z a-z 0-9 _ -`` and at most 64 characters, which is exactly
the alphabet of :func:`secrets.token_urlsafe`. A new code starts with a letter or a digit:
a code starting with ``-`` (one in 64 before) is a formula to a spreadsheet that opens a
mail-merge file. Codes printed before still work: any 16 characters of the alphabet do.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass
from enum import Enum

from bot.domain.roster import Cadre, Household, LinkedCadre

CODE_LENGTH = 16  # 62 x 64**15 codes: 95.9 random bits
_ALPHANUMERIC = string.ascii_letters + string.digits
_ALPHABET = _ALPHANUMERIC + "_-"  # base64url, what a deep link may carry
_CODE = re.compile(r"[A-Za-z0-9_-]{16}")
_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")


def new_code() -> str:
    """A fresh card code: a letter or digit, then 15 characters of ``[A-Za-z0-9_-]``;
    unguessable, and never the start of a spreadsheet formula."""
    rest = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH - 1))
    return secrets.choice(_ALPHANUMERIC) + rest


def is_code_shaped(text: str) -> bool:
    """Whether ``text`` could be a card code (a cheap check before asking the database)."""
    return _CODE.fullmatch(text) is not None


def is_username(text: str) -> bool:
    """Whether ``text`` (without @) has the shape of a Telegram bot username."""
    return _USERNAME.fullmatch(text) is not None


def deep_link(username: str, code: str) -> str:
    """The link printed (and QR-encoded) on a card: opening it starts the bot with ``code``.

    Raises ValueError rather than print a link that would silently not work.
    """
    username = username.removeprefix("@")
    if not is_username(username):
        raise ValueError(f"{username!r} is not a Telegram bot username")
    if not is_code_shaped(code):
        raise ValueError(f"{code!r} is not a card code")
    return f"https://t.me/{username}?start={code}"


@dataclass(frozen=True)
class HouseholdCard:
    """One household's card: who they are, who is linked to them (tier order), their code."""

    household: Household
    region_name: str
    cadres: tuple[LinkedCadre, ...]
    code: str
    hotline: str = ""  # the nearest region at or above the household's that has one


@dataclass(frozen=True)
class CadreCard:
    """One cadre's card, so the cadre can bind their own phone and receive requests."""

    cadre: Cadre
    region_name: str
    households: int  # how many households are linked to this cadre
    code: str


@dataclass(frozen=True)
class Place:
    """A region as the administrator's card picker shows it."""

    id: str
    name: str
    level: str  # "county", "township", "village", "group"
    households: int  # at or below it


@dataclass(frozen=True)
class HouseholdHit:
    """A household found by /card: its id, head and village."""

    id: str
    head_name: str
    village: str


class CodeState(Enum):
    """Where a household's card stands: a live code, only revoked ones, or none yet."""

    LIVE = "live"
    REVOKED = "revoked"  # the next print issues a new code
    NONE = "none"  # never printed


@dataclass(frozen=True)
class Holder:
    """A household as the administrator's page shows it (no code: it is the secret)."""

    id: str
    head_name: str
    village: str
    address: str
    members: int  # phones bound
    cadres: tuple[LinkedCadre, ...]
    code: CodeState
