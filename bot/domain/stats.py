"""What the supervisors' figures are: periods, the figures of one scope, and the rules
around asking for them.

Every figure the bot shows (``/stats``, the chart, the spreadsheet, the monthly ranking)
is counted in SQL by ``storage.stats``, one aggregate per definition; the README's
"Statistics" section says them in words. In short, for a period [start, end) and the
moment ``now``:

- the *filed cohort* (filed in the period) gives filed, open, overdue, escalated,
  explained, reopened, the response rate and the first-response times;
- the *due cohort* (resolution due in the period, and already due: resolve_by in
  [start, min(end, now))) gives the resolution rate;
- the *closed cohort* (closed in the period) gives the resolution times, the ratings and
  the satisfaction rate; "confirmed by timeout" is counted apart and is never a rating.

A reference implementation of the same definitions over plain rows, in Python, lives in
``tests/reference_stats.py``; ``tests/storage/test_stats.py`` checks that the SQL gives
the same figures, exactly, on a known history and a random one.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from bot.domain import dates

# What a table of figures is broken down by.
By = Literal["township", "village", "cadre", "category"]


@dataclass(frozen=True)
class Period:
    """Local days ``first``..``last`` (both included), as instants [start, end)."""

    first: date
    last: date
    start: datetime
    end: datetime

    def contains(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def day_starts(self, zone: ZoneInfo) -> list[datetime]:
        """The instant each local day begins, then ``end``: day n is [starts[n], starts[n+1])."""
        return [datetime.combine(d, time(), zone).astimezone(UTC) for d in self.days()] + [
            self.end
        ]


class BadPeriod(ValueError):
    """The words do not name a period (``bot.domain.dates.period``: 本月, 上个月, 本周,
    今年, 近7天, 12月, ``today``, ``week``, ``month``, ``lastmonth``, one day or two,
    the first not after the second)."""


@dataclass(frozen=True)
class Bounds:
    """The periods anyone may ask for: at most ``max_days`` local days, none before
    ``earliest`` and none ending more than ``max_days`` after today. An unbounded period
    reads the whole history (``/stats 0100-01-01 2100-12-31`` held the database for
    minutes) and tells nobody anything."""

    earliest: date = date(2000, 1, 1)
    max_days: int = 366

    def latest(self, today: date) -> date:
        return today + timedelta(days=self.max_days)


class PeriodTooLong(BadPeriod):
    """More days than ``Bounds.max_days``."""

    def __init__(self, first: date, last: date, bounds: Bounds) -> None:
        super().__init__(f"{first} to {last} is more than {bounds.max_days} days")
        self.days = (last - first).days + 1
        self.max_days = bounds.max_days


class PeriodOutOfRange(BadPeriod):
    """A day before ``Bounds.earliest`` or after ``Bounds.latest(today)``."""

    def __init__(self, earliest: date, latest: date) -> None:
        super().__init__(f"dates must fall from {earliest} to {latest}")
        self.earliest = earliest
        self.latest = latest


def days(first: date, last: date, zone: ZoneInfo) -> Period:
    if last < first:
        raise BadPeriod(f"{first} is after {last}")
    start = datetime.combine(first, time(), zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), zone).astimezone(UTC)
    return Period(first, last, start, end)


def bounded(first: date, last: date, today: date, bounds: Bounds, zone: ZoneInfo) -> Period:
    """The period ``first``..``last`` if ``bounds`` allow it; checked before any instant is
    made of the dates (year 1 in a zone east of UTC is not a datetime)."""
    if last < first:
        raise BadPeriod(f"{first} is after {last}")
    latest = bounds.latest(today)
    if first < bounds.earliest or last > latest:
        raise PeriodOutOfRange(bounds.earliest, latest)
    if (last - first).days + 1 > bounds.max_days:
        raise PeriodTooLong(first, last, bounds)
    return days(first, last, zone)


def span(text: str, now: datetime, zone: ZoneInfo, bounds: Bounds) -> Period:
    """The period a button carries, ``YYYY-MM-DD.YYYY-MM-DD``: a forged one is held to the
    same bounds as typed dates."""
    first, dot, last = text.partition(".")
    try:
        if not dot:
            raise ValueError(text)
        dates = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError as bad:
        raise BadPeriod(text) from bad
    return bounded(*dates, now.astimezone(zone).date(), bounds, zone)


def period(
    words: Sequence[str], now: datetime, zone: ZoneInfo, bounds: Bounds | None = None
) -> Period:
    """The period named by ``/stats`` arguments (any form of ``bot.domain.dates.period``);
    no words is this month. Every period, named or typed, is held to ``bounds``."""
    today = now.astimezone(zone).date()
    first, last = _dates(words, now, zone)
    return bounded(first, last, today, bounds or Bounds(), zone)


def _dates(words: Sequence[str], now: datetime, zone: ZoneInfo) -> tuple[date, date]:
    try:
        return dates.period(words, now, zone)
    except dates.NotAPeriod as bad:
        raise BadPeriod(" ".join(words)) from bad


def month_of(day: date, zone: ZoneInfo) -> Period:
    """The whole calendar month of ``day``."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return days(first, following - timedelta(days=1), zone)


# --- figures --------------------------------------------------------------------------


