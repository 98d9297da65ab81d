"""The inbox: every update Telegram delivered, kept until it has been handled.

Rows are keyed by arrival (``id``), not by ``update_id``: Telegram may start its ids
again (at random after a week of silence; at 1 on a new Bot API server), so only the
same id *with the same content* is a redelivery to ignore.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
) AS waiting
WHERE place <= ?
ORDER BY place, id
LIMIT ?
"""
# PostgreSQL has no INDEXED BY, and picks the partial index for this scan by itself.
SELECT_PENDING_PG = SELECT_PENDING.replace(" INDEXED BY inbox_pending", "")
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
    select = SELECT_PENDING if db.dialect == "sqlite" else SELECT_PENDING_PG
    async with db.read() as tx:
        rows = await tx.fetchall(select, (per_lane, limit))
    return [PendingUpdate(r["id"], r["lane"]) for r in rows]


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
