"""Named leases: things one process at a time does, however many share the database.

The getUpdates loop (Telegram answers a second poller with 409 Conflict) and each
periodic sweep (deadlines, reminders, retention, ...) are held by one process: the one
whose row in ``leases`` is live. The holder renews its lease each time it acts; a killed
holder's lease ends and the next process to ask takes it. On SQLite, one process per
file, the same statement always finds the lease its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import process
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
SELECT_LIVE = "SELECT holder, name FROM leases WHERE lease_until > ? ORDER BY holder, name"
# Each running process holds ``alive:<itself>``, renewed by its sender: the processes of
# one bot share Telegram's ~30 messages a second by their number.
ALIVE = "alive:"
COUNT_ALIVE = "SELECT count(*) FROM leases WHERE name LIKE 'alive:%' AND lease_until > ?"
FREE_INBOX = """
UPDATE inbox SET leased_by = NULL, lease_until = NULL
WHERE status = 'pending' AND leased_by IS NOT NULL
"""
FREE_OUTBOX = """
UPDATE outbox SET leased_by = NULL, lease_until = NULL
WHERE status = 'pending' AND leased_by IS NOT NULL
"""
FREE_NAMED = "DELETE FROM leases"
# PostgreSQL: who holds anything, and whose sessions are still open (storage.process).
SELECT_HOLDERS = """
SELECT leased_by FROM inbox WHERE status = 'pending' AND leased_by IS NOT NULL
UNION SELECT leased_by FROM outbox WHERE status = 'pending' AND leased_by IS NOT NULL
UNION SELECT holder FROM leases
"""
SELECT_SESSIONS = """
SELECT DISTINCT application_name FROM pg_stat_activity WHERE application_name LIKE 'lianxin %'
"""
FREE_INBOX_OF = """
UPDATE inbox SET leased_by = NULL, lease_until = NULL WHERE status = 'pending' AND leased_by = ?
"""
FREE_OUTBOX_OF = """
UPDATE outbox SET leased_by = NULL, lease_until = NULL WHERE status = 'pending' AND leased_by = ?
"""


def process_name() -> str:
    """This process among those sharing the database (``storage.process``)."""
    return process.name()


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


async def forget_the_dead(db: Database) -> int:
    """At start: free the leases of processes known to be gone; returns how many.

    On SQLite one process holds the file (``storage.instance``), so every lease found at
    start is a killed process's: its rows are taken at once rather than a lease later.
    On PostgreSQL others may be running: a holder is known gone when none of its sessions
    is left on the server (``storage.process``); a restarted process thus takes its killed
    predecessor's chats at once. A holder whose sessions cannot be told (a name of
    another form) keeps its leases until they end."""
    async with db.transaction() as tx:
        if db.dialect == "sqlite":
            freed = await tx.execute(FREE_INBOX)
            freed += await tx.execute(FREE_OUTBOX)
            return freed + await tx.execute(FREE_NAMED)
        open_sessions = {str(row[0]) for row in await tx.fetchall(SELECT_SESSIONS)}
        freed = 0
        for (holder,) in await tx.fetchall(SELECT_HOLDERS):
            session = process.session_of(str(holder))
            if session is None or session in open_sessions:
                continue
            freed += await tx.execute(FREE_INBOX_OF, (holder,))
            freed += await tx.execute(FREE_OUTBOX_OF, (holder,))
            freed += await tx.execute(GIVE_BACK, (holder,))
        return freed


async def live(db: Database, now: datetime) -> dict[str, list[str]]:
    """Each process holding a live lease, with the names of what it holds (``lianxin
    status``: which process receives, which runs the sweeps)."""
    held: dict[str, list[str]] = {}
    async with db.read() as tx:
        for holder, name in await tx.fetchall(SELECT_LIVE, (to_db(now),)):
            held.setdefault(str(holder), []).append(str(name))
    return held


async def share(db: Database, me: str, now: datetime, ttl: timedelta) -> int:
    """Note this process alive until ``now + ttl``; how many processes are alive (itself
    included): each sends ``messages_per_second`` divided by that."""
    async with db.transaction() as tx:
        until = to_db(now + ttl)
        await tx.execute(
            TAKE, {"name": ALIVE + me, "holder": me, "until": until, "now": to_db(now)}
        )
        alive = await tx.scalar(COUNT_ALIVE, (to_db(now),))
    return max(1, int(alive or 0))
