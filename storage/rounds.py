"""Visiting rounds, 当场办结, 夜议 and 回头看 (migration 0022), and the visit figures.

``Rounds`` is all of it over one transaction (``UnitOfWork.rounds``), as
``bot.services.rounds`` asks for it; the row types are ``bot.domain.rounds``'. Coverage,
findings and 夜访 are read from ``cadre_days`` and ``requests``, never stored twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.domain.roster import Rank
from bot.domain.rounds import Draft, Due, Finding, Place, Revisit, Round, TeamCadre, Visit
from storage.db import Tx
from storage.timefmt import from_db, to_db

SELECT_VILLAGES_IN = """
SELECT g.id, g.name FROM region_tree t JOIN regions g ON g.id = t.region_id
WHERE t.ancestor_id = ? AND g.level = 'village' ORDER BY g.id
"""
SELECT_PLACE = "SELECT id, name FROM regions WHERE id = ?"
# Who may be on a village's team: cadres linked to its households, of a region in it,
# or supervising it or a region above it.
SELECT_TEAM_CHOICES = """
SELECT c.id, c.name, c.rank FROM cadres c
WHERE EXISTS (SELECT 1 FROM links l JOIN households h ON h.id = l.household_id
              JOIN region_tree t ON t.region_id = h.region_id
              WHERE l.cadre_id = c.id AND t.ancestor_id = :village)
   OR EXISTS (SELECT 1 FROM region_tree t WHERE t.ancestor_id = :village
              AND t.region_id = c.region_id)
   OR EXISTS (SELECT 1 FROM region_tree t WHERE t.ancestor_id = c.supervises
              AND t.region_id = :village)
ORDER BY c.id LIMIT 40
"""
SELECT_DRAFT = "SELECT cadre_id, region_id, team FROM round_drafts WHERE user_id = ?"
UPSERT_DRAFT = """
INSERT INTO round_drafts (user_id, cadre_id, region_id, team, since) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET cadre_id = excluded.cadre_id,
    region_id = excluded.region_id, team = excluded.team, since = excluded.since
"""
DELETE_DRAFT = "DELETE FROM round_drafts WHERE user_id = ?"
INSERT_ROUND = """
INSERT INTO visit_rounds (region_id, started_by, started_at, ends_on) VALUES (?, ?, ?, ?)
"""
INSERT_TEAM = "INSERT OR IGNORE INTO round_team (round_id, cadre_id) VALUES (?, ?)"
INSERT_ROUND_HOUSEHOLDS = """
INSERT INTO round_households (round_id, household_id)
SELECT ?, h.id FROM region_tree t JOIN households h ON h.region_id = t.region_id
WHERE t.ancestor_id = ? AND h.removed_at IS NULL
"""
SELECT_ROUND = """
SELECT r.id, r.region_id, g.name, r.started_by, r.started_at, r.ends_on
FROM visit_rounds r JOIN regions g ON g.id = r.region_id WHERE r.id = ?
"""
SELECT_TEAM = """
SELECT c.id, c.name, c.rank FROM round_team m JOIN cadres c ON c.id = m.cadre_id
WHERE m.round_id = ? ORDER BY c.id
"""
SELECT_ROUNDS_OF = """
SELECT m.round_id FROM round_team m JOIN visit_rounds r ON r.id = m.round_id
WHERE m.cadre_id = ? AND r.ends_on >= ? ORDER BY r.id DESC LIMIT 10
"""
SELECT_ROUNDS_IN = """
SELECT r.id FROM visit_rounds r JOIN region_tree t ON t.region_id = r.region_id
WHERE t.ancestor_id = ? AND r.ends_on >= ? AND r.started_at < ? ORDER BY r.id
"""
SELECT_ROUND_HOUSEHOLDS = """
SELECT h.id, h.head_name FROM round_households x JOIN households h ON h.id = x.household_id
WHERE x.round_id = ? ORDER BY h.region_id, h.id
"""
SELECT_IN_ROUND = "SELECT 1 FROM round_households WHERE round_id = ? AND household_id = ?"
SELECT_VISITED = """
SELECT DISTINCT d.household_id FROM cadre_days d
JOIN round_households x ON x.household_id = d.household_id AND x.round_id = :round
JOIN round_team m ON m.cadre_id = d.cadre_id AND m.round_id = :round
WHERE d.kind = 'visit' AND d.logged_at >= :start AND d.logged_at < :end
"""
SELECT_FINDINGS = """
SELECT r.id, r.number, h.head_name, r.status, s.request_id IS NOT NULL,
       s.confirmed_at IS NOT NULL
