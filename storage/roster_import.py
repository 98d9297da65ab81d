"""The roster in the database: a whole import in one transaction, the export, the tree.

A re-import updates rows by id in place (INSERT … ON CONFLICT DO UPDATE), never
deletes and re-inserts them: codes, members and cadre accounts hang on those rows with
ON DELETE CASCADE, and a villager must not lose their binding because a phone number
was corrected. Only rows that changed are written, so re-importing the same file of a
whole county is cheap. Rows absent from the file are deleted only when asked (prune),
and then only if no history refers to them: a cadre who handled or filed a request (or
logged a stay), a household that filed one, and the regions they name are kept, marked
removed (unbound, out of the roster), so the trail keeps its names (``storage.leavers``).

A household's chain of cadres is one fact, though: for every household in the file, its
links become exactly the file's, with or without prune (a tier-1 cadre replaced in the
file must not leave the old one answering too). Prune keeps its meaning for whole
entities: regions, cadres and households absent from the file, and those households' links.

Whenever regions are written or removed, the closure table of the region tree is rebuilt
in the same transaction (``storage.region_tree``), so every jurisdiction query sees the
parent links just imported.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain.roster import Cadre, Department, Household, Level, Link, Rank, Region, Roster
from bot.domain.roster_assemble import Stored
from storage import leavers, region_tree
from storage.db import Database, Tx

TABLE_NAMES = ("regions", "cadres", "households", "links", "departments")

SELECT_REGIONS = """
SELECT id, name, level, parent_id, discipline_contact, lat, lon, radius_m, hotline FROM regions
WHERE removed_at IS NULL
ORDER BY CASE level WHEN 'county' THEN 0 WHEN 'township' THEN 1 WHEN 'village' THEN 2
         ELSE 3 END, id
"""
SELECT_CADRES = """
SELECT id, name, rank, unit, phone, region_id, backup_id, supervises FROM cadres
WHERE removed_at IS NULL ORDER BY id
"""
SELECT_HOUSEHOLDS = """
SELECT id, head_name, region_id, address, phone FROM households WHERE removed_at IS NULL
ORDER BY id
"""
SELECT_LINKS = (
    "SELECT household_id, cadre_id, tier FROM links ORDER BY household_id, tier, cadre_id"
)
SELECT_DEPARTMENTS = "SELECT id, name, region_id, contact_id FROM departments ORDER BY id"

UPSERT_REGION = """
INSERT INTO regions (id, name, level, parent_id, discipline_contact, lat, lon, radius_m, hotline)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    name = excluded.name, level = excluded.level, parent_id = excluded.parent_id,
    discipline_contact = excluded.discipline_contact, lat = excluded.lat, lon = excluded.lon,
    radius_m = excluded.radius_m, hotline = excluded.hotline, removed_at = NULL
"""
UPSERT_CADRE = """
INSERT INTO cadres (id, name, rank, unit, phone, region_id, backup_id, supervises)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    name = excluded.name, rank = excluded.rank, unit = excluded.unit, phone = excluded.phone,
    region_id = excluded.region_id, backup_id = excluded.backup_id,
    supervises = excluded.supervises, removed_at = NULL
"""
UPSERT_HOUSEHOLD = """
INSERT INTO households (id, head_name, region_id, address, phone) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    head_name = excluded.head_name, region_id = excluded.region_id,
    address = excluded.address, phone = excluded.phone, removed_at = NULL
