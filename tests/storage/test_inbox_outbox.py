"""The inbox keeps each update once; the outbox hands out lane heads, urgent first."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.calls import Call, Priority
from bot.clock import ManualClock
from storage import inbox, outbox
from storage.db import BackupError, Database
from storage.inbox import StoredUpdate


async def test_a_redelivered_update_is_ignored(db: Database, clock: ManualClock) -> None:
    first = StoredUpdate(7, 100, '{"update_id": 7, "v": 1}')
    await inbox.store(db, [first], clock.now())
    await inbox.store(db, [first, first], clock.now())
    rows = await inbox.pending(db)
    assert [r.lane for r in rows] == [100]
    async with db.read() as tx:
        assert await inbox.payload_if_pending(tx, rows[0].id) == first.payload


async def test_a_reused_update_id_with_new_content_is_kept(
    db: Database, clock: ManualClock
) -> None:
    """Telegram restarts ids (a new Bot API server, a week of silence): still new messages."""
    await inbox.store(db, [StoredUpdate(1, 100, '{"update_id": 1, "text": "old"}')], clock.now())
    (old,) = await inbox.pending(db)
    async with db.transaction() as tx:
        await inbox.mark_done(tx, old.id, clock.now())
    await inbox.store(db, [StoredUpdate(1, 100, '{"update_id": 1, "text": "new"}')], clock.now())
    rows = await inbox.pending(db)
    assert len(rows) == 1
    async with db.read() as tx:
        assert await inbox.payload_if_pending(tx, rows[0].id) == '{"update_id": 1, "text": "new"}'


async def test_done_rows_are_not_pending(db: Database, clock: ManualClock) -> None:
    await inbox.store(db, [StoredUpdate(1, 5, "{}"), StoredUpdate(2, 5, "{}")], clock.now())
    first, second = await inbox.pending(db)
    async with db.transaction() as tx:
        await inbox.mark_done(tx, first.id, clock.now())
    assert await inbox.pending(db) == [second]


async def enqueue(db: Database, clock: ManualClock, *calls: Call) -> None:
    async with db.transaction() as tx:
        await outbox.enqueue(tx, list(calls), clock.now())


def msg(lane: int, text: str, priority: Priority = Priority.INTERACTIVE) -> Call:
    return Call(lane, "sendMessage", {"chat_id": lane, "text": text}, priority)


async def test_interactive_heads_come_before_bulk(db: Database, clock: ManualClock) -> None:
    await enqueue(
        db,
        clock,
        msg(1, "reminder a", Priority.BULK),
        msg(2, "reminder b", Priority.BULK),
        msg(1, "answer to 1"),
        msg(3, "answer to 3"),
    )
    ready = await outbox.ready(db, clock.now(), 10)
    assert [c.params["text"] for c in ready] == ["answer to 1", "answer to 3", "reminder b"]


async def test_a_postponed_head_holds_its_lane_in_order(db: Database, clock: ManualClock) -> None:
    await enqueue(db, clock, msg(1, "first"), msg(1, "second"), msg(2, "other"))
    first = (await outbox.ready(db, clock.now(), 10))[0]
    await outbox.postpone(db, first.id, clock.now() + timedelta(seconds=30), "429")
    ready = await outbox.ready(db, clock.now(), 10)
    assert [c.params["text"] for c in ready] == ["other"]  # "second" must not overtake
    clock.advance(timedelta(seconds=31))
    ready = await outbox.ready(db, clock.now(), 10)
    assert [c.params["text"] for c in ready] == ["first", "other"]
    assert ready[0].attempts == 1


async def test_sent_is_final_and_dedup_keys_enqueue_once(db: Database, clock: ManualClock) -> None:
    reminder = Call(9, "sendMessage", {"chat_id": 9, "text": "r"}, Priority.BULK, "rem:9:15")
    await enqueue(db, clock, reminder)
    await enqueue(db, clock, reminder)
    (call,) = await outbox.ready(db, clock.now(), 10)
    await outbox.mark_sent(db, call.id, 42, clock.now())
    await outbox.postpone(db, call.id, clock.now(), "late retry must not resurrect it")
    assert await outbox.ready(db, clock.now(), 10) == []
    async with db.read() as tx:
        counts = await outbox.counts(tx)
    assert counts == {("sent", Priority.BULK): 1}


async def test_backup_is_a_consistent_copy(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    await enqueue(db, clock, msg(1, "kept"))
    target = tmp_path / "backup" / "copy.db"
    if db.dialect == "postgresql":  # pg_dump's work (README), said so in one line
        with pytest.raises(BackupError, match="pg_dump"):
            await db.backup_to(target)
        assert not target.exists()
        return
    await db.backup_to(target)
    copy = await Database.open(target)
    assert [c.params["text"] for c in await outbox.ready(copy, clock.now(), 10)] == ["kept"]
    await copy.close()


async def test_a_call_refused_for_good_enqueues_what_it_owes_once(
    db: Database, clock: ManualClock
) -> None:
    """Both parts of a long relay fail (the cadre blocked the bot): the villager hears
    once that their words did not arrive, in the transaction that marks the call failed."""
    notice = Call(7, "sendMessage", {"chat_id": 7, "text": "没有送达"}, dedup_key="nd:1:9")
    parts = [
        Call(9, "sendMessage", {"chat_id": 9, "text": part}, if_failed=(notice,))
        for part in ("part 1", "part 2")
    ]
    await enqueue(db, clock, *parts)
    async with db.read() as tx:
        ids = [r[0] for r in await tx.fetchall("SELECT id FROM outbox WHERE lane = 9")]
    assert await outbox.give_up(db, ids[0], "Forbidden: blocked", clock.now()) == 1
    assert await outbox.give_up(db, ids[1], "Forbidden: blocked", clock.now()) == 0
    assert await outbox.give_up(db, ids[1], "again", clock.now()) == 0  # already failed
    async with db.read() as tx:
        rows = await tx.fetchall("SELECT lane, status, payload FROM outbox ORDER BY id")
    assert [(r[0], r[1]) for r in rows] == [(9, "failed"), (9, "failed"), (7, "pending")]
    assert "没有送达" in rows[2][2]
