"""公示 and reception as stored (migration 0023): announcements and their recipients
(households that switched notices off are skipped: ``storage.schedule.set_optin`` is the
switch), who receives villagers, and 绑定率.

``Notices`` is all of it over one transaction (``UnitOfWork.notices``), as
``bot.services.announce`` asks for it.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.announce import Announcement, Binding, Recipient
from bot.domain.roster import Cadre
from storage.db import Tx
from storage.people import cadre_from
from storage.timefmt import from_db, to_db

SELECT_ASK = "SELECT since FROM announce_asks WHERE cadre_id = ?"
UPSERT_ASK = """
INSERT INTO announce_asks (cadre_id, since) VALUES (?, ?)
ON CONFLICT (cadre_id) DO UPDATE SET since = excluded.since
"""
DELETE_ASK = "DELETE FROM announce_asks WHERE cadre_id = ?"
INSERT_ANNOUNCEMENT = """
INSERT INTO announcements (cadre_id, region_id, text, photo, created_at) VALUES (?, ?, ?, ?, ?)
"""
SELECT_ANNOUNCEMENT = """
SELECT id, cadre_id, region_id, text, photo, published_at, cancelled_at
FROM announcements WHERE id = ?
"""
MARK_PUBLISHED = """
UPDATE announcements SET published_at = ?, reached = ?
WHERE id = ? AND published_at IS NULL AND cancelled_at IS NULL
"""
MARK_CANCELLED = """
UPDATE announcements SET cancelled_at = ?
WHERE id = ? AND published_at IS NULL AND cancelled_at IS NULL
"""
# The village a cadre's own region lies in (itself, if it is one).
SELECT_VILLAGE_OF = """
SELECT ancestor_id FROM region_tree
WHERE region_id = ? AND ancestor_level = 'village' ORDER BY depth LIMIT 1
"""
SELECT_REGION_NAME = "SELECT name FROM regions WHERE id = ?"
# Every bound member of the households of a region's subtree that did not switch off.
SELECT_RECIPIENTS = """
SELECT m.user_id, h.id
FROM region_tree t JOIN households h ON h.region_id = t.region_id
     JOIN members m ON m.household_id = h.id
WHERE t.ancestor_id = ? AND h.removed_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM notice_optouts o WHERE o.household_id = h.id)
ORDER BY m.user_id, h.id
"""
# Leaders who receive a household's villagers: the cadres supervising its village or
# its township (nearest first).
SELECT_LEADERS = """
SELECT c.id, c.name, c.rank, c.unit, c.phone, c.region_id, c.backup_id, c.supervises
FROM households h JOIN region_tree t ON t.region_id = h.region_id
     JOIN cadres c ON c.supervises = t.ancestor_id
WHERE h.id = ? AND t.ancestor_level IN ('village', 'township') AND c.removed_at IS NULL
ORDER BY t.depth, c.id
"""
# 绑定率: households (not removed) of a subtree, and those with at least one bound phone,
# by the village or township (``level``) they lie in.
SELECT_BINDING = """
SELECT u.ancestor_id, g.name, count(*) AS households,
       sum(CASE WHEN EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id)
                THEN 1 ELSE 0 END) AS bound
FROM region_tree t JOIN households h ON h.region_id = t.region_id
     JOIN region_tree u ON u.region_id = h.region_id AND u.ancestor_level = ?
     JOIN regions g ON g.id = u.ancestor_id
WHERE t.ancestor_id = ? AND h.removed_at IS NULL
GROUP BY u.ancestor_id, g.name
ORDER BY u.ancestor_id
"""
SELECT_BINDING_WHOLE = """
SELECT count(*),
       coalesce(sum(CASE WHEN EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id)
                    THEN 1 ELSE 0 END), 0)
FROM region_tree t JOIN households h ON h.region_id = t.region_id
WHERE t.ancestor_id = ? AND h.removed_at IS NULL
"""


async def binding(tx: Tx, region_id: str, level: str) -> list[Binding]:
    """绑定率 of each village (``level`` "village") or township of ``region_id``'s subtree."""
    rows = await tx.fetchall(SELECT_BINDING, (level, region_id))
    return [Binding(r[0], r[1], int(r[2]), int(r[3] or 0)) for r in rows]


async def binding_whole(tx: Tx, region_id: str) -> Binding:
    row = await tx.fetchone(SELECT_BINDING_WHOLE, (region_id,))
    name = await tx.scalar(SELECT_REGION_NAME, (region_id,))
    households, bound = (int(row[0]), int(row[1])) if row is not None else (0, 0)
    return Binding(region_id, str(name or region_id), households, bound)


class Notices:
    """Announcements, the notices switch, reception and 绑定率 over one transaction."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def asked(self, cadre_id: str) -> datetime | None:
        value = await self._tx.scalar(SELECT_ASK, (cadre_id,))
        return None if value is None else from_db(str(value))

    async def ask(self, cadre_id: str, now: datetime) -> None:
        await self._tx.execute(UPSERT_ASK, (cadre_id, to_db(now)))

    async def forget_ask(self, cadre_id: str) -> None:
        await self._tx.execute(DELETE_ASK, (cadre_id,))

    async def village_of(self, region_id: str) -> str | None:
        value = await self._tx.scalar(SELECT_VILLAGE_OF, (region_id,))
        return None if value is None else str(value)

    async def region_name(self, region_id: str) -> str:
        value = await self._tx.scalar(SELECT_REGION_NAME, (region_id,))
        return region_id if value is None else str(value)

    async def draft(
        self, cadre_id: str, region_id: str, text: str, photo: str | None, now: datetime
    ) -> int:
        return await self._tx.insert(
            INSERT_ANNOUNCEMENT, (cadre_id, region_id, text, photo, to_db(now))
        )

    async def announcement(self, announcement_id: int) -> Announcement | None:
        row = await self._tx.fetchone(SELECT_ANNOUNCEMENT, (announcement_id,))
        if row is None:
            return None
        return Announcement(
            int(row[0]), row[1], row[2], row[3], row[4], row[5] is not None, row[6] is not None
        )

    async def publish(self, announcement_id: int, reached: int, now: datetime) -> bool:
        """Marks it published; False if it no longer was a draft (pressed twice)."""
        done = await self._tx.execute(MARK_PUBLISHED, (to_db(now), reached, announcement_id))
        return done == 1

    async def cancel(self, announcement_id: int, now: datetime) -> bool:
        return await self._tx.execute(MARK_CANCELLED, (to_db(now), announcement_id)) == 1

    async def recipients(self, region_id: str) -> list[Recipient]:
        rows = await self._tx.fetchall(SELECT_RECIPIENTS, (region_id,))
        return [Recipient(int(r[0]), r[1]) for r in rows]

    async def leaders(self, household_id: str) -> list[Cadre]:
        return [cadre_from(r) for r in await self._tx.fetchall(SELECT_LEADERS, (household_id,))]

    async def binding(self, region_id: str, level: str) -> list[Binding]:
        return await binding(self._tx, region_id, level)

    async def binding_whole(self, region_id: str) -> Binding:
        return await binding_whole(self._tx, region_id)
