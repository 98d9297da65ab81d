"""Periodic sweeps over rows with due times, run by PTB's JobQueue.

The due times live in the database; a sweep only finds what is due now and acts on it,
in one transaction with the messages it owes, so a restart forgets nothing and a
sweep that runs twice does nothing twice (a closed request cannot close again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.calls import Priority
from bot.domain import deadlines, requests
from handlers import deadlines as deadline_views
from handlers import notify
from handlers.context import Setup, Unit
from storage import deadlines as stored_deadlines
from storage import requests as stored
from storage.db import Database
from storage.deadlines import DeadlineRequests
from storage.unit_of_work import unit_of_work

log = logging.getLogger(__name__)


async def close_unconfirmed(db: Database, services: Setup, on_outbox: Callable[[], None]) -> int:
    """销号 by timeout: resolved requests the villager has not answered within
    ``requests.confirm_within`` close, marked so. Returns how many closed."""
    now = services.clock.now()
    cutoff = now - services.config.requests.confirm_within
    async with unit_of_work(db, now) as work:
        tx = work.tx
        unit = Unit(work, services)
        due = await stored.resolved_before(tx, cutoff)
        for request_id in due:
            done = await requests.close_by_timeout(stored.Requests(tx), now, request_id)
            await notify.deliver(unit, done.tells)
    if due:
        log.info("closed %d request(s) not confirmed in time", len(due))
        on_outbox()
    return len(due)


async def watch_deadlines(
    db: Database, services: Setup, on_outbox: Callable[[], None]
) -> tuple[int, int]:
    """Remind handlers before their due times and escalate requests past them, in one
    transaction with the messages owed, all sent as bulk (behind answers to people).
    Returns (reminders, escalations or stalls)."""
    now = services.clock.now()
    config = services.config.deadlines
    table = config.table()
    async with unit_of_work(db, now, priority=Priority.BULK) as work:
        tx = work.tx
        unit = Unit(work, services)
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
    if acted or reminded:
        log.info("deadlines: %d reminder(s), %d escalation(s)", reminded, acted)
        on_outbox()
    return reminded, acted
