"""Several processes on one database: inbox and outbox rows leased per chat, in order,
taken over when a lease ends; named leases (the receiver, each sweep) held by one."""

from __future__ import annotations

from datetime import timedelta

from bot.calls import Call
from bot.clock import ManualClock
from storage import inbox, leases, outbox, process
from storage.db import Database
from storage.inbox import StoredUpdate
from storage.outbox import Held, PendingCall
from storage.timefmt import to_db

LEASE = timedelta(seconds=60)
A, B = "host:1:aaaaaa", "host:2:bbbbbb"


async def store(db: Database, clock: ManualClock, *lanes: int) -> None:
    updates = [StoredUpdate(n, lane, f'{{"n": {n}}}') for n, lane in enumerate(lanes, 1)]
    await inbox.store(db, updates, clock.now())


async def handle(db: Database, clock: ManualClock, row_id: int, me: str) -> bool:
    """What the dispatcher does: handle the row only if it is still ``me``'s."""
    async with db.transaction() as tx:
        if await inbox.payload_if_mine(tx, row_id, me) is None:
            return False
        await inbox.mark_done(tx, row_id, clock.now())
    return True


async def test_a_chat_is_claimed_by_one_process_at_a_time(
    db: Database, clock: ManualClock
) -> None:
    await store(db, clock, 10, 10, 20, 10)
    mine = await inbox.claim(db, A, clock.now(), LEASE)
    assert [(r.lane, r.id) for r in mine] == [(10, 1), (20, 3), (10, 2), (10, 4)]
    assert await inbox.claim(db, B, clock.now(), LEASE) == []  # both chats are A's
    await store(db, clock, 10, 10, 10, 10, 30)  # same update ids: ignored, but for chat 30
    assert [r.lane for r in await inbox.claim(db, B, clock.now(), LEASE)] == [30]
    # A's own chats stay A's, and its claim renews what it holds.
    assert [r.id for r in await inbox.claim(db, A, clock.now(), LEASE)] == [1, 3, 2, 4]


async def test_a_killed_process_rows_are_taken_in_order_when_its_lease_ends(
    db: Database, clock: ManualClock
) -> None:
    await store(db, clock, 10, 10, 10)
    first, second, third = await inbox.claim(db, A, clock.now(), LEASE)
    assert await handle(db, clock, first.id, A)
    # A is killed here. Until its lease ends, its chat waits.
    clock.advance(LEASE - timedelta(seconds=1))
    assert await inbox.claim(db, B, clock.now(), LEASE) == []
    clock.advance(timedelta(seconds=2))
    taken = await inbox.claim(db, B, clock.now(), LEASE)
    assert [r.id for r in taken] == [second.id, third.id]  # nothing lost, in order
    assert not await handle(db, clock, second.id, A)  # A, back late, finds it B's
    assert await handle(db, clock, second.id, B)
    assert not await handle(db, clock, second.id, B)  # handled once


async def test_renewed_leases_hold_and_released_ones_go_at_once(
    db: Database, clock: ManualClock
) -> None:
    await store(db, clock, 10, 20)
    await inbox.claim(db, A, clock.now(), LEASE)
    clock.advance(LEASE / 2)
    assert await inbox.renew(db, A, clock.now(), LEASE) == 2
    clock.advance(LEASE / 2 + timedelta(seconds=1))  # past the first lease, not the renewed
    assert await inbox.claim(db, B, clock.now(), LEASE) == []
    assert await inbox.release(db, A) == 2  # a clean stop
    assert [r.lane for r in await inbox.claim(db, B, clock.now(), LEASE)] == [10, 20]


async def enqueue(db: Database, clock: ManualClock, *calls: Call) -> list[int]:
    async with db.transaction() as tx:
        await outbox.enqueue(tx, list(calls), clock.now())
        rows = await tx.fetchall("SELECT id FROM outbox ORDER BY id")
    return [int(r[0]) for r in rows]


def msg(lane: int, text: str) -> Call:
    return Call(lane, "sendMessage", {"chat_id": lane, "text": text})


async def test_a_call_goes_out_from_one_process_and_its_chat_waits_for_it(
    db: Database, clock: ManualClock
) -> None:
    one, two, other = await enqueue(db, clock, msg(1, "a"), msg(1, "b"), msg(2, "c"))
    claimed = await outbox.claim_call(db, one, A, clock.now(), LEASE)
    assert isinstance(claimed, PendingCall)
    assert claimed.params["text"] == "a"
    held = await outbox.claim_call(db, one, B, clock.now(), LEASE)
    assert held == Held(claimed_until(clock))
    # B may not send chat 1's next call while A holds its first: order within a chat.
    assert isinstance(await outbox.claim_call(db, two, B, clock.now(), LEASE), Held)
    assert isinstance(await outbox.claim_call(db, other, B, clock.now(), LEASE), PendingCall)
    await outbox.mark_sent(db, one, 100, clock.now())
    assert await outbox.claim_call(db, one, B, clock.now(), LEASE) is None  # sent: final
    assert isinstance(await outbox.claim_call(db, two, B, clock.now(), LEASE), PendingCall)


def claimed_until(clock: ManualClock) -> str:
    return to_db(clock.now() + LEASE)


