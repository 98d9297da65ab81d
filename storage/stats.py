"""The supervisors' figures, counted in SQL, for a region's subtree or one cadre.

What each figure means is said in ``bot.domain.stats`` (and checked against a plain Python
reference in ``tests/reference_stats.py``); this module is where they are counted. A
period's rows are the requests filed, closed or due in it (the three cohorts of the
figures), found through the indexes of migration 0008. A region's rows are those of its
subtree in the closure table ``region_tree`` (migration 0012, ``storage.region_tree``):
the county is its root region and goes through the same queries as a village, and no
query can reach beyond the subtree it names.

``Stats`` is the repository the use cases (``bot.services.stats``) see, over one read.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain import stats
from bot.domain.announce import Binding
from bot.domain.rota import Kept
from bot.domain.stats import By, Day, Figures, OverdueLine, Period, Place, ReportLine, StayLine
from storage import announce, batch, rota
from storage.db import Row, Tx
from storage.timefmt import to_db

# --- figures counted in SQL --------------------------------------------------------------
# Each aggregate restates one definition of bot.domain.stats, over the cohort's range scan
# on its date index (0008, 0029: the indexes carry every column read here, so a county's
# month never touches the table). Times are fixed-width UTC text, so text order is time
# order; a duration is whole microseconds, kept on the request by migration 0029's
# triggers (first_response_us, resolution_us), which Python divides exactly as
# timedelta.total_seconds; so are its escalated (1), explained (2) and taken (4) events,
# ORed into ``marks``. The three cohorts are
# three arms, summed; the due arm reads resolve_by in the whole period and counts only
# what is already due, so that in a breakdown a key appears exactly when the subtree has
# a request filed, closed or due in the period.
#   overdue: still worked on (open, acknowledged) past resolve_by, or resolved after it;
#   responded in time: first answered by respond_by; solved: closed satisfied or partly;
#   due: not withdrawn (撤回: closed with no outcome, neither solved nor unsolved).
#
# FIGURES_REGION: the requests of :region's subtree (the county: its root), one line per
# key (:by: '', 'cadre', 'category', or the township or village: the nearest one at or
# above the household's region within the subtree, else that region itself). The
# period's rows are read by date; each is kept if its household's region is in the
# subtree (households_region_of, then the closure table's primary key), a test the query
# skips when the subtree is every region (``whole``, counted once: then every request is
# in it, and a county's month looks up no household). Its township or village is one
# look-up more in region_tree_up, made only for those breakdowns.
FIGURES_REGION = """
WITH whole (yes) AS MATERIALIZED (
    SELECT (SELECT count(*) FROM region_tree WHERE ancestor_id = :region)
           = (SELECT count(*) FROM regions)
), filed AS (
    SELECT CASE :by WHEN '' THEN '' WHEN 'cadre' THEN r.handler_id
                    WHEN 'category' THEN r.category
                    ELSE (SELECT coalesce((SELECT k.ancestor_id FROM region_tree k
                                           WHERE k.region_id = h.region_id
                                             AND k.ancestor_level = :by AND k.depth <= t.depth
                                           ORDER BY k.depth LIMIT 1), h.region_id)
                          FROM households h CROSS JOIN region_tree t
                          WHERE t.ancestor_id = :region AND t.region_id = h.region_id
                            AND h.id = r.household_id) END AS key,
           count(*) AS filed,
           count(*) FILTER (WHERE r.status != 'closed') AS open,
           count(*) FILTER (WHERE CASE WHEN r.status IN ('open', 'acknowledged')
                                       THEN r.resolve_by < :now
                                       ELSE r.resolved_at > r.resolve_by END) AS overdue,
           count(*) FILTER (WHERE (r.marks & 1) != 0) AS escalated,
           count(*) FILTER (WHERE (r.marks & 2) != 0) AS explained,
           count(*) FILTER (WHERE r.reopened > 0) AS reopened,
           count(*) FILTER (WHERE r.first_response_at <= r.respond_by) AS responded_in_time,
           0 AS due, 0 AS solved_of_due, 0 AS satisfied, 0 AS partly, 0 AS by_timeout,
           group_concat(r.first_response_us) AS first_response,  -- in microseconds
           NULL AS resolution,
           count(*) FILTER (WHERE (r.marks & 4) != 0) AS taken  -- 包案
    FROM requests r
    WHERE r.filed_at >= :start AND r.filed_at < :end AND ((SELECT yes FROM whole) OR EXISTS (
          SELECT 1 FROM households h CROSS JOIN region_tree t
          WHERE t.ancestor_id = :region AND t.region_id = h.region_id
            AND h.id = r.household_id))
    GROUP BY key
), due AS (
    SELECT CASE :by WHEN '' THEN '' WHEN 'cadre' THEN r.handler_id
                    WHEN 'category' THEN r.category
                    ELSE (SELECT coalesce((SELECT k.ancestor_id FROM region_tree k
                                           WHERE k.region_id = h.region_id
                                             AND k.ancestor_level = :by AND k.depth <= t.depth
                                           ORDER BY k.depth LIMIT 1), h.region_id)
                          FROM households h CROSS JOIN region_tree t
                          WHERE t.ancestor_id = :region AND t.region_id = h.region_id
                            AND h.id = r.household_id) END AS key,
           0, 0, 0, 0, 0, 0, 0,
           count(*) FILTER (WHERE r.resolve_by < :due_until  -- not withdrawn (撤回)
                              AND (r.outcome IS NOT NULL OR r.status != 'closed')),
           count(*) FILTER (WHERE r.resolve_by < :due_until  -- solved
                              AND r.outcome IN ('satisfied', 'partly')),
           0, 0, 0, NULL, NULL, 0
    FROM requests r
    WHERE r.resolve_by >= :start AND r.resolve_by < :end AND ((SELECT yes FROM whole) OR EXISTS (
          SELECT 1 FROM households h CROSS JOIN region_tree t
          WHERE t.ancestor_id = :region AND t.region_id = h.region_id
            AND h.id = r.household_id))
    GROUP BY key
), closed AS (
    SELECT CASE :by WHEN '' THEN '' WHEN 'cadre' THEN r.handler_id
                    WHEN 'category' THEN r.category
                    ELSE (SELECT coalesce((SELECT k.ancestor_id FROM region_tree k
                                           WHERE k.region_id = h.region_id
                                             AND k.ancestor_level = :by AND k.depth <= t.depth
                                           ORDER BY k.depth LIMIT 1), h.region_id)
                          FROM households h CROSS JOIN region_tree t
                          WHERE t.ancestor_id = :region AND t.region_id = h.region_id
                            AND h.id = r.household_id) END AS key,
           0, 0, 0, 0, 0, 0, 0, 0, 0,
           count(*) FILTER (WHERE r.outcome = 'satisfied'),
           count(*) FILTER (WHERE r.outcome = 'partly'),
           count(*) FILTER (WHERE r.outcome = 'timeout'),
           NULL,
           group_concat(  -- resolution (of the solved), in microseconds
               CASE WHEN r.outcome IN ('satisfied', 'partly') THEN r.resolution_us END),
           0
    FROM requests r
    WHERE r.closed_at >= :start AND r.closed_at < :end AND ((SELECT yes FROM whole) OR EXISTS (
          SELECT 1 FROM households h CROSS JOIN region_tree t
          WHERE t.ancestor_id = :region AND t.region_id = h.region_id
            AND h.id = r.household_id))
    GROUP BY key
)
SELECT key, sum(filed), sum(open), sum(overdue), sum(escalated), sum(explained),
       sum(reopened), sum(responded_in_time), sum(due), sum(solved_of_due), sum(satisfied),
       sum(partly), sum(by_timeout), group_concat(first_response), group_concat(resolution),
       sum(taken)
