"""Periodic sweeps over rows with due times, run by PTB's JobQueue.

The due times live in the database; a sweep only finds what is due now and acts on it,
in one transaction with the messages it owes, so a restart forgets nothing and a
sweep that runs twice does nothing twice (a closed request cannot close again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.domain import requests
from bot.edge.unit import Services, Unit
from handlers import notify
from storage import outbox
from storage import requests as stored
from storage.db import Database

log = logging.getLogger(__name__)


async def close_unconfirmed(
    db: Database, services: Services, on_outbox: Callable[[], None]
) -> int:
    """销号 by timeout: resolved requests the villager has not answered within
    ``requests.confirm_within`` close, marked so. Returns how many closed."""
    now = services.clock.now()
    cutoff = now - services.config.requests.confirm_within
    async with db.transaction() as tx:
        unit = Unit(tx=tx, now=now, inbox_id=None, services=services)
        due = await stored.resolved_before(tx, cutoff)
        for request_id in due:
            done = await requests.close_by_timeout(stored.Requests(tx), now, request_id)
            await notify.deliver(unit, done.tells)
        await outbox.enqueue(tx, unit.calls, now)
    if due:
        log.info("closed %d request(s) not confirmed in time", len(due))
        on_outbox()
    return len(due)
