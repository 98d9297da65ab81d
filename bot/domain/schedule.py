"""Which reminders are due at a moment: service days, reception days, stay quotas, digests,
and the monthly ranking.

Reminders are never stored as future jobs. Every sweep derives them from the rules (the
configuration) and the moment, so a changed configuration counts from the next sweep
and a restart forgets nothing. Each reminder belongs to an ``Occasion``: what, for which
local day, due from ``starts`` until ``ends``, the end of the local day it is sent on.
A sweep inside that window sends it (once: the outbox's dedup key); a sweep after it
drops it, since yesterday's "tomorrow is a service day" helps no one.

The rows the reminders and the field-work log are made of live here too (storage reads
them into these), with the small rules of ``/stay`` and ``/visit``: which first word names
a household, and how long after one a location still belongs to it.

Days of the month past the month's end (a service day 31 in April, 29 in a February
that is not a leap year) move to the month's last day: whoever wrote 31 meant "the
end of the month", and skipping would leave that month without one.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Literal, TypeVar

from bot.domain.roster import Rank
from bot.domain.stays import Hours as StayHours

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIDNIGHT = time(0, 0)
T = TypeVar("T")


class Kind(StrEnum):
    EVENING = "evening"  # the evening before a service day: cadres, and villagers who asked
    MORNING = "morning"  # the morning of a service day
    RECEPTION = "reception"  # the morning of a rank's reception day
    QUOTA = "quota"  # last week of the month: cadres behind their stay quota
    DIGEST = "digest"  # supervisors: new, overdue and escalated requests
    RANKING = "ranking"  # the 1st of the month: supervisors, last month's ranking


@dataclass(frozen=True)
class Repeat:
    """``daily``, ``weekly:<mon..sun>`` or ``monthly:<1..31>``, as written in configuration."""

    every: Literal["daily", "weekly", "monthly"]
    day: int = 0  # weekday (0 = Monday) for weekly; day of the month for monthly

    def falls_on(self, day: date) -> bool:
        if self.every == "daily":
            return True
        if self.every == "weekly":
            return day.weekday() == self.day
        return day == day_in_month(day.year, day.month, self.day)

    @property
    def period(self) -> timedelta:
        """Roughly how far back the first digest looks, when none was sent before."""
        return {"daily": timedelta(days=1), "weekly": timedelta(days=7)}.get(
            self.every, timedelta(days=30)
        )


def parse_repeat(text: str, *, allow_daily: bool = False) -> Repeat | None:
    """Read a reception or digest rule; "" or "off" is None. Raises ValueError."""
    value = text.strip().lower()
    if value in ("", "off", "none"):
        return None
    kind, _, day = value.partition(":")
    if kind == "daily" and allow_daily and not day:
        return Repeat("daily")
    if kind == "weekly" and day in WEEKDAYS:
        return Repeat("weekly", WEEKDAYS.index(day))
    if kind == "weekly" and not day and allow_daily:
        return Repeat("weekly", 0)  # a digest's week starts on Monday unless told
    if kind == "monthly" and day.isdigit() and 1 <= int(day) <= 31:
        return Repeat("monthly", int(day))
    shapes = '"weekly:mon" … "weekly:sun", "monthly:1" … "monthly:31" or "off"'
    if allow_daily:
        shapes = '"daily", "weekly", "weekly:fri", "monthly:1" or "off"'
    raise ValueError(f'"{text}" is not a schedule; write {shapes}')


def parse_clock_time(text: str) -> time:
    """Read "07:30" (24-hour, local). Raises ValueError."""
    hours, sep, minutes = text.strip().partition(":")
    if sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2:
        h, m = int(hours), int(minutes)
        if 0 <= h <= 23 and 0 <= m <= 59:
            return time(h, m)
    raise ValueError(f'"{text}" is not a time of day; write it as "HH:MM", e.g. "07:30"')


def day_in_month(year: int, month: int, day: int) -> date:
    """The ``day``-th of the month, or its last day if the month is shorter."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def month_of(day: date) -> tuple[date, date]:
    """The first and last day of ``day``'s month."""
    return day.replace(day=1), day_in_month(day.year, day.month, 31)