FROM (SELECT * FROM filed UNION ALL SELECT * FROM due UNION ALL SELECT * FROM closed) AS arms
GROUP BY key
"""
# FIGURES_CADRE: the same figures of the requests one cadre (:cadre) handles now; no
# household, no GROUP BY.
FIGURES_CADRE = """
WITH filed AS (
    SELECT count(*) AS filed,
           count(*) FILTER (WHERE r.status != 'closed') AS open,
           count(*) FILTER (WHERE CASE WHEN r.status IN ('open', 'acknowledged')
                                       THEN r.resolve_by < :now
                                       ELSE r.resolved_at > r.resolve_by END) AS overdue,
           count(*) FILTER (WHERE (r.marks & 1) != 0) AS escalated,
           count(*) FILTER (WHERE (r.marks & 2) != 0) AS explained,
           count(*) FILTER (WHERE r.reopened > 0) AS reopened,
           count(*) FILTER (WHERE r.first_response_at <= r.respond_by) AS responded_in_time,
           0 AS due, 0 AS solved_of_due, 0 AS satisfied, 0 AS partly, 0 AS by_timeout,
           group_concat(r.first_response_us) AS first_response,
           NULL AS resolution,
           count(*) FILTER (WHERE (r.marks & 4) != 0) AS taken  -- 包案
    FROM requests r
    WHERE r.filed_at >= :start AND r.filed_at < :end AND r.handler_id = :cadre
), due AS (
    SELECT 0, 0, 0, 0, 0, 0, 0,
           count(*) FILTER (WHERE r.resolve_by < :due_until
                              AND (r.outcome IS NOT NULL OR r.status != 'closed')),
           count(*) FILTER (WHERE r.resolve_by < :due_until
                              AND r.outcome IN ('satisfied', 'partly')),
           0, 0, 0, NULL, NULL, 0
    FROM requests r
    WHERE r.resolve_by >= :start AND r.resolve_by < :end AND r.handler_id = :cadre
), closed AS (
    SELECT 0, 0, 0, 0, 0, 0, 0, 0, 0,
           count(*) FILTER (WHERE r.outcome = 'satisfied'),
           count(*) FILTER (WHERE r.outcome = 'partly'),
           count(*) FILTER (WHERE r.outcome = 'timeout'),
           NULL,
           group_concat(
               CASE WHEN r.outcome IN ('satisfied', 'partly') THEN r.resolution_us END),
           0
    FROM requests r
    WHERE r.closed_at >= :start AND r.closed_at < :end AND r.handler_id = :cadre
)
SELECT '', sum(filed), sum(open), sum(overdue), sum(escalated), sum(explained),
       sum(reopened), sum(responded_in_time), sum(due), sum(solved_of_due), sum(satisfied),
       sum(partly), sum(by_timeout), group_concat(first_response), group_concat(resolution),
       sum(taken)
