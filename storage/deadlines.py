"""Due times in SQLite: the requests near or past one, the reminders sent, and the
supervisors to tell; the ``DeadlineStore`` of ``bot.domain.deadlines``."""

from __future__ import annotations

from datetime import datetime

from bot.domain.deadlines import Due
from storage.db import Tx
from storage.requests import Requests
from storage.timefmt import to_db

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
