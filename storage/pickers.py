"""The households a cadre may pick from a button or find by name (``bot.domain.picking``).

Only households still in the roster: the ones linked to the cadre, and, when asked, the
ones in the region the cadre supervises. Each comes with its region's name (the 村民小组
or the village it belongs to), ordered by group, then by the head's name.
"""

from __future__ import annotations

from bot.domain.picking import Listed
from bot.domain.roster import Household

from .db import Row, Tx

LINKED_LIMIT = 2000  # a cadre linked to more is a roster mistake; the pickers show these

SELECT_LINKED = """
SELECT h.id, h.head_name, h.region_id, h.address, h.phone, r.name AS region_name
FROM links l
JOIN households h ON h.id = l.household_id
JOIN regions r ON r.id = h.region_id
WHERE l.cadre_id = :cadre AND h.removed_at IS NULL
ORDER BY r.name, h.region_id, h.head_name, h.id
LIMIT :limit
"""
SELECT_NAMED = """
SELECT h.id, h.head_name, h.region_id, h.address, h.phone, r.name AS region_name
FROM households h
JOIN regions r ON r.id = h.region_id
WHERE h.removed_at IS NULL AND instr(h.head_name, :name) > 0 AND (
    EXISTS (SELECT 1 FROM links l WHERE l.household_id = h.id AND l.cadre_id = :cadre)
    OR (:supervised AND EXISTS (
        SELECT 1 FROM cadres c
        JOIN region_tree t ON t.ancestor_id = c.supervises AND t.region_id = h.region_id
        WHERE c.id = :cadre))
)
ORDER BY h.head_name = :name DESC, r.name, h.head_name, h.id
LIMIT :limit
"""


def _listed(row: Row) -> Listed:
    household = Household(
        row["id"], row["head_name"], row["region_id"], row["address"], row["phone"]
    )
    return Listed(household, row["region_name"])


class HouseholdPicks:
    """The households a cadre picks from (satisfies ``bot.services.pickers.Picks``)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def linked_households(self, cadre_id: str) -> list[Listed]:
        params = {"cadre": cadre_id, "limit": LINKED_LIMIT}
        return [_listed(row) for row in await self._tx.fetchall(SELECT_LINKED, params)]

    async def named_households(
        self, cadre_id: str, name: str, supervised: bool, limit: int
    ) -> list[Listed]:
        """Households whose head's name contains ``name`` (an exact name first), linked to
        the cadre or, if ``supervised``, in the region they supervise."""
        params = {"cadre": cadre_id, "name": name, "supervised": supervised, "limit": limit}
        return [_listed(row) for row in await self._tx.fetchall(SELECT_NAMED, params)]