FROM requests r
JOIN round_households x ON x.household_id = r.household_id AND x.round_id = :round
JOIN round_team m ON m.cadre_id = r.filed_by_cadre AND m.round_id = :round
JOIN households h ON h.id = r.household_id
LEFT JOIN on_spot s ON s.request_id = r.id
WHERE r.filed_at >= :start AND r.filed_at < :end
ORDER BY r.id
"""
INSERT_ON_SPOT = """
INSERT INTO on_spot (request_id, round_id, cadre_id, resolved_at) VALUES (?, ?, ?, ?)
"""
SELECT_ON_SPOT = "SELECT round_id, cadre_id, confirmed_at FROM on_spot WHERE request_id = ?"
CONFIRM_ON_SPOT = """
UPDATE on_spot SET confirmed_at = ?, confirmed_by = ?
WHERE request_id = ? AND confirmed_at IS NULL
"""
# Visits logged by the cadres of a region (of a region in it, or supervising in it) or
# to its households, in [start, end).
SELECT_VISITS_IN = """
SELECT d.cadre_id, d.logged_at, d.household_id FROM cadre_days d
WHERE d.kind = 'visit' AND d.logged_at >= :start AND d.logged_at < :end
  AND (EXISTS (SELECT 1 FROM households h JOIN region_tree t ON t.region_id = h.region_id
               WHERE h.id = d.household_id AND t.ancestor_id = :region)
       OR EXISTS (SELECT 1 FROM cadres c JOIN region_tree t ON t.region_id = c.region_id
                  WHERE c.id = d.cadre_id AND t.ancestor_id = :region))
ORDER BY d.id
"""
SELECT_CADRES_IN = """
SELECT c.id, c.name, c.rank FROM cadres c JOIN region_tree t ON t.region_id = c.region_id
WHERE t.ancestor_id = ? ORDER BY c.id
"""
SELECT_UNVISITED = """
SELECT h.id, h.head_name FROM region_tree t JOIN households h ON h.region_id = t.region_id
WHERE t.ancestor_id = :region AND h.removed_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM cadre_days d WHERE d.household_id = h.id
                  AND d.kind = 'visit' AND d.logged_at >= :start AND d.logged_at < :end)
ORDER BY h.region_id, h.id
"""
COUNT_HOUSEHOLDS_IN = """
SELECT count(*) FROM region_tree t JOIN households h ON h.region_id = t.region_id
WHERE t.ancestor_id = ? AND h.removed_at IS NULL
"""
# The village of a cadre's meetings: the one they supervise, else their first household's.
SELECT_MEETING_VILLAGE = """
SELECT id, name FROM (
    SELECT 0 AS pick, g.id, g.name FROM cadres c JOIN regions g ON g.id = c.supervises
    WHERE c.id = :cadre AND g.level = 'village'
    UNION ALL
    SELECT * FROM (
        SELECT 1 AS pick, g.id, g.name FROM links l JOIN households h ON h.id = l.household_id
        JOIN region_tree t ON t.region_id = h.region_id AND t.ancestor_level = 'village'
        JOIN regions g ON g.id = t.ancestor_id
        WHERE l.cadre_id = :cadre ORDER BY l.tier, h.id LIMIT 1) AS linked
) AS found
ORDER BY pick LIMIT 1
"""
INSERT_MEETING = """
INSERT INTO meetings (region_id, cadre_id, held_at, topic, attendance) VALUES (?, ?, ?, ?, ?)
"""
INSERT_DECISION = "INSERT INTO meeting_decisions (meeting_id, number, text) VALUES (?, ?, ?)"
SELECT_DECISION = """
SELECT d.text, d.request_id, m.cadre_id, m.region_id FROM meeting_decisions d
JOIN meetings m ON m.id = d.meeting_id WHERE d.meeting_id = ? AND d.number = ?
"""
SET_DECISION_REQUEST = """
UPDATE meeting_decisions SET request_id = ? WHERE meeting_id = ? AND number = ?
"""
SELECT_MEETINGS_IN = """
SELECT count(DISTINCT m.id), coalesce(sum(m.attendance), 0),
       (SELECT count(*) FROM meeting_decisions d JOIN meetings n ON n.id = d.meeting_id
        JOIN region_tree u ON u.region_id = n.region_id
        WHERE u.ancestor_id = :region AND n.held_at >= :start AND n.held_at < :end
          AND d.request_id IS NOT NULL)
