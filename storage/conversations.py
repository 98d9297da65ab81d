"""What a person's next message belongs to: the request a villager is talking about, or
what a cadre is writing (a reply, a resolution note, an explanation)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.talking import Conversation, Purpose
from storage.db import Tx
from storage.timefmt import from_db, to_db

UPSERT = """
INSERT INTO conversations (user_id, request_id, purpose, since) VALUES (?, ?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET
    request_id = excluded.request_id, purpose = excluded.purpose, since = excluded.since
"""
SELECT = "SELECT request_id, purpose, since FROM conversations WHERE user_id = ?"
DELETE = "DELETE FROM conversations WHERE user_id = ?"


async def set_(tx: Tx, user_id: int, request_id: int, purpose: Purpose, now: datetime) -> None:
    await tx.execute(UPSERT, (user_id, request_id, purpose.value, to_db(now)))


async def get(tx: Tx, user_id: int) -> Conversation | None:
    row = await tx.fetchone(SELECT, (user_id,))
    if row is None:
        return None
    return Conversation(row["request_id"], Purpose(row["purpose"]), from_db(row["since"]))


async def clear(tx: Tx, user_id: int) -> None:
    await tx.execute(DELETE, (user_id,))


class Conversations:
    """What each person's next message belongs to, over one transaction
    (``bot.services.notices.Talks``)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def get(self, user_id: int) -> Conversation | None:
        return await get(self._tx, user_id)

    async def set(self, user_id: int, request_id: int, purpose: Purpose, now: datetime) -> None:
        await set_(self._tx, user_id, request_id, purpose, now)

    async def clear(self, user_id: int) -> None:
        await clear(self._tx, user_id)
