"""When to relay a villager's waiting follow-ups: every ``EVERY`` seconds (PTB's
JobQueue), if any wait.

The follow-ups are rows (``storage.joins``); each relay leaves in the unit of work that
deletes its rows, so a restart neither loses nor repeats one. The relaying itself is the
sweep's handler (``handlers.joining.relay_tick`` over ``bot.services.relays``), run by
``bot.edge.ticks.run_tick``; the runtime wires the two. Looking first costs a read on a
snapshot, so an idle bot does not take the writer lock every second.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.clock import Clock
from storage.db import Database
from storage.unit_of_work import reading

EVERY = 1.0  # seconds


async def relay_waiting(db: Database, clock: Clock, tick: Callable[[], Awaitable[int]]) -> int:
    """Run ``tick`` (the relay sweep in its own unit of work) if follow-ups wait; returns
    what it returns (0 if nothing waits)."""
    async with reading(db, clock.now()) as work:
        if not await work.joins.any_waiting():
            return 0
    return await tick()