FROM (SELECT * FROM filed UNION ALL SELECT * FROM due UNION ALL SELECT * FROM closed) AS arms
"""
# The chart: the requests filed in the period, each with its filing time and its first
# response time in microseconds (NULL before one), on the filing date index; they are
# counted by local day in Python (``_days``), so that one statement serves both engines
# (a list of day bounds would need SQLite's json_each or a statement built per period).
DAYS_REGION = """
WITH whole (yes) AS MATERIALIZED (  -- as in FIGURES_REGION
    SELECT (SELECT count(*) FROM region_tree WHERE ancestor_id = :region)
           = (SELECT count(*) FROM regions)
)
SELECT r.filed_at, r.first_response_us
FROM requests r
WHERE r.filed_at >= :start AND r.filed_at < :end AND ((SELECT yes FROM whole) OR EXISTS (
      SELECT 1 FROM households h CROSS JOIN region_tree t
      WHERE t.ancestor_id = :region AND t.region_id = h.region_id
        AND h.id = r.household_id))
"""
DAYS_CADRE = """
SELECT r.filed_at, r.first_response_us
FROM requests r
WHERE r.filed_at >= :start AND r.filed_at < :end AND r.handler_id = :cadre
"""
SELECT_PLACES = """
SELECT r.id, r.name, r.level, r.parent_id
FROM region_tree t JOIN regions r ON r.id = t.region_id
WHERE t.ancestor_id = :region
"""
SELECT_REGION = "SELECT id, name, level, parent_id FROM regions WHERE id = ?"
# A county's root region (the roster's one region without a parent): its figures are the
# county's, for the province.
SELECT_ROOT = """
SELECT id, name, level, parent_id FROM regions WHERE parent_id IS NULL ORDER BY id LIMIT 1
"""
# S608: MARKS is batch.SIZE question marks, no input.
SELECT_CADRE_NAMES = "SELECT id, name FROM cadres WHERE id IN (" + batch.MARKS + ")"  # noqa: S608
# The lists (overdue, the workbook's rows) never show a supervisor a confidential
# complaint about themselves: one whose accused supervises the region asked or above it.
SELECT_OVERDUE = """
SELECT r.id, r.number, h.head_name, r.handler_id, c.name AS handler, r.resolve_by
FROM requests r
CROSS JOIN households h
CROSS JOIN region_tree t
JOIN cadres c ON c.id = r.handler_id
WHERE h.id = r.household_id AND t.ancestor_id = :region AND t.region_id = h.region_id
  AND r.status IN ('open', 'acknowledged') AND r.resolve_by < :now
  AND NOT EXISTS (SELECT 1 FROM cadres x JOIN region_tree k ON k.ancestor_id = x.supervises
                  WHERE x.id = r.accused_id AND k.region_id = :region)
