"""Binding with card codes, and a member's households, over a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.domain import binding, members
from bot.domain.binding import BindingPolicy, BoundCadre, BoundHousehold, Refusal, Refused
from storage import codes
from storage.db import Database
from storage.people import People
from tests.sample import card_code, load_sample

POLICY = BindingPolicy(
    phones_per_household=2,
    max_wrong_codes=3,
    wrong_code_window=timedelta(minutes=10),
    lockout=timedelta(minutes=30),
)
GRANDMA, SON, NEIGHBOUR = 501, 502, 503


@pytest.fixture
async def county(db: Database) -> Database:
    await load_sample(db)
    return db


async def bind(db: Database, clock: ManualClock, user: int, code: str) -> binding.BindOutcome:
    async with db.transaction() as tx:
        return await binding.bind(People(tx), user, code, clock.now(), POLICY)


async def test_a_household_card_binds_and_lists_cadres_in_tier_order(
    county: Database, clock: ManualClock
) -> None:
    code = await card_code(county, clock.now(), household="H0001")
    bound = await bind(county, clock, GRANDMA, code)
    assert isinstance(bound, BoundHousehold)
    assert bound.household.head_name == "王秀英"
    assert not bound.again
    assert [(c.tier, c.cadre.id) for c in bound.cadres] == [(1, "K007"), (2, "K004"), (3, "K001")]
    again = await bind(county, clock, GRANDMA, code)
    assert isinstance(again, BoundHousehold)
    assert again.again
    async with county.read() as tx:
        assert [h.id for h in await People(tx).households_of(GRANDMA)] == ["H0001"]


async def test_a_household_card_binds_only_so_many_phones(
    county: Database, clock: ManualClock
) -> None:
    code = await card_code(county, clock.now(), household="H0001")
    assert isinstance(await bind(county, clock, GRANDMA, code), BoundHousehold)
    assert isinstance(await bind(county, clock, SON, code), BoundHousehold)
    assert await bind(county, clock, NEIGHBOUR, code) == Refused(Refusal.USED_UP)
    # Those already bound may repeat it harmlessly.
    assert isinstance(await bind(county, clock, SON, code), BoundHousehold)
    async with county.read() as tx:
        assert await People(tx).households_of(NEIGHBOUR) == []


async def test_a_revoked_card_binds_no_one_new_but_keeps_those_bound(
    county: Database, clock: ManualClock
) -> None:
    code = await card_code(county, clock.now(), household="H0001")
    await bind(county, clock, GRANDMA, code)
    async with county.transaction() as tx:
        assert await codes.revoke(tx, clock.now(), code)
    assert await bind(county, clock, SON, code) == Refused(Refusal.REVOKED)
    assert isinstance(await bind(county, clock, GRANDMA, code), BoundHousehold)
    fresh = await card_code(county, clock.now(), household="H0001")
    assert fresh != code
    assert isinstance(await bind(county, clock, SON, fresh), BoundHousehold)


async def test_wrong_codes_lock_the_account_for_a_while(
    county: Database, clock: ManualClock
) -> None:
    good = await card_code(county, clock.now(), household="H0002")
    for wrong in ("nonsense", "AAAAAAAAAAAAAAAA", "x" * 16):
        assert await bind(county, clock, NEIGHBOUR, wrong) == Refused(Refusal.UNKNOWN)
        clock.advance(timedelta(minutes=1))
    locked = await bind(county, clock, NEIGHBOUR, good)
    assert isinstance(locked, Refused)
    assert locked.reason is Refusal.LOCKED
    assert locked.until is not None
    assert locked.until > clock.now()
    # Someone else is not affected, and the lock ends.
    assert isinstance(await bind(county, clock, SON, good), BoundHousehold)
    clock.advance(timedelta(minutes=31))
    assert isinstance(await bind(county, clock, NEIGHBOUR, good), BoundHousehold)


async def test_wrong_codes_spread_out_do_not_lock(county: Database, clock: ManualClock) -> None:
    good = await card_code(county, clock.now(), household="H0002")
    for _ in range(5):
        await bind(county, clock, NEIGHBOUR, "nonsense")
        clock.advance(timedelta(minutes=6))
    assert isinstance(await bind(county, clock, NEIGHBOUR, good), BoundHousehold)


async def test_a_cadre_card_binds_one_account(county: Database, clock: ManualClock) -> None:
    code = await card_code(county, clock.now(), cadre="K003")
    bound = await bind(county, clock, GRANDMA, code)
    assert isinstance(bound, BoundCadre)
    assert bound.cadre.name == "孙丽"
    assert bound.supervises == "东坪镇"
    assert await bind(county, clock, SON, code) == Refused(Refusal.TAKEN)
    again = await bind(county, clock, GRANDMA, code)
    assert isinstance(again, BoundCadre)
    assert again.again
    other = await card_code(county, clock.now(), cadre="K007")
    assert await bind(county, clock, GRANDMA, other) == Refused(Refusal.OTHER_CADRE)
    village = await bind(county, clock, SON, other)
    assert isinstance(village, BoundCadre)
    assert village.duties.tiers == {1: 2}  # K007 is tier 1 of H0001 and H0002
    assert [h.head_name for h in village.duties.first] == ["王秀英", "李大山"]


async def test_a_shared_phone_chooses_its_household(county: Database, clock: ManualClock) -> None:
    for household in ("H0001", "H0003"):
        await bind(county, clock, SON, await card_code(county, clock.now(), household=household))
    async with county.transaction() as tx:
        people = People(tx)
        member = await members.membership(people, SON)
        assert [h.id for h in member.households] == ["H0001", "H0003"]
        assert member.current is not None
        assert member.current.id == "H0003"  # bound last
        assert await members.choose(people, SON, "H0005") is None  # not this phone's
        chosen = await members.choose(people, SON, "H0001")
        assert chosen is not None
        found = await members.cadres_of_current(people, SON)
        assert isinstance(found, members.CadresOf)
        assert found.household.id == "H0001"
