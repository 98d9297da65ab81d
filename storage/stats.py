"""The rows the statistics count, scoped to a region's subtree or one cadre.

Only selection lives here; what the figures mean is ``bot.domain.stats``. A period's
rows are the requests filed, closed or due in it (the three cohorts of the figures),
found through the indexes of migration 0008. A region is a subtree reached with a
recursive CTE, so a supervisor's query can never reach another jurisdiction's rows.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.domain import stats
from bot.domain.stats import By, Day, Figures, Period, Place, RequestRow
from storage.db import Row, Tx
from storage.timefmt import to_db

# Every region query starts from the subtree of :region (a recursive CTE), so it cannot
# reach beyond it. A period's rows: filed, closed or due in it; each arm of that OR has
# its own index (0008), so SQLite reads only the period's rows, even for a whole county.
SELECT_REGION_ROWS = """
WITH RECURSIVE subtree (id) AS (
    SELECT id FROM regions WHERE id = :region
    UNION
    SELECT regions.id FROM regions JOIN subtree ON regions.parent_id = subtree.id
)
SELECT r.id, r.number, r.household_id, h.region_id, r.handler_id, r.category, r.status,
       r.filed_at, r.respond_by, r.resolve_by, r.first_response_at, r.resolved_at,
       r.closed_at, r.outcome, r.reopened,
       (SELECT count(*) FROM request_events e
        WHERE e.request_id = r.id AND e.kind = 'escalated') AS escalations,
       EXISTS (SELECT 1 FROM request_events e
               WHERE e.request_id = r.id AND e.kind = 'explained') AS explained
FROM requests r JOIN households h ON h.id = r.household_id
WHERE h.region_id IN (SELECT id FROM subtree)
  AND ((r.filed_at >= :start AND r.filed_at < :end)
       OR (r.closed_at >= :start AND r.closed_at < :end)
       OR (r.resolve_by >= :start AND r.resolve_by < :end))
"""
SELECT_CADRE_ROWS = """
SELECT r.id, r.number, r.household_id, h.region_id, r.handler_id, r.category, r.status,
       r.filed_at, r.respond_by, r.resolve_by, r.first_response_at, r.resolved_at,
       r.closed_at, r.outcome, r.reopened,
       (SELECT count(*) FROM request_events e
        WHERE e.request_id = r.id AND e.kind = 'escalated') AS escalations,
       EXISTS (SELECT 1 FROM request_events e
               WHERE e.request_id = r.id AND e.kind = 'explained') AS explained
FROM requests r JOIN households h ON h.id = r.household_id
WHERE r.handler_id = :cadre
  AND ((r.filed_at >= :start AND r.filed_at < :end)
       OR (r.closed_at >= :start AND r.closed_at < :end)
       OR (r.resolve_by >= :start AND r.resolve_by < :end))