async def test_a_killed_sender_calls_are_taken_when_its_lease_ends(
    db: Database, clock: ManualClock
) -> None:
    (call,) = await enqueue(db, clock, msg(1, "a"))
    await outbox.claim_call(db, call, A, clock.now(), LEASE)
    clock.advance(LEASE / 2)
    await outbox.renew(db, A, clock.now(), LEASE)
    clock.advance(LEASE / 2 + timedelta(seconds=1))
    assert isinstance(await outbox.claim_call(db, call, B, clock.now(), LEASE), Held)
    clock.advance(LEASE)  # A died after its renewal
    assert isinstance(await outbox.claim_call(db, call, B, clock.now(), LEASE), PendingCall)
    assert await outbox.release(db, B) == 1
    assert isinstance(await outbox.claim_call(db, call, A, clock.now(), LEASE), PendingCall)


async def test_a_named_lease_has_one_holder_until_it_ends(
    db: Database, clock: ManualClock
) -> None:
    ttl = timedelta(seconds=15)
    assert await leases.take(db, "receiver", A, clock.now(), ttl)
    assert not await leases.take(db, "receiver", B, clock.now(), ttl)
    assert await leases.take(db, "sweep:x", B, clock.now(), ttl)  # another name, another
    clock.advance(timedelta(seconds=10))
    assert await leases.take(db, "receiver", A, clock.now(), ttl)  # renewed
    clock.advance(timedelta(seconds=10))
    assert not await leases.take(db, "receiver", B, clock.now(), ttl)
    assert await leases.holder_of(db, "receiver", clock.now()) == A
    clock.advance(timedelta(seconds=6))  # A stopped renewing: its lease ended
    assert await leases.take(db, "receiver", B, clock.now(), ttl)
    await leases.give_back(db, B)
    assert await leases.holder_of(db, "receiver", clock.now()) is None
    assert await leases.take(db, "receiver", A, clock.now(), ttl)


async def test_at_start_a_killed_predecessor_rows_wait_only_where_others_may_run(
    db: Database, clock: ManualClock
) -> None:
    """SQLite: one process per file, so a lease found at start is a dead one's (its chats
    are taken at once). PostgreSQL: another process may hold it; it ends by itself."""
    await store(db, clock, 10)
    (row,) = await inbox.claim(db, A, clock.now(), LEASE)
    (call,) = await enqueue(db, clock, msg(1, "a"))
    await outbox.claim_call(db, call, A, clock.now(), LEASE)
    await leases.take(db, "receiver", A, clock.now(), LEASE)
    freed = await leases.forget_the_dead(db)
    taken = await inbox.claim(db, B, clock.now(), LEASE)
    sent = await outbox.claim_call(db, call, B, clock.now(), LEASE)
    if db.dialect == "sqlite":
        assert freed == 3
        assert [r.id for r in taken] == [row.id]
        assert isinstance(sent, PendingCall)
        assert await leases.take(db, "receiver", B, clock.now(), LEASE)
    else:
        assert (freed, taken) == (0, [])
        assert isinstance(sent, Held)
        assert not await leases.take(db, "receiver", B, clock.now(), LEASE)


async def test_at_start_the_rows_of_a_process_whose_sessions_are_gone_are_taken_at_once(
    db: Database, clock: ManualClock
) -> None:
    """PostgreSQL: each connection names its process's token (application_name), so a
    restarted process takes the chats of a killed one (no session left) at once, and
    leaves those of a running one (this test's own sessions) and of a holder it cannot
    tell (a name without a token) to their leases."""
    gone, running = "host:3:" + "0" * 16, process.name()
    for lane, holder in ((10, gone), (20, running), (30, A)):
        await inbox.store(db, [StoredUpdate(lane, lane, "{}")], clock.now())
        await inbox.claim(db, holder, clock.now(), LEASE)
    (call,) = await enqueue(db, clock, msg(1, "a"))
    await outbox.claim_call(db, call, gone, clock.now(), LEASE)
    await leases.take(db, "receiver", gone, clock.now(), LEASE)
    await leases.take(db, "sweep:x", running, clock.now(), LEASE)

    freed = await leases.forget_the_dead(db)
    taken = await inbox.claim(db, B, clock.now(), LEASE)
    if db.dialect == "sqlite":  # one process per file: every lease found is a dead one's
        assert freed == 6
        assert sorted(r.lane for r in taken) == [10, 20, 30]
        return
    assert freed == 3
    assert [r.lane for r in taken] == [10]
    assert isinstance(await outbox.claim_call(db, call, B, clock.now(), LEASE), PendingCall)
    assert await leases.take(db, "receiver", B, clock.now(), LEASE)
    assert not await leases.take(db, "sweep:x", B, clock.now(), LEASE)


async def test_the_processes_alive_share_the_send_budget(db: Database, clock: ManualClock) -> None:
    assert await leases.share(db, A, clock.now(), LEASE) == 1
    assert await leases.share(db, B, clock.now(), LEASE) == 2
    assert await leases.share(db, A, clock.now(), LEASE) == 2  # renewing is not another
    await leases.give_back(db, B)  # B stopped cleanly
    assert await leases.share(db, A, clock.now(), LEASE) == 1
    await leases.share(db, B, clock.now(), LEASE)
    clock.advance(LEASE + timedelta(seconds=1))  # neither renewed: both leases ended
    assert await leases.share(db, A, clock.now(), LEASE) == 1