def last_month(day: date) -> tuple[date, date]:
    """The first and last day of the month before ``day``'s (the ranking's month)."""
    return month_of(day.replace(day=1) - timedelta(days=1))


def top_and_bottom(items: Sequence[T], most: int = 10) -> tuple[list[T], int, list[T]]:
    """A long ranking shortened: the first ``most``, how many are left out, the last
    ``most``; a ranking of at most ``2 * most`` whole (nothing left out, no bottom)."""
    if len(items) <= 2 * most:
        return list(items), 0, []
    return list(items[:most]), len(items) - 2 * most, list(items[-most:])


@dataclass(frozen=True)
class Rules:
    """The schedule as configured (``[schedule]``), in the terms this module needs."""

    zone: tzinfo
    service_days: tuple[int, ...] = (15, 16)
    evening_before: time = time(20, 0)
    morning_of: time = time(7, 30)
    reception: Mapping[Rank, Repeat] = field(default_factory=dict)
    stay_quota: Mapping[Rank, int] = field(default_factory=dict)
    quota_last_days: int = 7  # reminders from the 7th-last day of the month …
    quota_every_days: int = 2  # … then every 2 days (a period past the month's end: once)
    digest: Repeat | None = None
    digest_at: time = time(8, 0)
    monthly_ranking: bool = False  # on the 1st at morning_of: last month's ranking
    admins: tuple[int, ...] = ()  # their digest (``general.admins``), with the supervisors'
    stays: StayHours | None = None  # ``[stays]``: the hours a stay's evidence must cover

    @property
    def stay_hours(self) -> StayHours:
        return self.stays if self.stays is not None else StayHours(self.zone)

    def service_dates(self, year: int, month: int) -> set[date]:
        return {day_in_month(year, month, d) for d in self.service_days}

    def is_service_day(self, day: date) -> bool:
        return day in self.service_dates(day.year, day.month)

    def quota(self, rank: Rank) -> int:
        return self.stay_quota.get(rank, 0)

    def receiving(self, day: date) -> frozenset[Rank]:
        """The ranks whose reception day ``day`` is."""
        return frozenset(rank for rank, rule in self.reception.items() if rule.falls_on(day))

    def quota_day(self, day: date) -> bool:
        """Whether the stay-quota reminder goes out on ``day``."""
        last = month_of(day)[1]
        first = last - timedelta(days=max(self.quota_last_days, 1) - 1)
        if day < first:
            return False
        return (day - first).days % max(self.quota_every_days, 1) == 0


@dataclass(frozen=True)
class Occasion:
    """One reminder round: ``kind`` about ``day``, to send between ``starts`` and ``ends``."""

    kind: Kind
    day: date  # the service day (also for the evening before it), or the day itself
    starts: datetime
    ends: datetime
    ranks: frozenset[Rank] = frozenset()  # RECEPTION: whose reception day it is

    @property
    def key(self) -> str:
        """Names the round; with a person's id it makes the reminder's dedup key."""
        return f"{self.kind}:{self.day.isoformat()}"


def due(rules: Rules, now: datetime) -> list[Occasion]:
    """The rounds whose window holds ``now``: all on today's local date, by construction."""
    today = now.astimezone(rules.zone).date()
    tomorrow = today + timedelta(days=1)
    start_of = _at(rules.zone)
    ends = start_of(tomorrow, MIDNIGHT)
    found: list[Occasion] = []
    if rules.is_service_day(tomorrow):
        found.append(Occasion(Kind.EVENING, tomorrow, start_of(today, rules.evening_before), ends))
    if rules.is_service_day(today):
        found.append(Occasion(Kind.MORNING, today, start_of(today, rules.morning_of), ends))
    ranks = rules.receiving(today)
    if ranks:
        morning = start_of(today, rules.morning_of)
        found.append(Occasion(Kind.RECEPTION, today, morning, ends, ranks))
    if rules.stay_quota and rules.quota_day(today):
        found.append(Occasion(Kind.QUOTA, today, start_of(today, rules.morning_of), ends))
    if rules.digest is not None and rules.digest.falls_on(today):
        found.append(Occasion(Kind.DIGEST, today, start_of(today, rules.digest_at), ends))
    if rules.monthly_ranking and today.day == 1:
        found.append(Occasion(Kind.RANKING, today, start_of(today, rules.morning_of), ends))
    return [o for o in found if o.starts <= now < o.ends]