ORDER BY r.resolve_by, r.id
LIMIT :limit
"""
# The workbook's request rows: every request of the subtree filed in the period, in filing
# order, with what the sheet shows beside it: the head, the village (the nearest at or
# above the household's region within the subtree, by name; else that region's name),
# every cadre who handled it in order, the escalations, whether it is overdue (as in
# the figures), the details of what was filed (the FILED event's: its words, or what came
# without words) and of the last resolution (the RESOLVED or EXPLAINED event's note, as
# the resolved time is the last resolution's); never a complaint about a cadre's words or
# note: a workbook travels by e-mail and USB stick, those stay in the bot. The period's
# rows drive the join, as in FIGURES_REGION.
SELECT_REPORT_LINES = """
SELECT r.number, r.household_id, h.head_name,
       coalesce((SELECT v.name FROM region_tree k JOIN regions v ON v.id = k.ancestor_id
                 WHERE k.region_id = h.region_id AND k.ancestor_level = 'village'
                   AND k.depth <= t.depth
                 ORDER BY k.depth LIMIT 1),
                (SELECT name FROM regions WHERE id = h.region_id)) AS village,
       r.category,
       r.filed_at, r.first_response_at, r.resolved_at,
       CASE WHEN r.outcome IS NOT NULL THEN r.closed_at END,
       r.outcome,
       (SELECT group_concat(named.name, '、') FROM (
            SELECT c.name FROM request_events e JOIN cadres c ON c.id = e.handler_id
            WHERE e.request_id = r.id GROUP BY c.id, c.name ORDER BY min(e.id)) AS named
       ) AS handlers,
       (SELECT count(*) FROM request_events e
        WHERE e.request_id = r.id AND e.kind = 'escalated') AS escalations,
       CASE WHEN r.status IN ('open', 'acknowledged') AND r.resolve_by < :now THEN 1
            WHEN r.status NOT IN ('open', 'acknowledged') AND r.resolved_at > r.resolve_by
            THEN 1
            ELSE 0 END AS overdue,
       CASE WHEN r.about_cadre = 0 AND r.accused_id IS NULL THEN f.detail END,
       CASE WHEN r.about_cadre = 0 AND r.accused_id IS NULL THEN x.detail END
FROM requests r CROSS JOIN households h CROSS JOIN region_tree t
     LEFT JOIN request_events f ON f.id = (  -- FILED is a request's first event
         SELECT min(e.id) FROM request_events e WHERE e.request_id = r.id) AND f.kind = 'filed'
     LEFT JOIN request_events x ON r.resolved_at IS NOT NULL AND x.id = (
         SELECT max(e.id) FROM request_events e
         WHERE e.request_id = r.id AND e.kind IN ('resolved', 'explained'))
WHERE r.filed_at >= :start AND r.filed_at < :end
  AND h.id = r.household_id AND t.ancestor_id = :region AND t.region_id = h.region_id
  AND NOT EXISTS (SELECT 1 FROM cadres x JOIN region_tree k ON k.ancestor_id = x.supervises
                  WHERE x.id = r.accused_id AND k.region_id = :region)
ORDER BY r.id
"""
REPORT_WORDS = 80  # characters of a request's words read for the workbook (it shows fewer)
SELECT_HAS_STAYS = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cadre_days'"
SELECT_HAS_STAYS_PG = """
SELECT 1 FROM information_schema.tables
WHERE table_schema = current_schema() AND table_name = 'cadre_days'
"""
# Stay days per cadre serving in the subtree: distinct local days with a stay logged
# (``cadre_days`` of migration 0007, issue 5).
SELECT_STAY_DAYS = """
SELECT c.id, c.name, c.rank, c.region_id,
       (SELECT count(DISTINCT d.local_date) FROM cadre_days d
        WHERE d.cadre_id = c.id AND d.kind = 'stay'
          AND d.local_date >= :first AND d.local_date <= :last) AS days,
       (SELECT count(DISTINCT d.local_date) FROM cadre_days d
        WHERE d.cadre_id = c.id AND d.kind = 'stay'
          AND d.local_date >= :first AND d.local_date <= :last
          AND d.evening_at IS NOT NULL AND d.morning_at IS NOT NULL) AS evidenced
