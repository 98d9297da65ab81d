"""Named leases: things one process at a time does, however many share the database.

The getUpdates loop (Telegram answers a second poller with 409 Conflict) and each
periodic sweep (deadlines, reminders, retention, ...) are held by one process: the one
whose row in ``leases`` is live. The holder renews its lease each time it acts; a killed
holder's lease ends and the next process to ask takes it. On SQLite, one process per
file, the same statement always finds the lease its own.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta

from storage.db import Database
from storage.timefmt import to_db

# Taken if free, ended, or already ours; renewed in the same statement.
TAKE = """
INSERT INTO leases (name, holder, lease_until) VALUES (:name, :holder, :until)
ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
WHERE leases.holder = excluded.holder OR leases.lease_until <= :now
"""
GIVE_BACK = "DELETE FROM leases WHERE holder = ?"
SELECT_HOLDER = "SELECT holder FROM leases WHERE name = ? AND lease_until > ?"


def process_name() -> str:
    """This process among those sharing the database: host, pid and a random part (a
    pid may come again after a restart)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


async def take(db: Database, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Hold lease ``name`` until ``now + ttl`` if nobody else holds it live; True if held."""
    async with db.transaction() as tx:
        taken = await tx.execute(
            TAKE, {"name": name, "holder": holder, "until": to_db(now + ttl), "now": to_db(now)}
        )
    return taken > 0


async def give_back(db: Database, holder: str) -> None:
    """A process stopping cleanly hands its leases over at once, not at their end."""
    async with db.transaction() as tx:
        await tx.execute(GIVE_BACK, (holder,))


async def holder_of(db: Database, name: str, now: datetime) -> str | None:
    async with db.read() as tx:
        found = await tx.scalar(SELECT_HOLDER, (name, to_db(now)))
    return None if found is None else str(found)
