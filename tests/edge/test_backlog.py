"""The sender's backlog: chats of one priority take turns; urgent first; order kept."""

from __future__ import annotations

from bot.calls import Priority
from bot.edge.backlog import Backlog, Queued

INTERACTIVE, BULK = Priority.INTERACTIVE, Priority.BULK


def call(
    id_: int, lane: int, priority: Priority = INTERACTIVE, method: str = "sendMessage"
) -> Queued:
    return Queued(id_, lane, method, priority, 0)


def serve(backlog: Backlog, rounds: int, now: float = 0.0) -> list[int]:
    """Take and finish calls one by one (no per-chat interval); the ids in order served."""
    served = []
    for _ in range(rounds):
        taken = backlog.take(now, slot_free=True)
        if taken is None:
            break
        served.append(taken.id)
        backlog.finished(taken, now, done=True)
    return served


def test_a_newcomer_is_served_within_one_round_not_behind_a_backlog() -> None:
    backlog = Backlog()
    for n in range(1, 101):  # two chats with 50 calls each, written first
        backlog.add(call(n, lane=1 + n % 2), 0.0)
    backlog.add(call(1000, lane=9), 0.0)  # the newcomer's answer, written last
    order = serve(backlog, 200)
    assert order.index(1000) <= 2  # behind at most one call of each chat at work
    assert len(order) == 101


def test_each_chat_keeps_its_order_and_interactive_goes_first() -> None:
    backlog = Backlog()
    backlog.add(call(1, lane=1, priority=BULK), 0.0)
    backlog.add(call(2, lane=2, priority=BULK), 0.0)
    backlog.add(call(3, lane=1), 0.0)
    backlog.add(call(4, lane=3), 0.0)
    backlog.add(call(5, lane=3), 0.0)
    order = serve(backlog, 10)
    assert order.index(3) < order.index(1)  # within a chat, the answer before the reminder
    assert order.index(4) < order.index(5)
    assert order[:3] == [3, 4, 5]  # every interactive call before any reminder
    assert set(order[3:]) == {1, 2}


def test_a_postponed_head_holds_its_chat_until_due() -> None:
    backlog = Backlog()
    backlog.add(call(1, lane=1), 0.0)
    backlog.add(call(2, lane=1), 0.0)
    backlog.add(call(3, lane=2), 0.0)
    first = backlog.take(0.0, slot_free=True)
    assert first is not None
    assert first.id == 1
    first.due = 30.0  # 429: retry after 30 s
    backlog.finished(first, 0.0, done=False)
    assert serve(backlog, 5, now=1.0) == [3]  # "2" must not overtake "1"
    assert backlog.next_timer() == 30.0
    assert serve(backlog, 5, now=30.0) == [1, 2]


def test_the_per_chat_interval_and_the_global_slot_hold_paced_calls_only() -> None:
    backlog = Backlog()
    backlog.add(call(1, lane=1), 0.0)
    backlog.add(call(2, lane=1), 0.0)
    backlog.add(call(3, lane=1, method="answerCallbackQuery"), 0.0)
    first = backlog.take(0.0, slot_free=True)
    assert first is not None
    backlog.finished(first, 0.0, done=True, free_at=1.05)
    assert backlog.take(0.5, slot_free=True) is None  # the chat's interval
    assert backlog.take(1.1, slot_free=False) is None  # the global slot
    assert backlog.waiting_for_slot()
    second = backlog.take(1.1, slot_free=True)
    assert second is not None
    assert second.id == 2
    backlog.finished(second, 1.1, done=True, free_at=2.15)
    third = backlog.take(1.2, slot_free=False)  # not a message: not paced
    assert third is not None
    assert third.id == 3