def _at(zone: tzinfo) -> Callable[[date, time], datetime]:
    """Local wall-clock times of ``zone`` as aware datetimes."""

    def combine(day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=zone)

    return combine


@dataclass(frozen=True)
class Standing:
    """A cadre's stay days this month against their rank's quota."""

    logged: int
    needed: int

    @property
    def short(self) -> int:
        return max(self.needed - self.logged, 0)


def behind(rules: Rules, rank: Rank, logged: int) -> Standing | None:
    """The cadre's standing if they are behind their quota, else None."""
    standing = Standing(logged, rules.quota(rank))
    return standing if standing.short > 0 else None


def local_date(rules: Rules, moment: datetime) -> date:
    """The local calendar day of ``moment`` (a stay counts once per local day)."""
    return moment.astimezone(rules.zone).date()


# --- who the reminders go to (rows storage reads) -------------------------------------


@dataclass(frozen=True)
class BoundCadre:
    id: str
    name: str
    rank: Rank
    supervises: str | None
    user_id: int


@dataclass(frozen=True)
class OpenHousehold:
    id: str
    head_name: str
    open: int  # requests not yet closed


@dataclass(frozen=True)
class Optin:
    """A villager who asked to hear of the visit, with the household's first cadre."""

    user_id: int
    household_id: str
    head_name: str
    cadre_name: str
    cadre_phone: str


@dataclass(frozen=True)
class Line:
    number: str
    head_name: str
    place: str = ""  # the household's village (or group)
    words: str = ""  # the first words of the request, as filed


@dataclass(frozen=True)
class Noted:
    """A digest line a use case noted instead of a message (``digest_lines``, 0016): what
    happened (``what``: an event, ``note``: the due time missed or the reason given)."""

    line: Line
    what: str
    note: str
    urgent: bool = False


@dataclass(frozen=True)
class Digest:
    new: list[Line]
    overdue: list[Line]
    escalated: list[Line]
    noted: list[Noted] = field(default_factory=list)


def digest_since(rules: Rules, occasion: Occasion, mark: datetime | None) -> datetime:
    """Where a supervisor's digest starts: their last one, or one period back if none."""
    if mark is not None:
        return mark
    return occasion.starts - (rules.digest.period if rules.digest else timedelta(days=1))


# --- field work: /stay, /visit and the place after them --------------------------------


class DayKind(StrEnum):
    STAY = "stay"
    VISIT = "visit"


PLACE_WITHIN = timedelta(minutes=10)  # a location this soon after /stay or /visit joins it


def place_since(now: datetime) -> datetime:
    """A location sent at ``now`` joins a stay or visit logged since this moment."""
    return now - PLACE_WITHIN


def household_and_note(words: Sequence[str]) -> tuple[str | None, str]:
    """``/stay [household id] [note]``: the id the first word names (``h0001`` reads as
    ``H0001``), if it looks like one, and the note (the rest, or every word if not)."""
    if words:
        candidate = words[0].strip().upper()
        if candidate.startswith("H") and candidate[1:].isdigit():
            return candidate, " ".join(words[1:])
    return None, " ".join(words)


class CadresOnly(Exception):
    """Only a bound cadre logs stays and visits."""


class NothingToPlace(Exception):
    """No stay or visit of this cadre within ``PLACE_WITHIN`` lacks a place."""

    def __init__(self, within: timedelta = PLACE_WITHIN) -> None:
        super().__init__(f"no stay or visit logged in the last {within}")
        self.within = within


class NotYourHousehold(Exception):
    """A service-day note switched for a household the person is not a member of."""

    def __init__(self, household_id: str) -> None:
        super().__init__(f"not a member of {household_id!r}")
        self.household_id = household_id
