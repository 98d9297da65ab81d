"""What a bound villager asks besides filing: their requests (/my) and one with its trail,
their household's cadres (/cadres), and which household a shared phone speaks for.

Only the households of the asking account are ever read: the views' store scopes every
query by the member's account, so another household's request is simply not found (a
forged id or number reads exactly as a missing one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.domain.members import CadresOf, NoHousehold
from bot.domain.requests import MyRequest, NotAllowed, TrailLine
from bot.domain.roster import Household, LinkedCadre
from bot.services.identity import Identity
from bot.services.moment import Moment


class MyViews(Protocol):
    async def mine(self, user_id: int) -> list[MyRequest]: ...
    async def one_of_mine(self, user_id: int, request_id: int) -> MyRequest | None: ...
    async def id_of_mine(self, user_id: int, number: str) -> int | None: ...
    async def trail(self, user_id: int, request_id: int) -> list[TrailLine]: ...


class MyHouseholds(Protocol):
    async def linked_cadres(self, household_id: str) -> list[LinkedCadre]: ...
    async def focus(self, user_id: int, household_id: str) -> None: ...


class VillagerWork(Moment, Protocol):
    @property
    def villager_views(self) -> MyViews: ...
    @property
    def people(self) -> MyHouseholds: ...


class NotAVillager(Exception):
    """The account is bound to no household."""


@dataclass(frozen=True)
class Mine:
    """The households' latest requests, newest first."""

    requests: Sequence[MyRequest]
    several: bool  # the phone speaks for several households: each line names its head


@dataclass(frozen=True)
class Detail:
    """One request with its trail, every event in order."""

    found: MyRequest
    trail: Sequence[TrailLine]


def _villager(who: Identity) -> None:
    if not who.villager:
        raise NotAVillager


async def my_requests(work: VillagerWork, who: Identity) -> Mine:
    """/my. Raises ``NotAVillager``."""
    _villager(who)
    mine = await work.villager_views.mine(who.user_id)
    return Mine(mine, len(who.households) > 1)


async def my_request(work: VillagerWork, who: Identity, number: str) -> Detail | None:
    """/my LX-2026-000123: that request, if it is of one of the phone's households (None:
    not found). Raises ``NotAVillager``."""
    _villager(who)
    request_id = await work.villager_views.id_of_mine(who.user_id, number)
    if request_id is None:
        return None
    try:
        return await detail(work, who, request_id)
    except NotAllowed:
        return None


async def detail(work: VillagerWork, who: Identity, request_id: int) -> Detail:
    """One request with its trail (the 查看 button). Raises ``NotAllowed`` if it is not of
    one of the phone's households."""
    views = work.villager_views
    found = await views.one_of_mine(who.user_id, request_id)
    if found is None:
        raise NotAllowed("not a request of this member's household")
    return Detail(found, await views.trail(who.user_id, request_id))


async def cadres(work: VillagerWork, who: Identity) -> CadresOf:
    """The current household's cadres in tier order. Raises ``NoHousehold`` (not bound,
    or a choice is needed first)."""
    if who.current is None:
        raise NoHousehold
    return CadresOf(who.current, await work.people.linked_cadres(who.current.id))


async def choose(work: VillagerWork, who: Identity, household_id: str) -> Household | None:
    """Speak for ``household_id`` from now on; None if the phone is not its member (a
    forged or outdated button), and then nothing changes."""
    chosen = next((h for h in who.households if h.id == household_id), None)
    if chosen is not None:
        await work.people.focus(who.user_id, household_id)
    return chosen
