"""Who an account is to the bot: household members, cadres, and the roster they see.

``People`` answers the binding and membership services (``bot.domain.binding``,
``bot.domain.members``) inside the transaction of the update being handled.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.binding import CadreDuties, CodeHolder
from bot.domain.roster import Cadre, Household, LinkedCadre, Rank
from storage import cadre_views
from storage.db import Row, Tx
from storage.timefmt import from_db, to_db

SELECT_CODE = "SELECT code, household_id, cadre_id, revoked_at FROM codes WHERE code = ?"
SELECT_WRONG_TRIES = "SELECT at FROM bind_failures WHERE user_id = ? AND at >= ? ORDER BY at"
INSERT_WRONG_TRY = "INSERT INTO bind_failures (user_id, at) VALUES (?, ?)"
SELECT_HOUSEHOLD = "SELECT id, head_name, region_id, address, phone FROM households WHERE id = ?"
SELECT_LINKED_CADRES = """
SELECT l.tier, c.id, c.name, c.rank, c.unit, c.phone, c.region_id, c.backup_id, c.supervises
FROM links l JOIN cadres c ON c.id = l.cadre_id
WHERE l.household_id = ?
ORDER BY l.tier, c.id
"""
SELECT_IS_MEMBER = "SELECT 1 FROM members WHERE user_id = ? AND household_id = ?"
COUNT_MEMBERS_BY_CODE = "SELECT count(*) FROM members WHERE code = ?"
INSERT_MEMBER = """
INSERT INTO members (user_id, household_id, code, bound_at) VALUES (?, ?, ?, ?)
ON CONFLICT (user_id, household_id) DO NOTHING
"""
UPSERT_FOCUS = """
INSERT INTO member_focus (user_id, household_id) VALUES (?, ?)
ON CONFLICT (user_id) DO UPDATE SET household_id = excluded.household_id
"""
SELECT_FOCUS = "SELECT household_id FROM member_focus WHERE user_id = ?"
SELECT_HOUSEHOLDS_OF = """
SELECT h.id, h.head_name, h.region_id, h.address, h.phone
FROM members m JOIN households h ON h.id = m.household_id
WHERE m.user_id = ?
ORDER BY m.bound_at, h.id
"""
SELECT_CADRE = """
SELECT id, name, rank, unit, phone, region_id, backup_id, supervises FROM cadres WHERE id = ?
"""
SELECT_CADRE_USER = "SELECT user_id FROM cadre_accounts WHERE cadre_id = ?"
SELECT_CADRE_OF_USER = "SELECT cadre_id FROM cadre_accounts WHERE user_id = ?"
INSERT_CADRE_ACCOUNT = """
INSERT INTO cadre_accounts (cadre_id, user_id, code, bound_at) VALUES (?, ?, ?, ?)
"""
COUNT_TIERS_OF_CADRE = "SELECT tier, count(*) FROM links WHERE cadre_id = ? GROUP BY tier"
SELECT_FIRST_HOUSEHOLDS_OF_CADRE = """
SELECT h.id, h.head_name, h.region_id, h.address, h.phone
FROM links l JOIN households h ON h.id = l.household_id
WHERE l.cadre_id = ?
ORDER BY l.tier, h.id
LIMIT ?
"""
FIRST_HOUSEHOLDS = 10
SELECT_REGION_NAME = "SELECT name FROM regions WHERE id = ?"


def _household(row: Row) -> Household:
    return Household(
        id=row["id"],
        head_name=row["head_name"],
        region_id=row["region_id"],
        address=row["address"],
        phone=row["phone"],
    )


def cadre_from(row: Row) -> Cadre:
    """A cadre from a row with the cadres table's columns (shared by the repositories)."""
    return Cadre(
        id=row["id"],
        name=row["name"],
        rank=Rank(row["rank"]),
        unit=row["unit"],
        phone=row["phone"],
        region_id=row["region_id"],
        backup_id=row["backup_id"],
        supervises=row["supervises"],
    )


