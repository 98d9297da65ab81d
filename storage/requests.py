"""Requests and their trail in SQLite: the ``RequestStore`` of ``bot.domain.requests``."""

from __future__ import annotations

import json
from datetime import datetime

from bot.domain.lifecycle import Category, Event, Outcome, Resolution, Status
from bot.domain.requests import Content, Request, TrailLine
from bot.domain.routing import Candidate
from storage.db import Row, Tx
from storage.timefmt import from_db, to_db

NEXT_NUMBER = """
INSERT INTO request_numbers (year, last) VALUES (?, 1)
ON CONFLICT (year) DO UPDATE SET last = request_numbers.last + 1
RETURNING last
"""
INSERT_REQUEST = """
INSERT INTO requests (number, household_id, category, urgent, about_cadre, status, handler_id,
                      tier, filed_at, filed_by_user, filed_by_cadre, respond_by, resolve_by,
                      due_from, accused_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
SELECT_REQUEST = "SELECT * FROM requests WHERE id = ?"
SELECT_BY_NUMBER = "SELECT * FROM requests WHERE number = ?"
UPDATE_REQUEST = """
UPDATE requests SET status = ?, handler_id = ?, tier = ?, first_response_at = ?,
       resolution = ?, resolved_at = CASE WHEN ? = 'resolved' THEN ? ELSE resolved_at END,
       outcome = ?, closed_at = CASE WHEN ? = 'closed' THEN ? ELSE closed_at END, reopened = ?,
       category = ?, urgent = ?, about_cadre = ?, respond_by = ?, resolve_by = ?,
       due_from = ?, extended_at = ?, stalled_at = ?, reopen_escalated = ?, accused_id = ?
WHERE id = ?
"""
INSERT_EVENT = """
INSERT INTO request_events (request_id, at, kind, actor, handler_id, detail)
VALUES (?, ?, ?, ?, ?, ?)
"""
SELECT_CHAIN = """
SELECT l.tier, c.id, c.backup_id, a.user_id, w.until
FROM links l
JOIN cadres c ON c.id = l.cadre_id
LEFT JOIN cadre_accounts a ON a.cadre_id = c.id
LEFT JOIN cadre_away w ON w.cadre_id = c.id
WHERE l.household_id = ?
ORDER BY l.tier, c.id
"""
SELECT_CANDIDATE = """
SELECT c.id, a.user_id, w.until
FROM cadres c
LEFT JOIN cadre_accounts a ON a.cadre_id = c.id
LEFT JOIN cadre_away w ON w.cadre_id = c.id
WHERE c.id = ?
"""
# The supervisors of a region and of every region above it, nearest first (depth 0 is
# the region itself); the start is a household's parent region or a cadre's own region.
SELECT_SUPERVISORS_FROM = """
WITH RECURSIVE up (id, depth) AS (
    SELECT ?, 0
    UNION ALL
    SELECT r.parent_id, up.depth + 1 FROM up JOIN regions r ON r.id = up.id
    WHERE r.parent_id IS NOT NULL AND up.depth < 20
)
SELECT c.id, up.depth, a.user_id, w.until
FROM up
JOIN cadres c ON c.supervises = up.id
LEFT JOIN cadre_accounts a ON a.cadre_id = c.id
LEFT JOIN cadre_away w ON w.cadre_id = c.id
ORDER BY up.depth, c.id
"""
# The discipline contacts (migration 0017) of a region and of every region above it,
# nearest first, as SELECT_SUPERVISORS_FROM: a confidential complaint's first recipients.
SELECT_DISCIPLINE_FROM = """
WITH RECURSIVE up (id, depth) AS (
    SELECT ?, 0
    UNION ALL
    SELECT r.parent_id, up.depth + 1 FROM up JOIN regions r ON r.id = up.id
    WHERE r.parent_id IS NOT NULL AND up.depth < 20
)
SELECT c.id, up.depth, a.user_id, w.until
FROM up
JOIN regions g ON g.id = up.id
JOIN cadres c ON c.id = g.discipline_contact
LEFT JOIN cadre_accounts a ON a.cadre_id = c.id
LEFT JOIN cadre_away w ON w.cadre_id = c.id
ORDER BY up.depth, c.id
"""
SELECT_HOUSEHOLD_PARENT_REGION = """
SELECT r.parent_id FROM households h JOIN regions r ON r.id = h.region_id WHERE h.id = ?
"""
SELECT_CADRE_REGION = "SELECT region_id FROM cadres WHERE id = ?"
SELECT_CADRE_PARENT_REGION = """
SELECT r.parent_id FROM cadres c JOIN regions r ON r.id = c.region_id WHERE c.id = ?
"""
SELECT_FILED_DETAIL = """
SELECT detail FROM request_events WHERE request_id = ? AND kind = 'filed' ORDER BY id LIMIT 1
"""
# The trail with a name for each actor (the cadre's, or the villager's Telegram name) and
# for the handler after each event; a follow-up split into a request of its own
# (「另起一件事」, storage/follow_ups.py) is no longer this request's.
SELECT_TRAIL = """
SELECT e.at, e.kind, e.actor, e.detail, e.handler_id, c.name AS cadre_name,
       a.first_name AS villager_name, h.name AS handler_name
