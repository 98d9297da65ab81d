"""Retention: what the bot no longer needs, deleted (``lianxin purge`` and a daily sweep).

Kept always: pending and failed inbox rows (not handled yet, or waiting for an
administrator's ``lianxin inbox retry``), pending outbox rows (owed to someone), the
requests and their trail (every figure of the statistics is counted from them), and the
accounts the trail names. Deleted once older than the cutoff: handled inbox rows (the raw
updates, with names, phones and words) and sent or refused outbox rows (their payloads
hold the same); an outbox row with a dedup key keeps the key, so a reminder is never
sent twice, and loses its payload. Strangers (accounts bound to nobody that never took
part in a request) and wrong-code attempts are deleted after their own cutoff.

Inbox rows go by the time they were handled: a redelivery (the same update_id with the
same content) is only ever recent (Telegram keeps an unconfirmed update 24 hours), and
the configuration keeps handled rows two days at least, so ``inbox.store`` still
recognises one. Work is done in batches, each its own short transaction, so a first
purge of years of history never holds the database for long.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage import batch
from storage.db import Database, Tx
from storage.timefmt import to_db

BATCH = batch.SIZE  # rows a transaction: ~20 ms, what a villager's update may wait behind it
# A batch's ids go in as the SIZE parameters of ``IN (batch.MARKS)`` (S608: question marks
# only, no input), the same statement on SQLite and PostgreSQL.
# Old rows are found through the indexes of migration 0010 (the WHERE terms must match
# theirs), so a purge with nothing to do reads nothing of the history.

# --- the inbox -------------------------------------------------------------------------
COUNT_OLD_INBOX = "SELECT count(*) FROM inbox WHERE status = 'done' AND handled_at < :cutoff"
PICK_OLD_INBOX = """
SELECT id FROM inbox WHERE status = 'done' AND handled_at < :cutoff
ORDER BY handled_at LIMIT :n
"""
# The outbox rows that came of an update keep their own retention; their link goes.
UNLINK_INBOX = (
    "UPDATE outbox SET source_inbox_id = NULL WHERE source_inbox_id IN (" + batch.MARKS + ")"  # noqa: S608
)
DELETE_INBOX = (
    "DELETE FROM inbox WHERE id IN (" + batch.MARKS + ")"  # noqa: S608
)
# --- the outbox ------------------------------------------------------------------------
COUNT_OLD_OUTBOX = """
SELECT count(*) FROM outbox
WHERE status IN ('sent', 'failed') AND payload <> '{}'
  AND coalesce(sent_at, created_at) < :cutoff AND dedup_key IS NULL
"""
PICK_OLD_OUTBOX = """
SELECT id FROM outbox
WHERE status IN ('sent', 'failed') AND payload <> '{}'
  AND coalesce(sent_at, created_at) < :cutoff AND dedup_key IS NULL
ORDER BY coalesce(sent_at, created_at) LIMIT :n
"""
DELETE_OUTBOX = (
    "DELETE FROM outbox WHERE id IN (" + batch.MARKS + ")"  # noqa: S608
)
COUNT_OLD_PAYLOADS = """
SELECT count(*) FROM outbox
WHERE status IN ('sent', 'failed') AND payload <> '{}'
  AND coalesce(sent_at, created_at) < :cutoff AND dedup_key IS NOT NULL
"""
PICK_OLD_PAYLOADS = """
SELECT id FROM outbox
WHERE status IN ('sent', 'failed') AND payload <> '{}'
  AND coalesce(sent_at, created_at) < :cutoff AND dedup_key IS NOT NULL
ORDER BY coalesce(sent_at, created_at) LIMIT :n
"""
BLANK_PAYLOADS = (
    "UPDATE outbox SET payload = '{}', last_error = NULL WHERE id IN (" + batch.MARKS + ")"  # noqa: S608
)
# --- strangers -------------------------------------------------------------------------
# A villager who filed or answered a request is named in its trail ('filed' included),
# found through the partial index of migration 0010 (the LIKE term must match it).
COUNT_STRANGERS = """
SELECT count(*) FROM accounts a
WHERE a.last_seen < :cutoff
  AND NOT EXISTS (SELECT 1 FROM members m WHERE m.user_id = a.user_id)
  AND NOT EXISTS (SELECT 1 FROM cadre_accounts c WHERE c.user_id = a.user_id)
  AND NOT EXISTS (
      SELECT 1 FROM request_events e
      WHERE e.actor LIKE 'villager:%' AND e.actor = 'villager:' || a.user_id
  )
"""
PICK_STRANGERS = """
SELECT a.user_id FROM accounts a
WHERE a.last_seen < :cutoff AND a.user_id > :after
  AND NOT EXISTS (SELECT 1 FROM members m WHERE m.user_id = a.user_id)
  AND NOT EXISTS (SELECT 1 FROM cadre_accounts c WHERE c.user_id = a.user_id)
  AND NOT EXISTS (
      SELECT 1 FROM request_events e
      WHERE e.actor LIKE 'villager:%' AND e.actor = 'villager:' || a.user_id
  )
