"""What a person's next message belongs to: the request a villager is talking about, or
what a cadre is writing (a reply, a resolution note, an explanation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from storage.db import Tx
from storage.timefmt import from_db, to_db

UPSERT = """
INSERT INTO conversations (user_id, request_id, purpose, since) VALUES (?, ?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET
    request_id = excluded.request_id, purpose = excluded.purpose, since = excluded.since
"""
SELECT = "SELECT request_id, purpose, since FROM conversations WHERE user_id = ?"
DELETE = "DELETE FROM conversations WHERE user_id = ?"


class Purpose(StrEnum):
    TALKING = "talking"  # a villager's messages join this request
    REPLYING = "replying"  # a cadre's next message is a reply to the villager
    RESOLVING = "resolving"  # ... the note (or photo) that resolves it
    EXPLAINING = "explaining"  # ... the policy explanation
    REOPENING = "reopening"  # a villager's next message says why it is not solved


@dataclass(frozen=True)
class Conversation:
    request_id: int
    purpose: Purpose
    since: datetime


async def set_(tx: Tx, user_id: int, request_id: int, purpose: Purpose, now: datetime) -> None:
    await tx.execute(UPSERT, (user_id, request_id, purpose.value, to_db(now)))


async def get(tx: Tx, user_id: int) -> Conversation | None:
    row = await tx.fetchone(SELECT, (user_id,))
    if row is None:
        return None
    return Conversation(row["request_id"], Purpose(row["purpose"]), from_db(row["since"]))


async def clear(tx: Tx, user_id: int) -> None:
    await tx.execute(DELETE, (user_id,))
