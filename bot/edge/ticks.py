"""A sweep's tick, run in its own unit of work: the edge's half of every periodic job.

PTB's JobQueue wakes a sweep; ``run_tick`` opens a unit of work, makes a handler-side
``Unit`` around it and calls the sweep's handler (``handlers/sweeps.py`` and the like:
it calls its use case and renders what came back, as the update handlers do), then the
unit commits with the calls owed (all at ``priority``: sweeps send BULK, behind answers
to people) and the sender is woken. The runtime wires each sweep's handler to its tick,
so nothing here knows which sweeps exist.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.calls import Priority
from handlers.context import Setup, Unit
from storage.db import Database
from storage.unit_of_work import unit_of_work

Tick = Callable[[Unit], Awaitable[int]]  # a sweep's handler; returns how many it acted on


async def run_tick(
    db: Database,
    setup: Setup,
    tick: Tick,
    on_outbox: Callable[[], None],
    *,
    priority: Priority | None = None,
) -> int:
    """One tick of a sweep in one transaction with the calls it owes."""
    async with unit_of_work(db, setup.clock.now(), priority=priority) as work:
        acted = await tick(Unit(work, setup))
    if work.queued:
        on_outbox()
    return acted
