"""The supervisors' figures computed in Python, one request at a time: the reference the
SQL of ``storage.stats`` is checked against (``tests/storage/test_stats.py``).

Production never calls this: a county's month is ~90,000 requests, too many to make into
objects within /stats' half second, so the bot counts in SQL. Here each definition of
``bot.domain.stats``'s docstring is written plainly over ``RequestRow``s, and the scope
(a region's subtree) is walked from the regions' parent links, not read from the closure
table the SQL uses, so the two agree only if both are right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.lifecycle import Outcome, Status
from bot.domain.stats import Day, Figures, Period, Place, median
from storage.db import Row, Tx

SOLVED = frozenset({Outcome.SATISFIED.value, Outcome.PARTLY.value})  # confirmed by the villager
WORKING = frozenset({Status.OPEN.value, Status.ACKNOWLEDGED.value})  # the handler owes a result


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


# --- one request ----------------------------------------------------------------------


def responded_in_time(row: RequestRow) -> bool:
    """First answered (acknowledge, reply, resolve or explain) by its response due time."""
    return row.first_response_at is not None and row.first_response_at <= row.respond_by


def confirmed_solved(row: RequestRow) -> bool:
    """Closed by the villager as solved or partly solved (not by the timeout)."""
    return row.outcome in SOLVED


def withdrawn(row: RequestRow) -> bool:
    """撤回 by the household before a resolution: closed with no outcome (storage keeps
    a withdrawn request so); neither solved nor unsolved."""
    return row.status == Status.CLOSED.value and row.outcome is None


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
        if self.period.start <= row.resolve_by < self.due_until and not withdrawn(row):
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
        counts: dict[str, Any] = dict(self.counts)  # every count; the durations below
        return Figures(
            **counts,
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


# --- the rows, straight from the tables ------------------------------------------------

SELECT_ROWS = """
SELECT r.id, r.number, r.household_id, h.region_id, r.handler_id, r.category, r.status,
       r.filed_at, r.respond_by, r.resolve_by, r.first_response_at, r.resolved_at,
       r.closed_at, r.outcome, r.reopened,
       (SELECT count(*) FROM request_events e
        WHERE e.request_id = r.id AND e.kind = 'escalated') AS escalations,
       EXISTS (SELECT 1 FROM request_events e
               WHERE e.request_id = r.id AND e.kind = 'explained') AS explained
FROM requests r JOIN households h ON h.id = r.household_id
ORDER BY r.id
"""
SELECT_PLACES = "SELECT id, name, level, parent_id FROM regions"


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _row(r: Row) -> RequestRow:
    return RequestRow(
        id=r[0],
        number=r[1],
        household_id=r[2],
        region_id=r[3],
        handler_id=r[4],
        category=r[5],
        status=r[6],
        filed_at=datetime.fromisoformat(r[7]),
        respond_by=datetime.fromisoformat(r[8]),
        resolve_by=datetime.fromisoformat(r[9]),
        first_response_at=_time(r[10]),
        resolved_at=_time(r[11]),
        closed_at=_time(r[12]),
        outcome=r[13],
        reopened=r[14],
        escalations=r[15],
        explained=bool(r[16]),
    )


async def all_rows(tx: Tx) -> list[RequestRow]:
    """Every request, whatever its dates: the reference picks its cohorts itself."""
    return [_row(r) for r in await tx.fetchall(SELECT_ROWS)]


async def all_places(tx: Tx) -> dict[str, Place]:
    return {r[0]: Place(r[0], r[1], r[2], r[3]) for r in await tx.fetchall(SELECT_PLACES)}


def subtree(region_id: str, places: Mapping[str, Place]) -> dict[str, Place]:
    """``region_id`` and every region below it, walked down the parent links."""
    children: dict[str | None, list[str]] = {}
    for place in places.values():
        children.setdefault(place.parent_id, []).append(place.id)
    found: dict[str, Place] = {}
    todo = [region_id] if region_id in places else []
    while todo:
        current = todo.pop()
        if current not in found:
            found[current] = places[current]
            todo.extend(children.get(current, []))
    return found


def _in(row: RequestRow, period: Period) -> bool:
    """Filed, closed or due in the period: a row of one of its cohorts."""
    return any(period.contains(t) for t in (row.filed_at, row.closed_at, row.resolve_by))


def region_rows(
    rows: Iterable[RequestRow], region_id: str, places: Mapping[str, Place], period: Period
) -> list[RequestRow]:
    """The requests of households in ``region_id``'s subtree, of the period's cohorts."""
    scope = subtree(region_id, places)
    return [row for row in rows if row.region_id in scope and _in(row, period)]


def cadre_rows(rows: Iterable[RequestRow], cadre_id: str, period: Period) -> list[RequestRow]:
    """The requests ``cadre_id`` handles now, of the period's cohorts."""
    return [row for row in rows if row.handler_id == cadre_id and _in(row, period)]
