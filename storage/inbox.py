"""The inbox: every update Telegram delivered, kept until it has been handled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, Tx
from storage.timefmt import to_db

INSERT_UPDATE = """
INSERT INTO inbox (update_id, lane, payload, received_at) VALUES (?, ?, ?, ?)
ON CONFLICT (update_id) DO NOTHING
"""
SELECT_PENDING = """
SELECT update_id, lane FROM inbox
WHERE status = 'pending'
ORDER BY update_id LIMIT ?
"""
MARK_DONE = "UPDATE inbox SET status = 'done', handled_at = ? WHERE update_id = ?"
MARK_FAILED = "UPDATE inbox SET status = 'failed', handled_at = ?, error = ? WHERE update_id = ?"
SELECT_PENDING_PAYLOAD = "SELECT payload FROM inbox WHERE update_id = ? AND status = 'pending'"
SELECT_LANE = "SELECT lane FROM inbox WHERE update_id = ?"
MAX_UPDATE_ID = "SELECT max(update_id) FROM inbox"
COUNT_BY_STATUS = "SELECT status, count(*) FROM inbox GROUP BY status"
SELECT_FAILED = "SELECT update_id, handled_at, error FROM inbox WHERE status = 'failed' ORDER BY 1"
REQUEUE_FAILED = "UPDATE inbox SET status = 'pending', error = NULL WHERE status = 'failed'"


@dataclass(frozen=True)
class StoredUpdate:
    update_id: int
    lane: int
    payload: str


@dataclass(frozen=True)
class PendingUpdate:
    update_id: int
    lane: int


@dataclass(frozen=True)
class FailedUpdate:
    update_id: int
    handled_at: str
    error: str


async def store(db: Database, updates: list[StoredUpdate], now: datetime) -> None:
    """Keep a batch from getUpdates or the webhook; an update seen before is ignored."""
    async with db.transaction() as tx:
        await tx.executemany(
            INSERT_UPDATE, [(u.update_id, u.lane, u.payload, to_db(now)) for u in updates]
        )


async def pending(db: Database, limit: int = 1000) -> list[PendingUpdate]:
    """The oldest rows still to handle (ids and lanes only; payloads are read one by one)."""
    async with db.read() as tx:
        rows = await tx.fetchall(SELECT_PENDING, (limit,))
    return [PendingUpdate(r["update_id"], r["lane"]) for r in rows]


async def payload_if_pending(tx: Tx, update_id: int) -> str | None:
    value = await tx.scalar(SELECT_PENDING_PAYLOAD, (update_id,))
    return None if value is None else str(value)


async def lane_of(tx: Tx, update_id: int) -> int:
    return int(await tx.scalar(SELECT_LANE, (update_id,)) or 0)


async def mark_done(tx: Tx, update_id: int, now: datetime) -> None:
    await tx.execute(MARK_DONE, (to_db(now), update_id))


async def mark_failed(tx: Tx, update_id: int, error: str, now: datetime) -> None:
    await tx.execute(MARK_FAILED, (to_db(now), error, update_id))


async def last_update_id(db: Database) -> int | None:
    """The newest update stored; getUpdates resumes after it, even after a crash."""
    async with db.read() as tx:
        value = await tx.scalar(MAX_UPDATE_ID)
    return None if value is None else int(value)


async def counts(tx: Tx) -> dict[str, int]:
    rows = await tx.fetchall(COUNT_BY_STATUS)
    return {r[0]: int(r[1]) for r in rows}


async def failed(db: Database) -> list[FailedUpdate]:
    async with db.read() as tx:
        rows = await tx.fetchall(SELECT_FAILED)
    return [FailedUpdate(r[0], r[1], r[2]) for r in rows]


async def requeue_failed(db: Database) -> int:
    async with db.transaction() as tx:
        return await tx.execute(REQUEUE_FAILED)
