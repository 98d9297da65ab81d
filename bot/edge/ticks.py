"""A sweep's tick, run in its own unit of work: the edge's half of every periodic job.

PTB's JobQueue wakes a sweep; ``run_tick`` opens a unit of work, makes a handler-side
``Unit`` around it and calls the sweep's handler (``handlers/sweeps.py`` and the like:
it calls its use case and renders what came back, as the update handlers do), then the
unit commits with the calls owed (all at ``priority``: sweeps send BULK, behind answers
to people) and the sender is woken. The runtime wires each sweep's handler to its tick,
so nothing here knows which sweeps exist.

Several processes on one database run each sweep once, not once each: ``in_turn`` runs
a job only in the process holding its lease (``storage.leases``), renewed at each run.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot.calls import Priority
from bot.clock import Clock
from handlers.context import Setup, Unit
from storage import leases
from storage.db import Database
from storage.unit_of_work import unit_of_work

log = logging.getLogger(__name__)
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


async def in_turn(
    db: Database,
    name: str,
    me: str,
    clock: Clock,
    ttl: timedelta,
    job: Callable[[], Awaitable[Any]],
) -> bool:
    """Run ``job`` if this process holds (or takes) sweep ``name``'s lease; True if run.

    ``ttl`` outlasts the sweep's interval, so its holder keeps it from run to run and
    the others skip; when the holder dies another runs it within ``ttl``."""
    try:
        held = await leases.take(db, f"sweep:{name}", me, clock.now(), ttl)
    except Exception as trouble:  # an unwritable database: the dispatcher stops the bot
        log.warning("sweep %s skipped: its lease was not taken (%s)", name, trouble)
        return False
    if not held:
        return False
    await job()
    return True
