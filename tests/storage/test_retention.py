"""Retention: a purge deletes old handled updates, sent messages, strangers and uploaded
files, and keeps everything still to handle or to send, the request trail with its names
and every figure of the statistics (compared before and after)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot import retention
from bot.config import Config
from storage import inbox
from storage import requests as stored_requests
from storage import stats as store
from storage.db import Database
from storage.inbox import StoredUpdate
from storage.timefmt import to_db
from tests.storage.test_stats import NOV, NOW, T0, november

__all__ = ["november"]

OLD = T0 + timedelta(hours=1)  # 18 days before NOW
RECENT = NOW - timedelta(days=1)
INSERT_OUTBOX = """
INSERT INTO outbox (lane, method, payload, priority, created_at, not_before, status, sent_at,
                    source_inbox_id, dedup_key)
VALUES (?, 'sendMessage', ?, 0, ?, ?, ?, ?, ?, ?)
"""
INSERT_ACCOUNT = """
INSERT INTO accounts (user_id, chat_id, first_name, first_seen, last_seen)
VALUES (?, ?, ?, ?, ?)
"""
INSERT_WRONG_TRY = "INSERT INTO bind_failures (user_id, at) VALUES (?, ?)"
UNBIND = "DELETE FROM members WHERE user_id = ?"


def config(home: Path) -> Config:
    """The retention settings, with the bot's files folder in ``home`` (the test's own
    folder: a PostgreSQL database has no file beside which to keep it)."""
    return Config.model_validate(
        {
            "database": {"path": str(home / "lianxin.db")},
            "retention": {"messages": "5d", "strangers": "3d", "files": "1h"},
        }
    )


async def inbox_row(db: Database, update_id: int, at: datetime, status: str) -> int:
    payload = f'{{"update_id": {update_id}, "message": {{"text": "电话 13812345678"}}}}'
    await inbox.store(db, [StoredUpdate(update_id, 500, payload)], at)
    async with db.transaction() as tx:
        row_id = int(await tx.scalar("SELECT max(id) FROM inbox"))
        if status == "done":
            await inbox.mark_done(tx, row_id, at)
        elif status == "failed":
            await inbox.mark_failed(tx, row_id, "boom", at)
    return row_id


async def outbox_row(
    db: Database,
    at: datetime,
    status: str,
    *,
    source: int | None = None,
    dedup: str | None = None,
    payload: str = '{"chat_id": 500, "text": "王秀英 13812345678 家里停水了"}',
) -> int:
    async with db.transaction() as tx:
        sent = to_db(at) if status == "sent" else None
        params = (500, payload, to_db(at), to_db(at), status, sent, source, dedup)
        return await tx.insert(INSERT_OUTBOX, params)


async def everything(db: Database) -> dict[str, Any]:
    """What a purge must never change: the figures, the rows of the workbook, the trails."""
    async with db.read() as tx:
        ids = [r[0] for r in await tx.fetchall("SELECT id FROM requests ORDER BY id")]
        return {
            "figures": [await store.region_figures(tx, r, NOV, NOW) for r in ("C01", "T01")],
            "lines": await store.report_lines(tx, "C01", NOV, NOW),
            "cadres": await store.region_breakdown(tx, "C01", NOV, NOW, "cadre"),
            "trails": [await stored_requests.trail(tx, i) for i in ids],
            "events": await tx.scalar("SELECT count(*) FROM request_events"),
        }


async def rows(db: Database, sql: str) -> list[tuple[Any, ...]]:
    async with db.read() as tx:
        return [tuple(r) for r in await tx.fetchall(sql)]


async def test_a_purge_keeps_what_is_needed_and_deletes_the_rest(
    db: Database, november: dict[str, int], tmp_path: Path
) -> None:
    handled_old = await inbox_row(db, 1, OLD, "done")
    failed_old = await inbox_row(db, 2, OLD, "failed")
    pending_old = await inbox_row(db, 3, OLD, "pending")
    handled_recent = await inbox_row(db, 4, RECENT, "done")
    sent_old = await outbox_row(db, OLD, "sent", source=handled_old)
    reminder_old = await outbox_row(db, OLD, "sent", dedup="svc:K007:2026-11-15:morning")
    owed_old = await outbox_row(db, OLD, "pending", source=handled_old)
    refused_old = await outbox_row(db, OLD, "failed")
    sent_recent = await outbox_row(db, RECENT, "sent", source=handled_recent)
    async with db.transaction() as tx:
        await tx.execute(UNBIND, (502,))  # acted in request B's trail, then unbound
        for user, name, seen in [(500, "秀英", OLD), (502, "桂兰", OLD), (777, "路人", OLD),
                                 (778, "新人", RECENT), (900, "郑小红", OLD)]:  # fmt: skip
            await tx.execute(INSERT_ACCOUNT, (user, user, name, to_db(seen), to_db(seen)))
        await tx.execute(INSERT_WRONG_TRY, (777, to_db(OLD)))
        await tx.execute(INSERT_WRONG_TRY, (778, to_db(NOW - timedelta(minutes=1))))
    before = await everything(db)

    dry = await retention.purge(db, config(tmp_path), NOW, dry_run=True)
    assert await everything(db) == before
    assert len(await rows(db, "SELECT id FROM inbox")) == 4  # a dry run deletes nothing

    done = await retention.purge(db, config(tmp_path), NOW)
    assert done == dry  # the dry run counted exactly what goes
    assert (done.rows.inbox, done.rows.outbox, done.rows.blanked) == (1, 2, 1)
    assert (done.rows.strangers, done.rows.bind_failures) == (1, 1)

    assert await rows(db, "SELECT id FROM inbox ORDER BY id") == [
        (failed_old,), (pending_old,), (handled_recent,)
    ]  # fmt: skip
    kept = "SELECT id, source_inbox_id, CASE WHEN payload <> '{}' THEN 1 ELSE 0 END FROM outbox"
    assert await rows(db, kept + " ORDER BY id") == [
        (reminder_old, None, 0),  # kept for its dedup key, its words gone
        (owed_old, None, 1),  # still owed: kept whole, its link to the deleted update gone
        (sent_recent, handled_recent, 1),
    ]
    assert sent_old not in {r[0] for r in await rows(db, "SELECT id FROM outbox")}
    assert refused_old not in {r[0] for r in await rows(db, "SELECT id FROM outbox")}
    assert await rows(db, "SELECT user_id FROM accounts ORDER BY user_id") == [
        (500,), (502,), (778,), (900,)
    ]  # fmt: skip
    assert await rows(db, "SELECT user_id FROM bind_failures") == [(778,)]
    assert await everything(db) == before  # figures, workbook rows, trails with names

    again = await retention.purge(db, config(tmp_path), NOW)
    assert again.total == 0


async def test_a_recent_update_delivered_again_is_still_recognised(
    db: Database, tmp_path: Path
) -> None:
    update = StoredUpdate(4, 500, '{"update_id": 4, "message": {"text": "你好"}}')
    await inbox.store(db, [update], RECENT)
    (row,) = await inbox.pending(db)
    async with db.transaction() as tx:
        await inbox.mark_done(tx, row.id, RECENT)
    await inbox_row(db, 1, OLD, "done")
    await retention.purge(db, config(tmp_path), NOW)
    await inbox.store(db, [update], NOW)  # Telegram sends it again
    assert await inbox.pending(db) == []


def made_at(path: Path, moment: datetime) -> Path:
    path.write_bytes(b"chart")
    os.utime(path, (moment.timestamp(), moment.timestamp()))
    return path


async def test_uploaded_files_go_after_the_grace_and_files_still_owed_stay(
    db: Database, tmp_path: Path
) -> None:
    folder = retention.files_folder(config(tmp_path))
    folder.mkdir()
    sent = made_at(folder / "stats-1-old.png", NOW - timedelta(hours=2))
    fresh = made_at(folder / "stats-1-new.png", NOW - timedelta(minutes=10))
    owed = made_at(folder / "stats-2-old.xlsx", NOW - timedelta(hours=2))
    payload = f'{{"chat_id": 2, "document": {{"$file": "{owed}", "filename": "{owed.name}"}}}}'
    await outbox_row(db, NOW - timedelta(hours=2), "pending", payload=payload)

    dry = await retention.purge(db, config(tmp_path), NOW, dry_run=True)
    assert dry.files == 1
    assert sent.exists()
    done = await retention.purge(db, config(tmp_path), NOW)
    assert done.files == 1
    assert sorted(p.name for p in folder.iterdir()) == [fresh.name, owed.name]
