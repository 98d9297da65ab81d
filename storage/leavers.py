"""Leavers in SQLite: the requests a cadre who left still holds, the reroutes waiting to
be told, and taking a pruned cadre or household out of the roster while keeping the
rows history refers to (``removed_at``, migration 0011)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.domain.leavers import Reason, Rerouted, Untold
from bot.domain.requests import Request
from bot.domain.routing import Route, Why
from storage.db import Tx
from storage.requests import Requests
from storage.timefmt import to_db

SELECT_HELD = """
SELECT id FROM requests WHERE handler_id = ? AND status <> 'closed' ORDER BY id
"""
SELECT_HELD_FOR = """
SELECT id FROM requests
WHERE handler_id = ? AND household_id = ? AND status <> 'closed' ORDER BY id
"""
COUNT_HELD_FOR = """
SELECT count(*) FROM requests
WHERE handler_id = ? AND household_id = ? AND status <> 'closed'
"""
COUNT_HELD = "SELECT count(*) FROM requests WHERE handler_id = ? AND status <> 'closed'"
INSERT_REROUTE = """
INSERT INTO reroutes (request_id, from_cadre, to_cadre, tier, why, reason, at)
VALUES (?, ?, ?, ?, ?, ?, ?)
"""
SELECT_UNTOLD = """
SELECT id, request_id, from_cadre, to_cadre, tier, why, reason FROM reroutes
WHERE told_at IS NULL ORDER BY id LIMIT ?
"""
MARK_TOLD = "UPDATE reroutes SET told_at = ? WHERE id = ?"
# Whether history refers to a cadre or a household: then it is kept, marked removed.
CADRE_HAS_HISTORY = """
SELECT EXISTS (SELECT 1 FROM requests WHERE handler_id = :id OR filed_by_cadre = :id)
    OR EXISTS (SELECT 1 FROM request_events WHERE handler_id = :id)
    OR EXISTS (SELECT 1 FROM cadre_days WHERE cadre_id = :id)
"""
HOUSEHOLD_HAS_HISTORY = "SELECT EXISTS (SELECT 1 FROM requests WHERE household_id = ?)"
# Taking a cadre out: no account, no live card, not away, filing or talking, supervising
# nothing, standing in for no one.
RETIRE_CADRE = (
    """DELETE FROM conversations WHERE user_id IN
       (SELECT user_id FROM cadre_accounts WHERE cadre_id = :id)""",
    """DELETE FROM cadre_filing WHERE cadre_id = :id""",
    """DELETE FROM cadre_accounts WHERE cadre_id = :id""",
    """UPDATE codes SET revoked_at = :now WHERE cadre_id = :id AND revoked_at IS NULL""",
    """DELETE FROM cadre_away WHERE cadre_id = :id""",
    """DELETE FROM digest_marks WHERE cadre_id = :id""",
    """DELETE FROM links WHERE cadre_id = :id""",
    """UPDATE cadres SET backup_id = NULL WHERE backup_id = :id""",
    """UPDATE cadres SET removed_at = :now, supervises = NULL, backup_id = NULL
       WHERE id = :id""",
)
# Taking a household out: no phone speaks for it, no live card, no links.
RETIRE_HOUSEHOLD = (
    """DELETE FROM member_focus WHERE household_id = :id""",
    """DELETE FROM visit_optins WHERE household_id = :id""",
    """DELETE FROM cadre_filing WHERE household_id = :id""",
    """DELETE FROM members WHERE household_id = :id""",
    """UPDATE codes SET revoked_at = :now WHERE household_id = :id AND revoked_at IS NULL""",
    """DELETE FROM links WHERE household_id = :id""",
    """UPDATE households SET removed_at = :now WHERE id = :id""",
)
# Regions a kept row (or a kept region below) still names: these are kept, marked removed.
SELECT_NAMED_REGIONS = """
SELECT region_id FROM cadres UNION SELECT region_id FROM households
"""
SELECT_PARENT = "SELECT parent_id FROM regions WHERE id = ?"
RETIRE_REGION = "UPDATE regions SET removed_at = ? WHERE id = ?"
BATCH = 200


class Reroutes:
    """The reroutes the command line wrote, over one transaction
    (``bot.services.leavers.RerouteLog``)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def untold(self, limit: int = BATCH) -> list[Untold]:
        return await untold(self._tx, limit)

    async def request(self, request_id: int) -> Request | None:
        return await Requests(self._tx).get(request_id)

    async def mark_told(self, ids: Sequence[int], now: datetime) -> None:
        await mark_told(self._tx, ids, now)


