"""What the cadre's side reads and writes besides the request store: who to tell, the
case as a cadre sees it (household, trail), their inbox, their rights, and being away."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.domain.requests import InboxFilter, InboxLine
from bot.domain.roster import HouseholdDetails
from storage.db import Tx
from storage.timefmt import from_db, to_db

SELECT_CADRE_ACCOUNT = "SELECT user_id FROM cadre_accounts WHERE cadre_id = ?"
SELECT_MEMBER_USERS = """
SELECT user_id FROM members WHERE household_id = ? ORDER BY bound_at, user_id
"""
# The household with the name of its village: the nearest region at or above its own
# that is a village (a household directly in a township gets the township's name).
SELECT_HOUSEHOLD_CARD = """
WITH RECURSIVE up (id, name, level, parent_id, depth) AS (
    SELECT r.id, r.name, r.level, r.parent_id, 0
    FROM households h JOIN regions r ON r.id = h.region_id WHERE h.id = ?
    UNION ALL
    SELECT r.id, r.name, r.level, r.parent_id, up.depth + 1
    FROM up JOIN regions r ON r.id = up.parent_id
    WHERE up.level NOT IN ('village', 'township', 'county') AND up.depth < 20
)
SELECT h.id, h.head_name, h.address, h.phone,
       (SELECT name FROM up ORDER BY depth DESC LIMIT 1) AS village
FROM households h WHERE h.id = ?
"""
# Open, acknowledged or waiting for the villager: oldest due first (the answer while none
# was given, then the solution).
SELECT_INBOX = """
SELECT r.id, r.number, r.household_id, h.head_name, r.category, r.urgent, r.status,
       CASE WHEN r.first_response_at IS NULL THEN r.respond_by ELSE r.resolve_by END AS due
FROM requests r JOIN households h ON h.id = r.household_id
WHERE r.handler_id = ? AND r.status IN ('open', 'acknowledged', 'resolved')
  AND (r.accused_id IS NULL OR r.accused_id <> r.handler_id)
ORDER BY due, r.id
LIMIT ?
"""
# /inbox's pages: the requests waiting in the cadre's reach (as SELECT_MAY_SEE: handled
# by them, of a household linked to them, or in the region they supervise; never a
# confidential complaint about them), or only those they handle (:mine), narrowed by the
# filter: past the due time that applies (:overdue), urgent, or waiting for the
# villager's confirmation (:waiting). Soonest due first; the page's rows only get their
# village and the words filed (the first ones, for a snippet).
COUNT_INBOX = """
SELECT count(*)
FROM requests r
WHERE r.status IN ('open', 'acknowledged', 'resolved')
  AND (r.accused_id IS NULL OR r.accused_id <> :cadre)
  AND (r.handler_id = :cadre OR (:mine = 0 AND (
        EXISTS (SELECT 1 FROM links l
                WHERE l.household_id = r.household_id AND l.cadre_id = :cadre)
        OR EXISTS (SELECT 1 FROM households h
                   JOIN cadres c ON c.id = :cadre
                   JOIN region_tree t
                     ON t.ancestor_id = c.supervises AND t.region_id = h.region_id
                   WHERE h.id = r.household_id))))
  AND (:urgent = 0 OR r.urgent = 1)
  AND (:waiting = 0 OR r.status = 'resolved')
  AND (:overdue = 0 OR (r.status <> 'resolved' AND
        CASE WHEN r.first_response_at IS NULL THEN r.respond_by ELSE r.resolve_by END < :now))