FROM region_tree t JOIN cadres c ON c.region_id = t.region_id
WHERE t.ancestor_id = :region
ORDER BY c.id
"""


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
        taken=r[15] or 0,
    )


async def region_figures(tx: Tx, region_id: str, period: Period, now: datetime) -> Figures:
    """The figures of the requests of ``region_id``'s subtree (the county's: its root)."""
    params = {**_counting(period, now), "region": region_id, "by": ""}
    found = await tx.fetchone(FIGURES_REGION, params)
    return Figures() if found is None else _figures(found)


async def cadre_figures(tx: Tx, cadre_id: str, period: Period, now: datetime) -> Figures:
    """The figures of the requests ``cadre_id`` handles now."""
    found = await tx.fetchone(FIGURES_CADRE, {**_counting(period, now), "cadre": cadre_id})
    return Figures() if found is None else _figures(found)


async def region_breakdown(
    tx: Tx, region_id: str, period: Period, now: datetime, by: By
) -> dict[str, Figures]:
    """The figures of the subtree's requests by township, village, cadre or category (a
    household above that level counts for its own region), sorted by key."""
    params = {**_counting(period, now), "region": region_id, "by": by}
    rows = await tx.fetchall(FIGURES_REGION, params)
    return {r[0]: _figures(r) for r in sorted(rows, key=lambda r: str(r[0]))}


async def _days(
    tx: Tx, sql: str, scope: dict[str, str], period: Period, zone: ZoneInfo
) -> list[Day]:
    starts = [to_db(start) for start in period.day_starts(zone)]
    span = {"start": starts[0], "end": starts[-1]}
    filed = [0] * (len(starts) - 1)
    times: list[list[float]] = [[] for _ in filed]
    for at, microseconds in await tx.fetchall(sql, {**scope, **span}):
        n = bisect.bisect_right(starts, at) - 1  # fixed-width UTC text: text order is time
        filed[n] += 1
        if microseconds is not None:
            times[n].append(int(microseconds) / 1_000_000)
    return [
        Day(day, filed[n], stats.median(tuple(sorted(times[n]))))
        for n, day in enumerate(period.days())
    ]


async def region_days(tx: Tx, region_id: str, period: Period, zone: ZoneInfo) -> list[Day]:
    """Requests filed each local day of the period in the subtree, and their median first
    response (the chart)."""
    return await _days(tx, DAYS_REGION, {"region": region_id}, period, zone)


async def cadre_days(tx: Tx, cadre_id: str, period: Period, zone: ZoneInfo) -> list[Day]:
    """The same for the requests ``cadre_id`` handles now."""
    return await _days(tx, DAYS_CADRE, {"cadre": cadre_id}, period, zone)


def _place(r: Row) -> Place:
    return Place(id=r[0], name=r[1], level=r[2], parent_id=r[3])


async def places(tx: Tx, region_id: str) -> dict[str, Place]:
    """``region_id`` and every region below it."""
    return {r[0]: _place(r) for r in await tx.fetchall(SELECT_PLACES, {"region": region_id})}


async def root(tx: Tx) -> Place | None:
    """The county's own region (None before a roster is imported)."""
    found = await tx.fetchone(SELECT_ROOT)
    return None if found is None else _place(found)


async def region(tx: Tx, region_id: str) -> Place | None:
    found = await tx.fetchone(SELECT_REGION, (region_id,))
    return None if found is None else _place(found)


async def cadre_names(tx: Tx, cadre_ids: Sequence[str]) -> dict[str, str]:
    return {
        r[0]: r[1]
        for ids in batch.chunks(cadre_ids)
        for r in await tx.fetchall(SELECT_CADRE_NAMES, ids)
    }


