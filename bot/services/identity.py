"""Who is asking: looked up once per update (by the first handler of every update) and
passed to the use cases, instead of each asking "is this a cadre?" again."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.domain import members
from bot.domain.roster import Cadre, Household
from bot.services.moment import Moment


class IdentityStore(members.MemberStore, Protocol):
    async def cadre_of_user(self, user_id: int) -> str | None: ...
    async def cadre(self, cadre_id: str) -> Cadre: ...


class IdentityWork(Moment, Protocol):
    @property
    def people(self) -> IdentityStore: ...


@dataclass(frozen=True)
class Identity:
    user_id: int
    admin: bool
    cadre: Cadre | None  # the cadre this account is bound as
    households: Sequence[Household]  # the households this account is a member of
    current: Household | None  # the one it speaks for (None: none, or several unchosen)

    @property
    def supervises(self) -> str | None:
        """The region this person supervises (its subtree's figures, escalations)."""
        return self.cadre.supervises if self.cadre is not None else None

    @property
    def villager(self) -> bool:
        return bool(self.households)

    @property
    def must_choose(self) -> bool:
        return self.current is None and len(self.households) > 1


async def identify(store: IdentityStore, user_id: int, admins: Collection[int]) -> Identity:
    cadre_id = await store.cadre_of_user(user_id)
    cadre = await store.cadre(cadre_id) if cadre_id is not None else None
    membership = await members.membership(store, user_id)
    return Identity(
        user_id=user_id,
        admin=user_id in admins,
        cadre=cadre,
        households=membership.households,
        current=membership.current,
    )