"""
UPSERT_LINK = """
INSERT INTO links (household_id, cadre_id, tier) VALUES (?, ?, ?)
ON CONFLICT (household_id, cadre_id) DO UPDATE SET tier = excluded.tier
"""
UPSERT_DEPARTMENT = """
INSERT INTO departments (id, name, region_id, contact_id) VALUES (?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    name = excluded.name, region_id = excluded.region_id, contact_id = excluded.contact_id
"""
DELETE = {
    "links": "DELETE FROM links WHERE household_id = ? AND cadre_id = ?",
    "households": "DELETE FROM households WHERE id = ?",
    "cadres": "DELETE FROM cadres WHERE id = ?",
    "regions": "DELETE FROM regions WHERE id = ?",
    "departments": "DELETE FROM departments WHERE id = ?",
}
# Every id ever given, rows kept for history (removed_at set) too: a new id must not
# bring one of those back as someone else.
SELECT_ALL_IDS = {
    "regions": "SELECT id FROM regions",
    "cadres": "SELECT id FROM cadres",
    "households": "SELECT id FROM households",
}
SELECT_MEMBER_HOUSEHOLDS = "SELECT household_id FROM members"
SELECT_ACCOUNT_CADRES = "SELECT cadre_id FROM cadre_accounts"

SELECTS = {
    "regions": SELECT_REGIONS,
    "cadres": SELECT_CADRES,
    "households": SELECT_HOUSEHOLDS,
    "links": SELECT_LINKS,
    "departments": SELECT_DEPARTMENTS,
}
UPSERTS = {
    "regions": UPSERT_REGION,
    "cadres": UPSERT_CADRE,
    "households": UPSERT_HOUSEHOLD,
    "links": UPSERT_LINK,
    "departments": UPSERT_DEPARTMENT,
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
    kept: int = 0  # of ``removed``: kept for history, marked removed (prune only)


@dataclass
class ImportReport:
    tables: dict[str, TableChange] = field(default_factory=dict)
    bound_removed: int = 0  # Telegram accounts unbound because their row was pruned
    removed_cadres: list[str] = field(default_factory=list)  # pruned: their requests move
    unlinked: list[tuple[str, str]] = field(default_factory=list)  # (household, cadre) links
    to_reroute: int = 0  # requests not closed whose handler leaves or leaves the household
    rerouted: int = 0  # of those, given to someone (written, not a dry run)


AfterImport = Callable[[Tx, ImportReport], Awaitable[None]]


def _key(table: str, row: Sequence[Any]) -> Key:
    return (row[0], row[1]) if table == "links" else row[0]


def _file_rows(roster: Roster) -> dict[str, Rows]:
    """The file's rows in the shape of the table's columns, keyed as the table is."""
    rows: dict[str, list[tuple[Any, ...]]] = {
        "regions": [
            (
                r.id,
                r.name,
                r.level.value,
                r.parent_id,
                r.discipline_contact,
                r.lat,
                r.lon,
                r.radius_m,
                r.hotline,
            )
            for r in roster.regions
        ],
        "cadres": [
            (c.id, c.name, c.rank.value, c.unit, c.phone, c.region_id, c.backup_id, c.supervises)
            for c in roster.cadres
        ],
        "households": [
            (h.id, h.head_name, h.region_id, h.address, h.phone) for h in roster.households
        ],
        "links": [(k.household_id, k.cadre_id, k.tier) for k in roster.links],
        "departments": [
            (d.id, d.name, d.region_id, d.contact_id) for d in roster.departments or ()
        ],
    }
    return {table: {_key(table, row): row for row in found} for table, found in rows.items()}


async def _db_rows(tx: Tx, table: str) -> Rows:
    return {_key(table, row): tuple(row) for row in await tx.fetchall(SELECTS[table])}


async def import_roster(
    db: Database,
    roster: Roster,
    *,
    prune: bool,
    dry_run: bool,
    now: datetime,
    then: AfterImport | None = None,
) -> ImportReport:
    """Bring the database to ``roster`` in one transaction; with dry_run, only count.

    ``then`` runs in the same transaction after the roster is written (the leavers'
    requests are re-routed there); ``now`` stamps what is marked removed."""
    if dry_run:
        async with db.read() as tx:
            return await _apply(tx, roster, prune=prune, write=False, now=now)
    async with db.transaction() as tx:
        report = await _apply(tx, roster, prune=prune, write=True, now=now)
        if then is not None:
            await then(tx, report)
        return report


async def _apply(
    tx: Tx, roster: Roster, *, prune: bool, write: bool, now: datetime
) -> ImportReport:
    report = ImportReport()
    wanted = _file_rows(roster)
    in_file = wanted["households"].keys()
    gone: dict[str, list[Key]] = {}  # absent from the file: removed only with prune
    for table in TABLE_NAMES:
        if table == "departments" and roster.departments is None:
            continue  # a roster without the sheet (older ones): the stored departments stay
        have = await _db_rows(tx, table)
        changed = [row for key, row in wanted[table].items() if have.get(key) != row]
        added = sum(1 for key in wanted[table] if key not in have)
        gone[table] = [key for key in have if key not in wanted[table]]
        replaced: list[Key] = []
        if table == "links":  # a household in the file gets exactly the file's chain
            replaced = [key for key in gone[table] if key[0] in in_file]
            gone[table] = [key for key in gone[table] if key[0] not in in_file]
        if table == "departments":  # the sheet is the whole list: what it leaves out goes
            replaced, gone[table] = gone[table], []
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
            if table == "regions":  # the subtrees follow the parent links just written
                await region_tree.rebuild(tx)
        if write and replaced:
            await tx.executemany(DELETE[table], (_params(key) for key in replaced))
    report.unlinked = [k for k in replaced if isinstance(k, tuple)]
    if prune:
        report.bound_removed = await _bound(tx, set(gone["households"]), set(gone["cadres"]))
        report.removed_cadres = [str(key) for key in gone["cadres"]]
        report.unlinked += [k for k in gone["links"] if isinstance(k, tuple)]
    report.to_reroute = await _held(tx, report)
    if prune and write:
        await _remove(tx, gone, report, now)
        if gone["regions"]:
            await region_tree.rebuild(tx)
    return report


async def _held(tx: Tx, report: ImportReport) -> int:
    """Requests not closed whose handler leaves the roster or leaves their household."""
    removed = set(report.removed_cadres)
    held = sum([await leavers.count_held(tx, cadre) for cadre in removed])
    for household, cadre in report.unlinked:
        if cadre not in removed:
            held += await leavers.count_held(tx, cadre, household)
    return held


async def _remove(tx: Tx, gone: dict[str, list[Key]], report: ImportReport, now: datetime) -> None:
    """Prune: links first, regions last; what history refers to is kept, marked removed."""
    await tx.executemany(DELETE["links"], (_params(key) for key in gone["links"]))
    checks = {"households": leavers.household_has_history, "cadres": leavers.cadre_has_history}
    retire = {"households": leavers.retire_household, "cadres": leavers.retire_cadre}
    for table in ("households", "cadres"):
        for key in gone[table]:
            if await checks[table](tx, str(key)):
                await retire[table](tx, str(key), now)
                report.tables[table].kept += 1
            else:
                await tx.execute(DELETE[table], (key,))
    regions = {str(key) for key in gone["regions"]}
    keep = await leavers.regions_to_keep(tx, regions)
    for region in sorted(regions):
        if region in keep:
            await leavers.retire_region(tx, region, now)
            report.tables["regions"].kept += 1
        else:
            await tx.execute(DELETE["regions"], (region,))


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
    departments = await tx.fetchall(SELECT_DEPARTMENTS)
    return Roster(
        regions=tuple(
            Region(r[0], r[1], Level(r[2]), r[3], r[4], r[5], r[6], r[7], r[8]) for r in regions
        ),
        cadres=tuple(Cadre(c[0], c[1], Rank(c[2]), c[3], c[4], c[5], c[6], c[7]) for c in cadres),
        households=tuple(Household(*h) for h in households),
        links=tuple(Link(*k) for k in links),
        departments=tuple(Department(*d) for d in departments),
    )


async def stored(tx: Tx) -> Stored:
    """The roster as held, and every id ever used: what a 花名册's lines are matched to."""
    roster = await read_roster(tx)
    ids = {
        table: frozenset(row[0] for row in await tx.fetchall(sql))
        for table, sql in SELECT_ALL_IDS.items()
    }
    return Stored(roster, ids)


async def region_subtree(tx: Tx, region_id: str) -> list[str]:
    """``region_id`` and every region below it: a supervisor's jurisdiction."""
    return await region_tree.subtree(tx, region_id)
