"""What the supervisors' figures mean: one definition each, as pure functions over rows.

Every figure the bot shows (``/stats``, the chart, the spreadsheet, the benchmark) is
computed here from plain ``RequestRow``s that storage selects; nothing else counts.
The README's "Statistics" section says the same in words. In short, for a period
[start, end) and the moment ``now``:

- the *filed cohort* (filed in the period) gives filed, open, overdue, escalated,
  explained, reopened, the response rate and the first-response times;
- the *due cohort* (resolution due in the period, and already due: resolve_by in
  [start, min(end, now))) gives the resolution rate;
- the *closed cohort* (closed in the period) gives the resolution times, the ratings and
  the satisfaction rate; "confirmed by timeout" is counted apart and is never a rating.

These functions are the reference. A county's month is ~90,000 requests, too many to
make into objects within /stats' half second, so ``storage.stats`` counts the same
figures in SQL, one aggregate per definition below; ``tests/storage/test_stats.py``
checks that both give the same figures, exactly, on a known history and a random one.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.domain.lifecycle import Outcome, Status

SOLVED = frozenset({Outcome.SATISFIED.value, Outcome.PARTLY.value})  # confirmed by the villager
WORKING = frozenset({Status.OPEN.value, Status.ACKNOWLEDGED.value})  # the handler owes a result

# What a table of figures is broken down by.
By = Literal["township", "village", "cadre", "category"]


@dataclass(frozen=True)
class RequestRow:
    """One request as the statistics see it (times are timezone-aware instants)."""

    id: int
    number: str
    household_id: str
    region_id: str  # the household's region
    handler_id: str  # the current handler: a request counts for them
    category: str
    status: str
    filed_at: datetime
    respond_by: datetime
    resolve_by: datetime
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None  # the last resolution (or explanation)
    closed_at: datetime | None = None
    outcome: str | None = None
    reopened: int = 0
    escalations: int = 0
    explained: bool = False


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
    """The words do not name a period (``today``, ``week``, ``month``, ``lastmonth`` or two
    dates ``YYYY-MM-DD``, the first not after the second)."""


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


_WORDS = {
    "today": "today",
    "今天": "today",
    "week": "week",
    "本周": "week",
    "month": "month",
    "本月": "month",
    "lastmonth": "lastmonth",
    "上月": "lastmonth",
}


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
    """The period named by ``/stats`` arguments; no words is this month. Every period,
    named or typed, is held to ``bounds``."""
    today = now.astimezone(zone).date()
    first, last = _dates(words, today)
    return bounded(first, last, today, bounds or Bounds(), zone)


def _dates(words: Sequence[str], today: date) -> tuple[date, date]:
    if len(words) == 2:
        try:
            return date.fromisoformat(words[0]), date.fromisoformat(words[1])
        except ValueError as bad:
            raise BadPeriod(" ".join(words)) from bad
    if len(words) > 2:
        raise BadPeriod(" ".join(words))
    word = _WORDS.get(words[0].lower() if words else "month")
    month = today.replace(day=1)
    if word == "today":
        return today, today
    if word == "week":  # Monday to today
        return today - timedelta(days=today.weekday()), today
    if word == "month":
        return month, today
    if word == "lastmonth":
        last = month - timedelta(days=1)
        return last.replace(day=1), last
    raise BadPeriod(" ".join(words))


def month_of(day: date, zone: ZoneInfo) -> Period:
    """The whole calendar month of ``day``."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return days(first, following - timedelta(days=1), zone)


# --- one request ----------------------------------------------------------------------


def responded_in_time(row: RequestRow) -> bool:
    """First answered (acknowledge, reply, resolve or explain) by its response due time."""
    return row.first_response_at is not None and row.first_response_at <= row.respond_by


def confirmed_solved(row: RequestRow) -> bool:
    """Closed by the villager as solved or partly solved (not by the timeout)."""
    return row.outcome in SOLVED


def is_overdue(row: RequestRow, now: datetime) -> bool:
    """Past its resolution due time without a resolution: still being worked on (open,
    acknowledged, or reopened) after ``resolve_by``, or its last resolution came after it."""
    if row.status in WORKING:
        return row.resolve_by < now
    return row.resolved_at is not None and row.resolved_at > row.resolve_by


def first_response_seconds(row: RequestRow) -> float | None:
    if row.first_response_at is None:
        return None
    return (row.first_response_at - row.filed_at).total_seconds()


