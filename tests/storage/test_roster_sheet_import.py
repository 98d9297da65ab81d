"""A county's own 花名册 (one sheet, merged cells, Chinese headers, no ids) imported,
then a second version of it with changes: ids, bindings and links behave as a clerk
expects (3 townships, 30 villages, 3,000 households)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

from bot.roster_cli import ImportOutcome, import_path
from storage.db import Database
from tests import huamingce
from tests.huamingce import Cadre, Line

NOW = datetime(2031, 3, 4, 2, 0, tzinfo=UTC)
HOUSEHOLDS = """
SELECT h.id, v.name, h.head_name, h.phone FROM households h
JOIN regions g ON g.id = h.region_id JOIN regions v ON v.id = g.parent_id
WHERE h.removed_at IS NULL
"""
CADRES = "SELECT id, name, phone, rank, region_id FROM cadres WHERE removed_at IS NULL"
CHAIN = """
SELECT c.name, k.tier FROM links k JOIN cadres c ON c.id = k.cadre_id
WHERE k.household_id = ? ORDER BY k.tier
"""
INSERT_CODE = "INSERT INTO codes (code, household_id, cadre_id, issued_at) VALUES (?, ?, ?, ?)"
INSERT_MEMBER = "INSERT INTO members (user_id, household_id, code, bound_at) VALUES (?, ?, ?, ?)"
INSERT_ACCOUNT = (
    "INSERT INTO cadre_accounts (cadre_id, user_id, code, bound_at) VALUES (?, ?, ?, ?)"
)


async def run(db: Database, path: Path, *, prune: bool = False) -> ImportOutcome:
    outcome = await import_path(db, path, prune=prune, dry_run=False, now=NOW)
    assert outcome.problems == []
    assert outcome.report is not None
    return outcome


async def households(db: Database) -> dict[tuple[str, str], tuple[str, str]]:
    """(village, head) → (id, phone)."""
    async with db.read() as tx:
        rows = await tx.fetchall(HOUSEHOLDS)
    return {(r[1], r[2]): (r[0], r[3]) for r in rows}


async def cadres(db: Database) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(name, phone) → (id, rank, region)."""
    async with db.read() as tx:
        rows = await tx.fetchall(CADRES)
    return {(r[1], r[2]): (r[0], r[3], r[4]) for r in rows}


async def chain(db: Database, household_id: str) -> list[tuple[str, int]]:
    async with db.read() as tx:
        return [(r[0], r[1]) for r in await tx.fetchall(CHAIN, (household_id,))]


async def bind_household(db: Database, household_id: str, user_id: int) -> None:
    async with db.transaction() as tx:
        await tx.execute(INSERT_CODE, (f"c-{household_id}", household_id, None, "2031-03-01"))
        await tx.execute(INSERT_MEMBER, (user_id, household_id, f"c-{household_id}", "2031-03-02"))


async def bind_cadre(db: Database, cadre_id: str, user_id: int) -> None:
    async with db.transaction() as tx:
        await tx.execute(INSERT_CODE, (f"c-{cadre_id}", None, cadre_id, "2031-03-01"))
        await tx.execute(INSERT_ACCOUNT, (cadre_id, user_id, f"c-{cadre_id}", "2031-03-02"))


def second_version(lines: list[Line]) -> tuple[list[Line], dict[str, Line]]:
    """The county's next version: one phone changed, one household added, one removed,
    a new cadre on ten households of 第1镇4村, a 网格长 now written 村主任."""
    moved = dataclasses.replace(lines[5], phone="18800000005")
    removed = lines[10]
    added = dataclasses.replace(lines[150], head="新户主", phone="18800000150", id_card="")
    replaced_old = lines[300].cadres[0]
    newcomer = Cadre("新干部", "村支书", "18700000001")
    promoted = lines[303].cadres[0]
    assert promoted.rank == "网格长"
    assert lines[303].village == lines[300].village
    out = []
    for n, line in enumerate(lines):
        if n == 10:
            continue
        if n == 5:
            line = moved
        if line.cadres and line.cadres[0] == replaced_old and 300 <= n < 350:
            line = dataclasses.replace(line, cadres=(newcomer, *line.cadres[1:]))
        if line.cadres and line.cadres[0] == promoted:
            line = dataclasses.replace(
                line, cadres=(dataclasses.replace(promoted, rank="村主任"), *line.cadres[1:])
            )
        out.append(line)
        if n == 150:
            out.append(added)
    return out, {"moved": moved, "removed": removed, "added": added, "replaced": lines[300]}


