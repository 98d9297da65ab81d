"""A cadre who leaves must not keep their requests: pruned from the roster, unbound from
Telegram, or no longer linked to the household (moved to another village), each of
their requests not yet closed goes to the next reachable cadre of the household's chain
(or the supervisor above), as routing would choose it today without them.

The command line makes the change in the same transaction as the roster change, so the
leaver can do nothing more with it; the bot tells the new handler (the whole case), the
household (who handles it now) and the administrators (one summary), from a sweep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from bot.domain.lifecycle import Event, Status, next_status
from bot.domain.requests import Audience, Request, RequestStore, Tell
from bot.domain.routing import Candidate, Route, Why, excluding, route


class Reason(StrEnum):
    REMOVED = "removed"  # pruned from the roster
    UNBOUND = "unbound"  # their Telegram account was unbound
    UNLINKED = "unlinked"  # no longer linked to the household (moved, or chain changed)


@dataclass(frozen=True)
class Rerouted:
    """A request taken from ``gone``; ``route`` None: no one at all could take it."""

    request: Request
    gone: str
    reason: Reason
    route: Route | None


@dataclass(frozen=True)
class Untold:
    """A reroute written by the command line (``Rerouted``, as stored), not yet told by
    the bot."""

    id: int
    request_id: int
    gone: str
    reason: Reason
    route: Route | None


def _without(candidates: Sequence[Candidate], gone: str) -> list[Candidate]:
    """The candidates other than ``gone``, who stands in for no one either."""
    return [
        replace(c, backup=None) if c.backup is not None and c.backup.cadre_id == gone else c
        for c in candidates
        if c.cadre_id != gone
    ]


def choose(
    chain: Sequence[Candidate], supervisors: Sequence[Candidate], now: datetime, request: Request
) -> Route | None:
    """The next handler: at the request's tier or above first (a request escalated to the
    township stays there), else from the bottom of the chain; someone unreachable only if
    no one is reachable (the administrators are told); None if there is no one at all."""
    for above in (max(request.tier - 1, 0), 0):
        try:
            chosen = route(
                chain, supervisors, now, about_cadre=request.about_cadre, above_tier=above
            )
        except LookupError:
            continue
        if chosen.why is not Why.UNREACHABLE:
            return chosen
    try:
        return route(chain, supervisors, now, about_cadre=request.about_cadre)
    except LookupError:
        return None


async def reroute(
    store: RequestStore, now: datetime, request_id: int, gone: str, reason: Reason
) -> Rerouted | None:
    """Take the request from ``gone`` if they still hold it and it is not closed."""
    request = await store.get(request_id)
    if request is None or request.status is Status.CLOSED or request.handler_id != gone:
        return None
    next_status(request.status, Event.REASSIGNED)
    # Never to the cadre a confidential complaint is about (``bot.domain.confidential``).
    accused = request.accused_id
    chain = excluding(_without(await store.chain(request.household_id), gone), accused)
    supervisors = _without(await store.supervisors_above(request.household_id), gone)
    supervisors = excluding(supervisors, accused)
    chosen = choose(chain, supervisors, now, request)
    if chosen is None:
        return Rerouted(request, gone, reason, None)
    changed = replace(request, handler_id=chosen.cadre_id, tier=chosen.tier)
    detail: dict[str, object] = {"from": gone, "why": chosen.why.value, "reason": reason.value}
    await store.record(changed, now, Event.REASSIGNED, "system", detail)
    return Rerouted(changed, gone, reason, chosen)


def tells(rerouted: Rerouted) -> list[Tell]:
    """The new handler gets the whole case, the household hears who handles it now, and
    the leaver (if still on Lianxin, e.g. moved) where it went."""
    if rerouted.route is None:
        return []
    request, gone = rerouted.request, rerouted.gone
    what = Event.REASSIGNED
    return [
        Tell(
            Audience.HANDLER,
            what,
            request,
            cadre_id=gone,
            route=rerouted.route,
            reason=rerouted.reason.value,
        ),
        Tell(Audience.HOUSEHOLD, what, request, cadre_id=gone, route=rerouted.route),
        Tell(Audience.CADRE, what, request, cadre_id=gone),
    ]
