"""Due times in SQLite: the requests near or past one, the reminders sent, and the
supervisors to tell; the ``DeadlineStore`` of ``bot.domain.deadlines``, and ``Deadlines``,
what the use cases of ``bot.services.deadlines`` ask besides (the sweeps' finds, the
request a cadre names in ``/extend``)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.deadlines import Due, Missed
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
# Requests with an overdue fact not yet urged (``bot.domain.deadlines.missed``): a due
# time passed whose urge is not in ``urgings`` (0016), or a second reopen not yet answered
# by an escalation nor urged; never one stalled at the top of its chain.
SELECT_UNURGED = """
SELECT r.id FROM requests r
WHERE r.status IN ('open', 'acknowledged') AND r.stalled_at IS NULL AND (
    (r.first_response_at IS NULL AND r.respond_by <= :now
     AND NOT EXISTS (SELECT 1 FROM urgings u WHERE u.request_id = r.id
                     AND u.due = 'respond' AND u.mark = r.respond_by))
    OR (r.resolve_by <= :now
        AND NOT EXISTS (SELECT 1 FROM urgings u WHERE u.request_id = r.id
                        AND u.due = 'resolve' AND u.mark = r.resolve_by))
    OR (r.status = 'open' AND r.reopened >= :reopens AND r.reopen_escalated < r.reopened
        AND NOT EXISTS (SELECT 1 FROM urgings u WHERE u.request_id = r.id
                        AND u.due = 'reopened' AND u.mark = CAST(r.reopened AS TEXT)))
)
ORDER BY r.id
LIMIT :limit
"""
# The second deadline (``deadlines.escalate_after``) passed: a due time missed before
# :cutoff, or an unanswered second reopen urged before it.
SELECT_TO_ESCALATE = """
SELECT r.id FROM requests r
WHERE r.status IN ('open', 'acknowledged') AND r.stalled_at IS NULL AND (
    (r.first_response_at IS NULL AND r.respond_by <= :cutoff)
    OR r.resolve_by <= :cutoff
    OR (r.status = 'open' AND r.reopened >= :reopens AND r.reopen_escalated < r.reopened
        AND EXISTS (SELECT 1 FROM urgings u WHERE u.request_id = r.id AND u.due = 'reopened'
                    AND u.mark = CAST(r.reopened AS TEXT) AND u.urged_at <= :cutoff))
)
ORDER BY r.id
LIMIT :limit
"""
INSERT_URGING = """
INSERT INTO urgings (request_id, due, mark, urged_at) VALUES (?, ?, ?, ?)
ON CONFLICT DO NOTHING
"""
SELECT_URGED_AT = "SELECT urged_at FROM urgings WHERE request_id = ? AND due = ? AND mark = ?"
INSERT_DIGEST_LINE = """
INSERT INTO digest_lines (recipient, request_id, what, note, at) VALUES (?, ?, ?, ?, ?)
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

    async def note_for_digest(
        self, recipient: str, request_id: int, what: str, note: str, at: datetime
    ) -> None:
        """A line for the recipient's next digest (``bot.services.deadlines.DigestBook``)."""
        await self._tx.execute(INSERT_DIGEST_LINE, (recipient, request_id, what, note, to_db(at)))

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


def _mark(fact: Missed) -> str:
    """How an urged fact is keyed: the due time as ``requests`` stores it, or the count."""
    return to_db(fact.at) if fact.at is not None else str(fact.reopens)


class Deadlines(DeadlineRequests):
    """The deadline use cases' repository: the store, and the requests the sweeps act on."""

    async def near_due(self, now: datetime, horizon: datetime, limit: int) -> list[int]:
        return await near_due(self._tx, now, horizon, limit)

    async def unurged(self, now: datetime, reopens: int, limit: int) -> list[int]:
        params = {"now": to_db(now), "reopens": reopens, "limit": limit}
        return [int(r[0]) for r in await self._tx.fetchall(SELECT_UNURGED, params)]

    async def to_escalate(
        self, now: datetime, cutoff: datetime, reopens: int, limit: int
    ) -> list[int]:
        params = {"cutoff": to_db(cutoff), "reopens": reopens, "limit": limit}
        return [int(r[0]) for r in await self._tx.fetchall(SELECT_TO_ESCALATE, params)]

    async def mark_urged(self, request_id: int, fact: Missed, at: datetime) -> bool:
        row = (request_id, fact.due.value, _mark(fact), to_db(at))
        return await self._tx.execute(INSERT_URGING, row) > 0

    async def urged_at(self, request_id: int, fact: Missed) -> datetime | None:
        value = await self._tx.scalar(SELECT_URGED_AT, (request_id, fact.due.value, _mark(fact)))
        return None if value is None else from_db(str(value))

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