class People:
    """The binding and membership stores over one transaction."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def code_holder(self, code: str) -> CodeHolder | None:
        row = await self._tx.fetchone(SELECT_CODE, (code,))
        if row is None:
            return None
        return CodeHolder(
            code=row["code"],
            household_id=row["household_id"],
            cadre_id=row["cadre_id"],
            revoked=row["revoked_at"] is not None,
        )

    async def wrong_codes_since(self, user_id: int, since: datetime) -> list[datetime]:
        rows = await self._tx.fetchall(SELECT_WRONG_TRIES, (user_id, to_db(since)))
        return [from_db(r["at"]) for r in rows]

    async def record_wrong_code(self, user_id: int, now: datetime) -> None:
        await self._tx.execute(INSERT_WRONG_TRY, (user_id, to_db(now)))

    async def household(self, household_id: str) -> Household:
        row = await self._tx.fetchone(SELECT_HOUSEHOLD, (household_id,))
        if row is None:
            raise LookupError(f"no household {household_id}")
        return _household(row)

    async def linked_cadres(self, household_id: str) -> list[LinkedCadre]:
        rows = await self._tx.fetchall(SELECT_LINKED_CADRES, (household_id,))
        return [LinkedCadre(tier=r["tier"], cadre=cadre_from(r)) for r in rows]

    async def is_member(self, user_id: int, household_id: str) -> bool:
        return await self._tx.fetchone(SELECT_IS_MEMBER, (user_id, household_id)) is not None

    async def members_by_code(self, code: str) -> int:
        return int(await self._tx.scalar(COUNT_MEMBERS_BY_CODE, (code,)))

    async def add_member(self, user_id: int, household_id: str, code: str, now: datetime) -> None:
        await self._tx.execute(INSERT_MEMBER, (user_id, household_id, code, to_db(now)))

    async def focus(self, user_id: int, household_id: str) -> None:
        await self._tx.execute(UPSERT_FOCUS, (user_id, household_id))

    async def focused(self, user_id: int) -> str | None:
        value = await self._tx.scalar(SELECT_FOCUS, (user_id,))
        return None if value is None else str(value)

    async def member_users(self, household_id: str) -> list[int]:
        """The accounts bound to the household (its phones)."""
        return await cadre_views.member_users(self._tx, household_id)

    async def households_of(self, user_id: int) -> list[Household]:
        return [_household(r) for r in await self._tx.fetchall(SELECT_HOUSEHOLDS_OF, (user_id,))]

    async def cadre(self, cadre_id: str) -> Cadre:
        row = await self._tx.fetchone(SELECT_CADRE, (cadre_id,))
        if row is None:
            raise LookupError(f"no cadre {cadre_id}")
        return cadre_from(row)

    async def cadre_user(self, cadre_id: str) -> int | None:
        value = await self._tx.scalar(SELECT_CADRE_USER, (cadre_id,))
        return None if value is None else int(value)

    async def cadre_of_user(self, user_id: int) -> str | None:
        value = await self._tx.scalar(SELECT_CADRE_OF_USER, (user_id,))
        return None if value is None else str(value)

    async def bind_cadre(self, cadre_id: str, user_id: int, code: str, now: datetime) -> None:
        await self._tx.execute(INSERT_CADRE_ACCOUNT, (cadre_id, user_id, code, to_db(now)))

    async def duties(self, cadre_id: str) -> CadreDuties:
        tiers = await self._tx.fetchall(COUNT_TIERS_OF_CADRE, (cadre_id,))
        first = await self._tx.fetchall(
            SELECT_FIRST_HOUSEHOLDS_OF_CADRE, (cadre_id, FIRST_HOUSEHOLDS)
        )
        return CadreDuties({r[0]: r[1] for r in tiers}, [_household(r) for r in first])

    async def region_name(self, region_id: str) -> str:
        value = await self._tx.scalar(SELECT_REGION_NAME, (region_id,))
        return region_id if value is None else str(value)
