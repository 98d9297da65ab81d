"""公示 and reception: announcements to a village's households, the notices switch,
reception and service days as villagers see them, and 绑定率.

An announcement is one message to every bound member of the households of a region
that did not switch notices off. Telegram refuses a text over 4,096 characters and a
caption over 1,024 (UTF-16 units), and a heading of at most ``HEADROOM`` goes before the
words: longer words (over 4,000, or 928 under a photo) are refused with their length
and the limit, never split (a notice in pieces, interleaved with other chats' messages,
reads badly on an old phone; the cadre shortens it or sends the photo and the words
apart).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.roster import Cadre, Rank
from bot.domain.schedule import Repeat, Rules

TEXT_LIMIT = 4096  # Telegram's limit for a message's text
CAPTION_LIMIT = 1024  # … and for a photo's caption
HEADROOM = 96  # kept for the heading (who publishes, for where): the words get the rest
# Ranks that publish to their own village without supervising a region.
VILLAGE_RANKS = frozenset({Rank.VILLAGE_CADRE, Rank.GRID_WORKER})
LOOKAHEAD = 62  # days searched for the next reception day (a monthly one is within 31)


def length(text: str) -> int:
    """Characters as Telegram counts them: UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


class NotPublisher(Exception):
    """Only a supervisor (their region) or a village cadre (their village) publishes."""


class TooLong(Exception):
    """The announcement is longer than Telegram allows; nothing was stored."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"{length} characters, the limit is {limit}")
        self.length = length
        self.limit = limit


class Empty(Exception):
    """An announcement without words nor photo (or any other kind of message)."""


def check(text: str, photo: str | None) -> None:
    """Raises ``Empty`` or ``TooLong``."""
    if not text.strip() and photo is None:
        raise Empty
    limit = (CAPTION_LIMIT if photo is not None else TEXT_LIMIT) - HEADROOM
    if length(text) > limit:
        raise TooLong(length(text), limit)


def may_publish(cadre: Cadre) -> bool:
    return cadre.supervises is not None or cadre.rank in VILLAGE_RANKS


@dataclass(frozen=True)
class Announcement:
    id: int
    cadre_id: str
    region_id: str
    text: str
    photo: str | None  # a Telegram file id
    published: bool = False
    cancelled: bool = False

    @property
    def draft(self) -> bool:
        return not (self.published or self.cancelled)


@dataclass(frozen=True)
class Recipient:
    """A bound member's chat, and the household it hears for (its opt-out button)."""

    chat: int
    household_id: str


def recipients(members: Sequence[Recipient]) -> list[Recipient]:
    """One message a chat: a phone bound to two households of the region hears it once
    (for the first household), as its dedup key (announcement, chat) says."""
    seen: set[int] = set()
    found = []
    for member in members:
        if member.chat not in seen:
            seen.add(member.chat)
            found.append(member)
    return found


# --- reception and service days, as villagers see them -------------------------------


def next_on(rule: Repeat, today: date) -> date | None:
    """The first day from ``today`` on which ``rule`` falls (None: none within reach)."""
    for ahead in range(LOOKAHEAD):
        day = today + timedelta(days=ahead)
        if rule.falls_on(day):
            return day
    return None


def next_service_days(rules: Rules, today: date, count: int = 2) -> list[date]:
    """The next ``count`` service days from ``today`` (today included)."""
    found: list[date] = []
    month = today.replace(day=1)
    while len(found) < count:
        found += sorted(d for d in rules.service_dates(month.year, month.month) if d >= today)
        month = (month + timedelta(days=32)).replace(day=1)
        if not rules.service_days:
            break
    return found[:count]


@dataclass(frozen=True)
class Receiving:
    """A cadre a household may go to see: their reception rule and its next day."""

    cadre: Cadre
    role: str  # "linked" (the household's chain) or "leader" (supervises above it)
    rule: Repeat | None
    next_day: date | None


def receiving(
    cadres: Sequence[tuple[Cadre, str]], reception: Mapping[Rank, Repeat], today: date
) -> list[Receiving]:
    """Each cadre once (linked first, then the leaders), with their rank's reception day."""
    seen: set[str] = set()
    found = []
    for cadre, role in cadres:
        if cadre.id in seen:
            continue
        seen.add(cadre.id)
        rule = reception.get(cadre.rank)
        found.append(Receiving(cadre, role, rule, next_on(rule, today) if rule else None))
    return found


# --- 绑定率 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Binding:
    """Households of a place with at least one bound phone, of all its households."""

    region_id: str
    name: str
    households: int
    bound: int

    @property
    def rate(self) -> float | None:
        return self.bound / self.households if self.households else None