FROM request_events e
LEFT JOIN cadres c ON e.actor = 'cadre:' || c.id
LEFT JOIN accounts a ON e.actor = 'villager:' || a.user_id
LEFT JOIN cadres h ON h.id = e.handler_id
WHERE e.request_id = ?
  AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.event_id = e.id AND f.split_to IS NOT NULL)
ORDER BY e.id
"""
# Former handlers who may still reply: only while linked to the household or supervising
# its region (a cadre moved elsewhere, or removed, keeps no say in old cases).
SELECT_PREVIOUS_HANDLERS = """
WITH RECURSIVE up (id, depth) AS (
    SELECT h.region_id, 0 FROM requests r JOIN households h ON h.id = r.household_id
    WHERE r.id = :request
    UNION ALL
    SELECT g.parent_id, up.depth + 1 FROM up JOIN regions g ON g.id = up.id
    WHERE g.parent_id IS NOT NULL AND up.depth < 20
)
SELECT DISTINCT e.handler_id FROM request_events e JOIN requests r ON r.id = e.request_id
WHERE e.request_id = :request AND e.handler_id IS NOT NULL AND (
    EXISTS (SELECT 1 FROM links l
            WHERE l.household_id = r.household_id AND l.cadre_id = e.handler_id)
    OR EXISTS (SELECT 1 FROM cadres c JOIN up ON c.supervises = up.id
               WHERE c.id = e.handler_id)
)
"""
SELECT_UNCONFIRMED = """
SELECT id FROM requests WHERE status = 'resolved' AND resolved_at <= ? ORDER BY resolved_at
LIMIT ?
"""
SELECT_IS_MEMBER = "SELECT 1 FROM members WHERE user_id = ? AND household_id = ?"
SELECT_LINKED = "SELECT 1 FROM links WHERE cadre_id = ? AND household_id = ?"


async def trail(tx: Tx, request_id: int) -> list[TrailLine]:
    """The request's events in order (whoever may see them is the caller's question)."""
    return [
        TrailLine(
            at=from_db(r["at"]),
            kind=r["kind"],
            actor=r["actor"],
            actor_name=r["cadre_name"] or r["villager_name"] or "",
            handler_id=r["handler_id"],
            handler_name=r["handler_name"] or "",
            detail=json.loads(r["detail"]),
        )
        for r in await tx.fetchall(SELECT_TRAIL, (request_id,))
    ]


def _time(value: str | None) -> datetime | None:
    return None if value is None else from_db(value)


def _stamp(value: datetime | None) -> str | None:
    return None if value is None else to_db(value)


def _request(row: Row) -> Request:
    return Request(
        id=row["id"],
        number=row["number"],
        household_id=row["household_id"],
        category=Category(row["category"]),
        urgent=bool(row["urgent"]),
        about_cadre=bool(row["about_cadre"]),
        status=Status(row["status"]),
        handler_id=row["handler_id"],
        tier=row["tier"],
        filed_at=from_db(row["filed_at"]),
        respond_by=from_db(row["respond_by"]),
        resolve_by=from_db(row["resolve_by"]),
        first_response_at=_time(row["first_response_at"]),
        resolution=Resolution(row["resolution"]) if row["resolution"] else None,
        outcome=_outcome(row),
        reopened=row["reopened"],
        due_from=_time(row["due_from"]),
        extended_at=_time(row["extended_at"]),
        stalled_at=_time(row["stalled_at"]),
        reopen_escalated=row["reopen_escalated"],
        accused_id=row["accused_id"],
        leader_id=row["leader_id"],
    )


def _outcome(row: Row) -> Outcome | None:
    """A closed request without an outcome was withdrawn (撤回): ``outcome``'s CHECK
    (migration 0004) knows only the villager's ratings and the timeout, and every other
    way to close sets one."""
    if row["outcome"]:
        return Outcome(row["outcome"])
    return Outcome.WITHDRAWN if row["status"] == Status.CLOSED.value else None


def _stored_outcome(outcome: Outcome | None) -> str | None:
    """The ``outcome`` column: NULL for none and for withdrawn (see ``_outcome``)."""
    if outcome is None or outcome is Outcome.WITHDRAWN:
        return None
    return outcome.value


def _candidate(row: Row, tier: int = 0, backup: Candidate | None = None) -> Candidate:
    return Candidate(
        cadre_id=row["id"],
        tier=tier,
        bound=row["user_id"] is not None,
        away_until=_time(row["until"]),
        backup=backup,
    )


class Requests:
    """The request store over one transaction."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def next_number(self, year: int) -> int:
        return int(await self._tx.scalar(NEXT_NUMBER, (year,)))

    async def insert(
        self, request: Request, filed_by_user: int | None, by_cadre: str | None
    ) -> int:
        return await self._tx.insert(
            INSERT_REQUEST,
            (
                request.number,
                request.household_id,
                request.category.value,
                int(request.urgent),
                int(request.about_cadre),
                request.status.value,
                request.handler_id,
                request.tier,
                to_db(request.filed_at),
                filed_by_user,
                by_cadre,
                to_db(request.respond_by),
                to_db(request.resolve_by),
                to_db(request.due_since),
                request.accused_id,
            ),
        )

    async def get(self, request_id: int) -> Request | None:
        row = await self._tx.fetchone(SELECT_REQUEST, (request_id,))
        return None if row is None else _request(row)

    async def by_number(self, number: str) -> Request | None:
        row = await self._tx.fetchone(SELECT_BY_NUMBER, (number.strip().upper(),))
        return None if row is None else _request(row)

    async def record(
        self, request: Request, at: datetime, event: Event, actor: str, detail: dict[str, object]
    ) -> None:
        stamp = to_db(at)
        first = request.first_response_at
        await self._tx.execute(
            UPDATE_REQUEST,
            (
                request.status.value,
                request.handler_id,
                request.tier,
                None if first is None else to_db(first),
                None if request.resolution is None else request.resolution.value,
                request.status.value,
                stamp,
                _stored_outcome(request.outcome),
                request.status.value,
                stamp,
                request.reopened,
                request.category.value,
                int(request.urgent),
                int(request.about_cadre),
                to_db(request.respond_by),
                to_db(request.resolve_by),
                to_db(request.due_since),
                _stamp(request.extended_at),
                _stamp(request.stalled_at),
                request.reopen_escalated,
                request.accused_id,
                request.id,
            ),
        )
        await self._tx.execute(
            INSERT_EVENT,
            (
                request.id,
                stamp,
                event.value,
                actor,
                request.handler_id,
                json.dumps(detail, ensure_ascii=False),
            ),
        )

    async def chain(self, household_id: str) -> list[Candidate]:
        rows = await self._tx.fetchall(SELECT_CHAIN, (household_id,))
        chain = []
        for row in rows:
            backup = None
            if row["backup_id"]:
                found = await self._tx.fetchone(SELECT_CANDIDATE, (row["backup_id"],))
                backup = None if found is None else _candidate(found, row["tier"])
            chain.append(_candidate(row, row["tier"], backup))
        return chain

    async def supervisor_rows_above(self, household_id: str) -> list[Row]:
        """Supervisors of the regions above the household's, nearest first, with depth."""
        start = await self._tx.scalar(SELECT_HOUSEHOLD_PARENT_REGION, (household_id,))
        return await self._supervisor_rows_from(start)

    async def _supervisor_rows_from(self, region_id: str | None) -> list[Row]:
        if region_id is None:
            return []
        return await self._tx.fetchall(SELECT_SUPERVISORS_FROM, (region_id,))

    async def supervisors_above(self, household_id: str) -> list[Candidate]:
        return [_candidate(row) for row in await self.supervisor_rows_above(household_id)]

    async def supervisors_over(self, cadre_id: str) -> list[Candidate]:
        start = await self._tx.scalar(SELECT_CADRE_REGION, (cadre_id,))
        return [_candidate(row) for row in await self._supervisor_rows_from(start)]

    async def supervisors_above_cadre(self, cadre_id: str) -> list[Candidate]:
        """Supervisors of the regions strictly above the cadre's own, nearest first."""
        start = await self._tx.scalar(SELECT_CADRE_PARENT_REGION, (cadre_id,))
        return [_candidate(row) for row in await self._supervisor_rows_from(start)]

    async def discipline_contacts_above_cadre(self, cadre_id: str) -> list[Candidate]:
        """The discipline contacts of the regions strictly above the cadre's own."""
        start = await self._tx.scalar(SELECT_CADRE_PARENT_REGION, (cadre_id,))
        if start is None:
            return []
        rows = await self._tx.fetchall(SELECT_DISCIPLINE_FROM, (start,))
        return [_candidate(row) for row in rows]

    async def trail(self, request_id: int) -> list[TrailLine]:
        return await trail(self._tx, request_id)

    async def filed_content(self, request_id: int) -> Content | None:
        """What was sent when the request was filed (the FILED event's content)."""
        detail = await self._tx.scalar(SELECT_FILED_DETAIL, (request_id,))
        if detail is None:
            return None
        fields = Content.__dataclass_fields__
        return Content(**{k: v for k, v in json.loads(detail).items() if k in fields})

    async def previous_handlers(self, request_id: int) -> set[str]:
        rows = await self._tx.fetchall(SELECT_PREVIOUS_HANDLERS, {"request": request_id})
        return {r[0] for r in rows}

    async def is_member(self, user_id: int, household_id: str) -> bool:
        return await self._tx.fetchone(SELECT_IS_MEMBER, (user_id, household_id)) is not None

    async def linked(self, cadre_id: str, household_id: str) -> bool:
        return await self._tx.fetchone(SELECT_LINKED, (cadre_id, household_id)) is not None


async def resolved_before(tx: Tx, cutoff: datetime, limit: int = 500) -> list[int]:
    """Requests resolved at or before ``cutoff`` that the villager has not answered."""
    rows = await tx.fetchall(SELECT_UNCONFIRMED, (to_db(cutoff), limit))
    return [int(r[0]) for r in rows]
