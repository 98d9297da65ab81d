"""``lianxin status`` over a database with a known backlog, at a fixed moment: the figures
a clerk reads, the one-word verdict, and the exit code a monitoring script acts on."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.calls import Call
from bot.domain.health import LIMIT
from bot.i18n import Texts
from bot.status_cli import status
from storage import health, inbox, leases, migrate, outbox
from storage.db import Database

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)  # 20:00 in Asia/Shanghai
ZONE = ZoneInfo("Asia/Shanghai")
LAST_ID = "SELECT max(id) FROM outbox"


def update(update_id: int) -> inbox.StoredUpdate:
    return inbox.StoredUpdate(update_id, 1001, json.dumps({"update_id": update_id}))


async def call_at(db: Database, made: datetime) -> int:
    async with db.transaction() as tx:
        await outbox.enqueue(tx, [Call(1001, "sendMessage", {"chat_id": 1001})], made)
        return int(await tx.scalar(LAST_ID))


async def county(path: Path) -> Database:
    """Handled an update 2 h ago and received one 3 min ago (waiting); four calls: one due
    25 min ago, one made a minute ago, one failed 2 h ago and one failed 2 days ago."""
    db = await Database.open(path)
    await migrate.upgrade(db, NOW - timedelta(days=3))
    await inbox.store(db, [update(1)], NOW - timedelta(hours=2))
    async with db.transaction() as tx:
        await inbox.mark_done(tx, 1, NOW - timedelta(hours=2))
    await inbox.store(db, [update(2)], NOW - timedelta(minutes=3))
    await call_at(db, NOW - timedelta(minutes=25))
    await call_at(db, NOW - timedelta(minutes=1))
    await outbox.mark_failed(db, await call_at(db, NOW - timedelta(hours=2)), "Forbidden")
    await outbox.mark_failed(db, await call_at(db, NOW - timedelta(days=2)), "Forbidden")
    async with db.transaction() as tx:
        await health.record_sweep(tx, NOW - timedelta(seconds=30))
    return db


async def test_a_stuck_message_needs_attention_and_exits_1(tmp_path: Path) -> None:
    db = await county(tmp_path / "x.db")
    await db.close()
    code, lines = await status(tmp_path / "x.db", NOW, Texts("zh"), ZONE, LIMIT, as_json=False)
    assert code == 1
    assert lines[0] == "结论：需要处理（attention）"
    assert "最近收到的更新：2026-11-29 19:57（3 分钟前）" in lines
    assert "收件箱：等待处理 1，处理失败 0" in lines
    assert "发件箱：排队 2（已到发送时间 2），24 小时内发送失败 1" in lines
    assert "最早排队的一条已等待 25 分钟" in lines
    assert "最近一次定时任务：2026-11-29 19:59（30 秒前）" in lines
    assert lines[-1].startswith("需要处理：有消息到了发送时间却等待超过 10 分钟")


async def test_the_same_database_is_ok_once_the_message_went_out(tmp_path: Path) -> None:
    db = await county(tmp_path / "x.db")
    stuck = int(await _first_pending(db))
    await outbox.mark_sent(db, stuck, 7, NOW)
    await db.close()
    code, lines = await status(tmp_path / "x.db", NOW, Texts("en"), ZONE, LIMIT, as_json=True)
    assert code == 0
    shown = json.loads(lines[0])
    del shown["at"]
    assert shown == {
        "verdict": "ok",
        "reasons": [],
        "schema": migrate.available()[-1].version,
        "last_update_age_s": 180,
        "inbox_waiting": 1,
        "inbox_failed": 0,
        "outbox_queued": 1,
        "outbox_due": 1,
        "outbox_oldest_age_s": 60,
        "outbox_failed_24h": 1,
        "last_sweep_age_s": 30,
    }


async def test_a_failed_update_and_stopped_sweeps_are_named(tmp_path: Path) -> None:
    db = await county(tmp_path / "x.db")
    async with db.transaction() as tx:
        await inbox.mark_failed(tx, 2, "KeyError", NOW - timedelta(minutes=2))
    await db.close()
    later = NOW + timedelta(minutes=40)  # no sweep since NOW - 30 s
    code, lines = await status(tmp_path / "x.db", later, Texts("en"), ZONE, LIMIT, as_json=False)
    assert code == 1
    assert lines[0] == "verdict: attention"
    assert lines[-3:] == [
        "attention: some updates failed; lianxin inbox failed lists them, "
        "lianxin inbox retry retries them",
        "attention: a due message has waited more than 10 min to be sent (is the bot running? "
        "can it reach Telegram?)",
        "attention: no sweep has run for more than 10 min (is the bot running?)",
    ]


async def _first_pending(db: Database) -> int:
    pending, _ = await outbox.all_pending(db)
    return min(p.id for p in pending)


async def test_status_names_the_processes_at_work(tmp_path: Path) -> None:
    db = await county(tmp_path / "x.db")
    _, lines = await status(tmp_path / "x.db", NOW, Texts("zh"), ZONE, LIMIT, as_json=False)
    assert "没有进程在运行（没有有效的租约）" in lines
    minute = timedelta(minutes=1)
    await leases.take(db, "receiver", "host-a:101:aa", NOW, minute)
    await leases.take(db, "heartbeat", "host-a:101:aa", NOW, minute)
    await leases.take(db, "retention", "host-b:202:bb", NOW, minute)
    await leases.take(db, "relay", "host-c:303:cc", NOW - 2 * minute, minute)  # ended
    await db.close()
    _, lines = await status(tmp_path / "x.db", NOW, Texts("zh"), ZONE, LIMIT, as_json=False)
    shown = [line for line in lines if line.startswith("进程")]
    assert shown == [
        "进程 host-a:101:aa：收消息，1 项定时任务",
        "进程 host-b:202:bb：1 项定时任务",
    ]
    assert lines[-1].startswith("需要处理")  # what to do stays last
