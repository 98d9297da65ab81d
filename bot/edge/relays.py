"""The sweep that relays a villager's waiting follow-ups (``handlers.joining``) once
their handler's chat has room, run by PTB's JobQueue every ``EVERY``.

The follow-ups are rows; each relay leaves in the transaction that deletes its rows, so
a restart neither loses nor repeats one.
"""

from __future__ import annotations

from collections.abc import Callable

from handlers import joining
from handlers.context import Setup, Unit
from storage import joins
from storage.db import Database
from storage.unit_of_work import unit_of_work

EVERY = 1.0  # seconds
REQUESTS_PER_SWEEP = 200


async def relay_waiting(db: Database, services: Setup, on_outbox: Callable[[], None]) -> int:
    """Relay what each request's handler has room for; returns the calls queued."""
    async with db.read() as tx:
        if not await joins.any_waiting(tx):
            return 0
    now = services.clock.now()
    async with unit_of_work(db, now) as work:
        tx = work.tx
        unit = Unit(work, services)
        for request_id in await joins.requests_waiting(tx, REQUESTS_PER_SWEEP):
            await joining.relay(unit, request_id)
    if work.queued:
        on_outbox()
    return work.queued
