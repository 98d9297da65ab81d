"""督办 in SQLite: who supervises a household (the closure table ``region_tree``), the
departments a case may be assigned to (migration 0017), and a case's leader (包案)."""

from __future__ import annotations

from bot.domain.roster import Department
from storage.db import Row, Tx

# The cadre supervises the household's region or one above it.
SELECT_SUPERVISES = """
SELECT 1 FROM cadres c
JOIN households h ON h.id = :household
JOIN region_tree t ON t.ancestor_id = c.supervises AND t.region_id = h.region_id
WHERE c.id = :cadre
"""
SELECT_DEPARTMENT = "SELECT id, name, region_id, contact_id FROM departments WHERE id = ?"
# The departments serving the household's region or one above it: the nearest first.
SELECT_DEPARTMENTS_FOR = """
SELECT d.id, d.name, d.region_id, d.contact_id
FROM households h
JOIN region_tree t ON t.region_id = h.region_id
JOIN departments d ON d.region_id = t.ancestor_id
WHERE h.id = ?
ORDER BY t.depth, d.id
"""
UPDATE_LEADER = "UPDATE requests SET leader_id = ? WHERE id = ?"


def _department(row: Row) -> Department:
    return Department(row["id"], row["name"], row["region_id"], row["contact_id"])


class Supervision:
    """``bot.domain.supervision.Jurisdictions`` over one transaction."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def supervises(self, cadre_id: str, household_id: str) -> bool:
        found = await self._tx.fetchone(
            SELECT_SUPERVISES, {"cadre": cadre_id, "household": household_id}
        )
        return found is not None

    async def department(self, department_id: str) -> Department | None:
        row = await self._tx.fetchone(SELECT_DEPARTMENT, (department_id,))
        return None if row is None else _department(row)

    async def departments_for(self, household_id: str) -> list[Department]:
        return [
            _department(r)
            for r in await self._tx.fetchall(SELECT_DEPARTMENTS_FOR, (household_id,))
        ]

    async def take(self, request_id: int, leader_id: str) -> None:
        await self._tx.execute(UPDATE_LEADER, (leader_id, request_id))