"""
SELECT_INBOX_PAGE = """
WITH page AS (
    SELECT r.id,
           CASE WHEN r.first_response_at IS NULL THEN r.respond_by ELSE r.resolve_by END AS due
FROM requests r
WHERE r.status IN ('open', 'acknowledged', 'resolved')
  AND (r.accused_id IS NULL OR r.accused_id <> :cadre)
  AND (r.handler_id = :cadre OR (:mine = 0 AND (
        EXISTS (SELECT 1 FROM links l
                WHERE l.household_id = r.household_id AND l.cadre_id = :cadre)
        OR EXISTS (SELECT 1 FROM households h
                   JOIN cadres c ON c.id = :cadre
                   JOIN region_tree t
                     ON t.ancestor_id = c.supervises AND t.region_id = h.region_id
                   WHERE h.id = r.household_id))))
  AND (:urgent = 0 OR r.urgent = 1)
  AND (:waiting = 0 OR r.status = 'resolved')
  AND (:overdue = 0 OR (r.status <> 'resolved' AND
        CASE WHEN r.first_response_at IS NULL THEN r.respond_by ELSE r.resolve_by END < :now))
    ORDER BY due, r.id LIMIT :limit OFFSET :offset
)
SELECT r.id, r.number, r.household_id, h.head_name, r.category, r.urgent, r.status,
       page.due, r.handler_id, coalesce(
           (SELECT v.name FROM region_tree t JOIN regions v ON v.id = t.ancestor_id
            WHERE t.region_id = h.region_id AND t.ancestor_level = 'village'
            ORDER BY t.depth LIMIT 1),
           g.name) AS village,
       f.detail AS filed
FROM page
JOIN requests r ON r.id = page.id
JOIN households h ON h.id = r.household_id
LEFT JOIN regions g ON g.id = h.region_id
LEFT JOIN request_events f ON f.id = (
    SELECT e.id FROM request_events e
    WHERE e.request_id = r.id AND e.kind = 'filed' ORDER BY e.id LIMIT 1)
