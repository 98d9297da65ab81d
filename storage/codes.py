"""Contact-card codes: issue, find, revoke, unbind, and the data printed on the cards.

A holder (a household or a cadre) has at most one live code; the database enforces it
with partial unique indexes. Revoked codes are kept, so the members bound with them
can still be found (and unbound) later.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.codes import (
    CadreCard,
    CodeState,
    Holder,
    HouseholdCard,
    HouseholdHit,
    Place,
    new_code,
)
from bot.domain.roster import Household, LinkedCadre
from storage.db import Row, Tx
from storage.people import cadre_from
from storage.timefmt import to_db

SELECT_REGION = "SELECT 1 FROM regions WHERE id = ? AND removed_at IS NULL"
SELECT_HOUSEHOLD_NAME = "SELECT head_name FROM households WHERE id = ? AND removed_at IS NULL"
SELECT_CADRE_NAME = "SELECT name FROM cadres WHERE id = ? AND removed_at IS NULL"
SELECT_CODE = "SELECT code, household_id, cadre_id, revoked_at FROM codes WHERE code = ?"
SELECT_LIVE_HOUSEHOLD = "SELECT code FROM codes WHERE household_id = ? AND revoked_at IS NULL"
SELECT_LIVE_CADRE = "SELECT code FROM codes WHERE cadre_id = ? AND revoked_at IS NULL"
INSERT_CODE = "INSERT INTO codes (code, household_id, cadre_id, issued_at) VALUES (?, ?, ?, ?)"
REVOKE = "UPDATE codes SET revoked_at = ? WHERE code = ? AND revoked_at IS NULL"
# A member unbound from a household must not keep "talking about" it.
DELETE_FOCUS_BY_CODE = """
DELETE FROM member_focus
WHERE (user_id, household_id) IN (SELECT user_id, household_id FROM members WHERE code = ?)
"""
DELETE_MEMBERS_BY_CODE = "DELETE FROM members WHERE code = ?"
# One phone off one household (an administrator's button): it no longer speaks for it.
DELETE_MEMBER = (
    "DELETE FROM member_focus WHERE user_id = :user AND household_id = :household",
    "DELETE FROM visit_optins WHERE user_id = :user AND household_id = :household",
    """DELETE FROM conversations WHERE user_id = :user AND request_id IN
       (SELECT id FROM requests WHERE household_id = :household)""",
    "DELETE FROM members WHERE user_id = :user AND household_id = :household",
)
SELECT_MEMBER_SINCE = "SELECT bound_at FROM members WHERE user_id = ? AND household_id = ?"
DELETE_CADRE_ACCOUNTS_BY_CODE = "DELETE FROM cadre_accounts WHERE code = ?"
COUNT_BOUND_BY_CODE = """
SELECT (SELECT count(*) FROM members WHERE code = :code)
     + (SELECT count(*) FROM cadre_accounts WHERE code = :code)
"""
SELECT_HOUSEHOLDS_UNDER = """
SELECT h.id, h.head_name, h.region_id, h.address, h.phone, r.name AS region_name, c.code,
       (SELECT a.hotline FROM region_tree u JOIN regions a ON a.id = u.ancestor_id
        WHERE u.region_id = h.region_id AND coalesce(a.hotline, '') <> ''
        ORDER BY u.depth LIMIT 1) AS hotline  -- the nearest region's at or above
FROM households h
JOIN region_tree s ON s.ancestor_id = :region AND s.region_id = h.region_id  -- at or below
JOIN regions r ON r.id = h.region_id
LEFT JOIN codes c ON c.household_id = h.id AND c.revoked_at IS NULL
WHERE h.removed_at IS NULL
ORDER BY h.id
"""
SELECT_LINKS_UNDER = """
SELECT l.household_id, l.tier,
       c.id, c.name, c.rank, c.unit, c.phone, c.region_id, c.backup_id, c.supervises
FROM links l
JOIN households h ON h.id = l.household_id
JOIN region_tree s ON s.ancestor_id = :region AND s.region_id = h.region_id
JOIN cadres c ON c.id = l.cadre_id
ORDER BY l.household_id, l.tier, c.id
"""
SELECT_HOUSEHOLD_CARD = """
SELECT h.id, h.head_name, h.region_id, h.address, h.phone, r.name AS region_name,
       (SELECT a.hotline FROM region_tree u JOIN regions a ON a.id = u.ancestor_id
        WHERE u.region_id = h.region_id AND coalesce(a.hotline, '') <> ''
        ORDER BY u.depth LIMIT 1) AS hotline
