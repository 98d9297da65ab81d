"""/away: a cadre away (leave, training) until a day; new requests go to their backup
meanwhile, and the supervisors nearest above them hear of it. ``/away off`` (or the
「我回来了」 button) ends it; ``/away`` alone says how it stands.

The date rules (a day not begun yet, within ``away.max``) are ``bot.domain.away``'s; a
date they refuse writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain import away
from bot.domain.roster import Cadre
from bot.services import notices
from bot.services.casework import cadre_of
from bot.services.identity import Identity
from bot.services.moment import Moment


class Absences(Protocol):
    async def until(self, cadre_id: str) -> datetime | None: ...
    async def set(self, cadre_id: str, until: datetime) -> None: ...
    async def clear(self, cadre_id: str) -> bool: ...
    async def supervisor_users(self, cadre_id: str) -> list[int]:
        """The accounts of the supervisors nearest above the cadre's own region."""


class AwayWork(Moment, Protocol):
    @property
    def absences(self) -> Absences: ...
    @property
    def people(self) -> notices.Cadres: ...


@dataclass(frozen=True)
class Away:
    """Away until ``until`` (the local midnight they are back on)."""

    cadre: Cadre
    until: datetime
    backup: Cadre | None  # their B post, who gets their new requests meanwhile
    supervisors: tuple[int, ...]  # told of it (away for long hands a cadre's households on)


async def away_until(work: AwayWork, who: Identity) -> datetime | None:
    """When the cadre is back; None if they are not away. Raises ``CadresOnly``."""
    cadre = cadre_of(who)
    until = await work.absences.until(cadre.id)
    return until if until is not None and until > work.now else None


async def set_away(
    work: AwayWork, who: Identity, day: str | int, zone: ZoneInfo, longest: timedelta
) -> Away:
    """Away until ``day`` begins: as typed (明天, 下周一, 12月5日, 2026-12-05 …), or a
    number of days after today (the 明天 / 3天 / 一周 buttons). Raises ``CadresOnly``, or
    ``bot.domain.away``'s ``BadDate``, ``PastDate`` or ``TooFar`` (nothing written)."""
    cadre = cadre_of(who)
    if isinstance(day, int):
        until = away.days_from_today(day, work.now, zone, longest)
    else:
        until = away.until(day, work.now, zone, longest)
    await work.absences.set(cadre.id, until)
    backup = await work.people.cadre(cadre.backup_id) if cadre.backup_id else None
    supervisors = tuple(await work.absences.supervisor_users(cadre.id))
    return Away(cadre, until, backup, supervisors)


async def come_back(work: AwayWork, who: Identity) -> bool:
    """Back at work; False if they were not away. Raises ``CadresOnly``."""
    return await work.absences.clear(cadre_of(who).id)
