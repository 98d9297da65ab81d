"""Binding a phone with a contact card's code, saying who an account already is (/start
without a code), and a household's word about a new phone it does not know.

The rules of binding (codes, lockouts, how many phones a card binds) are
``bot.domain.binding``'s; here they meet the person asking and what the others must hear.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from bot.domain import binding
from bot.domain.binding import BindingPolicy, BoundCadre, BoundHousehold, Refused
from bot.domain.roster import Cadre, Household
from bot.services.identity import Identity
from bot.services.moment import Moment


class BindingPeople(binding.BindingStore, Protocol):
    async def households_of(self, user_id: int) -> list[Household]: ...
    async def member_users(self, household_id: str) -> list[int]: ...


class AccountNames(Protocol):
    async def display_name(self, user_id: int) -> str: ...


class Memberships(Protocol):
    async def member_since(self, user_id: int, household_id: str) -> str | None: ...
    async def unbind_member(self, user_id: int, household_id: str) -> bool: ...


class BindingWork(Moment, Protocol):
    @property
    def people(self) -> BindingPeople: ...
    @property
    def accounts(self) -> AccountNames: ...
    @property
    def codes(self) -> Memberships: ...


class StaleNotice(LookupError):
    """A new-phone button that no longer applies, or is not the presser's to press."""


@dataclass(frozen=True)
class NewPhone:
    """A phone newly bound to a household that has others: they are told, and may report it."""

    household: Household
    user_id: int
    name: str  # its Telegram name, as the others would recognise it
    at: datetime
    told: tuple[int, ...]  # the household's other phones


@dataclass(frozen=True)
class Joined:
    """This phone speaks for the household (bound now, or before)."""

    bound: BoundHousehold
    households: int  # how many households the phone is bound to now
    new_phone: NewPhone | None  # what the other phones hear (None: again, or the first phone)
    # The household the phone still speaks for, when it spoke for another before: it is
    # asked whether to switch (「切换到 X 家」/「仍为 Y 家」), never switched silently.
    kept: Household | None = None


@dataclass(frozen=True)
class NotBound:
    refused: Refused
    acting_as: Cadre | None  # the cadre this account already is (said for OTHER_CADRE)


Bound = Joined | BoundCadre | NotBound


@dataclass(frozen=True)
class Reported:
    """A member does not know the new phone: the administrators and the first cadre hear."""

    household: Household
    reporter: str  # the member's Telegram name
    stranger: str  # the new phone's Telegram name
    stranger_id: int
    since: str  # when the phone bound (one report per binding)
    admins: tuple[int, ...]
    cadre_user: int | None  # the household's first cadre's account, if bound


@dataclass(frozen=True)
class Unbound:
    household: Household
    user_id: int  # the phone unbound, told so


async def bind(work: BindingWork, who: Identity, code: str, policy: BindingPolicy) -> Bound:
    """Bind the asking account with ``code`` (a contact card's deep-link payload). A
    phone that speaks for a household keeps speaking for it when it binds another; the
    answer says so (``Joined.kept``) and the person chooses."""
    keep = who.current.id if who.current is not None else None
    outcome = await binding.bind(work.people, who.user_id, code, work.now, policy, keep)
    if isinstance(outcome, BoundHousehold):
        joined = await _joined(work, who.user_id, outcome)
        if who.current is None or who.current.id == outcome.household.id:
            return joined
        return replace(joined, kept=who.current)
    if isinstance(outcome, Refused):
        return NotBound(outcome, who.cadre)
    return outcome


async def who_am_i(work: BindingWork, who: Identity) -> Joined | BoundCadre | None:
    """What /start without a code says to a bound account, as a repeated binding would (a
    cadre first); None for an account bound to nothing, or to several households none of
    which is chosen."""
    if who.cadre is not None:
        return await binding.bound_cadre(work.people, who.cadre, again=True)
    if who.current is None:
        return None
    cadres = await work.people.linked_cadres(who.current.id)
    return Joined(BoundHousehold(who.current, cadres, again=True), len(who.households), None)


async def _joined(work: BindingWork, user_id: int, bound: BoundHousehold) -> Joined:
    households = len(await work.people.households_of(user_id))
    if bound.again:
        return Joined(bound, households, None)
    members = await work.people.member_users(bound.household.id)
    others = tuple(u for u in members if u != user_id)
    if not others:
        return Joined(bound, households, None)
    name = await work.accounts.display_name(user_id)
    return Joined(bound, households, NewPhone(bound.household, user_id, name, work.now, others))


async def report_stranger(
    work: BindingWork, who: Identity, household_id: str, user_id: int, admins: Collection[int]
) -> Reported:
    """A member of the household says the phone ``user_id`` bound to it is not family.

    Raises StaleNotice if the asker is not a member, is that phone, or it is not bound."""
    since = await work.codes.member_since(user_id, household_id)
    member = any(h.id == household_id for h in who.households)
    if who.user_id == user_id or since is None or not member:
        raise StaleNotice
    first = next(iter(await work.people.linked_cadres(household_id)), None)
    return Reported(
        household=await work.people.household(household_id),
        reporter=await work.accounts.display_name(who.user_id),
        stranger=await work.accounts.display_name(user_id),
        stranger_id=user_id,
        since=since,
        admins=tuple(admins),
        cadre_user=await work.people.cadre_user(first.cadre.id) if first else None,
    )


async def unbind_stranger(
    work: BindingWork, who: Identity, household_id: str, user_id: int
) -> Unbound | None:
    """An administrator unbinds a reported phone; None if it is no longer bound.

    Raises StaleNotice for anyone but an administrator."""
    if not who.admin:
        raise StaleNotice
    if not await work.codes.unbind_member(user_id, household_id):
        return None
    return Unbound(await work.people.household(household_id), user_id)