async def test_a_second_version_keeps_ids_bindings_and_changes_links_as_written(
    db: Database, tmp_path: Path
) -> None:
    lines = huamingce.county()
    first = tmp_path / "花名册.xlsx"
    huamingce.write(first, lines)
    outcome = await run(db, first)
    assert outcome.report is not None
    assert {k: v.added for k, v in outcome.report.tables.items()} == {
        "regions": 1 + 3 + 30 + 120,
        "cadres": 3 * (10 * 5 + 3),
        "households": 3000,
        "links": 6000,
    }
    before_households, before_cadres = await households(db), await cadres(db)
    assert len(before_households) == 3000  # merged village cells reached every row

    lines2, what = second_version(lines)
    moved, removed, added = what["moved"], what["removed"], what["added"]
    moved_id = before_households[(moved.village, moved.head)][0]
    removed_id = before_households[(removed.village, removed.head)][0]
    kept_id = before_households[(lines[0].village, lines[0].head)][0]
    await bind_household(db, moved_id, 101)
    await bind_household(db, removed_id, 102)
    await bind_household(db, kept_id, 103)
    tier2 = lines[0].cadres[1]
    tier2_id = before_cadres[(tier2.name, tier2.phone)][0]
    await bind_cadre(db, tier2_id, 201)

    second = tmp_path / "花名册（第二版）.xlsx"
    huamingce.write(second, lines2, seed=99)  # re-saved: another column order
    outcome = await run(db, second)
    assert outcome.report is not None
    tables = outcome.report.tables
    assert (tables["households"].added, tables["households"].updated) == (1, 1)
    assert tables["households"].absent == 1  # kept without --prune, as for any roster
    after_households, after_cadres = await households(db), await cadres(db)

    # Every household the file still has keeps its id; the moved phone is the same household.
    for line in lines2:
        if line is added:
            continue
        key = (line.village, line.head)
        assert after_households[key][0] == before_households[key][0]
    assert after_households[(moved.village, moved.head)] == (moved_id, "18800000005")
    added_id = after_households[(added.village, added.head)][0]
    assert added_id not in {i for i, _ in before_households.values()}
    assert (removed.village, removed.head) in after_households  # not pruned

    # Unchanged cadres keep their ids; the 网格长 now 村主任 too, with the new rank.
    promoted = lines[303].cadres[0]
    for key, (cadre_id, _, region) in before_cadres.items():
        if key == ("新干部", "18700000001"):
            continue
        assert after_cadres[key][0] == cadre_id
        assert after_cadres[key][2] == region
    assert after_cadres[(promoted.name, promoted.phone)][1] == "village_cadre"
    assert before_cadres[(promoted.name, promoted.phone)][1] == "grid_worker"

    # The new cadre replaced the old one on those households only.
    replaced = what["replaced"]
    replaced_id = after_households[(replaced.village, replaced.head)][0]
    assert await chain(db, replaced_id) == [("新干部", 1), (replaced.cadres[1].name, 2)]
    old = replaced.cadres[0]
    still = [line for line in lines2 if line.cadres[0] == old]
    assert still  # the old cadre keeps the households the file still gives them
    still_id = after_households[(still[0].village, still[0].head)][0]
    assert await chain(db, still_id) == [(old.name, 1), (still[0].cadres[1].name, 2)]

    # Bindings and codes survive the re-import.
    async with db.read() as tx:
        members = await tx.fetchall("SELECT user_id, household_id FROM members ORDER BY user_id")
        codes = await tx.fetchall("SELECT count(*) FROM codes WHERE revoked_at IS NULL")
        accounts = await tx.fetchall("SELECT cadre_id, user_id FROM cadre_accounts")
    assert [tuple(m) for m in members] == [(101, moved_id), (102, removed_id), (103, kept_id)]
    assert codes[0][0] == 4
    assert [tuple(a) for a in accounts] == [(tier2_id, 201)]

    # With --prune the removed household goes, and its phone is unbound.
    outcome = await run(db, second, prune=True)
    assert outcome.report is not None
    assert outcome.report.tables["households"].removed == 1
    assert outcome.report.bound_removed == 1
    assert (removed.village, removed.head) not in await households(db)
    async with db.read() as tx:
        users = await tx.fetchall("SELECT user_id FROM members ORDER BY user_id")
    assert [u[0] for u in users] == [101, 103]