FROM meetings m JOIN region_tree t ON t.region_id = m.region_id
WHERE t.ancestor_id = :region AND m.held_at >= :start AND m.held_at < :end
"""
SELECT_HOUSEHOLD_IN = """
SELECT h.head_name FROM region_tree t JOIN households h ON h.region_id = t.region_id
WHERE t.ancestor_id = ? AND h.id = ? AND h.removed_at IS NULL
"""
SELECT_HOUSEHOLDS_IN = """
SELECT h.id, h.head_name FROM region_tree t JOIN households h ON h.region_id = t.region_id
WHERE t.ancestor_id = ? AND h.removed_at IS NULL ORDER BY h.region_id, h.id
"""
# A supervisor of a household: their region is the household's or one above it.
SELECT_SUPERVISES = """
SELECT 1 FROM cadres c JOIN households h ON h.id = :household
JOIN region_tree t ON t.ancestor_id = c.supervises AND t.region_id = h.region_id
WHERE c.id = :cadre
"""
INSERT_REVISIT = """
INSERT INTO revisits (request_id, cadre_id, scheduled_at, due_on) VALUES (?, ?, ?, ?)
"""
SELECT_OPEN_REVISIT = """
SELECT id, request_id, cadre_id, due_on, done_at FROM revisits
WHERE request_id = ? AND done_at IS NULL
"""
SELECT_REVISIT = "SELECT id, request_id, cadre_id, due_on, done_at FROM revisits WHERE id = ?"
FINISH_REVISIT = """
UPDATE revisits SET done_at = ?, result = ?, note = ? WHERE id = ? AND done_at IS NULL
"""
SELECT_OVERDUE_REVISITS = """
SELECT v.id, v.request_id, r.number, h.head_name, v.due_on, a.user_id
FROM revisits v JOIN requests r ON r.id = v.request_id
JOIN households h ON h.id = r.household_id
JOIN cadre_accounts a ON a.cadre_id = v.cadre_id
WHERE v.done_at IS NULL AND v.reminded_at IS NULL AND v.due_on < ?
ORDER BY v.due_on, v.id LIMIT 100
"""
MARK_REMINDED = "UPDATE revisits SET reminded_at = ? WHERE id = ?"
SELECT_REVISITS_IN = """
SELECT count(*), count(v.done_at), count(CASE WHEN v.result = 'again' THEN 1 END),
       count(CASE WHEN v.done_at IS NULL AND v.due_on < :today THEN 1 END)