def resolution_seconds(row: RequestRow) -> float | None:
    """Filing to the resolution the villager confirmed (a reopen and a new resolution
    extend it: ``resolved_at`` is the last one)."""
    if not confirmed_solved(row) or row.resolved_at is None:
        return None
    return (row.resolved_at - row.filed_at).total_seconds()


# --- many requests --------------------------------------------------------------------


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
        return median(self.first_response)

    @property
    def first_response_p90(self) -> float | None:
        return p90(self.first_response)

    @property
    def resolution_median(self) -> float | None:
        return median(self.resolution)

    @property
    def resolution_p90(self) -> float | None:
        return p90(self.resolution)


_COUNTS = (
    "filed",
    "open",
    "overdue",
    "escalated",
    "explained",
    "reopened",
    "responded_in_time",
    "due",
    "solved_of_due",
    "satisfied",
    "partly",
    "by_timeout",
)


class _Tally:
    """Counts as rows go by: one pass, whatever the number of rows."""

    def __init__(self, period: Period, now: datetime) -> None:
        self.period = period
        self.now = now
        self.due_until = min(period.end, now)
        self.counts = dict.fromkeys(_COUNTS, 0)
        self.first_response: list[float] = []
        self.resolution: list[float] = []

    def add(self, row: RequestRow) -> None:
        c = self.counts
        if self.period.contains(row.filed_at):
            c["filed"] += 1
            c["open"] += row.status != Status.CLOSED.value
            c["overdue"] += is_overdue(row, self.now)
            c["escalated"] += row.escalations > 0
            c["explained"] += row.explained
            c["reopened"] += row.reopened > 0
            c["responded_in_time"] += responded_in_time(row)
            seconds = first_response_seconds(row)
            if seconds is not None:
                self.first_response.append(seconds)
        if self.period.start <= row.resolve_by < self.due_until:
            c["due"] += 1
            c["solved_of_due"] += confirmed_solved(row)
        if self.period.contains(row.closed_at):
            c["satisfied"] += row.outcome == Outcome.SATISFIED.value
            c["partly"] += row.outcome == Outcome.PARTLY.value
            c["by_timeout"] += row.outcome == Outcome.TIMEOUT.value
            seconds = resolution_seconds(row)
            if seconds is not None:
                self.resolution.append(seconds)

    def figures(self) -> Figures:
        return Figures(
            **self.counts,
            first_response=tuple(self.first_response),
            resolution=tuple(self.resolution),
        )


def figures(rows: Iterable[RequestRow], period: Period, now: datetime) -> Figures:
    tally = _Tally(period, now)
    for row in rows:
        tally.add(row)
    return tally.figures()


def breakdown(
    rows: Iterable[RequestRow], period: Period, now: datetime, key: Callable[[RequestRow], str]
) -> dict[str, Figures]:
    """Figures per ``key`` (a township, a village, a cadre, a category)."""
    tallies: dict[str, _Tally] = {}
    for row in rows:
        name = key(row)
        tally = tallies.get(name)
        if tally is None:
            tally = tallies[name] = _Tally(period, now)
        tally.add(row)
    return {name: tally.figures() for name, tally in sorted(tallies.items())}


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    level: str
    parent_id: str | None


def ancestor(region_id: str, level: str, places: Mapping[str, Place]) -> str:
    """The region at ``level`` containing ``region_id`` (itself if it is at that level);
    the region itself if none is (a household placed above that level)."""
    current: str | None = region_id
    seen = 0
    while current is not None and current in places and seen < 20:
        if places[current].level == level:
            return current
        current = places[current].parent_id
        seen += 1
    return region_id


@dataclass(frozen=True)
class Day:
    day: date
    filed: int
    first_response_median: float | None  # seconds, of the requests filed that day


def per_day(rows: Iterable[RequestRow], period: Period, zone: ZoneInfo) -> list[Day]:
    """Requests filed each day of the period and the median first-response time."""
    filed: dict[date, int] = {}
    times: dict[date, list[float]] = {}
    for row in rows:
        if not period.contains(row.filed_at):
            continue
        day = row.filed_at.astimezone(zone).date()
        filed[day] = filed.get(day, 0) + 1
        seconds = first_response_seconds(row)
        if seconds is not None:
            times.setdefault(day, []).append(seconds)
    return [Day(d, filed.get(d, 0), median(times.get(d, []))) for d in period.days()]


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
