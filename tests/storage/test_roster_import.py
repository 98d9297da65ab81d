"""Importing a roster into the database: by id, all at once, without losing bindings."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.roster import Household, Level, Link, Region, Roster
from bot.roster_io import load
from storage import region_tree
from storage.db import Database
from storage.roster_import import import_roster, read_roster, region_subtree

NOW = datetime(2031, 3, 4, 2, 0, tzinfo=UTC)  # stamps what a prune marks removed

SAMPLE = Path(__file__).parents[2] / "bot" / "samples" / "roster"
INSERT_CODE = "INSERT INTO codes (code, household_id, issued_at) VALUES (?, ?, '2026-11-01')"
INSERT_MEMBER = "INSERT INTO members (user_id, household_id, code, bound_at) VALUES (?, ?, ?, ?)"
COUNT_MEMBERS = "SELECT count(*) FROM members WHERE household_id = ?"
HEAD_NAME = "SELECT head_name FROM households WHERE id = ?"
CHAIN = "SELECT cadre_id, tier FROM links WHERE household_id = ? ORDER BY tier, cadre_id"


def sample() -> Roster:
    placed, problems = load(SAMPLE)
    assert problems == []
    return placed.roster


async def bind(db: Database, household_id: str, user_id: int = 42) -> None:
    """A villager who scanned the household's card."""
    async with db.transaction() as tx:
        await tx.execute(INSERT_CODE, (f"code-{household_id}", household_id))
        await tx.execute(
            INSERT_MEMBER, (user_id, household_id, f"code-{household_id}", "2026-11-02")
        )


def edited(roster: Roster) -> Roster:
    """H0002 renamed, H0012 gone (with its links), H0013 new."""
    households = [
        dataclasses.replace(h, head_name="李大山（改）") if h.id == "H0002" else h
        for h in roster.households
        if h.id != "H0012"
    ]
    households.append(Household("H0013", "新户主", "V04"))
    links = tuple(k for k in roster.links if k.household_id != "H0012")
    return dataclasses.replace(roster, households=tuple(households), links=links)


async def test_the_sample_imports_and_reads_back_the_same(db: Database) -> None:
    report = await import_roster(db, sample(), prune=False, dry_run=False, now=NOW)
    assert {name: change.added for name, change in report.tables.items()} == {
        "regions": 9,
        "cadres": 12,
        "households": 12,
        "links": 36,
    }
    async with db.read() as tx:
        back = await read_roster(tx)
    assert set(back.cadres) == set(sample().cadres)
    assert set(back.links) == set(sample().links)
    assert back.regions[0].id == "C01"  # parents first


async def test_importing_twice_changes_nothing(db: Database) -> None:
    await import_roster(db, sample(), prune=False, dry_run=False, now=NOW)
    report = await import_roster(db, sample(), prune=False, dry_run=False, now=NOW)
    assert all(c.added == c.updated == 0 for c in report.tables.values())
    assert report.tables["links"].unchanged == 36


async def test_an_edited_roster_updates_by_id_and_keeps_what_it_lacks(db: Database) -> None:
    await import_roster(db, sample(), prune=False, dry_run=False, now=NOW)
    await bind(db, "H0002")
    report = await import_roster(db, edited(sample()), prune=False, dry_run=False, now=NOW)
    households = report.tables["households"]
    assert (households.added, households.updated, households.absent, households.removed) == (
        1,
        1,
        1,
        0,
    )
    async with db.read() as tx:
        assert await tx.scalar(HEAD_NAME, ("H0002",)) == "李大山（改）"
        assert await tx.scalar(HEAD_NAME, ("H0012",)) == "普兰英"  # kept: no prune
        assert await tx.scalar(COUNT_MEMBERS, ("H0002",)) == 1  # the binding survived


def rechained(roster: Roster) -> Roster:
    """H0001's first contact is now K008 instead of K007."""
    old = Link("H0001", "K007", 1)
    links = tuple(Link("H0001", "K008", 1) if k == old else k for k in roster.links)
    return dataclasses.replace(roster, links=links)


async def chain(db: Database, household_id: str) -> list[tuple[str, int]]:
    async with db.read() as tx:
        return [(row[0], row[1]) for row in await tx.fetchall(CHAIN, (household_id,))]


async def test_a_changed_chain_replaces_the_old_link_without_prune(db: Database) -> None:
    await import_roster(db, sample(), prune=False, dry_run=False, now=NOW)
    await bind(db, "H0001")
    report = await import_roster(db, rechained(sample()), prune=False, dry_run=False, now=NOW)
    links = report.tables["links"]
    assert (links.added, links.updated, links.removed, links.replaced, links.absent) == (
        1,
        0,
        1,
        1,
        0,
    )
    assert await chain(db, "H0001") == [("K008", 1), ("K004", 2), ("K001", 3)]
    assert await chain(db, "H0002") == [("K007", 1), ("K004", 2), ("K001", 3)]
    async with db.read() as tx:
        assert await tx.scalar(COUNT_MEMBERS, ("H0001",)) == 1  # the binding survived