FROM revisits v JOIN requests r ON r.id = v.request_id
JOIN households h ON h.id = r.household_id
JOIN region_tree t ON t.region_id = h.region_id AND t.ancestor_id = :region
WHERE v.scheduled_at >= :start AND v.scheduled_at < :end
"""


def _team(rows: Sequence[Sequence[object]]) -> tuple[TeamCadre, ...]:
    return tuple(TeamCadre(str(r[0]), str(r[1]), Rank(str(r[2]))) for r in rows)


def _revisit(row: Sequence[object]) -> Revisit:
    return Revisit(
        int(str(row[0])),
        int(str(row[1])),
        str(row[2]),
        date.fromisoformat(str(row[3])),
        row[4] is not None,
    )


class Rounds:
    """The rows of ``bot.services.rounds.RoundStore`` over one transaction."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    # setting a round up

    async def villages(self, region_id: str) -> list[Place]:
        rows = await self._tx.fetchall(SELECT_VILLAGES_IN, (region_id,))
        return [Place(r[0], r[1]) for r in rows]

    async def place(self, region_id: str) -> Place | None:
        row = await self._tx.fetchone(SELECT_PLACE, (region_id,))
        return None if row is None else Place(row[0], row[1])

    async def team_choices(self, village_id: str) -> list[TeamCadre]:
        return list(_team(await self._tx.fetchall(SELECT_TEAM_CHOICES, {"village": village_id})))

    async def draft(self, user_id: int) -> Draft | None:
        row = await self._tx.fetchone(SELECT_DRAFT, (user_id,))
        if row is None:
            return None
        place = await self.place(row[1])
        if place is None:
            return None
        return Draft(row[0], place, tuple(t for t in str(row[2]).split(",") if t))

    async def set_draft(self, user_id: int, draft: Draft, now: datetime) -> None:
        values = (user_id, draft.cadre_id, draft.region.id, ",".join(draft.team), to_db(now))
        await self._tx.execute(UPSERT_DRAFT, values)

    async def drop_draft(self, user_id: int) -> None:
        await self._tx.execute(DELETE_DRAFT, (user_id,))

    async def start(self, draft: Draft, now: datetime, ends_on: date) -> int:
        values = (draft.region.id, draft.cadre_id, to_db(now), ends_on.isoformat())
        round_id = await self._tx.insert(INSERT_ROUND, values)
        for cadre_id in draft.team:
            await self._tx.execute(INSERT_TEAM, (round_id, cadre_id))
        await self._tx.execute(INSERT_ROUND_HOUSEHOLDS, (round_id, draft.region.id))
        return round_id

    # a round

    async def round(self, round_id: int) -> Round | None:
        row = await self._tx.fetchone(SELECT_ROUND, (round_id,))
        if row is None:
            return None
        team = _team(await self._tx.fetchall(SELECT_TEAM, (round_id,)))
        return Round(
            int(row[0]),
            Place(row[1], row[2]),
            row[3],
            from_db(row[4]),
            date.fromisoformat(row[5]),
            team,
        )

    async def rounds_of(self, cadre_id: str, today: date) -> list[Round]:
        rows = await self._tx.fetchall(SELECT_ROUNDS_OF, (cadre_id, today.isoformat()))
        return [r for r in [await self.round(int(row[0])) for row in rows] if r is not None]

    async def rounds_in(self, region_id: str, first: date, end: datetime) -> list[Round]:
        values = (region_id, first.isoformat(), to_db(end))
        rows = await self._tx.fetchall(SELECT_ROUNDS_IN, values)
        return [r for r in [await self.round(int(row[0])) for row in rows] if r is not None]

    async def households(self, round_id: int) -> list[tuple[str, str]]:
        rows = await self._tx.fetchall(SELECT_ROUND_HOUSEHOLDS, (round_id,))
        return [(r[0], r[1]) for r in rows]

    async def in_round(self, round_id: int, household_id: str) -> bool:
        return await self._tx.fetchone(SELECT_IN_ROUND, (round_id, household_id)) is not None

    async def visited(self, round_id: int, start: datetime, end: datetime) -> set[str]:
        window = {"round": round_id, "start": to_db(start), "end": to_db(end)}
        return {str(r[0]) for r in await self._tx.fetchall(SELECT_VISITED, window)}

    async def findings(self, round_id: int, start: datetime, end: datetime) -> list[Finding]:
        window = {"round": round_id, "start": to_db(start), "end": to_db(end)}
        rows = await self._tx.fetchall(SELECT_FINDINGS, window)
        return [Finding(int(r[0]), r[1], r[2], r[3], bool(r[4]), bool(r[5])) for r in rows]

    async def add_on_spot(
        self, request_id: int, round_id: int, cadre_id: str, now: datetime
    ) -> None:
        await self._tx.execute(INSERT_ON_SPOT, (request_id, round_id, cadre_id, to_db(now)))

    async def on_spot(self, request_id: int) -> tuple[int, str, bool] | None:
        row = await self._tx.fetchone(SELECT_ON_SPOT, (request_id,))
        return None if row is None else (int(row[0]), str(row[1]), row[2] is not None)

    async def confirm_on_spot(self, request_id: int, by: str, now: datetime) -> None:
        await self._tx.execute(CONFIRM_ON_SPOT, (to_db(now), by, request_id))

    # visits and 三夜

    async def visits_in(self, region_id: str, start: datetime, end: datetime) -> list[Visit]:
        window = {"region": region_id, "start": to_db(start), "end": to_db(end)}
        rows = await self._tx.fetchall(SELECT_VISITS_IN, window)
        return [Visit(r[0], from_db(r[1]), r[2]) for r in rows]

    async def cadres_in(self, region_id: str) -> list[TeamCadre]:
        return list(_team(await self._tx.fetchall(SELECT_CADRES_IN, (region_id,))))

    async def unvisited(
        self, region_id: str, start: datetime, end: datetime
    ) -> list[tuple[str, str]]:
        window = {"region": region_id, "start": to_db(start), "end": to_db(end)}
        return [(r[0], r[1]) for r in await self._tx.fetchall(SELECT_UNVISITED, window)]

    async def household_count(self, region_id: str) -> int:
        return int(await self._tx.scalar(COUNT_HOUSEHOLDS_IN, (region_id,)) or 0)

    async def meeting_village(self, cadre_id: str) -> Place | None:
        row = await self._tx.fetchone(SELECT_MEETING_VILLAGE, {"cadre": cadre_id})
        return None if row is None else Place(row[0], row[1])

    async def add_meeting(
        self,
        region_id: str,
        cadre_id: str,
        now: datetime,
        topic: str,
        attendance: int,
        decisions: Sequence[str],
    ) -> int:
        values = (region_id, cadre_id, to_db(now), topic, attendance)
        meeting_id = await self._tx.insert(INSERT_MEETING, values)
        for number, text in enumerate(decisions, 1):
            await self._tx.execute(INSERT_DECISION, (meeting_id, number, text))
        return meeting_id

    async def decision(
        self, meeting_id: int, number: int
    ) -> tuple[str, int | None, str, str] | None:
        row = await self._tx.fetchone(SELECT_DECISION, (meeting_id, number))
        if row is None:
            return None
        return (row[0], None if row[1] is None else int(row[1]), row[2], row[3])

    async def decision_filed(self, meeting_id: int, number: int, request_id: int) -> None:
        await self._tx.execute(SET_DECISION_REQUEST, (request_id, meeting_id, number))

    async def meetings_in(
        self, region_id: str, start: datetime, end: datetime
    ) -> tuple[int, int, int]:
        window = {"region": region_id, "start": to_db(start), "end": to_db(end)}
        row = await self._tx.fetchone(SELECT_MEETINGS_IN, window)
        return (0, 0, 0) if row is None else (int(row[0]), int(row[1]), int(row[2]))

    async def household_in(self, region_id: str, household_id: str) -> str | None:
        row = await self._tx.fetchone(SELECT_HOUSEHOLD_IN, (region_id, household_id))
        return None if row is None else str(row[0])

    async def households_in(self, region_id: str) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in await self._tx.fetchall(SELECT_HOUSEHOLDS_IN, (region_id,))]

    # 回头看

    async def supervises(self, cadre_id: str, household_id: str) -> bool:
        found = await self._tx.fetchone(
            SELECT_SUPERVISES, {"cadre": cadre_id, "household": household_id}
        )
        return found is not None

    async def add_revisit(
        self, request_id: int, cadre_id: str, now: datetime, due_on: date
    ) -> int:
        values = (request_id, cadre_id, to_db(now), due_on.isoformat())
        return await self._tx.insert(INSERT_REVISIT, values)

    async def open_revisit(self, request_id: int) -> Revisit | None:
        row = await self._tx.fetchone(SELECT_OPEN_REVISIT, (request_id,))
        return None if row is None else _revisit(row)

    async def revisit(self, revisit_id: int) -> Revisit | None:
        row = await self._tx.fetchone(SELECT_REVISIT, (revisit_id,))
        return None if row is None else _revisit(row)

    async def finish_revisit(self, revisit_id: int, now: datetime, result: str, note: str) -> None:
        await self._tx.execute(FINISH_REVISIT, (to_db(now), result, note, revisit_id))

    async def overdue_revisits(self, today: date) -> list[Due]:
        rows = await self._tx.fetchall(SELECT_OVERDUE_REVISITS, (today.isoformat(),))
        return [
            Due(int(r[0]), int(r[1]), r[2], r[3], date.fromisoformat(r[4]), int(r[5]))
            for r in rows
        ]

    async def mark_reminded(self, revisit_id: int, now: datetime) -> None:
        await self._tx.execute(MARK_REMINDED, (to_db(now), revisit_id))

    async def revisits_in(
        self, region_id: str, start: datetime, end: datetime, today: date
    ) -> tuple[int, int, int, int]:
        window = {
            "region": region_id,
            "start": to_db(start),
            "end": to_db(end),
            "today": today.isoformat(),
        }
        row = await self._tx.fetchone(SELECT_REVISITS_IN, window)
        if row is None:
            return (0, 0, 0, 0)
        return (int(row[0]), int(row[1]), int(row[2]), int(row[3]))
