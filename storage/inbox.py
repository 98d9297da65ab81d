"""The inbox: every update Telegram delivered, kept until it has been handled.

Rows are keyed by arrival (``id``), not by ``update_id``: Telegram may start its ids
again (at random after a week of silence; at 1 on a new Bot API server), so only the
same id *with the same content* is a redelivery to ignore.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.redaction import redact
from storage.db import Database, Tx
from storage.timefmt import to_db

INSERT_UPDATE = """
INSERT INTO inbox (update_id, lane, payload, received_at)
SELECT :update_id, :lane, :payload, :now
WHERE NOT EXISTS (
    SELECT 1 FROM inbox WHERE update_id = :update_id AND payload = :payload
)
"""
# Fair across chats: at most `per_lane` rows of each chat, first rows of every chat
# before second rows, so one chat's backlog does not hide a newcomer's message. The
# partial index holds only pending rows, in (lane, id) order, the window's own order: the
# scan costs what is pending, not the whole history (INDEXED BY pins it: the former
# `ORDER BY id` form made the planner walk the whole table by id).
SELECT_PENDING = """
SELECT id, lane FROM (
    SELECT id, lane, row_number() OVER (PARTITION BY lane ORDER BY id) AS place
    FROM inbox INDEXED BY inbox_pending
    WHERE status = 'pending'
) AS queued
WHERE place <= ?
ORDER BY place, id
LIMIT ?
"""
# A claim (several processes on one database, migration 0027): the same fair window, but
# only over chats nobody else holds, i.e. no pending row of the chat under another
# process's live lease. A chat's rows are thus taken by one process at a time, in order;
# a killed process's chats come free when its leases end. Claims are write transactions,
# and on PostgreSQL every write transaction holds the schema's write lock
# (storage/pg.py), so two claims never interleave: no row is leased twice, and no
# ``FOR UPDATE SKIP LOCKED`` is needed (PostgreSQL refuses it beside a window anyway).
CLAIM_PENDING = """
SELECT id, lane FROM (
    SELECT id, lane, row_number() OVER (PARTITION BY lane ORDER BY id) AS place
    FROM inbox INDEXED BY inbox_pending
    WHERE status = 'pending'
) AS queued
WHERE place <= :per_lane AND lane NOT IN (
    SELECT lane FROM inbox INDEXED BY inbox_pending
    WHERE status = 'pending' AND leased_by <> :me AND lease_until > :now
)
ORDER BY place, id
LIMIT :limit
"""
LEASE = "UPDATE inbox SET leased_by = ?, lease_until = ? WHERE id = ?"
RENEW = "UPDATE inbox SET lease_until = ? WHERE leased_by = ? AND status = 'pending'"
RELEASE = """
UPDATE inbox SET leased_by = NULL, lease_until = NULL WHERE leased_by = ? AND status = 'pending'
"""
# Handled only by the process whose lease it is: one whose lease ended and was taken
# over finds the row no longer its own (and drops the chat).
SELECT_PAYLOAD_IF_MINE = """
SELECT payload FROM inbox WHERE id = ? AND status = 'pending' AND leased_by = ?
"""
MARK_DONE = "UPDATE inbox SET status = 'done', handled_at = ? WHERE id = ? AND status = 'pending'"
MARK_FAILED = "UPDATE inbox SET status = 'failed', handled_at = ?, error = ? WHERE id = ?"
SELECT_PENDING_PAYLOAD = "SELECT payload FROM inbox WHERE id = ? AND status = 'pending'"
SELECT_LANE = "SELECT lane FROM inbox WHERE id = ?"
COUNT_BY_STATUS = "SELECT status, count(*) FROM inbox GROUP BY status"
SELECT_FAILED = """
SELECT id, update_id, handled_at, error FROM inbox WHERE status = 'failed' ORDER BY id
"""
REQUEUE_FAILED = "UPDATE inbox SET status = 'pending', error = NULL WHERE status = 'failed'"


@dataclass(frozen=True)
class StoredUpdate:
    update_id: int
    lane: int
    payload: str


@dataclass(frozen=True)
class PendingUpdate:
    id: int  # the inbox row
    lane: int


@dataclass(frozen=True)
class FailedUpdate:
    id: int  # the inbox row
    update_id: int
    handled_at: str
    error: str


async def store(db: Database, updates: list[StoredUpdate], now: datetime) -> None:
    """Keep a batch from getUpdates or the webhook; an update seen before is ignored."""
    async with db.transaction() as tx:
        await tx.executemany(
            INSERT_UPDATE,
            [
                {"update_id": u.update_id, "lane": u.lane, "payload": u.payload, "now": to_db(now)}
                for u in updates
            ],
        )


async def pending(db: Database, limit: int = 1000, per_lane: int = 8) -> list[PendingUpdate]:
    """Rows still to handle, the oldest ``per_lane`` of each chat (ids and lanes only;
    payloads are read one by one), each chat's first before anyone's second."""
    async with db.read() as tx:
        rows = await tx.fetchall(SELECT_PENDING, (per_lane, limit))
    return [PendingUpdate(r["id"], r["lane"]) for r in rows]


async def claim(
    db: Database,
    me: str,
    now: datetime,
    lease: timedelta,
    limit: int = 1000,
    per_lane: int = 8,
) -> list[PendingUpdate]:
    """Lease to ``me`` until ``now + lease`` the rows ``pending`` would give, of the chats
    no other process holds, in one short transaction; the leases ``me`` holds already are
    renewed with them. Returns the rows, in ``pending``'s order."""
    until = to_db(now + lease)
    async with db.transaction() as tx:
        await tx.execute(RENEW, (until, me))
        rows = await tx.fetchall(
            CLAIM_PENDING, {"per_lane": per_lane, "me": me, "now": to_db(now), "limit": limit}
        )
        await tx.executemany(LEASE, [(me, until, r["id"]) for r in rows])
    return [PendingUpdate(r["id"], r["lane"]) for r in rows]