async def overdue(tx: Tx, region_id: str, now: datetime, limit: int = 20) -> list[OverdueLine]:
    """Requests of the subtree still being worked on past their resolution due time,
    longest overdue first (whatever their filing date)."""
    rows = await tx.fetchall(
        SELECT_OVERDUE, {"region": region_id, "now": to_db(now), "limit": limit}
    )
    return [OverdueLine(r[0], r[1], r[2], r[3], r[4], datetime.fromisoformat(r[5])) for r in rows]


async def report_lines(tx: Tx, region_id: str, period: Period, now: datetime) -> list[ReportLine]:
    """The requests of the subtree filed in the period, in filing order."""
    params = {"region": region_id, "now": to_db(now), **_span(period)}
    rows = await tx.fetchall(SELECT_REPORT_LINES, params)
    return [ReportLine._make((*r[:13], *_said(r[13]), *_said(r[14]))) for r in rows]


def _said(detail: str | None) -> tuple[str | None, str | None]:
    """An event's words (their first ``REPORT_WORDS`` characters) and the kind of what
    came without words (a ``Content.media``, "location" or "contact"), from its detail.
    Parsed here, once: SQLite (before 3.45) parses the JSON again for each field asked."""
    if detail is None:
        return None, None
    content = json.loads(detail)
    text = content.get("text")
    media = content.get("media")
    if content.get("latitude") is not None:
        media = "location"
    elif content.get("contact"):
        media = "contact"
    return (text[:REPORT_WORDS] if isinstance(text, str) else None), media


async def stay_days(tx: Tx, region_id: str, period: Period) -> list[StayLine] | None:
    """Stay days logged per cadre serving in the subtree, in the period; None in a
    database without the ``cadre_days`` table (before migration 0007)."""
    has_stays = SELECT_HAS_STAYS_PG if tx.dialect == "postgresql" else SELECT_HAS_STAYS
    if await tx.fetchone(has_stays) is None:
        return None
    params = {
        "region": region_id,
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
    }
    rows = await tx.fetchall(SELECT_STAY_DAYS, params)
    return [StayLine(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]


class Stats:
    """The figures and lists of one read (``bot.services.stats.StatsStore``)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def region(self, region_id: str) -> Place | None:
        return await region(self._tx, region_id)

    async def root(self) -> Place | None:
        return await root(self._tx)

    async def region_figures(self, region_id: str, period: Period, now: datetime) -> Figures:
        return await region_figures(self._tx, region_id, period, now)

    async def cadre_figures(self, cadre_id: str, period: Period, now: datetime) -> Figures:
        return await cadre_figures(self._tx, cadre_id, period, now)

    async def region_days(self, region_id: str, period: Period, zone: ZoneInfo) -> list[Day]:
        return await region_days(self._tx, region_id, period, zone)

    async def cadre_days(self, cadre_id: str, period: Period, zone: ZoneInfo) -> list[Day]:
        return await cadre_days(self._tx, cadre_id, period, zone)

    async def region_breakdown(
        self, region_id: str, period: Period, now: datetime, by: By
    ) -> dict[str, Figures]:
        return await region_breakdown(self._tx, region_id, period, now, by)

    async def places(self, region_id: str) -> dict[str, Place]:
        return await places(self._tx, region_id)

    async def cadre_names(self, cadre_ids: Sequence[str]) -> dict[str, str]:
        return await cadre_names(self._tx, cadre_ids)

    async def overdue(self, region_id: str, now: datetime, limit: int) -> list[OverdueLine]:
        return await overdue(self._tx, region_id, now, limit)

    async def report_lines(
        self, region_id: str, period: Period, now: datetime
    ) -> list[ReportLine]:
        return await report_lines(self._tx, region_id, period, now)

    async def stay_days(self, region_id: str, period: Period) -> list[StayLine] | None:
        return await stay_days(self._tx, region_id, period)

    async def rota_kept(self, region_id: str, first: date, last: date) -> list[Kept]:
        return await rota.kept(self._tx, region_id, first, last)

    async def binding(self, region_id: str) -> list[Binding]:
        """绑定率 (``storage.announce``): the region, its townships, its villages; each
        once (a township's or a village's own workbook: itself only as the whole, and no
        township above it)."""
        whole = await announce.binding_whole(self._tx, region_id)
        below = set(await places(self._tx, region_id)) - {region_id}
        parts = [
            b
            for level in ("township", "village")
            for b in await announce.binding(self._tx, region_id, level)
            if b.region_id in below
        ]
        return [whole, *parts]
