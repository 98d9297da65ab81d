"""The outbox: Bot API calls owed, written with the state change that owes them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any

from storage.db import Database, Tx
from storage.timefmt import to_db

INSERT_CALL = """
INSERT INTO outbox (lane, method, payload, priority, created_at, not_before,
                    source_inbox_id, dedup_key, if_failed)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING
"""
# The head of each lane: its most urgent, oldest pending call. A lane waits while its
# head is not yet due, so calls to one chat keep their order.
SELECT_READY = """
SELECT id, lane, method, payload, priority, attempts FROM (
    SELECT o.*, row_number() OVER (PARTITION BY lane ORDER BY priority, id) AS place
    FROM outbox AS o WHERE status = 'pending'
) AS heads
WHERE place = 1 AND not_before <= ?
ORDER BY priority, id
LIMIT ?
"""
NEXT_DUE = "SELECT min(not_before) FROM outbox WHERE status = 'pending'"
MARK_SENT = """
UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, result_message_id = ?
WHERE id = ? AND status = 'pending'
"""
MARK_FAILED = """
UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?
WHERE id = ? AND status = 'pending'
"""
POSTPONE = """
UPDATE outbox SET not_before = ?, attempts = attempts + 1, last_error = ?
WHERE id = ? AND status = 'pending'
"""
GIVE_UP = """
UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?
WHERE id = ? AND status = 'pending'
RETURNING if_failed
"""
COUNT_BY_STATUS = "SELECT status, priority, count(*) FROM outbox GROUP BY status, priority"


class Priority(IntEnum):
    """Interactive calls (answers to a person) go before bulk ones (reminders, digests)."""

    INTERACTIVE = 0
    BULK = 1


@dataclass(frozen=True)
class Call:
    """One Bot API call to make: ``method`` with JSON-able ``params``."""

    lane: int
    method: str
    params: dict[str, Any]
    priority: Priority = Priority.INTERACTIVE
    dedup_key: str | None = None
    # Enqueued if Telegram refuses this call for good (the sender gives up): telling
    # the person whose words these were, and the administrators, that they did not
    # arrive. Give them dedup keys: every part of a long relay carries the same ones.
    if_failed: tuple[Call, ...] = ()


def _call_json(call: Call) -> dict[str, Any]:
    return {
        "lane": call.lane,
        "method": call.method,
        "params": call.params,
        "priority": int(call.priority),
        "dedup_key": call.dedup_key,
    }


def _call_of(stored: dict[str, Any]) -> Call:
    return Call(
        int(stored["lane"]),
        str(stored["method"]),
        dict(stored["params"]),
        Priority(stored["priority"]),
        stored.get("dedup_key"),
    )


@dataclass(frozen=True)
class PendingCall:
    id: int
    lane: int
    method: str
    params: dict[str, Any]
    priority: Priority
    attempts: int


async def enqueue(
    tx: Tx, calls: list[Call], now: datetime, source_inbox_id: int | None = None
) -> int:
    """Write calls in the caller's transaction; a repeated ``dedup_key`` is skipped."""
    added = 0
    for call in calls:
        added += await tx.execute(
            INSERT_CALL,
            (
                call.lane,
                call.method,
                json.dumps(call.params, ensure_ascii=False),
                int(call.priority),
                to_db(now),
                to_db(now),
                source_inbox_id,
                call.dedup_key,
                json.dumps([_call_json(c) for c in call.if_failed], ensure_ascii=False)
                if call.if_failed
                else None,
            ),
        )
    return added


async def ready(db: Database, now: datetime, limit: int) -> list[PendingCall]:
    async with db.read() as tx:
        rows = await tx.fetchall(SELECT_READY, (to_db(now), limit))
    return [
        PendingCall(
            r["id"],
            r["lane"],
            r["method"],
            json.loads(r["payload"]),
            Priority(r["priority"]),
            r["attempts"],
        )
        for r in rows
    ]


async def next_due(db: Database) -> str | None:
    async with db.read() as tx:
        value = await tx.scalar(NEXT_DUE)
    return None if value is None else str(value)


async def mark_sent(db: Database, call_id: int, message_id: int | None, now: datetime) -> None:
    async with db.transaction() as tx:
        await tx.execute(MARK_SENT, (to_db(now), message_id, call_id))


async def mark_failed(db: Database, call_id: int, error: str) -> None:
    async with db.transaction() as tx:
        await tx.execute(MARK_FAILED, (error, call_id))


async def give_up(db: Database, call_id: int, error: str, now: datetime) -> int:
    """Mark the call failed for good and, in the same transaction, enqueue what it owes
    on failure (its ``if_failed`` calls). Returns how many of those were enqueued."""
    async with db.transaction() as tx:
        row = await tx.fetchone(GIVE_UP, (error, call_id))
        if row is None or not row["if_failed"]:
            return 0
        owed = [_call_of(stored) for stored in json.loads(row["if_failed"])]
        return await enqueue(tx, owed, now)


async def postpone(db: Database, call_id: int, until: datetime, error: str) -> None:
    async with db.transaction() as tx:
        await tx.execute(POSTPONE, (to_db(until), error, call_id))


async def counts(tx: Tx) -> dict[tuple[str, Priority], int]:
    rows = await tx.fetchall(COUNT_BY_STATUS)
    return {(r[0], Priority(r[1])): int(r[2]) for r in rows}
