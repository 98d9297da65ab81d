"""The figures of ``lianxin status`` and ``GET /healthz``, read in one snapshot, writing nothing.

A running bot records when its sweeps last ran (``record_sweep``), so that a status read
from another process can tell a bot that stopped from a quiet night.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.health import Figures
from storage import meta, migrate
from storage.db import Database, Tx
from storage.timefmt import from_db, to_db

SWEEP_KEY = "sweep_at"
HAS_LEDGER = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
# PostgreSQL has no sqlite_master: the same question of the county's own schema.
HAS_LEDGER_PG = """
SELECT count(*) FROM information_schema.tables
WHERE table_schema = current_schema() AND table_name = ?
"""
SELECT_VERSION = "SELECT coalesce(max(version), 0) FROM schema_migrations"
INBOX_FIGURES = """
SELECT (SELECT max(received_at) FROM inbox) AS last_update,
       (SELECT count(*) FROM inbox WHERE status = 'pending') AS waiting,
       (SELECT count(*) FROM inbox WHERE status = 'failed') AS failed,
       (SELECT min(received_at) FROM inbox WHERE status = 'pending') AS oldest_waiting
"""
# Pending rows through the partial index outbox_pending; failures of the day by creation
# (a call is given up within the sender's retries, so that is the day it failed, or near).
OUTBOX_FIGURES = """
SELECT count(*) AS queued,
       coalesce(sum(CASE WHEN not_before <= :now THEN 1 ELSE 0 END), 0) AS due,
       min(CASE WHEN not_before <= :now THEN not_before END) AS oldest_due,
       min(created_at) AS oldest_queued,
       (SELECT count(*) FROM outbox WHERE status = 'failed' AND created_at >= :day) AS failed
FROM outbox WHERE status = 'pending'
"""


async def figures(db: Database, now: datetime) -> Figures:
    """The health figures at ``now``; an empty (never migrated) database has schema 0."""
    latest = migrate.available()[-1].version
    async with db.read() as tx:
        if not await tx.scalar(_has_ledger(db), ("schema_migrations",)):
            return _empty(latest)
        schema = int(await tx.scalar(SELECT_VERSION))
        if schema == 0:
            return _empty(latest)
        inbox = await tx.fetchone(INBOX_FIGURES)
        outbox = await tx.fetchone(
            OUTBOX_FIGURES, {"now": to_db(now), "day": to_db(now - timedelta(days=1))}
        )
        sweep = await meta.get(tx, SWEEP_KEY)
    if inbox is None or outbox is None:  # aggregates: always one row
        return _empty(latest)
    return Figures(
        schema=schema,
        latest_schema=latest,
        last_update=_moment(inbox["last_update"]),
        inbox_waiting=int(inbox["waiting"]),
        inbox_failed=int(inbox["failed"]),
        oldest_waiting=_moment(inbox["oldest_waiting"]),
        outbox_queued=int(outbox["queued"]),
        outbox_due=int(outbox["due"]),
        oldest_due=_moment(outbox["oldest_due"]),
        oldest_queued=_moment(outbox["oldest_queued"]),
        outbox_failed_day=int(outbox["failed"]),
        last_sweep=_moment(sweep),
    )


def _has_ledger(db: Database) -> str:
    return HAS_LEDGER_PG if db.dialect == "postgresql" else HAS_LEDGER


async def record_sweep(tx: Tx, now: datetime) -> None:
    await meta.put(tx, SWEEP_KEY, to_db(now))


def _moment(value: object) -> datetime | None:
    return None if value is None else from_db(str(value))


def _empty(latest: int) -> Figures:
    return Figures(0, latest, None, 0, 0, None, 0, 0, None, None, 0, None)
