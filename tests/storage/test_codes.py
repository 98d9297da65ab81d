"""Card codes in the database: one live code per holder, revoked for good, unbound on request."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.domain.codes import CodeState, is_code_shaped
from bot.domain.roster import Rank
from storage import codes, region_tree
from storage.db import Database, Tx
from storage.timefmt import to_db

# A county C with two townships. T1 > V1 > (G1, G2); T2 > V2. Ids are short on purpose.
REGIONS = [
    ("C", "和平县", "county", None),
    ("T1", "东坪镇", "township", "C"),
    ("V1", "柳树村", "village", "T1"),
    ("G1", "柳树村一组", "group", "V1"),
    ("G2", "柳树村二组", "group", "V1"),
    ("T2", "西河乡", "township", "C"),
    ("V2", "石门村", "village", "T2"),
]
CADRES = [
    ("K1", "王网格", "grid_worker", "柳树村", "13800000001", "G1"),
    ("K2", "李村官", "village_cadre", "柳树村委", "13800000002", "V1"),
    ("K3", "张镇干", "township_cadre", "东坪镇政府", "13800000003", "T1"),
    ("K4", "赵县长", "county_leader", "县政府", "13800000004", "C"),
    ("K5", "钱村官", "village_cadre", "石门村委", "13800000005", "V2"),
]
HOUSEHOLDS = [
    ("H1", "王秀英", "G1", "柳树村一组3号"),
    ("H2", "李大山", "G2", "柳树村二组7号"),
    ("H3", "张桂兰", "V1", ""),  # no cadre linked yet
    ("H4", "刘福", "V2", "石门村5号"),
    ("H5", "陈阿婆", "G2", "柳树村二组9号"),
]
LINKS = [  # out of tier order on purpose
    ("H1", "K4", 3),
    ("H1", "K1", 1),
    ("H1", "K3", 2),
    ("H2", "K3", 2),
    ("H2", "K2", 1),
    ("H4", "K5", 1),
    ("H4", "K4", 2),
    ("H5", "K2", 1),
]
T1_HOUSEHOLDS = {"H1", "H2", "H3", "H5"}


async def seed(tx: Tx) -> None:
    """A small roster, written straight into the tables (not through the importer)."""
    await tx.executemany(
        "INSERT INTO regions (id, name, level, parent_id) VALUES (?, ?, ?, ?)", REGIONS
    )
    await region_tree.rebuild(tx)  # as the roster import does
    await tx.executemany(
        "INSERT INTO cadres (id, name, rank, unit, phone, region_id) VALUES (?, ?, ?, ?, ?, ?)",
        CADRES,
    )
    await tx.executemany(
        "INSERT INTO households (id, head_name, region_id, address) VALUES (?, ?, ?, ?)",
        HOUSEHOLDS,
    )
    await tx.executemany("INSERT INTO links VALUES (?, ?, ?)", LINKS)


async def bind_member(
    tx: Tx, user_id: int, household_id: str, code: str, clock: ManualClock
) -> None:
    await tx.execute(
        "INSERT INTO members VALUES (?, ?, ?, ?)",
        (user_id, household_id, code, to_db(clock.now())),
    )
    await tx.execute(
        "INSERT INTO member_focus VALUES (?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET household_id = excluded.household_id",
        (user_id, household_id),
    )


@pytest.fixture
async def roster(db: Database) -> Database:
    async with db.transaction() as tx:
        await seed(tx)
    return db


async def test_issue_returns_the_live_code_until_it_is_revoked(
    roster: Database, clock: ManualClock
) -> None:
    async with roster.transaction() as tx:
        first = await codes.issue(tx, clock.now(), household_id="H1")
        assert is_code_shaped(first)
        assert await codes.issue(tx, clock.now(), household_id="H1") == first
        assert await codes.revoke(tx, clock.now(), first)
        assert not await codes.revoke(tx, clock.now(), first)  # once is enough
        second = await codes.issue(tx, clock.now(), household_id="H1")
        assert second != first
        assert await codes.live_code(tx, household_id="H1") == second
        old = await codes.find(tx, first)
        assert old == codes.CodeRecord(first, "H1", None, revoked=True)


async def test_households_and_cadres_have_codes_of_their_own(
    roster: Database, clock: ManualClock
) -> None:
    async with roster.transaction() as tx:
        household = await codes.issue(tx, clock.now(), household_id="H1")
        cadre = await codes.issue(tx, clock.now(), cadre_id="K1")
        assert household != cadre
        assert (await codes.find(tx, cadre)) == codes.CodeRecord(cadre, None, "K1", False)
        assert await codes.find(tx, "NoSuchCode012345") is None
        assert not await codes.revoke(tx, clock.now(), "NoSuchCode012345")


async def test_no_code_for_nobody(roster: Database, clock: ManualClock) -> None:
    async with roster.transaction() as tx:
        with pytest.raises(codes.UnknownHolder):
            await codes.issue(tx, clock.now(), household_id="H404")
        with pytest.raises(ValueError, match="exactly one"):
            await codes.issue(tx, clock.now())
        with pytest.raises(ValueError, match="exactly one"):
            await codes.issue(tx, clock.now(), household_id="H1", cadre_id="K1")


async def test_unbind_removes_only_the_accounts_bound_with_that_code(
    roster: Database, clock: ManualClock
) -> None:
    async with roster.transaction() as tx:
        lost = await codes.issue(tx, clock.now(), household_id="H1")
        await bind_member(tx, 101, "H1", lost, clock)
        await bind_member(tx, 102, "H1", lost, clock)
        await codes.revoke(tx, clock.now(), lost)
        fresh = await codes.issue(tx, clock.now(), household_id="H1")
        await bind_member(tx, 103, "H1", fresh, clock)
        assert await codes.bound(tx, lost) == 2
        assert await codes.unbind(tx, lost) == 2
        assert await codes.bound(tx, lost) == 0
        members = await tx.fetchall("SELECT user_id FROM members ORDER BY user_id")
        focus = await tx.fetchall("SELECT user_id FROM member_focus ORDER BY user_id")
        assert [r[0] for r in members] == [103]
        assert [r[0] for r in focus] == [103]


async def test_unbind_a_cadre_account(roster: Database, clock: ManualClock) -> None:
    async with roster.transaction() as tx:
        code = await codes.issue(tx, clock.now(), cadre_id="K2")
        await tx.execute(
            "INSERT INTO cadre_accounts VALUES ('K2', 555, ?, ?)", (code, to_db(clock.now()))
        )
        assert await codes.unbind(tx, code) == 1
        assert await tx.scalar("SELECT count(*) FROM cadre_accounts") == 0


async def test_household_cards_cover_the_region_and_below_with_chains_in_tier_order(
    roster: Database, clock: ManualClock
) -> None:
    async with roster.transaction() as tx:
        cards, new = await codes.household_cards(tx, clock.now(), "T1")
    assert new == 4
    assert {c.household.id for c in cards} == T1_HOUSEHOLDS
    h1 = next(c for c in cards if c.household.id == "H1")
    assert [(lc.tier, lc.cadre.id) for lc in h1.cadres] == [(1, "K1"), (2, "K3"), (3, "K4")]
    assert h1.cadres[2].cadre.rank is Rank.COUNTY_LEADER
    assert h1.region_name == "柳树村一组"
    assert next(c for c in cards if c.household.id == "H3").cadres == ()


async def test_printing_again_reuses_the_codes(roster: Database, clock: ManualClock) -> None:
    async with roster.transaction() as tx:
        first, _ = await codes.household_cards(tx, clock.now(), "C")
    clock.advance(timedelta(days=30))
    async with roster.transaction() as tx:
        again, new = await codes.household_cards(tx, clock.now(), "C")
    assert new == 0
    assert [(c.household.id, c.code) for c in again] == [(c.household.id, c.code) for c in first]
    assert len({c.code for c in again}) == len(HOUSEHOLDS)


async def test_cadre_cards_count_linked_households(roster: Database, clock: ManualClock) -> None:
    async with roster.transaction() as tx:
        cards, new = await codes.cadre_cards(tx, clock.now(), "T1")
    assert new == 3
    assert [(c.cadre.id, c.households, c.region_name) for c in cards] == [
        ("K1", 1, "柳树村一组"),
        ("K2", 2, "柳树村"),
        ("K3", 2, "东坪镇"),
    ]


async def test_a_cyclic_region_tree_does_not_hang(roster: Database, clock: ManualClock) -> None:
    async with roster.transaction() as tx:
        await tx.execute("UPDATE regions SET parent_id = 'G1' WHERE id = 'T1'")
        await region_tree.rebuild(tx)  # a cycle: the rebuild must end too
        cards, _ = await codes.household_cards(tx, clock.now(), "T1")
    assert {c.household.id for c in cards} == T1_HOUSEHOLDS


async def test_the_administrators_card_store_finds_opens_and_revokes(
    roster: Database, clock: ManualClock
) -> None:
    async with roster.transaction() as tx:
        await tx.execute("UPDATE regions SET hotline = '0797-1' WHERE id = 'C'")
        await tx.execute("UPDATE regions SET hotline = '0797-2' WHERE id = 'T1'")
        store = codes.CardStore(tx, clock.now())
        assert [p.id for p in await store.places(None)] == ["C"]
        townships = await store.places("C")
        assert [(p.id, p.households) for p in townships] == [("T1", 4), ("T2", 1)]
        hits, total = await store.find("h1", 8, 0)  # an id, any case
        assert (total, [(h.id, h.head_name, h.village) for h in hits]) == (
            1,
            [("H1", "王秀英", "柳树村")],  # its group's village
        )
        assert (await store.find("王", 8, 0))[1] == 1
        holder = await store.holder("H1")
        assert holder is not None
        assert holder.code is CodeState.NONE
        assert [linked.cadre.id for linked in holder.cadres] == ["K1", "K3", "K4"]
        card = await store.household_card("H1")
        assert card is not None
        assert card.hotline == "0797-2"  # 东坪镇's, nearer than the county's
        assert (await store.household_card("H4")).hotline == "0797-1"  # type: ignore[union-attr]
        assert (await store.holder("H1")).code is CodeState.LIVE  # type: ignore[union-attr]
        assert await store.revoke("H1")
        assert not await store.revoke("H1")
        assert (await store.holder("H1")).code is CodeState.REVOKED  # type: ignore[union-attr]
        again = await store.household_card("H1")
        assert again is not None
        assert again.code != card.code
