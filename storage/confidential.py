"""Confidential complaints in SQLite: the complaint a villager is about to write (after
choosing the cadre), and the accused's copies of a request to withdraw from their chat."""

from __future__ import annotations

from datetime import datetime

from storage.db import Tx
from storage.timefmt import from_db, to_db

UPSERT_ASKED = """
INSERT INTO complaints_asked (user_id, household_id, accused_id, since) VALUES (?, ?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET
    household_id = excluded.household_id, accused_id = excluded.accused_id,
    since = excluded.since
"""
SELECT_ASKED = "SELECT household_id, accused_id, since FROM complaints_asked WHERE user_id = ?"
DELETE_ASKED = "DELETE FROM complaints_asked WHERE user_id = ?"
# What the bot sent to (or still owes) the accused's chat about the request: every call
# marked with the request, or whose payload names its number (calls written before the
# marks), and every message remembered as being about it (past the outbox's retention).
SELECT_COPIES = """
SELECT id, status, result_message_id FROM outbox
WHERE lane = :lane AND status IN ('pending', 'sent') AND method <> 'deleteMessage'
  AND (request_id = :request OR payload LIKE '%' || :number || '%')
UNION
SELECT NULL, 'sent', message_id FROM request_messages
WHERE chat_id = :lane AND request_id = :request
"""
CANCEL_PENDING = """
UPDATE outbox SET status = 'failed', last_error = 'withdrawn: confidential complaint'
WHERE id = ? AND status = 'pending'
"""


class Complaints:
    """Confidential complaints over one transaction (``bot.services.confidential``)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def ask(self, user_id: int, household_id: str, accused_id: str, now: datetime) -> None:
        await self._tx.execute(UPSERT_ASKED, (user_id, household_id, accused_id, to_db(now)))

    async def asked(self, user_id: int) -> tuple[str, str, datetime] | None:
        row = await self._tx.fetchone(SELECT_ASKED, (user_id,))
        if row is None:
            return None
        return row["household_id"], row["accused_id"], from_db(row["since"])

    async def clear(self, user_id: int) -> None:
        await self._tx.execute(DELETE_ASKED, (user_id,))

    async def withdraw(self, user_id: int, request_id: int, number: str) -> list[int]:
        """Cancel what is still owed to ``user_id``'s chat about the request, and return
        the ids of the messages already sent there (to delete), oldest first."""
        params = {"lane": user_id, "request": request_id, "number": number}
        rows = await self._tx.fetchall(SELECT_COPIES, params)
        sent: set[int] = set()
        for row in rows:
            if row["status"] == "pending":
                await self._tx.execute(CANCEL_PENDING, (row["id"],))
            elif row["result_message_id"] is not None:
                sent.add(int(row["result_message_id"]))
        return sorted(sent)
