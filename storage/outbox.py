"""The outbox: Bot API calls owed, written with the state change that owes them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.calls import Call as Call
from bot.calls import Priority as Priority
from bot.redaction import redact
from storage.db import Database, Tx
from storage.timefmt import to_db

INSERT_CALL = """
INSERT INTO outbox (lane, method, payload, priority, created_at, not_before,
                    source_inbox_id, dedup_key, if_failed, request_id, topic)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT DO NOTHING
"""
# The head of each lane: its most urgent, oldest pending call. A lane waits while its
# head is not yet due, so calls to one chat keep their order.
SELECT_READY = """
SELECT id, lane, method, payload, priority, attempts, request_id, topic FROM (
    SELECT o.*, row_number() OVER (PARTITION BY lane ORDER BY priority, id) AS place
    FROM outbox AS o WHERE status = 'pending'
) AS heads
WHERE place = 1 AND not_before <= ?
ORDER BY priority, id
LIMIT ?
"""
# The sender keeps pending calls in memory (bot/edge/backlog.py) and reads the outbox
# twice: everything pending, at start and now and then as a safety net (the partial
# index: as many rows as are pending, whatever the history), and then only rows it has
# not seen (the primary key from the last id seen: as many rows as are new).
SELECT_ALL_PENDING = """
SELECT id, lane, method, priority, attempts, not_before, status
FROM outbox INDEXED BY outbox_pending
WHERE status = 'pending'
ORDER BY lane, priority, id
"""
SELECT_AFTER = """
SELECT id, lane, method, priority, attempts, not_before, status
FROM outbox NOT INDEXED
WHERE id > ?
ORDER BY id
LIMIT ?
"""
# Several processes on one database (migration 0027): every sender knows every pending
# call, but sends one only after leasing it here, in one short write transaction, and
# only while no other process has a live lease on a pending call of the same chat. A
# chat is thus served by one process at a time, in its order; a killed process's chats
# come free when its leases end (a call it had sent but not yet marked then goes twice).
# Write transactions never interleave (SQLite's one writer; PostgreSQL's schema write
# lock, storage/pg.py), so two processes cannot both lease a chat.
CLAIM_CALL = """
UPDATE outbox SET leased_by = :me, lease_until = :until
WHERE id = :id AND status = 'pending' AND NOT EXISTS (
    SELECT 1 FROM outbox AS held
    WHERE held.lane = outbox.lane AND held.status = 'pending'
      AND held.leased_by <> :me AND held.lease_until > :now
)
RETURNING id, lane, method, payload, priority, attempts, request_id, topic
"""
SELECT_HELD_UNTIL = """
SELECT max(held.lease_until) FROM outbox AS held
WHERE held.lane = (SELECT lane FROM outbox WHERE id = :id AND status = 'pending')
  AND held.status = 'pending' AND held.leased_by <> :me AND held.lease_until > :now