"""
# --- figures counted in SQL --------------------------------------------------------------
# Each aggregate restates one definition of bot.domain.stats (named beside it), over the
# cohort's range scan on its date index (0008: the indexes carry every column read here,
# so a county's month never touches the table). Times are fixed-width UTC text, so text
# order is time order; a duration is whole microseconds (seconds by unixepoch, then the
# six digits after the point), which Python divides exactly as timedelta.total_seconds.
# The three cohorts are three arms, summed; the due arm reads resolve_by in the whole
# period and counts only what is already due, so that in a breakdown a key appears exactly
# when it has a row in region_rows' selection, as in stats.breakdown.
#
# FIGURES_WHOLE: the totals over every household (a region that is the whole tree), or over
# one handler's requests (:cadre); no GROUP BY, so a county's month goes through no sorter.
FIGURES_WHOLE = """
WITH filed AS (
    SELECT count(*) AS filed,
           count(*) FILTER (WHERE r.status != 'closed') AS open,
           count(*) FILTER (WHERE CASE WHEN r.status IN ('open', 'acknowledged')  -- is_overdue
                                       THEN r.resolve_by < :now
                                       ELSE r.resolved_at > r.resolve_by END) AS overdue,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM request_events e
                                          WHERE e.request_id = r.id AND e.kind = 'escalated')
                           ) AS escalated,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM request_events e
                                          WHERE e.request_id = r.id AND e.kind = 'explained')
                           ) AS explained,
           count(*) FILTER (WHERE r.reopened > 0) AS reopened,
           count(*) FILTER (WHERE r.first_response_at <= r.respond_by) AS responded_in_time,
           0 AS due, 0 AS solved_of_due, 0 AS satisfied, 0 AS partly, 0 AS by_timeout,
           group_concat(  -- first_response_seconds, in microseconds
               (unixepoch(substr(r.first_response_at, 1, 19))
                - unixepoch(substr(r.filed_at, 1, 19))) * 1000000
               + (substr(r.first_response_at, 21, 6) - substr(r.filed_at, 21, 6))
           ) AS first_response,
           NULL AS resolution
    FROM requests r
    WHERE r.filed_at >= :start AND r.filed_at < :end
      AND (:cadre IS NULL OR r.handler_id = :cadre)
), due AS (
    SELECT 0, 0, 0, 0, 0, 0, 0,
           count(*) FILTER (WHERE r.resolve_by < :due_until),
           count(*) FILTER (WHERE r.resolve_by < :due_until  -- confirmed_solved
                              AND r.outcome IN ('satisfied', 'partly')),
           0, 0, 0, NULL, NULL
    FROM requests r
    WHERE r.resolve_by >= :start AND r.resolve_by < :end
      AND (:cadre IS NULL OR r.handler_id = :cadre)
), closed AS (
    SELECT 0, 0, 0, 0, 0, 0, 0, 0, 0,
           count(*) FILTER (WHERE r.outcome = 'satisfied'),
           count(*) FILTER (WHERE r.outcome = 'partly'),
           count(*) FILTER (WHERE r.outcome = 'timeout'),
           NULL,
           group_concat(  -- resolution_seconds, in microseconds
               CASE WHEN r.outcome IN ('satisfied', 'partly') THEN
                   (unixepoch(substr(r.resolved_at, 1, 19))
                    - unixepoch(substr(r.filed_at, 1, 19))) * 1000000
                   + (substr(r.resolved_at, 21, 6) - substr(r.filed_at, 21, 6))
               END)
    FROM requests r
    WHERE r.closed_at >= :start AND r.closed_at < :end
      AND (:cadre IS NULL OR r.handler_id = :cadre)
)
SELECT '', sum(filed), sum(open), sum(overdue), sum(escalated), sum(explained),
       sum(reopened), sum(responded_in_time), sum(due), sum(solved_of_due), sum(satisfied),
       sum(partly), sum(by_timeout), group_concat(first_response), group_concat(resolution)
