"""When a cadre leaves, from the command line: their requests not yet closed go to the
next cadre in the same transaction as the roster change or the unbinding, and are noted
for the bot to tell (``bot.services.leavers``). Used by ``roster import`` (pruned cadres,
and cadres no longer linked to a household) and ``cards revoke --unbind``."""

from __future__ import annotations

from datetime import datetime

from bot.domain import leavers
from bot.domain.leavers import Reason
from storage import leavers as stored
from storage.db import Tx
from storage.requests import Requests
from storage.roster_import import ImportReport


async def reroute_from(
    tx: Tx, now: datetime, cadre_id: str, reason: Reason, household_id: str | None = None
) -> int:
    """Re-route what ``cadre_id`` holds (of one household, if given); returns how many
    requests found someone else."""
    moved = 0
    store = Requests(tx)
    for request_id in await stored.held_by(tx, cadre_id, household_id):
        rerouted = await leavers.reroute(store, now, request_id, cadre_id, reason)
        if rerouted is None:
            continue
        await stored.note(tx, rerouted, now)
        moved += rerouted.route is not None
    return moved


async def after_import(tx: Tx, report: ImportReport, now: datetime) -> None:
    """The roster is written: re-route the requests of pruned cadres, and of cadres no
    longer linked to the household (moved, or the chain changed)."""
    removed = set(report.removed_cadres)
    for cadre_id in sorted(removed):
        report.rerouted += await reroute_from(tx, now, cadre_id, Reason.REMOVED)
    for household_id, cadre_id in report.unlinked:
        if cadre_id not in removed:
            report.rerouted += await reroute_from(tx, now, cadre_id, Reason.UNLINKED, household_id)
