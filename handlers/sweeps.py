"""The sweeps' handlers: each periodic job's use case called, its result worded by the
views and queued, in the unit of work ``bot.edge.ticks.run_tick`` opens for the tick
(the runtime wires each to its JobQueue job, with its priority).

The due times and reroutes are rows; a sweep only finds what is due now and acts on it
in one transaction with the messages it owes, so a restart forgets nothing and a sweep
that runs twice does nothing twice (a closed request cannot close again, a reminder is
noted, a reroute is marked told).
"""

from __future__ import annotations

import logging

from bot.services import deadlines, leavers

from . import leavers as leaver_views
from . import notify
from .context import Unit
from .deadlines import reminder_call, urged_calls
from .tell_household import closing_soon_calls

log = logging.getLogger(__name__)


async def close_unconfirmed(unit: Unit) -> int:
    """销号 by timeout: resolved requests the villager has not answered within
    ``requests.confirm_within`` close, the household told; those closing within
    ``requests.remind_close_before`` are reminded of once. Returns how many closed."""
    config = unit.setup.config.requests
    closed = await deadlines.close_unconfirmed(
        unit.work, config.confirm_within, config.remind_close_before
    )
    view = unit.view()
    unit.send(*notify.calls(view, closed.notices))
    for soon in closed.reminders:
        unit.send(*closing_soon_calls(view, soon))
    if closed.closed or closed.reminders:
        log.info(
            "closed %d request(s) not confirmed in time, reminded %d",
            closed.closed,
            len(closed.reminders),
        )
    return closed.closed + len(closed.reminders)


async def watch_deadlines(unit: Unit) -> int:
    """督办 past due times (the handler urged, the supervisor's digest line), one tier up
    past ``deadlines.escalate_after``, then remind handlers before their due times; the
    runtime sends all of it as bulk. Returns how many of all."""
    config = unit.setup.config
    supervision = config.deadlines.supervision(config.notices)
    table, before = config.deadlines.table(), config.deadlines.remind_before
    watched = await deadlines.watch(unit.work, table, before, supervision)
    view = unit.view()
    unit.send(*urged_calls(view, watched.notices))
    unit.send(*(reminder_call(view, due) for due in watched.reminders))
    if watched.acted:
        log.info(
            "deadlines: %d reminder(s), %d urged, %d digest line(s), %d escalation(s)",
            watched.reminded,
            watched.urged,
            watched.digested,
            watched.escalated,
        )
    return watched.acted


async def tell_reroutes(unit: Unit) -> int:
    """What ``roster import`` or ``cards revoke --unbind`` re-routed while a cadre left:
    the new handlers and households told, the admins one summary. Returns how many."""
    told = await leavers.tell_reroutes(unit.work)
    view = unit.view()
    unit.send(*notify.calls(view, told.notices))
    unit.send(*leaver_views.summary(view, told.lines))
    if told.told:
        log.info("told %d reroute(s) of requests whose cadre left", told.told)
    return told.told
