"""Telling what the command line re-routed when cadres left (``bot.leaving``): the new
handler gets the whole case, the household hears who handles it now, the leaver (if still
on Lianxin) where it went, and the administrators one summary. Run by PTB's JobQueue every
``requests.sweep_every`` and at start; each reroute is marked told in the same transaction
as the messages, so none is told twice or forgotten."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.domain import leavers
from handlers import leavers as views
from handlers import notify
from handlers.context import Setup, Unit
from storage import leavers as stored
from storage.db import Database
from storage.requests import Requests
from storage.unit_of_work import unit_of_work

log = logging.getLogger(__name__)


async def tell_reroutes(db: Database, services: Setup, on_outbox: Callable[[], None]) -> int:
    """Tell the reroutes not yet told; returns how many."""
    now = services.clock.now()
    async with unit_of_work(db, now) as work:
        tx = work.tx
        rows = await stored.untold(tx)
        if not rows:
            return 0
        unit = Unit(work, services)
        lines = []
        for row in rows:
            request = await Requests(tx).get(row.request_id)
            if request is None:
                continue
            if row.route is not None and request.handler_id == row.route.cadre_id:
                # Still theirs (not moved on since): the handler and the household hear.
                done = leavers.Rerouted(request, row.gone, row.reason, row.route)
                await notify.deliver(unit, leavers.tells(done))
            lines.append(await views.summary_line(unit, row, request))
        views.tell_admins(unit, lines)
        await stored.mark_told(tx, [row.id for row in rows], now)
    log.info("told %d reroute(s) of requests whose cadre left", len(rows))
    on_outbox()
    return len(rows)
