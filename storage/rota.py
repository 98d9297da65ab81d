"""The 住夜 rota's rows (migration 0021): weeks built, each night's people, volunteers,
swaps asked by button, and the nights kept (a stay logged with /stay on the night).

``Rotas`` is all of it over one transaction (``bot.services.rota.RotaStore``); the row
types are the domain's (``bot.domain.rota``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.domain.roster import Rank
from bot.domain.rota import Duty, Kept, Level, Member, Night, Person, Region, Swap
from storage.db import Row, Tx
from storage.timefmt import to_db

SELECT_REGIONS = """
SELECT id, level, name FROM regions
WHERE level IN ('township', 'village') AND removed_at IS NULL
  AND EXISTS (SELECT 1 FROM cadres c WHERE c.region_id = regions.id AND c.removed_at IS NULL)
ORDER BY id
"""
SELECT_REGIONS_UNDER = """
SELECT g.id, g.level, g.name FROM region_tree t JOIN regions g ON g.id = t.region_id
WHERE t.ancestor_id = ? AND g.level IN ('township', 'village') AND g.removed_at IS NULL
  AND EXISTS (SELECT 1 FROM cadres c WHERE c.region_id = g.id AND c.removed_at IS NULL)
ORDER BY g.id
"""
SELECT_REGION = "SELECT id, level, name FROM regions WHERE id = ? AND removed_at IS NULL"
SELECT_BUILT = "SELECT region_id FROM rota_weeks WHERE week = ?"
INSERT_WEEK = "INSERT INTO rota_weeks (region_id, week, built_at) VALUES (?, ?, ?)"
INSERT_NIGHT = """
INSERT INTO rota_nights (region_id, night, cadre_id, volunteer) VALUES (?, ?, ?, ?)
ON CONFLICT (region_id, night, cadre_id) DO NOTHING
"""
SELECT_MEMBERS = """
SELECT id, rank FROM cadres WHERE region_id = ? AND removed_at IS NULL ORDER BY id
"""
SELECT_VOLUNTEERS = """
SELECT v.cadre_id, v.night FROM rota_volunteers v JOIN cadres c ON c.id = v.cadre_id
WHERE c.region_id = ? AND v.night BETWEEN ? AND ?
"""
SELECT_LOAD = """
SELECT cadre_id, count(*) AS nights FROM rota_nights
WHERE region_id = ? AND night >= ? AND night < ? GROUP BY cadre_id
"""
_DUTY = """
SELECT n.id, n.night, n.volunteer, g.id AS region_id, g.level, g.name AS region_name,
       c.id AS cadre_id, c.name, c.rank, c.phone, a.user_id
FROM rota_nights n
JOIN regions g ON g.id = n.region_id
JOIN cadres c ON c.id = n.cadre_id
LEFT JOIN cadre_accounts a ON a.cadre_id = c.id
"""
SELECT_DUTIES = _DUTY + "WHERE n.region_id = ? AND n.night BETWEEN ? AND ? ORDER BY n.night, n.id"
SELECT_DUTY = _DUTY + "WHERE n.id = ?"
SELECT_UNREMINDED = _DUTY + "WHERE n.night = ? AND n.reminded_at IS NULL ORDER BY n.id"
SELECT_NEXT_NIGHT = "SELECT min(night) FROM rota_nights WHERE region_id = ? AND night >= ?"
MARK_REMINDED = "UPDATE rota_nights SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL"
SELECT_PERSON = """
SELECT c.id, c.name, c.rank, c.phone, c.region_id, a.user_id
FROM cadres c LEFT JOIN cadre_accounts a ON a.cadre_id = c.id
WHERE c.id = ? AND c.removed_at IS NULL
"""
SELECT_COLLEAGUES = """
SELECT c.id, c.name, c.rank, c.phone, c.region_id, a.user_id
FROM cadres c LEFT JOIN cadre_accounts a ON a.cadre_id = c.id
WHERE c.region_id = ? AND c.removed_at IS NULL ORDER BY c.id
"""
SELECT_VOLUNTEERED = """
SELECT night FROM rota_volunteers WHERE cadre_id = ? AND night BETWEEN ? AND ? ORDER BY night
"""
INSERT_VOLUNTEER = """
INSERT INTO rota_volunteers (cadre_id, night, at) VALUES (?, ?, ?)
ON CONFLICT (cadre_id, night) DO NOTHING
"""
DELETE_VOLUNTEER = "DELETE FROM rota_volunteers WHERE cadre_id = ? AND night = ?"
INSERT_SWAP = """
INSERT INTO rota_swaps (night_id, from_cadre, to_cadre, asked_at) VALUES (?, ?, ?, ?)
"""
SELECT_SWAP = "SELECT id, night_id, from_cadre, to_cadre, answer FROM rota_swaps WHERE id = ?"
ANSWER_SWAP = """
UPDATE rota_swaps SET answer = ?, answered_at = ? WHERE id = ? AND answer IS NULL
"""
# The night changes hands: the row keeps its id (a reminder not yet sent goes to the new
# person; one already sent is sent again to them).
REASSIGN = """
UPDATE rota_nights SET cadre_id = ?, volunteer = 0, reminded_at = NULL
WHERE id = ? AND cadre_id = ?
"""
SELECT_ON_NIGHT = """
SELECT 1 FROM rota_nights WHERE region_id = ? AND night = ? AND cadre_id = ?
"""
# Rota nights of the subtree's regions in [first, last], and those kept: the cadre
# logged a stay (cadre_days, kind 'stay') dated that night.
SELECT_KEPT = """
SELECT g.id, g.level, g.name, count(*) AS assigned,
       sum(CASE WHEN EXISTS (SELECT 1 FROM cadre_days d
                             WHERE d.cadre_id = n.cadre_id AND d.kind = 'stay'
                               AND d.local_date = n.night)
                THEN 1 ELSE 0 END) AS kept
