"""Due times in SQLite: the requests near or past one, the reminders sent, and the
supervisors to tell; the ``DeadlineStore`` of ``bot.domain.deadlines``, and ``Deadlines``,
what the use cases of ``bot.services.deadlines`` ask besides (the sweeps' finds, the
request a cadre names in ``/extend``)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.deadlines import Due
from storage import cadre_views
from storage.db import Tx
from storage.requests import Requests, resolved_before
from storage.timefmt import from_db, to_db

# Requests being worked on with a due time between now and the horizon (the longest
# reminder lead); the domain decides which of them to remind of now.
SELECT_NEAR_DUE = """
SELECT id FROM requests
WHERE status IN ('open', 'acknowledged') AND (
    (first_response_at IS NULL AND respond_by > :now AND respond_by <= :horizon)
    OR (resolve_by > :now AND resolve_by <= :horizon)
)
ORDER BY id
LIMIT :limit
"""
# Requests past a due time (or reopened twice and not yet escalated for it), unless they
# are stalled at the top of their chain.
SELECT_OVERDUE = """
SELECT id FROM requests
WHERE status IN ('open', 'acknowledged') AND stalled_at IS NULL AND (
    (first_response_at IS NULL AND respond_by <= :now)
    OR resolve_by <= :now
    OR (status = 'open' AND reopened >= :reopens AND reopen_escalated < reopened)
)
ORDER BY id
LIMIT :limit
"""
INSERT_REMINDER = """
INSERT INTO sent_reminders (request_id, due, due_at, sent_at) VALUES (?, ?, ?, ?)
ON CONFLICT DO NOTHING
"""
# Resolved requests the villager has not answered whose automatic close is near (resolved
# at or before :remind, after :close), not yet reminded of for this resolution.
SELECT_CLOSING_SOON = """
SELECT r.id, r.resolved_at FROM requests r
WHERE r.status = 'resolved' AND r.resolved_at <= :remind AND r.resolved_at > :close
  AND NOT EXISTS (SELECT 1 FROM close_reminders c
                  WHERE c.request_id = r.id AND c.resolved_at = r.resolved_at)
ORDER BY r.resolved_at
LIMIT :limit
"""
INSERT_CLOSE_REMINDER = """
INSERT INTO close_reminders (request_id, resolved_at, sent_at) VALUES (?, ?, ?)
ON CONFLICT DO NOTHING
"""
BATCH = 500


class DeadlineRequests(Requests):
    """The request store, with what the deadline services need besides."""

    async def mark_reminded(
        self, request_id: int, due: Due, due_at: datetime, at: datetime
    ) -> bool:
        added = await self._tx.execute(
            INSERT_REMINDER, (request_id, due.value, to_db(due_at), to_db(at))
        )
        return added > 0

    async def jurisdiction_supervisors(self, household_id: str) -> list[str]:
        rows = await self.supervisor_rows_above(household_id)
        nearest = min((r["depth"] for r in rows), default=None)
        return [r["id"] for r in rows if r["depth"] == nearest]

    async def all_supervisors_above(self, household_id: str) -> list[str]:
        rows = await self.supervisor_rows_above(household_id)
        return list(dict.fromkeys(r["id"] for r in rows))


async def near_due(tx: Tx, now: datetime, horizon: datetime, limit: int = BATCH) -> list[int]:
    """Requests with a running due time before ``horizon`` and not yet passed."""
    params = {"now": to_db(now), "horizon": to_db(horizon), "limit": limit}
    return [int(r[0]) for r in await tx.fetchall(SELECT_NEAR_DUE, params)]


async def overdue(tx: Tx, now: datetime, reopens: int, limit: int = BATCH) -> list[int]:
    """Requests past a due time, or reopened ``reopens`` times without an escalation."""
    params = {"now": to_db(now), "reopens": reopens, "limit": limit}
    return [int(r[0]) for r in await tx.fetchall(SELECT_OVERDUE, params)]


class Deadlines(DeadlineRequests):
    """The deadline use cases' repository: the store, and the requests the sweeps act on."""

    async def near_due(self, now: datetime, horizon: datetime, limit: int) -> list[int]:
        return await near_due(self._tx, now, horizon, limit)

    async def overdue(self, now: datetime, reopens: int, limit: int) -> list[int]:
        return await overdue(self._tx, now, reopens, limit)

    async def resolved_before(self, cutoff: datetime, limit: int) -> list[int]:
        return await resolved_before(self._tx, cutoff, limit)

    async def closing_soon(
        self, remind: datetime, close: datetime, limit: int
    ) -> list[tuple[int, datetime]]:
        """Resolved requests (id, resolved at) resolved in (``close``, ``remind``] and not
        yet reminded of for that resolution."""
        params = {"remind": to_db(remind), "close": to_db(close), "limit": limit}
        rows = await self._tx.fetchall(SELECT_CLOSING_SOON, params)
        return [(int(r[0]), from_db(r[1])) for r in rows]

    async def mark_close_reminded(
        self, request_id: int, resolved_at: datetime, at: datetime
    ) -> bool:
        """Note the reminder of this resolution's close; False if it was noted already."""
        added = await self._tx.execute(
            INSERT_CLOSE_REMINDER, (request_id, to_db(resolved_at), to_db(at))
        )
        return added > 0

    async def visible(self, cadre_id: str, number: str) -> int | None:
        """The request numbered ``number`` if the cadre may see it (else None: a number
        that exists but is not theirs reads as a missing one)."""
        request_id = await cadre_views.request_id_by_number(self._tx, number)
        if request_id is None or not await cadre_views.may_see(self._tx, cadre_id, request_id):
            return None
        return request_id
