"""The schedule sweep: service-day, reception-day, stay-quota and digest reminders, and
the supervisors' monthly ranking.

Run by PTB's JobQueue every ``schedule.sweep_every`` (and once at start). It asks the
domain which rounds are due now (``bot.domain.schedule.due``: derived from the
configuration, never stored ahead) and runs each in its own unit of work: the use case
(``bot.services.reminders.remind``) says who is reminded of what and marks the round
done, the view given by the runtime (``handlers.reminders.render``) words each reminder,
and the calls are queued as BULK in the same transaction as the mark. Every reminder
carries a dedup key naming its person, day and kind, so nothing is sent twice whatever
happens between a crash and a restart; a round missed while the bot was down is sent on
start while its day lasts, and dropped after.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from bot.calls import Call, Priority
from bot.clock import Clock
from bot.config import Config
from bot.domain import schedule
from bot.i18n import Texts
from bot.services import reminders
from storage.db import Database
from storage.unit_of_work import unit_of_work

log = logging.getLogger(__name__)

View = Callable[[Texts, reminders.Reminder], Call]  # handlers.reminders.render


class Settings(Protocol):
    """What the sweep reads of the process's setup (``handlers.context.Setup``)."""

    @property
    def config(self) -> Config: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def texts(self) -> Texts: ...


async def sweep(db: Database, setup: Settings, on_outbox: Callable[[], None], view: View) -> int:
    """Queue the reminders due now; returns how many calls were added to the outbox."""
    now = setup.clock.now()
    zone = setup.config.general.zone
    rules = setup.config.schedule.rules(zone, tuple(setup.config.general.admins))
    added = 0
    for occasion in schedule.due(rules, now):
        async with unit_of_work(db, now, priority=Priority.BULK) as work:
            due = await reminders.remind(work, rules, occasion, zone)
            work.send(*(view(setup.texts, reminder) for reminder in due or ()))
        if due is not None:
            added += work.queued
            log.info("schedule: %s, %d reminder(s) queued", occasion.key, len(due))
    if added:
        on_outbox()
    return added