ORDER BY page.due, r.id
"""
# A cadre may see a request they handle now, of a household linked to them, or of a
# household in the region they supervise (and below it). A former handler sees it only
# while one of these holds: a cadre moved to another village keeps no old cases. No one
# ever sees a confidential complaint about themselves (issue 11).
SELECT_MAY_SEE = """
SELECT 1 FROM requests r
WHERE r.id = :request AND (r.accused_id IS NULL OR r.accused_id <> :cadre) AND (
    r.handler_id = :cadre
    OR EXISTS (SELECT 1 FROM links l
               WHERE l.household_id = r.household_id AND l.cadre_id = :cadre)
    OR EXISTS (SELECT 1 FROM households h
               JOIN cadres c ON c.id = :cadre
               JOIN region_tree t ON t.ancestor_id = c.supervises AND t.region_id = h.region_id
               WHERE h.id = r.household_id)
)
"""
SELECT_REQUEST_ID_BY_NUMBER = "SELECT id FROM requests WHERE number = ?"
# The bound supervisors of the nearest region at or above the cadre's own that has any
# (other than the cadre): who hears that a cadre is away.
SELECT_NEAREST_SUPERVISOR_USERS = """
WITH RECURSIVE up (id, depth) AS (
    SELECT region_id, 0 FROM cadres WHERE id = :cadre
    UNION ALL
    SELECT r.parent_id, up.depth + 1 FROM up JOIN regions r ON r.id = up.id
    WHERE r.parent_id IS NOT NULL AND up.depth < 20
),
found (user_id, depth) AS (
    SELECT a.user_id, up.depth FROM up
    JOIN cadres c ON c.supervises = up.id AND c.id <> :cadre
    JOIN cadre_accounts a ON a.cadre_id = c.id
)
SELECT user_id FROM found WHERE depth = (SELECT min(depth) FROM found) ORDER BY user_id
"""
UPSERT_AWAY = """
INSERT INTO cadre_away (cadre_id, until) VALUES (?, ?)
ON CONFLICT (cadre_id) DO UPDATE SET until = excluded.until
"""
DELETE_AWAY = "DELETE FROM cadre_away WHERE cadre_id = ?"
SELECT_AWAY = "SELECT until FROM cadre_away WHERE cadre_id = ?"
UPSERT_FILING = """
INSERT INTO cadre_filing (user_id, cadre_id, household_id, since) VALUES (?, ?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET
    cadre_id = excluded.cadre_id, household_id = excluded.household_id, since = excluded.since
"""
SELECT_FILING = "SELECT household_id FROM cadre_filing WHERE user_id = ? AND cadre_id = ?"
DELETE_FILING = "DELETE FROM cadre_filing WHERE user_id = ?"


HouseholdCard = HouseholdDetails  # the old name, until every caller uses the roster's


async def cadre_account(tx: Tx, cadre_id: str) -> int | None:
    value = await tx.scalar(SELECT_CADRE_ACCOUNT, (cadre_id,))
    return None if value is None else int(value)


async def member_users(tx: Tx, household_id: str) -> list[int]:
    return [int(r[0]) for r in await tx.fetchall(SELECT_MEMBER_USERS, (household_id,))]


async def household_card(tx: Tx, household_id: str) -> HouseholdDetails:
    row = await tx.fetchone(SELECT_HOUSEHOLD_CARD, (household_id, household_id))
    if row is None:
        raise LookupError(f"no household {household_id}")
    return HouseholdDetails(
        id=row["id"],
        head_name=row["head_name"],
        address=row["address"],
        phone=row["phone"],
        village=row["village"] or "",
    )


async def inbox(tx: Tx, cadre_id: str, limit: int) -> list[InboxLine]:
    rows = await tx.fetchall(SELECT_INBOX, (cadre_id, limit))
    return [
        InboxLine(
            request_id=r["id"],
            number=r["number"],
            household_id=r["household_id"],
            head_name=r["head_name"],
            category=r["category"],
            urgent=bool(r["urgent"]),
            status=r["status"],
            due=from_db(r["due"]),
        )
        for r in rows
    ]


def _inbox_params(cadre_id: str, wanted: InboxFilter, now: datetime) -> dict[str, object]:
    return {
        "cadre": cadre_id,
        "mine": int(wanted is InboxFilter.MINE),
        "urgent": int(wanted is InboxFilter.URGENT),
        "waiting": int(wanted is InboxFilter.WAITING),
        "overdue": int(wanted is InboxFilter.OVERDUE),
        "now": to_db(now),
    }


async def inbox_count(tx: Tx, cadre_id: str, wanted: InboxFilter, now: datetime) -> int:
    return int(await tx.scalar(COUNT_INBOX, _inbox_params(cadre_id, wanted, now)) or 0)


async def inbox_page(
    tx: Tx, cadre_id: str, wanted: InboxFilter, now: datetime, offset: int, limit: int
) -> list[InboxLine]:
    params = {**_inbox_params(cadre_id, wanted, now), "offset": offset, "limit": limit}
    rows = await tx.fetchall(SELECT_INBOX_PAGE, params)
    return [_inbox_line(r) for r in rows]


def _inbox_line(r: Any) -> InboxLine:
    filed = json.loads(r["filed"]) if r["filed"] else {}
    return InboxLine(
        request_id=r["id"],
        number=r["number"],
        household_id=r["household_id"],
        head_name=r["head_name"],
        category=r["category"],
        urgent=bool(r["urgent"]),
        status=r["status"],
        due=from_db(r["due"]),
        handler_id=r["handler_id"],
        village=r["village"] or "",
        text=str(filed.get("text") or ""),
        media=filed.get("media") or ("location" if "latitude" in filed else None),
    )


async def may_see(tx: Tx, cadre_id: str, request_id: int) -> bool:
    found = await tx.fetchone(SELECT_MAY_SEE, {"cadre": cadre_id, "request": request_id})
    return found is not None


async def request_id_by_number(tx: Tx, number: str) -> int | None:
    value = await tx.scalar(SELECT_REQUEST_ID_BY_NUMBER, (number.strip().upper(),))
    return None if value is None else int(value)


async def set_away(tx: Tx, cadre_id: str, until: datetime) -> None:
    await tx.execute(UPSERT_AWAY, (cadre_id, to_db(until)))


async def clear_away(tx: Tx, cadre_id: str) -> bool:
    """Back at work; False if they were not away."""
    return await tx.execute(DELETE_AWAY, (cadre_id,)) > 0


async def away_until(tx: Tx, cadre_id: str) -> datetime | None:
    value = await tx.scalar(SELECT_AWAY, (cadre_id,))
    return None if value is None else from_db(str(value))


async def nearest_supervisor_users(tx: Tx, cadre_id: str) -> list[int]:
    """Accounts of the supervisors nearest above the cadre's own region (not the cadre)."""
    rows = await tx.fetchall(SELECT_NEAREST_SUPERVISOR_USERS, {"cadre": cadre_id})
    return [int(r[0]) for r in rows]


async def start_filing(
    tx: Tx, user_id: int, cadre_id: str, household_id: str, now: datetime
) -> None:
    """The cadre's next message files a request for ``household_id``."""
    await tx.execute(UPSERT_FILING, (user_id, cadre_id, household_id, to_db(now)))


async def filing_for(tx: Tx, user_id: int, cadre_id: str) -> str | None:
    value = await tx.scalar(SELECT_FILING, (user_id, cadre_id))
    return None if value is None else str(value)


async def stop_filing(tx: Tx, user_id: int) -> None:
    await tx.execute(DELETE_FILING, (user_id,))


class Directory:
    """Who is reachable, over one transaction: a household's member accounts and details,
    a cadre's account (``bot.services.notices.Directory``)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def member_users(self, household_id: str) -> list[int]:
        return await member_users(self._tx, household_id)

    async def cadre_account(self, cadre_id: str) -> int | None:
        return await cadre_account(self._tx, cadre_id)

    async def household(self, household_id: str) -> HouseholdDetails:
        return await household_card(self._tx, household_id)


class Cases:
    """What a cadre may open, and the requests waiting for them, over one transaction
    (``bot.services.inbox.Cases``)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def open_for(self, cadre_id: str, limit: int) -> list[InboxLine]:
        return await inbox(self._tx, cadre_id, limit)

    async def may_see(self, cadre_id: str, request_id: int) -> bool:
        return await may_see(self._tx, cadre_id, request_id)

    async def count(self, cadre_id: str, wanted: InboxFilter, now: datetime) -> int:
        return await inbox_count(self._tx, cadre_id, wanted, now)

    async def page(
        self, cadre_id: str, wanted: InboxFilter, now: datetime, offset: int, limit: int
    ) -> list[InboxLine]:
        return await inbox_page(self._tx, cadre_id, wanted, now, offset, limit)

    async def id_by_number(self, number: str) -> int | None:
        return await request_id_by_number(self._tx, number)


class Absences:
    """Who is away until when, and who hears of it, over one transaction
    (``bot.services.away.Absences``)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def until(self, cadre_id: str) -> datetime | None:
        return await away_until(self._tx, cadre_id)

    async def set(self, cadre_id: str, until: datetime) -> None:
        await set_away(self._tx, cadre_id, until)

    async def clear(self, cadre_id: str) -> bool:
        return await clear_away(self._tx, cadre_id)

    async def supervisor_users(self, cadre_id: str) -> list[int]:
        return await nearest_supervisor_users(self._tx, cadre_id)


class Filings:
    """Which household a cadre's next message files a request for (after /file), over
    one transaction (``bot.services.casework.Filings``)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def start(self, user_id: int, cadre_id: str, household_id: str, now: datetime) -> None:
        await start_filing(self._tx, user_id, cadre_id, household_id, now)

    async def household_for(self, user_id: int, cadre_id: str) -> str | None:
        return await filing_for(self._tx, user_id, cadre_id)

    async def stop(self, user_id: int) -> None:
        await stop_filing(self._tx, user_id)