FROM (SELECT * FROM filed UNION ALL SELECT * FROM due UNION ALL SELECT * FROM closed)
"""
# FIGURES_SUBTREE: the same for the households of :region's subtree, one line per key
# (:by: '', 'cadre', 'category', or the township or village: the nearest one at or above
# the household's region, else that region itself, as stats.ancestor). The period's rows
# drive the join (CROSS JOIN keeps that order): read by date, then each one's household
# looked up (0008's households_region_of) and kept if in the subtree. Driven by the
# households instead, the closed and due cohorts would read every request each household
# ever filed.
FIGURES_SUBTREE = """
WITH RECURSIVE subtree (id, township, village) AS (
    SELECT id, iif(level = 'township', id, NULL), iif(level = 'village', id, NULL)
    FROM regions WHERE id = :region
    UNION
    SELECT r.id, iif(r.level = 'township', r.id, s.township),
           iif(r.level = 'village', r.id, s.village)
    FROM regions r JOIN subtree s ON r.parent_id = s.id
), filed AS (
    SELECT CASE :by WHEN 'cadre' THEN r.handler_id WHEN 'category' THEN r.category
                    WHEN 'township' THEN coalesce(s.township, h.region_id)
                    WHEN 'village' THEN coalesce(s.village, h.region_id) ELSE '' END AS key,
           count(*) AS filed,
           count(*) FILTER (WHERE r.status != 'closed') AS open,
           count(*) FILTER (WHERE CASE WHEN r.status IN ('open', 'acknowledged')
                                       THEN r.resolve_by < :now
                                       ELSE r.resolved_at > r.resolve_by END) AS overdue,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM request_events e
                                          WHERE e.request_id = r.id AND e.kind = 'escalated')
                           ) AS escalated,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM request_events e
                                          WHERE e.request_id = r.id AND e.kind = 'explained')
                           ) AS explained,
           count(*) FILTER (WHERE r.reopened > 0) AS reopened,
           count(*) FILTER (WHERE r.first_response_at <= r.respond_by) AS responded_in_time,
           0 AS due, 0 AS solved_of_due, 0 AS satisfied, 0 AS partly, 0 AS by_timeout,
           group_concat(
               (unixepoch(substr(r.first_response_at, 1, 19))
                - unixepoch(substr(r.filed_at, 1, 19))) * 1000000
               + (substr(r.first_response_at, 21, 6) - substr(r.filed_at, 21, 6))
           ) AS first_response,
           NULL AS resolution
    FROM requests r CROSS JOIN households h ON h.id = r.household_id
         JOIN subtree s ON s.id = h.region_id
    WHERE r.filed_at >= :start AND r.filed_at < :end
    GROUP BY key
), due AS (
    SELECT CASE :by WHEN 'cadre' THEN r.handler_id WHEN 'category' THEN r.category
                    WHEN 'township' THEN coalesce(s.township, h.region_id)
                    WHEN 'village' THEN coalesce(s.village, h.region_id) ELSE '' END AS key,
           0, 0, 0, 0, 0, 0, 0,
           count(*) FILTER (WHERE r.resolve_by < :due_until),
           count(*) FILTER (WHERE r.resolve_by < :due_until
                              AND r.outcome IN ('satisfied', 'partly')),
           0, 0, 0, NULL, NULL
    FROM requests r CROSS JOIN households h ON h.id = r.household_id
         JOIN subtree s ON s.id = h.region_id
    WHERE r.resolve_by >= :start AND r.resolve_by < :end
    GROUP BY key
), closed AS (
    SELECT CASE :by WHEN 'cadre' THEN r.handler_id WHEN 'category' THEN r.category
                    WHEN 'township' THEN coalesce(s.township, h.region_id)
                    WHEN 'village' THEN coalesce(s.village, h.region_id) ELSE '' END AS key,
           0, 0, 0, 0, 0, 0, 0, 0, 0,
           count(*) FILTER (WHERE r.outcome = 'satisfied'),
           count(*) FILTER (WHERE r.outcome = 'partly'),
           count(*) FILTER (WHERE r.outcome = 'timeout'),
           NULL,
           group_concat(
               CASE WHEN r.outcome IN ('satisfied', 'partly') THEN
                   (unixepoch(substr(r.resolved_at, 1, 19))
                    - unixepoch(substr(r.filed_at, 1, 19))) * 1000000
                   + (substr(r.resolved_at, 21, 6) - substr(r.filed_at, 21, 6))
               END)
    FROM requests r CROSS JOIN households h ON h.id = r.household_id
         JOIN subtree s ON s.id = h.region_id
    WHERE r.closed_at >= :start AND r.closed_at < :end
    GROUP BY key
)
SELECT key, sum(filed), sum(open), sum(overdue), sum(escalated), sum(explained),
       sum(reopened), sum(responded_in_time), sum(due), sum(solved_of_due), sum(satisfied),
       sum(partly), sum(by_timeout), group_concat(first_response), group_concat(resolution)
FROM (SELECT * FROM filed UNION ALL SELECT * FROM due UNION ALL SELECT * FROM closed)
GROUP BY key
"""
# The chart: per local day of the period (:days, a JSON array of [start, end) instants), the
# requests filed and their first-response times in microseconds; one range scan a day.
DAYS_WHOLE = """
WITH day (n, start, end) AS (SELECT key, value ->> 0, value ->> 1 FROM json_each(:days))
SELECT day.n, count(r.id),
       group_concat((unixepoch(substr(r.first_response_at, 1, 19))
                     - unixepoch(substr(r.filed_at, 1, 19))) * 1000000
                    + (substr(r.first_response_at, 21, 6) - substr(r.filed_at, 21, 6)))
FROM day LEFT JOIN requests r
     ON r.filed_at >= day.start AND r.filed_at < day.end
    AND (:cadre IS NULL OR r.handler_id = :cadre)
