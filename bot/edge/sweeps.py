"""Periodic sweeps over rows with due times, run by PTB's JobQueue.

The due times live in the database; a sweep only finds what is due now and acts on it,
in one transaction with the messages it owes, so a restart forgets nothing and a
sweep that runs twice does nothing twice (a closed request cannot close again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from bot.domain import deadlines, requests
from bot.edge.unit import Services, Unit
from handlers import deadlines as deadline_views
from handlers import notify
from storage import deadlines as stored_deadlines
from storage import outbox
from storage import requests as stored
from storage.db import Database
from storage.deadlines import DeadlineRequests

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


async def watch_deadlines(
    db: Database, services: Services, on_outbox: Callable[[], None]
) -> tuple[int, int]:
    """Remind handlers before their due times and escalate requests past them, in one
    transaction with the messages owed, all sent as bulk (behind answers to people).
    Returns (reminders, escalations or stalls)."""
    now = services.clock.now()
    config = services.config.deadlines
    table = config.table()
    async with db.transaction() as tx:
        unit = Unit(tx=tx, now=now, inbox_id=None, services=services)
        store = DeadlineRequests(tx)
        acted = 0
        for request_id in await stored_deadlines.overdue(tx, now, deadlines.REOPENS_TO_ESCALATE):
            done = await deadlines.escalate_overdue(store, now, request_id, table)
            if done is not None:
                acted += 1
                await notify.deliver(unit, done.tells)
        reminded = 0
        horizon = now + config.remind_before
        for request_id in await stored_deadlines.near_due(tx, now, horizon):
            for reminder in await deadlines.remind(store, now, request_id, config.remind_before):
                reminded += 1
                await deadline_views.remind(unit, reminder)
        bulk = [replace(call, priority=outbox.Priority.BULK) for call in unit.calls]
        await outbox.enqueue(tx, bulk, now)
    if acted or reminded:
        log.info("deadlines: %d reminder(s), %d escalation(s)", reminded, acted)
        on_outbox()
    return reminded, acted
