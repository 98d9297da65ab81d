"""Visits that count (走访), 三夜 (夜访 and 夜议), visiting rounds (五人大走访) and 回头看:
the rules, with time only from the ``now`` given.

A visit is a ``cadre_days`` row of kind ``visit``. It is a 夜访 when it was logged
between the configured night hours (local time; a window may pass midnight), and each
rank has a weekly minimum of them (township ranks and village ranks, ``[three_nights]``).
A round's coverage is derived, never stored: a household of the round is covered by a
visit of a team member between the round's start and the end of its last day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.roster import Rank

TOWNSHIP_RANKS = frozenset({Rank.TOWNSHIP_SECRETARY, Rank.TOWNSHIP_CADRE})
VILLAGE_RANKS = frozenset({Rank.VILLAGE_CADRE, Rank.GRID_WORKER})
PAGE = 8  # households per page of a round's list


@dataclass(frozen=True)
class NightRules:
    """``[three_nights]``: when a visit is a 夜访, and the weekly minimums by rank."""

    zone: ZoneInfo
    start: time = time(19)
    end: time = time(23)
    township_weekly: int = 1
    village_weekly: int = 3

    def is_night(self, at: datetime) -> bool:
        """Logged between ``start`` and ``end`` local time (``end`` excluded); a window
        whose end is before its start passes midnight (19:00–02:00)."""
        local = at.astimezone(self.zone).time().replace(tzinfo=None)
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def weekly(self, rank: Rank) -> int:
        """The rank's weekly minimum of 夜访 (0: none asked of it)."""
        if rank in TOWNSHIP_RANKS:
            return self.township_weekly
        if rank in VILLAGE_RANKS:
            return self.village_weekly
        return 0


def week_of(day: date) -> tuple[date, date]:
    """Monday to Sunday of ``day``'s week."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


@dataclass(frozen=True)
class NightLine:
    """A cadre's 夜访 this week against their rank's minimum."""

    cadre_id: str
    name: str
    rank: Rank
    nights: int
    needed: int

    @property
    def behind(self) -> bool:
        return self.nights < self.needed


def night_lines(
    cadres: Iterable[tuple[str, str, Rank]], nights: Mapping[str, int], rules: NightRules
) -> list[NightLine]:
    """Each cadre with a minimum, those behind first (fewest nights first), then by id."""
    lines = [
        NightLine(cid, name, rank, nights.get(cid, 0), rules.weekly(rank))
        for cid, name, rank in cadres
        if rules.weekly(rank)
    ]
    return sorted(lines, key=lambda n: (not n.behind, n.nights - n.needed, n.cadre_id))


@dataclass(frozen=True)
class Coverage:
    """A round's households and which of them a team member visited."""

    households: int
    visited: int

    @property
    def left(self) -> int:
        return self.households - self.visited

    @property
    def ratio(self) -> float | None:
        return None if not self.households else self.visited / self.households


def coverage(households: Sequence[str], visited: Iterable[str]) -> Coverage:
    """Visits to households outside the round (or twice to one) do not count."""
    listed = set(households)
    return Coverage(len(listed), len(listed & set(visited)))


def round_end(ends_on: date, zone: ZoneInfo) -> datetime:
    """A round runs to the end of its last day (local)."""
    return datetime.combine(ends_on + timedelta(days=1), time(), zone)


def is_open(ends_on: date, now: datetime, zone: ZoneInfo) -> bool:
    return now < round_end(ends_on, zone)


def pages(total: int) -> int:
    return max(1, -(-total // PAGE))


# --- 夜议: a village meeting as the cadre writes it --------------------------------------

_HEAD = re.compile(r"^\s*(\d{1,5})\s*人?\s+(.+?)\s*$")
MAX_DECISIONS = 10


@dataclass(frozen=True)
class Meeting:
    topic: str
    attendance: int
    decisions: tuple[str, ...]


class BadMeeting(ValueError):
    """``/meeting`` not as ``/meeting <人数> <议题>`` then one decision a line."""


def meeting(text: str) -> Meeting:
    """``<人数> <议题>`` on the first line, then one decision a line (none is fine, at
    most ``MAX_DECISIONS``). Raises ``BadMeeting``."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    head = _HEAD.match(lines[0]) if lines else None
    if head is None or len(lines) - 1 > MAX_DECISIONS:
        raise BadMeeting(text)
    return Meeting(head.group(2)[:200], int(head.group(1)), tuple(d[:500] for d in lines[1:]))


# --- refusals ------------------------------------------------------------------------------


class RoundRefused(Exception):
    """A round button or command that is not the presser's to use (forged, stale, another
    round's household, not in the team, the round over): nothing changes."""


class NotSupervisor(RoundRefused):
    """Only a supervisor starts a round, for a village of their region."""


class RevisitRefused(Exception):
    """回头看 on a request that is not closed, or not the presser's (handler or
    supervisor), or a result recorded twice: nothing changes."""


# --- what storage returns -------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    id: str
    name: str


@dataclass(frozen=True)
class TeamCadre:
    id: str
    name: str
    rank: Rank


@dataclass(frozen=True)
class Round:
    id: int
    region: Place
    started_by: str
    started_at: datetime
    ends_on: date
    team: tuple[TeamCadre, ...]


@dataclass(frozen=True)
class Draft:
    """A round being set up by a supervisor: the village, the team picked so far."""

    cadre_id: str
    region: Place
    team: tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    """A request a team member filed for a household of the round while it ran."""

    request_id: int
    number: str
    head_name: str
    status: str
    on_spot: bool  # resolved on the spot by a team member
    confirmed: bool  # and confirmed on the cadre's phone


@dataclass(frozen=True)
class Visit:
    cadre_id: str
    at: datetime
    household_id: str | None


@dataclass(frozen=True)
class Revisit:
    id: int
    request_id: int
    cadre_id: str
    due_on: date
    done: bool


@dataclass(frozen=True)
class Due:
    """An overdue 回头看 to remind its cadre of, once."""

    revisit_id: int
    request_id: int
    number: str
    head_name: str
    due_on: date
    user_id: int