GROUP BY day.n
"""
DAYS_SUBTREE = """
WITH RECURSIVE subtree (id) AS (
    SELECT id FROM regions WHERE id = :region
    UNION
    SELECT regions.id FROM regions JOIN subtree ON regions.parent_id = subtree.id
), day (n, start, end) AS (SELECT key, value ->> 0, value ->> 1 FROM json_each(:days))
SELECT day.n, count(r.id),
       group_concat((unixepoch(substr(r.first_response_at, 1, 19))
                     - unixepoch(substr(r.filed_at, 1, 19))) * 1000000
                    + (substr(r.first_response_at, 21, 6) - substr(r.filed_at, 21, 6)))
FROM day CROSS JOIN requests r ON r.filed_at >= day.start AND r.filed_at < day.end
     CROSS JOIN households h ON h.id = r.household_id
     JOIN subtree s ON s.id = h.region_id
GROUP BY day.n
"""
# True when :region's subtree is every region, so every household: its figures need no
# join with the households (FIGURES_WHOLE).
SELECT_IS_WHOLE = """
WITH RECURSIVE subtree (id) AS (
    SELECT id FROM regions WHERE id = :region
    UNION
    SELECT regions.id FROM regions JOIN subtree ON regions.parent_id = subtree.id
)
SELECT (SELECT count(*) FROM subtree) = (SELECT count(*) FROM regions)
"""
SELECT_PLACES = """
WITH RECURSIVE subtree (id) AS (
    SELECT id FROM regions WHERE id = :region
    UNION
    SELECT regions.id FROM regions JOIN subtree ON regions.parent_id = subtree.id
)
SELECT r.id, r.name, r.level, r.parent_id FROM regions r WHERE r.id IN (SELECT id FROM subtree)
"""
SELECT_REGION = "SELECT id, name, level, parent_id FROM regions WHERE id = ?"
SELECT_CADRE_NAMES = "SELECT id, name FROM cadres WHERE id IN (SELECT value FROM json_each(?))"
SELECT_OVERDUE = """
WITH RECURSIVE subtree (id) AS (
    SELECT id FROM regions WHERE id = :region
    UNION
    SELECT regions.id FROM regions JOIN subtree ON regions.parent_id = subtree.id
)
SELECT r.id, r.number, h.head_name, r.handler_id, c.name AS handler, r.resolve_by
FROM requests r
JOIN households h ON h.id = r.household_id
JOIN cadres c ON c.id = r.handler_id
WHERE r.status IN ('open', 'acknowledged') AND r.resolve_by < :now
  AND h.region_id IN (SELECT id FROM subtree)
ORDER BY r.resolve_by, r.id
LIMIT :limit
"""
# The workbook's request rows: every request of the subtree filed in the period, in filing
# order, with what the sheet shows beside it: the head, the village (stats.ancestor, by
# name), every cadre who handled it in order, the escalations, and whether it is overdue
# (stats.is_overdue). The period's rows drive the join, as in FIGURES_SUBTREE.
SELECT_REPORT_LINES = """
WITH RECURSIVE subtree (id, name, village) AS (
    SELECT id, name, iif(level = 'village', name, NULL) FROM regions WHERE id = :region
    UNION
    SELECT r.id, r.name, iif(r.level = 'village', r.name, s.village)
    FROM regions r JOIN subtree s ON r.parent_id = s.id
)
SELECT r.number, r.household_id, h.head_name, coalesce(s.village, s.name), r.category,
       r.filed_at, r.first_response_at, r.resolved_at, iif(r.outcome IS NULL, NULL, r.closed_at),
       r.outcome,
       (SELECT group_concat(name, '、') FROM (
            SELECT c.name FROM request_events e JOIN cadres c ON c.id = e.handler_id
            WHERE e.request_id = r.id GROUP BY c.id ORDER BY min(e.id))) AS handlers,
       (SELECT count(*) FROM request_events e
        WHERE e.request_id = r.id AND e.kind = 'escalated') AS escalations,
       coalesce(CASE WHEN r.status IN ('open', 'acknowledged') THEN r.resolve_by < :now
                     ELSE r.resolved_at > r.resolve_by END, 0) AS overdue
