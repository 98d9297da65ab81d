"""A villager's further messages waiting to reach the request's handler together.

Each message is in the request's trail already; a row here says only that its relay is
still owed. Rows go in the transaction that puts their relay in the outbox, so a
restart neither loses nor repeats one. ``join_answers`` counts the messages a villager
added lately, so the bot answers a flood once or twice rather than three hundred times.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import datetime, timedelta

from bot.domain.joining import Join
from bot.domain.requests import Content
from storage.db import Tx
from storage.timefmt import from_db, to_db

INSERT_JOIN = "INSERT INTO joins (request_id, user_id, content, at) VALUES (?, ?, ?, ?)"
SELECT_ANY = "SELECT 1 FROM joins LIMIT 1"
# Requests with relays owed, the longest waiting first.
SELECT_REQUESTS = """
SELECT request_id FROM joins GROUP BY request_id ORDER BY min(id) LIMIT ?
"""
SELECT_WAITING = """
SELECT id, user_id, content, at FROM joins WHERE request_id = ? ORDER BY id LIMIT ?
"""
DELETE_UP_TO = "DELETE FROM joins WHERE request_id = ? AND id <= ?"
# Calls still owed to a chat (the partial index outbox_pending covers it).
COUNT_LANE_BACKLOG = "SELECT count(*) FROM outbox WHERE lane = ? AND status = 'pending'"
SELECT_ANSWERS = "SELECT since, messages FROM join_answers WHERE user_id = ?"
UPSERT_ANSWERS = """
INSERT INTO join_answers (user_id, since, messages) VALUES (?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET since = excluded.since, messages = excluded.messages
"""


async def add(tx: Tx, request_id: int, user_id: int, content: Content, at: datetime) -> int:
    stored = json.dumps(
        {f.name: getattr(content, f.name) for f in fields(content)}, ensure_ascii=False
    )
    return await tx.insert(INSERT_JOIN, (request_id, user_id, stored, to_db(at)))


async def any_waiting(tx: Tx) -> bool:
    return await tx.fetchone(SELECT_ANY) is not None


async def requests_waiting(tx: Tx, limit: int) -> list[int]:
    return [int(r[0]) for r in await tx.fetchall(SELECT_REQUESTS, (limit,))]


async def waiting(tx: Tx, request_id: int, limit: int) -> list[Join]:
    rows = await tx.fetchall(SELECT_WAITING, (request_id, limit))
    names = {f.name for f in fields(Content)}
    return [
        Join(
            r["id"],
            r["user_id"],
            Content(**{k: v for k, v in json.loads(r["content"]).items() if k in names}),
            from_db(r["at"]),
        )
        for r in rows
    ]


async def relayed(tx: Tx, request_id: int, up_to: int) -> None:
    """The joins up to ``up_to`` are in the outbox now."""
    await tx.execute(DELETE_UP_TO, (request_id, up_to))


async def lane_backlog(tx: Tx, lane: int) -> int:
    return int(await tx.scalar(COUNT_LANE_BACKLOG, (lane,)) or 0)


async def count_message(tx: Tx, user_id: int, now: datetime, window: timedelta) -> int:
    """Count one more message the villager added; returns how many in the current
    window (1 starts a new one: the last began ``window`` or longer ago)."""
    row = await tx.fetchone(SELECT_ANSWERS, (user_id,))
    if row is None or now - from_db(row["since"]) >= window:
        since, count = now, 1
    else:
        since, count = from_db(row["since"]), int(row["messages"]) + 1
    await tx.execute(UPSERT_ANSWERS, (user_id, to_db(since), count))
    return count


class Joins:
    """The follow-ups waiting for their relay and the villagers' answer windows, over one
    transaction (``bot.services.filing.FilingJoins``, ``bot.services.relays.RelayJoins``)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def add(self, request_id: int, user_id: int, content: Content, at: datetime) -> int:
        return await add(self._tx, request_id, user_id, content, at)

    async def any_waiting(self) -> bool:
        return await any_waiting(self._tx)

    async def requests_waiting(self, limit: int) -> list[int]:
        return await requests_waiting(self._tx, limit)

    async def waiting(self, request_id: int, limit: int) -> list[Join]:
        return await waiting(self._tx, request_id, limit)

    async def relayed(self, request_id: int, up_to: int) -> None:
        await relayed(self._tx, request_id, up_to)

    async def lane_backlog(self, lane: int) -> int:
        return await lane_backlog(self._tx, lane)

    async def count_message(self, user_id: int, now: datetime, window: timedelta) -> int:
        return await count_message(self._tx, user_id, now, window)