"""
RENEW = "UPDATE outbox SET lease_until = ? WHERE leased_by = ? AND status = 'pending'"
RELEASE = """
UPDATE outbox SET leased_by = NULL, lease_until = NULL WHERE leased_by = ? AND status = 'pending'
"""
SELECT_MAX_ID = "SELECT coalesce(max(id), 0) FROM outbox"
SELECT_PENDING_CALL = """
SELECT id, lane, method, payload, priority, attempts, request_id, topic FROM outbox
WHERE id = ? AND status = 'pending'
"""
MARK_SENT = """
UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, result_message_id = ?
WHERE id = ? AND status = 'pending'
RETURNING lane, request_id, topic
"""
# A sent message about a request, remembered past the outbox's retention (ids only).
REMEMBER_MESSAGE = """
INSERT INTO request_messages (chat_id, message_id, request_id, topic, sent_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (chat_id, message_id) DO UPDATE SET
    request_id = excluded.request_id, topic = excluded.topic, sent_at = excluded.sent_at
"""
# The message an edit with a topic is made to: the last one sent with that topic.
SELECT_TOPIC_MESSAGE = """
SELECT message_id FROM request_messages
WHERE request_id = ? AND chat_id = ? AND topic = ?
ORDER BY sent_at DESC, message_id DESC
LIMIT 1
"""
# The request a message in a chat is about (a swipe-reply names the message).
SELECT_MESSAGE_REQUEST = """
SELECT request_id FROM request_messages WHERE chat_id = ? AND message_id = ?
"""
# Every message about the request in a chat (to withdraw them), newest last.
SELECT_REQUEST_MESSAGES = """
SELECT message_id FROM request_messages WHERE request_id = ? AND chat_id = ?
ORDER BY message_id
"""
FORGET_MESSAGE = "DELETE FROM request_messages WHERE chat_id = ? AND message_id = ?"
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
class PendingRow:
    """A pending call as the sender queues it: everything but its payload."""

    id: int
    lane: int
    method: str
    priority: Priority
    attempts: int
    not_before: str


@dataclass(frozen=True)
class PendingCall:
    id: int
    lane: int
    method: str
    params: dict[str, Any]
    priority: Priority
    attempts: int
    request_id: int | None = None
    topic: str | None = None


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
                call.request_id,
                call.topic,
            ),
        )
    return added


async def ready(db: Database, now: datetime, limit: int) -> list[PendingCall]:
    """The heads of the lanes, due now, most urgent first, as a query (tests and tools;
    the sender keeps the same order in memory, bot/edge/backlog.py)."""
    async with db.read() as tx:
        rows = await tx.fetchall(SELECT_READY, (to_db(now), limit))
    return [_pending_call(r) for r in rows]


def _pending_call(r: Any) -> PendingCall:
    return PendingCall(
        r["id"],
        r["lane"],
        r["method"],
        json.loads(r["payload"]),
        Priority(r["priority"]),
        r["attempts"],
        r["request_id"],
        r["topic"],
    )


async def all_pending(db: Database) -> tuple[list[PendingRow], int]:
    """Every pending call, and the highest id in the outbox at that moment."""
    async with db.read() as tx:
        rows = await tx.fetchall(SELECT_ALL_PENDING)
        top = int(await tx.scalar(SELECT_MAX_ID))
    return [_pending_row(r) for r in rows], top


async def pending_after(db: Database, after_id: int, limit: int) -> tuple[list[PendingRow], int]:
    """Pending calls with an id above ``after_id`` (up to ``limit`` rows looked at), and
    the id to read after next time."""
    async with db.read() as tx:
        rows = await tx.fetchall(SELECT_AFTER, (after_id, limit))
        top = int(await tx.scalar(SELECT_MAX_ID))
    last = rows[-1]["id"] if rows else after_id
    if top < last:  # the newest rows were deleted (purged): ids below `last` come again
        last = top
    return [_pending_row(r) for r in rows if r["status"] == "pending"], last


def _pending_row(r: Any) -> PendingRow:
    return PendingRow(
        r["id"], r["lane"], r["method"], Priority(r["priority"]), r["attempts"], r["not_before"]
    )


async def call_if_pending(db: Database, call_id: int) -> PendingCall | None:
    """One call with its parameters, or None if it is no longer pending."""
    async with db.read() as tx:
        row = await tx.fetchone(SELECT_PENDING_CALL, (call_id,))
    return None if row is None else _pending_call(row)


@dataclass(frozen=True)
class Held:
    """The call's chat is another process's until ``until`` (UTC text, as stored)."""

    until: str


async def claim_call(
    db: Database, call_id: int, me: str, now: datetime, lease: timedelta
) -> PendingCall | Held | None:
    """Lease one call to ``me`` until ``now + lease`` and return it with its parameters;
    ``Held`` if another process serves its chat now; None if it is no longer pending."""
    values = {"id": call_id, "me": me, "now": to_db(now), "until": to_db(now + lease)}
    async with db.transaction() as tx:
        row = await tx.fetchone(CLAIM_CALL, values)
        if row is not None:
            return _pending_call(row)
        until = await tx.scalar(SELECT_HELD_UNTIL, values)
    return None if until is None else Held(str(until))


async def renew(db: Database, me: str, now: datetime, lease: timedelta) -> int:
    """Keep ``me``'s leases on calls not yet settled until ``now + lease``."""
    async with db.transaction() as tx:
        return await tx.execute(RENEW, (to_db(now + lease), me))


async def release(db: Database, me: str) -> int:
    """Hand ``me``'s pending calls back at once (a clean stop)."""
    async with db.transaction() as tx:
        return await tx.execute(RELEASE, (me,))


async def mark_sent(db: Database, call_id: int, message_id: int | None, now: datetime) -> None:
    """Mark the call sent; a message about a request is remembered with it."""
    async with db.transaction() as tx:
        row = await tx.fetchone(MARK_SENT, (to_db(now), message_id, call_id))
        if row is not None and row["request_id"] is not None and message_id is not None:
            values = (row["lane"], message_id, row["request_id"], row["topic"], to_db(now))
            await tx.execute(REMEMBER_MESSAGE, values)


async def topic_message(db: Database, lane: int, request_id: int, topic: str) -> int | None:
    """The message an edit with ``topic`` is made to in chat ``lane``, if one was sent."""
    async with db.read() as tx:
        found = await tx.scalar(SELECT_TOPIC_MESSAGE, (request_id, lane, topic))
    return None if found is None else int(found)


async def forget_message(db: Database, lane: int, message_id: int) -> None:
    """The message is gone from the chat (deleted, or too old to edit)."""
    async with db.transaction() as tx:
        await tx.execute(FORGET_MESSAGE, (lane, message_id))


async def mark_failed(db: Database, call_id: int, error: str) -> None:
    async with db.transaction() as tx:
        await tx.execute(MARK_FAILED, (redact(error), call_id))


async def give_up(db: Database, call_id: int, error: str, now: datetime) -> int:
    """Mark the call failed for good and, in the same transaction, enqueue what it owes
    on failure (its ``if_failed`` calls). Returns how many of those were enqueued."""
    async with db.transaction() as tx:
        row = await tx.fetchone(GIVE_UP, (redact(error), call_id))
        if row is None or not row["if_failed"]:
            return 0
        owed = [_call_of(stored) for stored in json.loads(row["if_failed"])]
        return await enqueue(tx, owed, now)


async def postpone(db: Database, call_id: int, until: datetime, error: str) -> None:
    async with db.transaction() as tx:
        await tx.execute(POSTPONE, (to_db(until), redact(error), call_id))


async def counts(tx: Tx) -> dict[tuple[str, Priority], int]:
    rows = await tx.fetchall(COUNT_BY_STATUS)
    return {(r[0], Priority(r[1])): int(r[2]) for r in rows}


class Outbox:
    """The outbox's figures over one transaction (``bot.services.status``), and which
    request a message in a chat is about (threads)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def request_of_message(self, chat_id: int, message_id: int) -> int | None:
        """The request the bot's message ``message_id`` in ``chat_id`` was about."""
        found = await self._tx.scalar(SELECT_MESSAGE_REQUEST, (chat_id, message_id))
        return None if found is None else int(found)

    async def messages_about(self, chat_id: int, request_id: int) -> list[int]:
        """The bot's messages in ``chat_id`` about the request, oldest first."""
        rows = await self._tx.fetchall(SELECT_REQUEST_MESSAGES, (request_id, chat_id))
        return [int(r["message_id"]) for r in rows]

    async def counts(self) -> dict[tuple[str, bool], int]:
        """Calls by status (pending, sent, failed) and whether they are bulk."""
        return {
            (status, priority == Priority.BULK): n
            for (status, priority), n in (await counts(self._tx)).items()
        }