FROM households h JOIN regions r ON r.id = h.region_id
WHERE h.id = ? AND h.removed_at IS NULL
"""
SELECT_LINKS_OF = """
SELECT l.tier, c.id, c.name, c.rank, c.unit, c.phone, c.region_id, c.backup_id, c.supervises
FROM links l JOIN cadres c ON c.id = l.cadre_id
WHERE l.household_id = ?
ORDER BY l.tier, c.id
"""
# The administrator's card picker and household pages (/cards, /card).
SELECT_PLACES = """
SELECT r.id, r.name, r.level,
       (SELECT count(*) FROM region_tree s
        JOIN households h ON h.region_id = s.region_id AND h.removed_at IS NULL
        WHERE s.ancestor_id = r.id) AS households
FROM regions r
WHERE (r.parent_id = :parent OR (r.parent_id IS NULL AND :parent IS NULL))
  AND r.removed_at IS NULL
ORDER BY r.id
"""
SELECT_PLACE = """
SELECT r.id, r.name, r.level,
       (SELECT count(*) FROM region_tree s
        JOIN households h ON h.region_id = s.region_id AND h.removed_at IS NULL
        WHERE s.ancestor_id = r.id) AS households
FROM regions r
WHERE r.id = :region AND r.removed_at IS NULL
"""
# A household by its id (any case) or a part of its head's name; its village's name.
FIND_HOUSEHOLDS = """
SELECT h.id, h.head_name, coalesce(v.name, r.name) AS village
FROM households h
JOIN regions r ON r.id = h.region_id
LEFT JOIN region_tree u ON u.region_id = h.region_id AND u.ancestor_level = 'village'
LEFT JOIN regions v ON v.id = u.ancestor_id
WHERE h.removed_at IS NULL
  AND (upper(h.id) = upper(:query) OR instr(h.head_name, :query) > 0)
ORDER BY CASE WHEN upper(h.id) = upper(:query) THEN 0 ELSE 1 END,
         CASE WHEN h.head_name = :query THEN 0 ELSE 1 END, h.id
LIMIT :limit OFFSET :offset
"""
COUNT_HOUSEHOLDS_FOUND = """
SELECT count(*) FROM households h
WHERE h.removed_at IS NULL
  AND (upper(h.id) = upper(:query) OR instr(h.head_name, :query) > 0)
"""
SELECT_HOLDER = """
SELECT h.id, h.head_name, h.address, coalesce(v.name, r.name) AS village,
       (SELECT count(*) FROM members m WHERE m.household_id = h.id) AS members,
       (SELECT count(*) FROM codes c WHERE c.household_id = h.id) AS codes,
       (SELECT count(*) FROM codes c
        WHERE c.household_id = h.id AND c.revoked_at IS NULL) AS live
FROM households h
JOIN regions r ON r.id = h.region_id
LEFT JOIN region_tree u ON u.region_id = h.region_id AND u.ancestor_level = 'village'
LEFT JOIN regions v ON v.id = u.ancestor_id
WHERE h.id = ? AND h.removed_at IS NULL
"""
SELECT_CADRES_UNDER = """
SELECT c.id, c.name, c.rank, c.unit, c.phone, c.region_id, c.backup_id, c.supervises,
       r.name AS region_name, k.code,
       (SELECT count(*) FROM links l WHERE l.cadre_id = c.id) AS households
FROM cadres c
JOIN region_tree s ON s.ancestor_id = :region AND s.region_id = c.region_id
JOIN regions r ON r.id = c.region_id
LEFT JOIN codes k ON k.cadre_id = c.id AND k.revoked_at IS NULL
WHERE c.removed_at IS NULL
ORDER BY c.id
"""


class UnknownHolder(LookupError):
    """No household or cadre with that id: a code cannot be issued to nobody."""


@dataclass(frozen=True)
class CodeRecord:
    """A code as stored: whose it is, and whether it was revoked."""

    code: str
    household_id: str | None
    cadre_id: str | None
    revoked: bool


async def region_exists(tx: Tx, region_id: str) -> bool:
    return await tx.fetchone(SELECT_REGION, (region_id,)) is not None


async def find(tx: Tx, code: str) -> CodeRecord | None:
    """The stored code ``code`` (live or revoked), or None if it was never issued."""
    row = await tx.fetchone(SELECT_CODE, (code,))
    if row is None:
        return None
    return CodeRecord(
        row["code"], row["household_id"], row["cadre_id"], row["revoked_at"] is not None
    )


async def holder_name(
    tx: Tx, *, household_id: str | None = None, cadre_id: str | None = None
) -> str | None:
    """The household head's or the cadre's name, or None if there is no such holder."""
    if (household_id is None) == (cadre_id is None):
        raise ValueError("give exactly one of household_id and cadre_id")
    if household_id is not None:
        name = await tx.scalar(SELECT_HOUSEHOLD_NAME, (household_id,))
    else:
        name = await tx.scalar(SELECT_CADRE_NAME, (cadre_id,))
    return None if name is None else str(name)


async def live_code(
    tx: Tx, *, household_id: str | None = None, cadre_id: str | None = None
) -> str | None:
    """The holder's live code, or None if it has none (never issued, or revoked)."""
    sql, holder = _holder(household_id, cadre_id)
    code = await tx.scalar(sql, (holder,))
    return None if code is None else str(code)