FROM requests r CROSS JOIN households h ON h.id = r.household_id
     JOIN subtree s ON s.id = h.region_id
WHERE r.filed_at >= :start AND r.filed_at < :end
ORDER BY r.id
"""
SELECT_HAS_STAYS = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cadre_days'"
# Stay days per cadre serving in the subtree: distinct local days with a stay logged
# (``cadre_days`` of migration 0007, issue 5).
SELECT_STAY_DAYS = """
WITH RECURSIVE subtree (id) AS (
    SELECT id FROM regions WHERE id = :region
    UNION
    SELECT regions.id FROM regions JOIN subtree ON regions.parent_id = subtree.id
)
SELECT c.id, c.name, c.rank, c.region_id,
       (SELECT count(DISTINCT d.local_date) FROM cadre_days d
        WHERE d.cadre_id = c.id AND d.kind = 'stay'
          AND d.local_date >= :first AND d.local_date <= :last) AS days
FROM cadres c WHERE c.region_id IN (SELECT id FROM subtree)
ORDER BY c.id
"""


def _time(text: str | None) -> datetime | None:
    # fromisoformat is C and ~20x faster than strptime; the format is storage.timefmt's.
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


def _span(period: Period) -> dict[str, str]:
    return {"start": to_db(period.start), "end": to_db(period.end)}


def _counting(period: Period, now: datetime) -> dict[str, str]:
    return {**_span(period), "now": to_db(now), "due_until": to_db(min(period.end, now))}


def _seconds(microseconds: str | None) -> tuple[float, ...]:
    """Durations as group_concat lists them, in seconds (as timedelta.total_seconds: the
    exact quotient of whole microseconds), sorted."""
    if not microseconds:
        return ()
    return tuple(sorted(int(us) / 1_000_000 for us in microseconds.split(",")))


def _figures(r: Row) -> Figures:
    return Figures(
        filed=r[1],
        open=r[2],
        overdue=r[3],
        escalated=r[4],
        explained=r[5],
        reopened=r[6],
        responded_in_time=r[7],
        due=r[8],
        solved_of_due=r[9],
        satisfied=r[10],
        partly=r[11],
        by_timeout=r[12],
        first_response=_seconds(r[13]),
        resolution=_seconds(r[14]),
    )


async def _is_whole(tx: Tx, region_id: str) -> bool:
    return bool(await tx.scalar(SELECT_IS_WHOLE, {"region": region_id}))


async def region_figures(tx: Tx, region_id: str, period: Period, now: datetime) -> Figures:
    """``stats.figures`` of the requests of ``region_id``'s subtree, counted in SQL."""
    if await _is_whole(tx, region_id):
        params = {**_counting(period, now), "cadre": None}
        found = await tx.fetchone(FIGURES_WHOLE, params)
    else:
        params = {**_counting(period, now), "region": region_id, "by": ""}
        found = await tx.fetchone(FIGURES_SUBTREE, params)
    return Figures() if found is None else _figures(found)


async def cadre_figures(tx: Tx, cadre_id: str, period: Period, now: datetime) -> Figures:
    """``stats.figures`` of the requests ``cadre_id`` handles now, counted in SQL."""
    found = await tx.fetchone(FIGURES_WHOLE, {**_counting(period, now), "cadre": cadre_id})
    return Figures() if found is None else _figures(found)


async def region_breakdown(
    tx: Tx, region_id: str, period: Period, now: datetime, by: By
) -> dict[str, Figures]:
    """``stats.breakdown`` of the subtree's requests by township, village, cadre or
    category (a household above that level counts for its own region), sorted by key."""
    params = {**_counting(period, now), "region": region_id, "by": by}
    rows = await tx.fetchall(FIGURES_SUBTREE, params)
    return {r[0]: _figures(r) for r in sorted(rows, key=lambda r: str(r[0]))}


async def _days(
    tx: Tx, sql: str, scope: dict[str, str | None], period: Period, zone: ZoneInfo
) -> list[Day]:
    starts = period.day_starts(zone)
    bounds = [[to_db(start), to_db(end)] for start, end in itertools.pairwise(starts)]
    rows = await tx.fetchall(sql, {**scope, "days": json.dumps(bounds)})
    found = {r[0]: (r[1], _seconds(r[2])) for r in rows}
    days: list[Day] = []
    for n, day in enumerate(period.days()):
        filed, times = found.get(n, (0, ()))
        days.append(Day(day, filed, stats.median(times)))
    return days