async def test_a_chain_is_the_files_tiers_and_all(db: Database) -> None:
    await import_roster(db, sample(), prune=False, dry_run=False, now=NOW)
    roster = sample()
    swapped = {("H0001", "K004"): 3, ("H0001", "K001"): 2}  # tiers 2 and 3 swapped
    links = [
        dataclasses.replace(k, tier=swapped.get((k.household_id, k.cadre_id), k.tier))
        for k in roster.links
        if (k.household_id, k.cadre_id) != ("H0002", "K001")  # H0002 loses its tier 3
    ]
    links.append(Link("H0002", "K002", 3))
    report = await import_roster(
        db, dataclasses.replace(roster, links=tuple(links)), prune=False, dry_run=False, now=NOW
    )
    change = report.tables["links"]
    assert (change.added, change.updated, change.removed) == (1, 2, 1)
    assert await chain(db, "H0001") == [("K007", 1), ("K001", 2), ("K004", 3)]
    assert await chain(db, "H0002") == [("K007", 1), ("K004", 2), ("K002", 3)]


async def test_a_dry_run_reports_a_changed_chain_and_writes_nothing(db: Database) -> None:
    await import_roster(db, sample(), prune=False, dry_run=False, now=NOW)
    report = await import_roster(db, rechained(sample()), prune=False, dry_run=True, now=NOW)
    links = report.tables["links"]
    assert (links.added, links.removed, links.replaced) == (1, 1, 1)
    assert await chain(db, "H0001") == [("K007", 1), ("K004", 2), ("K001", 3)]


async def test_a_household_absent_from_the_file_keeps_its_links_unless_pruned(
    db: Database,
) -> None:
    await import_roster(db, sample(), prune=False, dry_run=False, now=NOW)
    roster = rechained(edited(sample()))
    report = await import_roster(db, roster, prune=False, dry_run=False, now=NOW)
    links = report.tables["links"]
    assert (links.added, links.removed, links.replaced, links.absent) == (1, 1, 1, 3)
    assert await chain(db, "H0012") == [("K011", 1), ("K012", 2), ("K002", 3)]
    assert await chain(db, "H0001") == [("K008", 1), ("K004", 2), ("K001", 3)]
    report = await import_roster(db, roster, prune=True, dry_run=False, now=NOW)
    links = report.tables["links"]
    assert (links.added, links.removed, links.replaced, links.absent) == (0, 3, 0, 3)
    assert report.tables["households"].removed == 1
    assert await chain(db, "H0012") == []
    async with db.read() as tx:
        assert await tx.scalar(HEAD_NAME, ("H0012",)) is None


async def test_prune_removes_what_the_file_lacks_and_counts_bindings(db: Database) -> None:
    await import_roster(db, sample(), prune=False, dry_run=False, now=NOW)
    await bind(db, "H0012")
    await bind(db, "H0001", user_id=7)
    report = await import_roster(db, edited(sample()), prune=True, dry_run=False, now=NOW)
    assert report.tables["households"].removed == 1
    assert report.tables["links"].removed == 3
    assert report.bound_removed == 1
    async with db.read() as tx:
        assert await tx.scalar(HEAD_NAME, ("H0012",)) is None
        assert await tx.scalar(COUNT_MEMBERS, ("H0012",)) == 0
        assert await tx.scalar(COUNT_MEMBERS, ("H0001",)) == 1


async def test_a_dry_run_counts_but_writes_nothing(db: Database) -> None:
    report = await import_roster(db, sample(), prune=True, dry_run=True, now=NOW)
    assert report.tables["households"].added == 12
    async with db.read() as tx:
        assert await tx.scalar("SELECT count(*) FROM households") == 0


async def test_a_region_subtree_is_the_region_and_everything_below(db: Database) -> None:
    await import_roster(db, sample(), prune=False, dry_run=False, now=NOW)
    async with db.read() as tx:
        assert sorted(await region_subtree(tx, "T01")) == ["G011", "G012", "T01", "V01", "V02"]
        assert await region_subtree(tx, "G011") == ["G011"]
        assert await region_subtree(tx, "nowhere") == []


def closure(roster: Roster) -> set[tuple[str, str, int]]:
    """(ancestor, region, depth) for every region and each one at or above it, walked
    from the parent links in Python."""
    parent = {r.id: r.parent_id for r in roster.regions}
    pairs: set[tuple[str, str, int]] = set()
    for region in parent:
        current: str | None = region
        depth = 0
        while current is not None:
            pairs.add((current, region, depth))
            current, depth = parent[current], depth + 1
    return pairs


async def test_the_region_tree_follows_the_parent_links_through_imports(db: Database) -> None:
    roster = sample()
    await import_roster(db, roster, prune=False, dry_run=False, now=NOW)
    async with db.read() as tx:
        assert await region_tree.pairs(tx) == closure(roster)
    # V01 (with its two groups and their households) moves from 东坪镇 to 西河乡, which
    # gets a new village too
    moved = dataclasses.replace(
        roster,
        regions=(
            *(dataclasses.replace(r, parent_id="T02") if r.id == "V01" else r
              for r in roster.regions),
            Region("V05", "新村", Level.VILLAGE, "T02"),
        ),
    )  # fmt: skip
    await import_roster(db, moved, prune=False, dry_run=False, now=NOW)
    async with db.read() as tx:
        assert await region_tree.pairs(tx) == closure(moved)
        assert sorted(await region_subtree(tx, "T01")) == ["T01", "V02"]
        t02 = sorted(await region_subtree(tx, "T02"))
        assert t02 == ["G011", "G012", "T02", "V01", "V03", "V04", "V05"]
    # back as it was, pruned: V01 returns to 东坪镇 and the new village leaves the tree
    await import_roster(db, roster, prune=True, dry_run=False, now=NOW)
    async with db.read() as tx:
        assert await region_tree.pairs(tx) == closure(roster)