async def issue(
    tx: Tx, now: datetime, *, household_id: str | None = None, cadre_id: str | None = None
) -> str:
    """The live code of that holder, issuing one if none (so a printed card keeps working)."""
    existing = await live_code(tx, household_id=household_id, cadre_id=cadre_id)
    if existing is not None:
        return existing
    if await holder_name(tx, household_id=household_id, cadre_id=cadre_id) is None:
        raise UnknownHolder(household_id or cadre_id)
    code = new_code()
    await tx.execute(INSERT_CODE, (code, household_id, cadre_id, to_db(now)))
    return code


async def revoke(tx: Tx, now: datetime, code: str) -> bool:
    """Stop ``code`` binding anyone new. False if it is unknown or was already revoked."""
    return await tx.execute(REVOKE, (to_db(now), code)) == 1


async def unbind(tx: Tx, code: str) -> int:
    """Unbind every account bound with ``code``; return how many were."""
    await tx.execute(DELETE_FOCUS_BY_CODE, (code,))
    members = await tx.execute(DELETE_MEMBERS_BY_CODE, (code,))
    cadres = await tx.execute(DELETE_CADRE_ACCOUNTS_BY_CODE, (code,))
    return members + cadres


async def unbind_member(tx: Tx, user_id: int, household_id: str) -> bool:
    """Unbind one phone from one household; False if it was not bound to it."""
    params = {"user": user_id, "household": household_id}
    removed = 0
    for sql in DELETE_MEMBER:
        removed = await tx.execute(sql, params)
    return removed > 0


async def member_since(tx: Tx, user_id: int, household_id: str) -> str | None:
    """When the phone bound to the household (as stored), or None if it is not bound."""
    value = await tx.scalar(SELECT_MEMBER_SINCE, (user_id, household_id))
    return None if value is None else str(value)


