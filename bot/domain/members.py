"""A bound villager's households: which one they are talking about, and its cadres.

One phone may act for several households (a family's shared phone, a grid worker
helping the elderly). Such a member talks about one household at a time, the one
they chose last (or bound last); with a single household there is nothing to choose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.domain.roster import Household, LinkedCadre


class MemberStore(Protocol):
    async def households_of(self, user_id: int) -> list[Household]: ...
    async def focused(self, user_id: int) -> str | None: ...
    async def focus(self, user_id: int, household_id: str) -> None: ...
    async def linked_cadres(self, household_id: str) -> list[LinkedCadre]: ...


@dataclass(frozen=True)
class Membership:
    households: Sequence[Household]
    current: Household | None  # None: not bound, or bound to several and none chosen

    @property
    def bound(self) -> bool:
        return bool(self.households)

    @property
    def must_choose(self) -> bool:
        return self.current is None and len(self.households) > 1


async def membership(store: MemberStore, user_id: int) -> Membership:
    households = await store.households_of(user_id)
    if len(households) == 1:
        return Membership(households, households[0])
    chosen = await store.focused(user_id)
    current = next((h for h in households if h.id == chosen), None)
    return Membership(households, current)


async def choose(store: MemberStore, user_id: int, household_id: str) -> Household | None:
    """Talk about ``household_id`` from now on; None if the account is not its member
    (a forged or outdated button), and then nothing changes."""
    households = await store.households_of(user_id)
    chosen = next((h for h in households if h.id == household_id), None)
    if chosen is not None:
        await store.focus(user_id, household_id)
    return chosen


@dataclass(frozen=True)
class CadresOf:
    household: Household
    cadres: Sequence[LinkedCadre]


async def cadres_of_current(store: MemberStore, user_id: int) -> CadresOf | Membership:
    """The current household's cadres in tier order, or the membership when there is no
    current household (not bound, or a choice is needed first)."""
    member = await membership(store, user_id)
    if member.current is None:
        return member
    return CadresOf(member.current, await store.linked_cadres(member.current.id))


class NoHousehold(Exception):
    """The person speaks for no household now: not bound, or bound to several and none
    chosen yet (``Membership.must_choose``)."""