FROM region_tree t
JOIN rota_nights n ON n.region_id = t.region_id
JOIN regions g ON g.id = n.region_id
WHERE t.ancestor_id = ? AND n.night BETWEEN ? AND ?
GROUP BY g.id, g.level, g.name
ORDER BY g.level, g.id
"""
# The township and village a household's region lies in (itself included).
SELECT_PLACES_ABOVE = """
SELECT g.id, g.level, g.name
FROM region_tree t JOIN regions g ON g.id = t.ancestor_id
WHERE t.region_id = ? AND t.ancestor_level IN ('village', 'township') AND g.removed_at IS NULL
ORDER BY t.depth
"""


def _region(row: Row, prefix: str = "") -> Region:
    level: Level = "township" if row[f"{prefix}level"] == "township" else "village"
    return Region(str(row[f"{prefix}id"]), level, str(row[f"{prefix}name"]))


def _person(row: Row) -> Person:
    user = row["user_id"]
    return Person(
        str(row["id"]),
        str(row["name"]),
        Rank(row["rank"]),
        str(row["phone"]),
        str(row["region_id"]),
        None if user is None else int(user),
    )


def _duty(row: Row) -> Duty:
    level: Level = "township" if row["level"] == "township" else "village"
    region = Region(str(row["region_id"]), level, str(row["region_name"]))
    user = row["user_id"]
    person = Person(
        str(row["cadre_id"]),
        str(row["name"]),
        Rank(row["rank"]),
        str(row["phone"]),
        region.id,
        None if user is None else int(user),
    )
    return Duty(
        int(row["id"]), region, date.fromisoformat(row["night"]), person, bool(row["volunteer"])
    )


async def kept(tx: Tx, region_id: str, first: date, last: date) -> list[Kept]:
    rows = await tx.fetchall(SELECT_KEPT, (region_id, first.isoformat(), last.isoformat()))
    return [Kept(_region(r), int(r["assigned"]), int(r["kept"] or 0)) for r in rows]


class Rotas:
    """The rota over one transaction (``bot.services.rota.RotaStore``)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def regions(self, under: str | None = None) -> list[Region]:
        """Townships and villages with cadres (of ``under``'s subtree, if given)."""
        if under is None:
            return [_region(r) for r in await self._tx.fetchall(SELECT_REGIONS)]
        return [_region(r) for r in await self._tx.fetchall(SELECT_REGIONS_UNDER, (under,))]

    async def region(self, region_id: str) -> Region | None:
        row = await self._tx.fetchone(SELECT_REGION, (region_id,))
        return None if row is None or row["level"] not in ("township", "village") else _region(row)

    async def built(self, week: date) -> set[str]:
        return {str(r[0]) for r in await self._tx.fetchall(SELECT_BUILT, (week.isoformat(),))}

    async def members(self, region_id: str) -> list[Member]:
        rows = await self._tx.fetchall(SELECT_MEMBERS, (region_id,))
        return [Member(str(r["id"]), Rank(r["rank"])) for r in rows]

    async def volunteers(self, region_id: str, first: date, last: date) -> dict[date, set[str]]:
        found: dict[date, set[str]] = {}
        params = (region_id, first.isoformat(), last.isoformat())
        for row in await self._tx.fetchall(SELECT_VOLUNTEERS, params):
            found.setdefault(date.fromisoformat(row["night"]), set()).add(str(row["cadre_id"]))
        return found

    async def load(self, region_id: str, since: date, until: date) -> dict[str, int]:
        params = (region_id, since.isoformat(), until.isoformat())
        rows = await self._tx.fetchall(SELECT_LOAD, params)
        return {str(r["cadre_id"]): int(r["nights"]) for r in rows}

    async def save_week(
        self, region_id: str, week: date, nights: Sequence[Night], now: datetime
    ) -> None:
        await self._tx.execute(INSERT_WEEK, (region_id, week.isoformat(), to_db(now)))
        rows = [
            (region_id, n.night.isoformat(), cadre, int(cadre in n.volunteers))
            for n in nights
            for cadre in n.cadres
        ]
        await self._tx.executemany(INSERT_NIGHT, rows)

    async def duties(self, region_id: str, first: date, last: date) -> list[Duty]:
        params = (region_id, first.isoformat(), last.isoformat())
        return [_duty(r) for r in await self._tx.fetchall(SELECT_DUTIES, params)]

    async def duty(self, duty_id: int) -> Duty | None:
        row = await self._tx.fetchone(SELECT_DUTY, (duty_id,))
        return None if row is None else _duty(row)

    async def unreminded(self, night: date) -> list[Duty]:
        return [_duty(r) for r in await self._tx.fetchall(SELECT_UNREMINDED, (night.isoformat(),))]

    async def mark_reminded(self, duty_id: int, now: datetime) -> bool:
        return await self._tx.execute(MARK_REMINDED, (to_db(now), duty_id)) == 1

    async def next_night(self, region_id: str, since: date) -> date | None:
        value = await self._tx.scalar(SELECT_NEXT_NIGHT, (region_id, since.isoformat()))
        return None if value is None else date.fromisoformat(value)

    async def person(self, cadre_id: str) -> Person | None:
        row = await self._tx.fetchone(SELECT_PERSON, (cadre_id,))
        return None if row is None else _person(row)

    async def colleagues(self, region_id: str) -> list[Person]:
        return [_person(r) for r in await self._tx.fetchall(SELECT_COLLEAGUES, (region_id,))]

    async def volunteered(self, cadre_id: str, first: date, last: date) -> set[date]:
        params = (cadre_id, first.isoformat(), last.isoformat())
        rows = await self._tx.fetchall(SELECT_VOLUNTEERED, params)
        return {date.fromisoformat(r["night"]) for r in rows}

    async def set_volunteer(self, cadre_id: str, night: date, on: bool, now: datetime) -> None:
        if on:
            await self._tx.execute(INSERT_VOLUNTEER, (cadre_id, night.isoformat(), to_db(now)))
        else:
            await self._tx.execute(DELETE_VOLUNTEER, (cadre_id, night.isoformat()))

    async def on_night(self, region_id: str, night: date, cadre_id: str) -> bool:
        params = (region_id, night.isoformat(), cadre_id)
        return await self._tx.fetchone(SELECT_ON_NIGHT, params) is not None

    async def ask_swap(self, duty_id: int, from_cadre: str, to_cadre: str, now: datetime) -> int:
        return await self._tx.insert(INSERT_SWAP, (duty_id, from_cadre, to_cadre, to_db(now)))

    async def swap(self, swap_id: int) -> Swap | None:
        row = await self._tx.fetchone(SELECT_SWAP, (swap_id,))
        if row is None:
            return None
        duty = await self.duty(int(row["night_id"]))
        to = await self.person(str(row["to_cadre"]))
        if duty is None or to is None or duty.person.id != row["from_cadre"]:
            return None  # the night changed hands since it was asked
        return Swap(int(row["id"]), duty, to, row["answer"])

    async def answer_swap(self, swap_id: int, answer: str, now: datetime) -> bool:
        return await self._tx.execute(ANSWER_SWAP, (answer, to_db(now), swap_id)) == 1

    async def reassign(self, duty_id: int, from_cadre: str, to_cadre: str) -> bool:
        return await self._tx.execute(REASSIGN, (to_cadre, duty_id, from_cadre)) == 1

    async def places_above(self, region_id: str) -> list[Region]:
        rows = await self._tx.fetchall(SELECT_PLACES_ABOVE, (region_id,))
        return [_region(r) for r in rows]

    async def kept(self, region_id: str, first: date, last: date) -> list[Kept]:
        return await kept(self._tx, region_id, first, last)