def median(values: Sequence[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count)."""
    return statistics.median(values) if values else None


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile, nearest rank: the smallest value with at least 90 % of the
    values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Figures:
    filed: int = 0
    open: int = 0  # of the filed cohort, not closed now
    overdue: int = 0
    escalated: int = 0  # escalated at least once
    explained: int = 0  # given a policy explanation at least once
    reopened: int = 0  # reopened by the villager at least once
    responded_in_time: int = 0
    due: int = 0
    solved_of_due: int = 0
    satisfied: int = 0
    partly: int = 0
    by_timeout: int = 0
    first_response: tuple[float, ...] = field(default=(), repr=False)  # seconds
    resolution: tuple[float, ...] = field(default=(), repr=False)
    taken: int = 0  # of the filed cohort, taken personally by a leader (包案)
    # Set by ``condensed``: the four duration figures, kept when the durations are dropped.
    summarised: tuple[float | None, float | None, float | None, float | None] | None = field(
        default=None, repr=False
    )

    def condensed(self) -> Figures:
        """The same figures without the durations behind them, their medians and 90th
        percentiles kept: small enough to keep for showing again, no longer for pooling."""
        kept = (
            self.first_response_median,
            self.first_response_p90,
            self.resolution_median,
            self.resolution_p90,
        )
        return replace(self, first_response=(), resolution=(), summarised=kept)

    @property
    def response_rate(self) -> float | None:
        return rate(self.responded_in_time, self.filed)

    @property
    def resolution_rate(self) -> float | None:
        return rate(self.solved_of_due, self.due)

    @property
    def rated(self) -> int:
        return self.satisfied + self.partly

    @property
    def satisfaction_rate(self) -> float | None:
        return rate(self.satisfied, self.rated)

    @property
    def first_response_median(self) -> float | None:
        if self.summarised is not None:
            return self.summarised[0]
        return median(self.first_response)

    @property
    def first_response_p90(self) -> float | None:
        if self.summarised is not None:
            return self.summarised[1]
        return p90(self.first_response)

    @property
    def resolution_median(self) -> float | None:
        if self.summarised is not None:
            return self.summarised[2]
        return median(self.resolution)

    @property
    def resolution_p90(self) -> float | None:
        if self.summarised is not None:
            return self.summarised[3]
        return p90(self.resolution)


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    level: str
    parent_id: str | None


@dataclass(frozen=True)
class Day:
    day: date
    filed: int
    first_response_median: float | None  # seconds, of the requests filed that day


def ranking(table: Mapping[str, Figures]) -> list[tuple[str, Figures]]:
    """Best first: resolution rate, then response rate, then satisfaction (none = 0),
    then fewer overdue; for the monthly ranking of villages and cadres."""

    def score(item: tuple[str, Figures]) -> tuple[float, float, float, int, str]:
        name, f = item
        return (
            -(f.resolution_rate or 0.0),
            -(f.response_rate or 0.0),
            -(f.satisfaction_rate or 0.0),
            f.overdue,
            name,
        )

    return sorted(table.items(), key=score)


# --- lists beside the figures ---------------------------------------------------------


@dataclass(frozen=True)
class OverdueLine:
    """A request still being worked on past its resolution due time."""

    request_id: int
    number: str
    head_name: str
    handler_id: str
    handler: str
    resolve_by: datetime


@dataclass(frozen=True)
class StayLine:
    """Stay days a cadre serving in the region logged in the period."""

    cadre_id: str
    name: str
    rank: str
    region_id: str
    days: int
    evidenced: int = 0  # of those, nights with evidence (bot.domain.stays)


class ReportLine(NamedTuple):
    """One request of the workbook, as stored (instants as text), for ``bot.report`` to
    format: a tuple, as ~90,000 of them make a county's month."""

    number: str
    household_id: str
    head_name: str
    village: str
    category: str
    filed_at: str
    first_response_at: str | None
    resolved_at: str | None
    confirmed_at: str | None  # closed_at, if closed with an outcome
    outcome: str | None
    handlers: str | None  # every cadre who handled it, in order, joined with 、
    escalations: int
    overdue: int  # 1 if overdue (still worked on past resolve_by, or resolved after it)
    # What was filed (its first words) and the last resolution's note (what the handler
    # wrote resolving or explaining), and what came without words: a ``Content.media``
    # kind, "location" or "contact" (shown as ［语音］ …).
    said: str | None = None
    said_media: str | None = None
    note: str | None = None
    note_media: str | None = None


# --- asking ---------------------------------------------------------------------------

PACE_WINDOW = timedelta(minutes=1)  # [stats] per_minute counts over this


class Refused(Exception):
    """This person may not ask for figures now."""


class NotCadre(Refused):
    """Figures are for bound cadres (a supervisor's region, or a cadre's own cases)."""


class NotSupervisor(Refused):
    """The breakdowns, the overdue list and the workbook are a supervisor's: their own
    region only (a button carries no region, so a forged one reaches no other)."""


class Busy(Refused):
    """One of theirs is still in the making: one at a time per person."""


class TooMany(Refused):
    """More than ``limit`` asked within ``PACE_WINDOW``."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} a minute")
        self.limit = limit


def check_pace(busy: bool, started_in_window: int, per_minute: int) -> None:
    """One in the making at a time, and at most ``per_minute`` started a minute."""
    if busy:
        raise Busy("one is still in the making")
    if started_in_window >= per_minute:
        raise TooMany(per_minute)
