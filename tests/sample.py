"""The sample county (bot/samples/roster) loaded straight into a test database.

Storage and domain tests use it without going through the roster importer, so a fault
in the importer shows in the importer's tests only.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from storage import codes, region_tree
from storage.db import Database

SAMPLE = Path(__file__).resolve().parent.parent / "bot" / "samples" / "roster"
TABLES = {
    "regions": ("id", "name", "level", "parent_id"),
    "cadres": ("id", "name", "rank", "unit", "phone", "region_id", "backup_id", "supervises"),
    "households": ("id", "head_name", "region_id", "address", "phone"),
    "links": ("household_id", "cadre_id", "tier"),
}
# Fixed SQL per table (no SQL built from strings at run time).
INSERTS = {
    "regions": "INSERT INTO regions (id, name, level, parent_id) VALUES (?, ?, ?, ?)",
    "cadres": """INSERT INTO cadres (id, name, rank, unit, phone, region_id, backup_id,
                 supervises) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
    "households": """INSERT INTO households (id, head_name, region_id, address, phone)
                     VALUES (?, ?, ?, ?, ?)""",
    "links": "INSERT INTO links (household_id, cadre_id, tier) VALUES (?, ?, ?)",
}


def _rows(table: str) -> list[tuple[str | None, ...]]:
    with (SAMPLE / f"{table}.csv").open(encoding="utf-8-sig", newline="") as file:
        return [
            tuple(
                (row[c] or None) if c in ("parent_id", "backup_id", "supervises") else row[c]
                for c in TABLES[table]
            )
            for row in csv.DictReader(file)
        ]


async def load_sample(db: Database) -> None:
    async with db.transaction() as tx:
        for table, sql in INSERTS.items():
            await tx.executemany(sql, _rows(table))
        await region_tree.rebuild(tx)  # as the roster import does


async def card_code(db: Database, now: datetime, *, household: str = "", cadre: str = "") -> str:
    """The live code on a household's (or a cadre's) card, issued if need be."""
    async with db.transaction() as tx:
        return await codes.issue(tx, now, household_id=household or None, cadre_id=cadre or None)