async def region_days(tx: Tx, region_id: str, period: Period, zone: ZoneInfo) -> list[Day]:
    """``stats.per_day`` of the subtree's requests (the chart), counted in SQL."""
    if await _is_whole(tx, region_id):
        return await _days(tx, DAYS_WHOLE, {"cadre": None}, period, zone)
    return await _days(tx, DAYS_SUBTREE, {"region": region_id}, period, zone)


async def cadre_days(tx: Tx, cadre_id: str, period: Period, zone: ZoneInfo) -> list[Day]:
    """``stats.per_day`` of the requests ``cadre_id`` handles now."""
    return await _days(tx, DAYS_WHOLE, {"cadre": cadre_id}, period, zone)


async def region_rows(tx: Tx, region_id: str, period: Period) -> list[RequestRow]:
    """Requests of households in ``region_id``'s subtree filed, closed or due in ``period``."""
    rows = await tx.fetchall(SELECT_REGION_ROWS, {"region": region_id, **_span(period)})
    return [_row(r) for r in rows]


async def cadre_rows(tx: Tx, cadre_id: str, period: Period) -> list[RequestRow]:
    """Requests ``cadre_id`` handles now, filed, closed or due in ``period``."""
    rows = await tx.fetchall(SELECT_CADRE_ROWS, {"cadre": cadre_id, **_span(period)})
    return [_row(r) for r in rows]


def _place(r: Row) -> Place:
    return Place(id=r[0], name=r[1], level=r[2], parent_id=r[3])


async def places(tx: Tx, region_id: str) -> dict[str, Place]:
    """``region_id`` and every region below it."""
    return {r[0]: _place(r) for r in await tx.fetchall(SELECT_PLACES, {"region": region_id})}


async def region(tx: Tx, region_id: str) -> Place | None:
    found = await tx.fetchone(SELECT_REGION, (region_id,))
    return None if found is None else _place(found)


async def cadre_names(tx: Tx, cadre_ids: Sequence[str]) -> dict[str, str]:
    rows = await tx.fetchall(SELECT_CADRE_NAMES, (json.dumps(list(cadre_ids)),))
    return {r[0]: r[1] for r in rows}


@dataclass(frozen=True)
class OverdueLine:
    request_id: int
    number: str
    head_name: str
    handler_id: str
    handler: str
    resolve_by: datetime


async def overdue(tx: Tx, region_id: str, now: datetime, limit: int = 20) -> list[OverdueLine]:
    """Requests of the subtree still being worked on past their resolution due time,
    longest overdue first (whatever their filing date)."""
    rows = await tx.fetchall(
        SELECT_OVERDUE, {"region": region_id, "now": to_db(now), "limit": limit}
    )
    return [OverdueLine(r[0], r[1], r[2], r[3], r[4], datetime.fromisoformat(r[5])) for r in rows]


@dataclass(frozen=True)
class StayLine:
    cadre_id: str
    name: str
    rank: str
    region_id: str
    days: int


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
    overdue: int  # 1 if stats.is_overdue


async def report_lines(tx: Tx, region_id: str, period: Period, now: datetime) -> list[ReportLine]:
    """The requests of the subtree filed in the period, in filing order."""
    params = {"region": region_id, "now": to_db(now), **_span(period)}
    rows = await tx.fetchall(SELECT_REPORT_LINES, params)
    return [ReportLine._make(r) for r in rows]


async def stay_days(tx: Tx, region_id: str, period: Period) -> list[StayLine] | None:
    """Stay days logged per cadre serving in the subtree, in the period; None in a
    database without the ``cadre_days`` table (before migration 0007)."""
    if await tx.fetchone(SELECT_HAS_STAYS) is None:
        return None
    params = {
        "region": region_id,
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
    }
    rows = await tx.fetchall(SELECT_STAY_DAYS, params)
    return [StayLine(r[0], r[1], r[2], r[3], r[4]) for r in rows]
