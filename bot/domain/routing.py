"""Who handles a new request: the household's chain, the AB post, and the supervisor.

Nothing is ever routed to nobody. In order:
1. the first reachable cadre of the chain from tier 1 (tier 2 for a request about the
   household's own cadre); an away cadre's backup (the B of the AB post) stands in;
2. otherwise the supervisor of the nearest region above the household;
3. otherwise (a county with no one bound yet) the tier-1 cadre anyway, marked
   unreachable, so the administrators are told and the request still has a handler.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True)
class Candidate:
    cadre_id: str
    tier: int  # 0 for a supervisor outside the chain
    bound: bool  # has a Telegram account
    away_until: datetime | None
    backup: Candidate | None = None

    def reachable(self, now: datetime) -> bool:
        return self.bound and (self.away_until is None or self.away_until <= now)


class Why(StrEnum):
    CHAIN = "chain"  # the first reachable cadre of the chain
    BACKUP = "backup"  # standing in for an away cadre
    ABOUT_CADRE = "about_cadre"  # one tier up, the request concerns the household's cadre
    SUPERVISOR = "supervisor"  # no reachable cadre in the chain
    CONFIDENTIAL = "confidential"  # a complaint about a cadre: the supervisor above them
    UNREACHABLE = "unreachable"  # no one reachable at all


@dataclass(frozen=True)
class Route:
    cadre_id: str
    tier: int
    why: Why
    instead_of: str | None = None  # the away cadre a backup stands in for, or skipped one


def excluding(candidates: Sequence[Candidate], cadre_id: str | None) -> list[Candidate]:
    """``candidates`` without ``cadre_id``, as a cadre or as a backup (the accused of a
    confidential complaint is never routed to, not even standing in for someone)."""
    if cadre_id is None:
        return list(candidates)
    return [
        c if c.backup is None or c.backup.cadre_id != cadre_id else replace(c, backup=None)
        for c in candidates
        if c.cadre_id != cadre_id
    ]


def route(
    chain: Sequence[Candidate],
    supervisors: Sequence[Candidate],
    now: datetime,
    *,
    about_cadre: bool = False,
    above_tier: int = 0,
) -> Route:
    """The handler for a request of a household with this ``chain`` (any order).

    ``above_tier`` skips tiers up to it (escalation); ``about_cadre`` skips tier 1.
    ``supervisors`` are those of the regions above the household, nearest first (for an
    escalation: above the current handler). Raises LookupError when an escalation has no
    one above to go to."""
    ordered = sorted(chain, key=lambda c: c.tier)
    lowest = max(above_tier, 1 if about_cadre else 0)
    for candidate in (c for c in ordered if c.tier > lowest):
        if candidate.reachable(now):
            why = Why.ABOUT_CADRE if about_cadre and not above_tier else Why.CHAIN
            return Route(candidate.cadre_id, candidate.tier, why)
        backup = candidate.backup
        if backup is not None and backup.reachable(now):
            return Route(backup.cadre_id, candidate.tier, Why.BACKUP, candidate.cadre_id)
    for supervisor in supervisors:
        if supervisor.reachable(now):
            return Route(supervisor.cadre_id, max(lowest + 1, 1), Why.SUPERVISOR)
    above = next((c for c in ordered if c.tier > lowest), None)
    if above is not None:
        return Route(above.cadre_id, above.tier, Why.UNREACHABLE)
    if supervisors:
        return Route(supervisors[0].cadre_id, max(lowest + 1, 1), Why.UNREACHABLE)
    if ordered and not above_tier:  # filing: someone must hold it, even the first contact
        return Route(ordered[0].cadre_id, max(ordered[0].tier, 1), Why.UNREACHABLE)
    raise LookupError("no one above: no cadre higher in the chain and no supervisor")