ORDER BY a.user_id LIMIT :n
"""
DELETE_ACCOUNTS = (
    "DELETE FROM accounts WHERE user_id IN (" + batch.MARKS + ")"  # noqa: S608
)
COUNT_OLD_BIND_FAILURES = "SELECT count(*) FROM bind_failures WHERE at < :cutoff"
PICK_OLD_BIND_FAILURES = """
SELECT id FROM bind_failures WHERE at < :cutoff AND id > :after ORDER BY id LIMIT :n
"""
DELETE_BIND_FAILURES = (
    "DELETE FROM bind_failures WHERE id IN (" + batch.MARKS + ")"  # noqa: S608
)
# --- files -----------------------------------------------------------------------------
SELECT_PENDING_FILES = """
SELECT payload FROM outbox WHERE status = 'pending' AND payload LIKE '%"$file"%'
"""


@dataclass(frozen=True)
class Cutoffs:
    """Rows older than these go: handled updates and sent calls; strangers."""

    messages: datetime
    strangers: datetime
    bind_failures: datetime


@dataclass(frozen=True)
class Purged:
    """What a purge deleted (or, in a dry run, would delete)."""

    inbox: int = 0  # handled updates
    outbox: int = 0  # sent or refused calls
    blanked: int = 0  # sent calls kept for their dedup key, payload emptied
    strangers: int = 0  # accounts bound to nobody, in no request
    bind_failures: int = 0  # wrong codes tried

    @property
    def total(self) -> int:
        return self.inbox + self.outbox + self.blanked + self.strangers + self.bind_failures


async def purge(db: Database, cutoffs: Cutoffs, *, dry_run: bool = False) -> Purged:
    """Delete (or, dry, count) what is older than ``cutoffs``, batch by batch."""
    messages = {"cutoff": to_db(cutoffs.messages)}
    strangers = {"cutoff": to_db(cutoffs.strangers)}
    failures = {"cutoff": to_db(cutoffs.bind_failures)}
    if dry_run:
        async with db.read() as tx:
            return Purged(
                inbox=await _count(tx, COUNT_OLD_INBOX, messages),
                outbox=await _count(tx, COUNT_OLD_OUTBOX, messages),
                blanked=await _count(tx, COUNT_OLD_PAYLOADS, messages),
                strangers=await _count(tx, COUNT_STRANGERS, strangers),
                bind_failures=await _count(tx, COUNT_OLD_BIND_FAILURES, failures),
            )
    # The outbox first: fewer rows then point at the inbox rows about to go; reminders
    # blanked first, so that they leave the index the deletion reads.
    blanked = await _batches(db, PICK_OLD_PAYLOADS, [BLANK_PAYLOADS], messages)
    return Purged(
        blanked=blanked,
        outbox=await _batches(db, PICK_OLD_OUTBOX, [DELETE_OUTBOX], messages),
        inbox=await _batches(db, PICK_OLD_INBOX, [UNLINK_INBOX, DELETE_INBOX], messages),
        strangers=await _batches(db, PICK_STRANGERS, [DELETE_ACCOUNTS], strangers),
        bind_failures=await _batches(db, PICK_OLD_BIND_FAILURES, [DELETE_BIND_FAILURES], failures),
    )


async def _count(tx: Tx, sql: str, params: dict[str, Any]) -> int:
    return int(await tx.scalar(sql, params) or 0)


async def _batches(db: Database, pick: str, statements: list[str], params: dict[str, Any]) -> int:
    """Rows chosen by ``pick``, BATCH at a time, each batch ``statements`` in one short
    transaction; how many rows were chosen in all. A pick that reads rows it keeps (the
    strangers' check) goes on from the last one chosen (``:after``)."""
    done, after = 0, 0
    while True:
        async with db.transaction() as tx:
            chosen = [
                row[0] for row in await tx.fetchall(pick, {**params, "after": after, "n": BATCH})
            ]
            if chosen:
                ids = batch.padded(chosen)
                for sql in statements:
                    await tx.execute(sql, ids)
        done += len(chosen)
        if len(chosen) < BATCH:
            return done
        after = chosen[-1]
        await asyncio.sleep(0)  # let the bot's own transactions in between batches


async def pending_files(db: Database) -> set[str]:
    """The files that pending outbox calls will still upload (``{"$file": path}``)."""
    async with db.read() as tx:
        rows = await tx.fetchall(SELECT_PENDING_FILES)
    return {path for row in rows for path in _files(json.loads(row[0]))}


def _files(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        path = value.get("$file")
        if isinstance(path, str):
            yield path
        for item in value.values():
            yield from _files(item)
    elif isinstance(value, list):
        for item in value:
            yield from _files(item)