class Codes:
    """What the use cases ask of the card codes and the memberships they made, over one
    transaction (``bot.services.binding``)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def member_since(self, user_id: int, household_id: str) -> str | None:
        return await member_since(self._tx, user_id, household_id)

    async def unbind_member(self, user_id: int, household_id: str) -> bool:
        return await unbind_member(self._tx, user_id, household_id)


async def bound(tx: Tx, code: str) -> int:
    """How many accounts (members or cadres) were bound with ``code``."""
    return int(await tx.scalar(COUNT_BOUND_BY_CODE, {"code": code}))


async def household_cards(
    tx: Tx, now: datetime, region_id: str
) -> tuple[list[HouseholdCard], int]:
    """A card for every household at or below ``region_id``, issuing codes where missing.

    Also returns how many codes were new, so the printer knows which cards changed."""
    params = {"region": region_id}
    chains: dict[str, list[LinkedCadre]] = {}
    for row in await tx.fetchall(SELECT_LINKS_UNDER, params):
        chains.setdefault(row["household_id"], []).append(
            LinkedCadre(row["tier"], cadre_from(row))
        )
    rows = await tx.fetchall(SELECT_HOUSEHOLDS_UNDER, params)
    missing = [row["id"] for row in rows if row["code"] is None]
    codes = await _issue_missing(tx, now, missing, cadres=False)
    cards = [
        HouseholdCard(
            household=Household(
                row["id"], row["head_name"], row["region_id"], row["address"], row["phone"]
            ),
            region_name=row["region_name"],
            cadres=tuple(chains.get(row["id"], ())),
            code=row["code"] or codes[row["id"]],
            hotline=row["hotline"] or "",
        )
        for row in rows
    ]
    return cards, len(codes)


async def household_card(tx: Tx, now: datetime, household_id: str) -> HouseholdCard | None:
    """One household's card (a reprint): its live code, or a new one if it has none (its
    card was revoked); None if there is no such household."""
    row = await tx.fetchone(SELECT_HOUSEHOLD_CARD, (household_id,))
    if row is None:
        return None
    links = await tx.fetchall(SELECT_LINKS_OF, (household_id,))
    return HouseholdCard(
        household=Household(
            row["id"], row["head_name"], row["region_id"], row["address"], row["phone"]
        ),
        region_name=row["region_name"],
        cadres=tuple(LinkedCadre(link["tier"], cadre_from(link)) for link in links),
        code=await issue(tx, now, household_id=household_id),
        hotline=row["hotline"] or "",
    )


async def cadre_cards(tx: Tx, now: datetime, region_id: str) -> tuple[list[CadreCard], int]:
    """A card for every cadre serving at or below ``region_id``, issuing codes where missing.

    Also returns how many codes were new."""
    rows = await tx.fetchall(SELECT_CADRES_UNDER, {"region": region_id})
    missing = [row["id"] for row in rows if row["code"] is None]
    codes = await _issue_missing(tx, now, missing, cadres=True)
    cards = [
        CadreCard(
            cadre=cadre_from(row),
            region_name=row["region_name"],
            households=row["households"],
            code=row["code"] or codes[row["id"]],
        )
        for row in rows
    ]
    return cards, len(codes)


async def _issue_missing(
    tx: Tx, now: datetime, holder_ids: Iterable[str], *, cadres: bool
) -> dict[str, str]:
    """New codes for holders known to have none, in one batch (a county has ~20,000)."""
    issued = {holder: new_code() for holder in holder_ids}
    when = to_db(now)
    await tx.executemany(
        INSERT_CODE,
        [
            (code, None, holder, when) if cadres else (code, holder, None, when)
            for holder, code in issued.items()
        ],
    )
    return issued


def _holder(household_id: str | None, cadre_id: str | None) -> tuple[str, str]:
    if (household_id is None) == (cadre_id is None):
        raise ValueError("give exactly one of household_id and cadre_id")
    if household_id is not None:
        return SELECT_LIVE_HOUSEHOLD, household_id
    return SELECT_LIVE_CADRE, str(cadre_id)


def _place(row: Row) -> Place:
    return Place(row["id"], row["name"], row["level"], row["households"])


class CardStore:
    """What the administrator's cards in Telegram ask (``bot.services.cards``), over one
    transaction."""

    def __init__(self, tx: Tx, now: datetime) -> None:
        self._tx, self._now = tx, now

    async def places(self, parent_id: str | None) -> list[Place]:
        """The regions directly under ``parent_id`` (None: the top ones)."""
        return [
            _place(row) for row in await self._tx.fetchall(SELECT_PLACES, {"parent": parent_id})
        ]

    async def place(self, region_id: str) -> Place | None:
        row = await self._tx.fetchone(SELECT_PLACE, {"region": region_id})
        return None if row is None else _place(row)

    async def household_cards(self, region_id: str) -> tuple[list[HouseholdCard], int]:
        return await household_cards(self._tx, self._now, region_id)

    async def household_card(self, household_id: str) -> HouseholdCard | None:
        return await household_card(self._tx, self._now, household_id)

    async def find(self, query: str, limit: int, offset: int) -> tuple[list[HouseholdHit], int]:
        """Households whose id is ``query`` or whose head's name contains it, and how many."""
        params = {"query": query, "limit": limit, "offset": offset}
        rows = await self._tx.fetchall(FIND_HOUSEHOLDS, params)
        total = int(await self._tx.scalar(COUNT_HOUSEHOLDS_FOUND, params))
        return [HouseholdHit(r["id"], r["head_name"], r["village"]) for r in rows], total

    async def holder(self, household_id: str) -> Holder | None:
        row = await self._tx.fetchone(SELECT_HOLDER, (household_id,))
        if row is None:
            return None
        links = await self._tx.fetchall(SELECT_LINKS_OF, (household_id,))
        state = (
            CodeState.LIVE
            if row["live"]
            else CodeState.REVOKED
            if row["codes"]
            else CodeState.NONE
        )
        return Holder(
            row["id"],
            row["head_name"],
            row["village"],
            row["address"] or "",
            row["members"],
            tuple(LinkedCadre(link["tier"], cadre_from(link)) for link in links),
            state,
        )

    async def revoke(self, household_id: str) -> bool:
        """Revoke the household's live code (as ``lianxin cards revoke --household``);
        the phones bound with it stay bound. False if it had none."""
        code = await live_code(self._tx, household_id=household_id)
        return code is not None and await revoke(self._tx, self._now, code)
