"""Binding a Telegram account to a household or a cadre with the code on a contact card.

A bad code changes nothing except the count of wrong tries (so guessing is refused
for a while); a good one is harmless to repeat. The service returns what happened
instead of raising, because the edge still owes the person an answer and the same
transaction must keep the count of wrong tries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.domain.codes import is_code_shaped
from bot.domain.roster import Cadre, Household, LinkedCadre


@dataclass(frozen=True)
class BindingPolicy:
    phones_per_household: int
    max_wrong_codes: int
    wrong_code_window: timedelta
    lockout: timedelta


@dataclass(frozen=True)
class CodeHolder:
    """Whose card a code is on, and whether it still binds."""

    code: str
    household_id: str | None
    cadre_id: str | None
    revoked: bool


class Refusal(StrEnum):
    UNKNOWN = "unknown"  # no such code (or not even shaped like one): counts as a wrong try
    REVOKED = "revoked"  # the card was withdrawn
    USED_UP = "used_up"  # the household card has bound as many phones as allowed
    TAKEN = "taken"  # the cadre card is bound to another account
    OTHER_CADRE = "other_cadre"  # this account already acts as another cadre
    LOCKED = "locked"  # too many wrong codes lately


@dataclass(frozen=True)
class Refused:
    reason: Refusal
    until: datetime | None = None  # for LOCKED: when trying again is allowed


@dataclass(frozen=True)
class BoundHousehold:
    household: Household
    cadres: Sequence[LinkedCadre]
    again: bool  # the account was bound to it already


@dataclass(frozen=True)
class CadreDuties:
    """What a cadre is to the households linked to them."""

    tiers: Mapping[int, int]  # tier -> how many households have this cadre at that tier
    first: Sequence[Household]  # the first few of them (tier order), to recognise the list

    @property
    def households(self) -> int:
        return sum(self.tiers.values())


@dataclass(frozen=True)
class BoundCadre:
    cadre: Cadre
    duties: CadreDuties
    supervises: str | None  # the region's name, for a supervisor
    again: bool


BindOutcome = Refused | BoundHousehold | BoundCadre


class BindingStore(Protocol):
    async def code_holder(self, code: str) -> CodeHolder | None: ...
    async def wrong_codes_since(self, user_id: int, since: datetime) -> list[datetime]: ...
    async def record_wrong_code(self, user_id: int, now: datetime) -> None: ...
    async def household(self, household_id: str) -> Household: ...
    async def linked_cadres(self, household_id: str) -> list[LinkedCadre]: ...
    async def is_member(self, user_id: int, household_id: str) -> bool: ...
    async def members_by_code(self, code: str) -> int: ...
    async def add_member(
        self, user_id: int, household_id: str, code: str, now: datetime
    ) -> None: ...
    async def focus(self, user_id: int, household_id: str) -> None: ...
    async def cadre(self, cadre_id: str) -> Cadre: ...
    async def cadre_user(self, cadre_id: str) -> int | None: ...
    async def cadre_of_user(self, user_id: int) -> str | None: ...
    async def bind_cadre(self, cadre_id: str, user_id: int, code: str, now: datetime) -> None: ...
    async def duties(self, cadre_id: str) -> CadreDuties: ...
    async def region_name(self, region_id: str) -> str: ...


def locked_until(wrong_tries: Sequence[datetime], policy: BindingPolicy) -> datetime | None:
    """When the lockout earned by these wrong tries ends (None: never locked).

    Any ``max_wrong_codes`` tries within ``wrong_code_window`` lock the account for
    ``lockout`` after the last of them."""
    tries = sorted(wrong_tries)
    n = policy.max_wrong_codes
    ends = [
        tries[i] + policy.lockout
        for i in range(n - 1, len(tries))
        if tries[i] - tries[i - n + 1] <= policy.wrong_code_window
    ]
    return max(ends, default=None)


async def bind(
    store: BindingStore,
    user_id: int,
    code: str,
    now: datetime,
    policy: BindingPolicy,
    keep: str | None = None,
) -> BindOutcome:
    """Bind ``user_id`` with ``code`` (the deep-link payload of a contact card). The
    phone then speaks for the household bound, or for ``keep`` (the household it spoke
    for before: switching is the person's choice, asked with buttons)."""
    since = now - policy.wrong_code_window - policy.lockout
    until = locked_until(await store.wrong_codes_since(user_id, since), policy)
    if until is not None and until > now:
        return Refused(Refusal.LOCKED, until)
    holder = await store.code_holder(code) if is_code_shaped(code) else None
    if holder is None:
        await store.record_wrong_code(user_id, now)
        return Refused(Refusal.UNKNOWN)
    if holder.household_id is not None:
        found = await _bind_household(store, user_id, holder, holder.household_id, now, policy)
        if isinstance(found, BoundHousehold):
            await store.focus(user_id, keep or found.household.id)
        return found
    if holder.cadre_id is not None:
        return await _bind_cadre(store, user_id, holder, holder.cadre_id, now)
    raise AssertionError("a code belongs to a household or a cadre")  # the schema's CHECK


async def _bind_household(
    store: BindingStore,
    user_id: int,
    holder: CodeHolder,
    household_id: str,
    now: datetime,
    policy: BindingPolicy,
) -> BindOutcome:
    again = await store.is_member(user_id, household_id)
    if not again:
        if holder.revoked:
            return Refused(Refusal.REVOKED)
        if await store.members_by_code(holder.code) >= policy.phones_per_household:
            return Refused(Refusal.USED_UP)
        await store.add_member(user_id, household_id, holder.code, now)
    household = await store.household(household_id)
    return BoundHousehold(household, await store.linked_cadres(household_id), again)


async def _bind_cadre(
    store: BindingStore, user_id: int, holder: CodeHolder, cadre_id: str, now: datetime
) -> BindOutcome:
    bound_user = await store.cadre_user(cadre_id)
    again = bound_user == user_id
    if not again:
        if holder.revoked:
            return Refused(Refusal.REVOKED)
        if bound_user is not None:
            return Refused(Refusal.TAKEN)
        if await store.cadre_of_user(user_id) is not None:
            return Refused(Refusal.OTHER_CADRE)
        await store.bind_cadre(cadre_id, user_id, holder.code, now)
    return await bound_cadre(store, await store.cadre(cadre_id), again)


async def bound_cadre(store: BindingStore, cadre: Cadre, again: bool) -> BoundCadre:
    """What a cadre bound (now or before) is told: their households and supervised region."""
    supervises = await store.region_name(cadre.supervises) if cadre.supervises else None
    return BoundCadre(cadre, await store.duties(cadre.id), supervises, again)