async def held_by(tx: Tx, cadre_id: str, household_id: str | None = None) -> list[int]:
    """Requests not closed that ``cadre_id`` handles (of one household, if given)."""
    if household_id is None:
        rows = await tx.fetchall(SELECT_HELD, (cadre_id,))
    else:
        rows = await tx.fetchall(SELECT_HELD_FOR, (cadre_id, household_id))
    return [int(r[0]) for r in rows]


async def count_held(tx: Tx, cadre_id: str, household_id: str | None = None) -> int:
    if household_id is None:
        return int(await tx.scalar(COUNT_HELD, (cadre_id,)))
    return int(await tx.scalar(COUNT_HELD_FOR, (cadre_id, household_id)))


async def note(tx: Tx, rerouted: Rerouted, now: datetime) -> None:
    """Remember the reroute for the bot to tell."""
    chosen = rerouted.route
    await tx.execute(
        INSERT_REROUTE,
        (
            rerouted.request.id,
            rerouted.gone,
            chosen.cadre_id if chosen else None,
            chosen.tier if chosen else rerouted.request.tier,
            chosen.why.value if chosen else "none",
            rerouted.reason.value,
            to_db(now),
        ),
    )


async def untold(tx: Tx, limit: int = BATCH) -> list[Untold]:
    rows = await tx.fetchall(SELECT_UNTOLD, (limit,))
    return [
        Untold(
            id=r["id"],
            request_id=r["request_id"],
            gone=r["from_cadre"],
            reason=Reason(r["reason"]),
            route=Route(r["to_cadre"], r["tier"], Why(r["why"])) if r["to_cadre"] else None,
        )
        for r in rows
    ]


async def mark_told(tx: Tx, ids: Iterable[int], now: datetime) -> None:
    await tx.executemany(MARK_TOLD, [(to_db(now), i) for i in ids])


async def cadre_has_history(tx: Tx, cadre_id: str) -> bool:
    return bool(await tx.scalar(CADRE_HAS_HISTORY, {"id": cadre_id}))


async def household_has_history(tx: Tx, household_id: str) -> bool:
    return bool(await tx.scalar(HOUSEHOLD_HAS_HISTORY, (household_id,)))


async def retire_cadre(tx: Tx, cadre_id: str, now: datetime) -> None:
    for sql in RETIRE_CADRE:
        await tx.execute(sql, {"id": cadre_id, "now": to_db(now)})


async def retire_household(tx: Tx, household_id: str, now: datetime) -> None:
    for sql in RETIRE_HOUSEHOLD:
        await tx.execute(sql, {"id": household_id, "now": to_db(now)})


async def regions_to_keep(tx: Tx, gone: set[str]) -> set[str]:
    """Of the regions leaving the roster, those a kept row still names, with the regions
    above them (a kept region's parent must exist too)."""
    named = {r[0] for r in await tx.fetchall(SELECT_NAMED_REGIONS)}
    keep: set[str] = set()
    todo = [r for r in gone if r in named]
    while todo:
        region = todo.pop()
        if region in keep or region not in gone:
            continue
        keep.add(region)
        parent = await tx.scalar(SELECT_PARENT, (region,))
        if parent is not None:
            todo.append(str(parent))
    return keep


async def retire_region(tx: Tx, region_id: str, now: datetime) -> None:
    await tx.execute(RETIRE_REGION, (to_db(now), region_id))