async def renew(db: Database, me: str, now: datetime, lease: timedelta) -> int:
    """Keep ``me``'s leases on rows not yet handled until ``now + lease``."""
    async with db.transaction() as tx:
        return await tx.execute(RENEW, (to_db(now + lease), me))


async def release(db: Database, me: str) -> int:
    """Hand ``me``'s pending rows back at once (a clean stop), not at their leases' end."""
    async with db.transaction() as tx:
        return await tx.execute(RELEASE, (me,))


async def payload_if_mine(tx: Tx, inbox_id: int, me: str) -> str | None:
    """The row's update if it is still pending and leased to ``me``."""
    value = await tx.scalar(SELECT_PAYLOAD_IF_MINE, (inbox_id, me))
    return None if value is None else str(value)


async def payload_if_pending(tx: Tx, inbox_id: int) -> str | None:
    value = await tx.scalar(SELECT_PENDING_PAYLOAD, (inbox_id,))
    return None if value is None else str(value)


async def lane_of(tx: Tx, inbox_id: int) -> int:
    return int(await tx.scalar(SELECT_LANE, (inbox_id,)) or 0)


async def mark_done(tx: Tx, inbox_id: int, now: datetime) -> None:
    await tx.execute(MARK_DONE, (to_db(now), inbox_id))


async def mark_failed(tx: Tx, inbox_id: int, error: str, now: datetime) -> None:
    await tx.execute(MARK_FAILED, (to_db(now), redact(error), inbox_id))


async def counts(tx: Tx) -> dict[str, int]:
    rows = await tx.fetchall(COUNT_BY_STATUS)
    return {r[0]: int(r[1]) for r in rows}


class Inbox:
    """The inbox's figures over one transaction (``bot.services.status``)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def counts(self) -> dict[str, int]:
        """Updates by status (pending, done, failed)."""
        return await counts(self._tx)


async def failed(db: Database) -> list[FailedUpdate]:
    async with db.read() as tx:
        rows = await tx.fetchall(SELECT_FAILED)
    return [FailedUpdate(r[0], r[1], r[2], r[3]) for r in rows]


async def requeue_failed(db: Database) -> int:
    async with db.transaction() as tx:
        return await tx.execute(REQUEUE_FAILED)
