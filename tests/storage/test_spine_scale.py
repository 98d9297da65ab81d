"""The spine's reads stay flat as history grows, are fair per chat, and keep no token."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot import redaction
from bot.calls import Call
from bot.clock import ManualClock
from storage import inbox, outbox
from storage.db import Database
from storage.faults import DatabaseFault, check_file, fault_of
from storage.inbox import StoredUpdate

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


async def plan(db: Database, sql: str, params: tuple[object, ...]) -> str:
    async with db.read() as tx:
        rows = await tx.fetchall(f"EXPLAIN QUERY PLAN {sql}", params)
    return " / ".join(str(r["detail"]) for r in rows)


# The two plan tests read SQLite's EXPLAIN QUERY PLAN (its planner's own words): SQLite only.
async def test_the_pending_scan_reads_the_partial_index_not_the_history(
    sqlite_db: Database,
) -> None:
    detail = await plan(sqlite_db, inbox.SELECT_PENDING, (4, 1000))
    reads = [part for part in detail.split(" / ") if " inbox" in part]
    assert reads
    assert all("INDEX inbox_pending" in part for part in reads)  # never the whole table


async def test_the_sender_reads_new_rows_by_id_and_pending_rows_by_index(
    sqlite_db: Database,
) -> None:
    assert "INTEGER PRIMARY KEY (rowid>?)" in await plan(sqlite_db, outbox.SELECT_AFTER, (0, 10))
    assert "outbox_pending" in await plan(sqlite_db, outbox.SELECT_ALL_PENDING, ())


async def test_a_newcomer_is_in_the_scan_however_long_others_backlogs(
    db: Database, clock: ManualClock
) -> None:
    flood = [StoredUpdate(n, 100 + n % 50, f'{{"n": {n}}}') for n in range(2000)]
    await inbox.store(db, [*flood, StoredUpdate(5000, 999, '{"help": 1}')], clock.now())
    rows = await inbox.pending(db, limit=1000, per_lane=4)
    assert 999 in [r.lane for r in rows][:51]  # among the first row of every chat
    per_chat = [r.id for r in rows if r.lane == 100]
    assert per_chat == sorted(per_chat)
    assert len(per_chat) == 4


async def test_stored_errors_carry_no_token_in_any_case(db: Database, clock: ManualClock) -> None:
    redaction.register([TOKEN])
    try:
        async with db.transaction() as tx:
            await outbox.enqueue(
                tx, [Call(1, "sendMessage", {"chat_id": 1, "text": "a"})], clock.now()
            )
        (call,) = await outbox.ready(db, clock.now(), 10)
        url = f"https://api.telegram.org/bot{TOKEN.upper()}/sendMessage"
        await outbox.postpone(db, call.id, clock.now() + timedelta(seconds=1), f"timeout {url}")
        await outbox.mark_failed(db, call.id, f"refused at {url.lower()}")
        await inbox.store(db, [StoredUpdate(1, 1, "{}")], clock.now())
        (row,) = await inbox.pending(db)
        async with db.transaction() as tx:
            await inbox.mark_failed(tx, row.id, f"ConnectError({url})", clock.now())
        async with db.read() as tx:
            kept = [r[0] for r in await tx.fetchall("SELECT last_error FROM outbox")]
            kept += [r[0] for r in await tx.fetchall("SELECT error FROM inbox")]
    finally:
        redaction.forget()
    assert all("***" in text for text in kept)
    assert not any("aahdqtcv" in text.lower() for text in kept)


async def test_a_file_of_random_bytes_is_refused_at_open(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(DatabaseFault, match="not a SQLite database"):
        await Database.open(path)


def test_sqlite_errors_that_mean_stop_are_told_apart_from_busy() -> None:
    assert fault_of(sqlite3.OperationalError("database or disk is full")) is not None
    assert fault_of(sqlite3.OperationalError("attempt to write a readonly database")) is not None
    assert fault_of(sqlite3.DatabaseError("database disk image is malformed")) is not None
    assert fault_of(sqlite3.OperationalError("database is locked")) is None


def test_a_file_shorter_than_its_header_says_starts_when_its_log_is_beside_it(
    tmp_path: Path,
) -> None:
    """Killed mid-checkpoint, the file may lag its header; the WAL holds the rest."""
    database = tmp_path / "lianxin.db"
    page = 4096
    header = bytearray(b"SQLite format 3\x00".ljust(100, b"\x00"))
    header[16:18] = page.to_bytes(2, "big")
    header[24:28] = header[92:96] = (7).to_bytes(4, "big")
    header[28:32] = (3).to_bytes(4, "big")  # three pages
    database.write_bytes(bytes(header).ljust(2 * page, b"\x00"))  # two on disk
    with pytest.raises(DatabaseFault, match="cut short"):
        check_file(database)
    Path(f"{database}-wal").write_bytes(b"\x37\x7f\x06\x82" + b"\x00" * 28)
    check_file(database)  # SQLite replays the log: nothing to refuse
