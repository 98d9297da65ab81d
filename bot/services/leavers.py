"""Telling what the command line re-routed when cadres left (``bot.leaving``): the new
handler gets the whole case, the household hears who handles it now, the leaver (if still
on Lianxin) where it went, and the administrators one summary.

The sweep's use case: each reroute is marked told in the same unit of work as the
notices are queued, so none is told twice or forgotten.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain import leavers
from bot.domain.leavers import Reason, Rerouted, Untold
from bot.domain.requests import Request
from bot.domain.roster import HouseholdDetails
from bot.domain.routing import Route
from bot.services import notices
from bot.services.notices import Notice, NoticeWork


class RerouteLog(Protocol):
    async def untold(self) -> list[Untold]: ...
    async def request(self, request_id: int) -> Request | None: ...
    async def mark_told(self, ids: Sequence[int], now: datetime) -> None: ...


class LeaverWork(NoticeWork, Protocol):
    """A base of ``bot.services.work.Work``."""

    @property
    def reroutes(self) -> RerouteLog: ...


@dataclass(frozen=True)
class SummaryLine:
    """One request of the administrators' summary: from whom, why, and to whom (with a
    phone), names as the roster has them (an id if no longer there)."""

    number: str
    household: HouseholdDetails
    gone: str
    reason: Reason
    route: Route | None  # None: no one could take it
    handler: str = ""
    phone: str = "-"


@dataclass(frozen=True)
class Told:
    """The notices of the reroutes told, the summary's lines, how many were marked told."""

    notices: tuple[Notice, ...]
    lines: tuple[SummaryLine, ...]
    told: int


async def tell_reroutes(work: LeaverWork) -> Told:
    """Tell the reroutes not yet told (a batch) and mark them told."""
    log = work.reroutes
    rows = await log.untold()
    told: list[Notice] = []
    lines: list[SummaryLine] = []
    for row in rows:
        request = await log.request(row.request_id)
        if request is None:
            continue
        if row.route is not None and request.handler_id == row.route.cadre_id:
            # Still theirs (not moved on since): the handler and the household hear.
            done = Rerouted(request, row.gone, row.reason, row.route)
            told += await notices.address(work, leavers.tells(done))
        lines.append(await _line(work, row, request))
    if rows:
        await log.mark_told([row.id for row in rows], work.now)
    return Told(tuple(told), tuple(lines), len(rows))


async def _line(work: LeaverWork, row: Untold, request: Request) -> SummaryLine:
    household = await work.directory.household(request.household_id)
    gone, _ = await _name_phone(work, row.gone)
    line = SummaryLine(request.number, household, gone, row.reason, row.route)
    if row.route is None:
        return line
    handler, phone = await _name_phone(work, row.route.cadre_id)
    return SummaryLine(request.number, household, gone, row.reason, row.route, handler, phone)


async def _name_phone(work: LeaverWork, cadre_id: str) -> tuple[str, str]:
    try:
        cadre = await work.people.cadre(cadre_id)
    except LookupError:
        return cadre_id, "-"
    return cadre.name, cadre.phone or "-"
