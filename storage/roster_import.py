"""The roster in the database: a whole import in one transaction, the export, the tree.

A re-import updates rows by id in place (INSERT … ON CONFLICT DO UPDATE), never
deletes and re-inserts them: codes, members and cadre accounts hang on those rows with
ON DELETE CASCADE, and a villager must not lose their binding because a phone number
was corrected. Only rows that changed are written, so re-importing the same file of a
whole county is cheap. Rows absent from the file are deleted only when asked (prune).

A household's chain of cadres is one fact, though: for every household in the file, its
links become exactly the file's, with or without prune (a tier-1 cadre replaced in the
file must not leave the old one answering too). Prune keeps its meaning for whole
entities: regions, cadres and households absent from the file, and those households' links.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.domain.roster import Cadre, Household, Level, Link, Rank, Region, Roster
from storage.db import Database, Tx

TABLE_NAMES = ("regions", "cadres", "households", "links")

SELECT_REGIONS = """
SELECT id, name, level, parent_id FROM regions
ORDER BY CASE level WHEN 'county' THEN 0 WHEN 'township' THEN 1 WHEN 'village' THEN 2
         ELSE 3 END, id
"""
SELECT_CADRES = """
SELECT id, name, rank, unit, phone, region_id, backup_id, supervises FROM cadres ORDER BY id
"""
SELECT_HOUSEHOLDS = "SELECT id, head_name, region_id, address, phone FROM households ORDER BY id"
SELECT_LINKS = (
    "SELECT household_id, cadre_id, tier FROM links ORDER BY household_id, tier, cadre_id"
)

UPSERT_REGION = """
INSERT INTO regions (id, name, level, parent_id) VALUES (?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    name = excluded.name, level = excluded.level, parent_id = excluded.parent_id
"""
UPSERT_CADRE = """
INSERT INTO cadres (id, name, rank, unit, phone, region_id, backup_id, supervises)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    name = excluded.name, rank = excluded.rank, unit = excluded.unit, phone = excluded.phone,
    region_id = excluded.region_id, backup_id = excluded.backup_id,
    supervises = excluded.supervises
"""
UPSERT_HOUSEHOLD = """
INSERT INTO households (id, head_name, region_id, address, phone) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    head_name = excluded.head_name, region_id = excluded.region_id,
    address = excluded.address, phone = excluded.phone
"""
UPSERT_LINK = """
INSERT INTO links (household_id, cadre_id, tier) VALUES (?, ?, ?)
ON CONFLICT (household_id, cadre_id) DO UPDATE SET tier = excluded.tier
"""
DELETE = {
    "links": "DELETE FROM links WHERE household_id = ? AND cadre_id = ?",
    "households": "DELETE FROM households WHERE id = ?",
    "cadres": "DELETE FROM cadres WHERE id = ?",
    "regions": "DELETE FROM regions WHERE id = ?",
}
SELECT_MEMBER_HOUSEHOLDS = "SELECT household_id FROM members"
SELECT_ACCOUNT_CADRES = "SELECT cadre_id FROM cadre_accounts"
SELECT_SUBTREE = """
WITH RECURSIVE subtree (id) AS (
    SELECT id FROM regions WHERE id = ?
    UNION
    SELECT regions.id FROM regions JOIN subtree ON regions.parent_id = subtree.id
)
SELECT id FROM subtree
"""

SELECTS = {
    "regions": SELECT_REGIONS,
    "cadres": SELECT_CADRES,
    "households": SELECT_HOUSEHOLDS,
    "links": SELECT_LINKS,
}
UPSERTS = {
    "regions": UPSERT_REGION,
    "cadres": UPSERT_CADRE,
    "households": UPSERT_HOUSEHOLD,
    "links": UPSERT_LINK,
}
Key = str | tuple[str, str]  # an id, or (household_id, cadre_id) for a link
Rows = dict[Key, tuple[Any, ...]]


@dataclass
class TableChange:
    """What an import does to one table.

    ``absent``: in the database, not in the file, removed only with prune. ``replaced``
    (links only): links of households in the file that the file no longer gives, always
    removed, and counted in ``removed`` too.
    """

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    absent: int = 0
    removed: int = 0
    replaced: int = 0


@dataclass
class ImportReport:
    tables: dict[str, TableChange] = field(default_factory=dict)
    bound_removed: int = 0  # Telegram accounts unbound because their row was pruned


def _key(table: str, row: Sequence[Any]) -> Key:
    return (row[0], row[1]) if table == "links" else row[0]


def _file_rows(roster: Roster) -> dict[str, Rows]:
    """The file's rows in the shape of the table's columns, keyed as the table is."""
    rows: dict[str, list[tuple[Any, ...]]] = {
        "regions": [(r.id, r.name, r.level.value, r.parent_id) for r in roster.regions],
        "cadres": [
            (c.id, c.name, c.rank.value, c.unit, c.phone, c.region_id, c.backup_id, c.supervises)
            for c in roster.cadres
        ],
        "households": [
            (h.id, h.head_name, h.region_id, h.address, h.phone) for h in roster.households
        ],
        "links": [(k.household_id, k.cadre_id, k.tier) for k in roster.links],
    }
    return {table: {_key(table, row): row for row in found} for table, found in rows.items()}


async def _db_rows(tx: Tx, table: str) -> Rows:
    return {_key(table, row): tuple(row) for row in await tx.fetchall(SELECTS[table])}


async def import_roster(
    db: Database, roster: Roster, *, prune: bool, dry_run: bool
) -> ImportReport:
    """Bring the database to ``roster`` in one transaction; with dry_run, only count."""
    if dry_run:
        async with db.read() as tx:
            return await _apply(tx, roster, prune=prune, write=False)
    async with db.transaction() as tx:
        return await _apply(tx, roster, prune=prune, write=True)


async def _apply(tx: Tx, roster: Roster, *, prune: bool, write: bool) -> ImportReport:
    report = ImportReport()
    wanted = _file_rows(roster)
    in_file = wanted["households"].keys()
    gone: dict[str, list[Key]] = {}  # absent from the file: removed only with prune
    for table in TABLE_NAMES:
        have = await _db_rows(tx, table)
        changed = [row for key, row in wanted[table].items() if have.get(key) != row]
        added = sum(1 for key in wanted[table] if key not in have)
        gone[table] = [key for key in have if key not in wanted[table]]
        replaced: list[Key] = []
        if table == "links":  # a household in the file gets exactly the file's chain
            replaced = [key for key in gone[table] if key[0] in in_file]
            gone[table] = [key for key in gone[table] if key[0] not in in_file]
        report.tables[table] = TableChange(
            added=added,
            updated=len(changed) - added,
            unchanged=len(wanted[table]) - len(changed),
            absent=len(gone[table]),
            removed=len(replaced) + (len(gone[table]) if prune else 0),
            replaced=len(replaced),
        )
        if write and changed:
            await tx.executemany(UPSERTS[table], changed)
        if write and replaced:
            await tx.executemany(DELETE[table], (_params(key) for key in replaced))
    if prune:
        report.bound_removed = await _bound(tx, set(gone["households"]), set(gone["cadres"]))
        if write:
            for table in reversed(TABLE_NAMES):  # links first, regions last
                await tx.executemany(DELETE[table], (_params(key) for key in gone[table]))
    return report


def _params(key: Key) -> tuple[str, ...]:
    return key if isinstance(key, tuple) else (key,)


async def _bound(tx: Tx, households: set[Key], cadres: set[Key]) -> int:
    """How many Telegram bindings go with the pruned households and cadres."""
    members = await tx.fetchall(SELECT_MEMBER_HOUSEHOLDS)
    accounts = await tx.fetchall(SELECT_ACCOUNT_CADRES)
    return sum(1 for (h,) in members if h in households) + sum(
        1 for (c,) in accounts if c in cadres
    )


async def read_roster(tx: Tx) -> Roster:
    """The whole roster, parents before children, for export."""
    regions = await tx.fetchall(SELECT_REGIONS)
    cadres = await tx.fetchall(SELECT_CADRES)
    households = await tx.fetchall(SELECT_HOUSEHOLDS)
    links = await tx.fetchall(SELECT_LINKS)
    return Roster(
        regions=tuple(Region(r[0], r[1], Level(r[2]), r[3]) for r in regions),
        cadres=tuple(Cadre(c[0], c[1], Rank(c[2]), c[3], c[4], c[5], c[6], c[7]) for c in cadres),
        households=tuple(Household(*h) for h in households),
        links=tuple(Link(*k) for k in links),
    )


async def region_subtree(tx: Tx, region_id: str) -> list[str]:
    """``region_id`` and every region below it: a supervisor's jurisdiction."""
    return [row[0] for row in await tx.fetchall(SELECT_SUBTREE, (region_id,))]
