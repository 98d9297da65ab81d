"""Stays with evidence: a stay's village area, the locations sent for it, what they
cover, and each cadre's nights of a month (``bot.services.stays``; the rule is
``bot.domain.stays``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.domain.stats import StayLine
from bot.domain.stays import Area, Part, Point, Stay
from storage.db import Row, Tx
from storage.timefmt import from_db, to_db

SELECT_STAY_ON = """
SELECT 1 FROM cadre_days WHERE cadre_id = ? AND kind = 'stay' AND local_date = ? LIMIT 1
"""
_STAY = "SELECT id, cadre_id, local_date, evening_at, morning_at FROM cadre_days"
# The latest stay of the cadre among the nights a location sent now may be evidence of.
SELECT_OPEN_STAY = (
    _STAY
    + """
WHERE cadre_id = :cadre AND kind = 'stay' AND local_date IN (:night, :before)
ORDER BY local_date DESC, id DESC LIMIT 1
"""
)
# The stay a live location's update belongs to: the one its first message was sent for.
SELECT_STAY_OF_MESSAGE = """
SELECT d.id, d.cadre_id, d.local_date, d.evening_at, d.morning_at
FROM stay_points p JOIN cadre_days d ON d.id = p.day_id
WHERE p.message_id = ? AND d.cadre_id = ?
ORDER BY p.id DESC LIMIT 1
"""
SELECT_VISIT_UNPLACED_SINCE = """
SELECT 1 FROM cadre_days
WHERE cadre_id = ? AND kind = 'visit' AND logged_at >= ? AND latitude IS NULL LIMIT 1
"""
# The stay's area: its household's region (or the cadre's, for a stay without one) and
# the regions above it; the nearest with a centre, else the nearest village, else itself.
SELECT_AREA = """
SELECT g.name, g.lat, g.lon, g.radius_m
FROM cadre_days d JOIN cadres c ON c.id = d.cadre_id
LEFT JOIN households h ON h.id = d.household_id
JOIN region_tree t ON t.region_id = COALESCE(h.region_id, c.region_id)
JOIN regions g ON g.id = t.ancestor_id
WHERE d.id = ?
ORDER BY (g.lat IS NULL OR g.lon IS NULL), g.level <> 'village', t.depth
LIMIT 1
"""
INSERT_POINT = """
INSERT INTO stay_points (day_id, at, latitude, longitude, live, inside, message_id)
VALUES (?, ?, ?, ?, ?, ?, ?)
"""
MARK_EVENING = "UPDATE cadre_days SET evening_at = coalesce(evening_at, ?) WHERE id = ?"
MARK_MORNING = "UPDATE cadre_days SET morning_at = coalesce(morning_at, ?) WHERE id = ?"
# The first place sent also goes on the day itself, as /stay's place always did.
PLACE_DAY = """
UPDATE cadre_days SET latitude = ?, longitude = ? WHERE id = ? AND latitude IS NULL
"""
SELECT_POINTS = """
SELECT at, latitude, longitude, live FROM stay_points WHERE day_id = ? ORDER BY at, id
"""
# Each cadre serving in the subtree: nights stayed in [first, last] and, of those, nights
# with evidence (an inside location in the evening and in the next morning).
SELECT_NIGHTS = """
SELECT c.id, c.name, c.rank, c.region_id,
       count(DISTINCT d.local_date) AS nights,
       count(DISTINCT CASE WHEN d.evening_at IS NOT NULL AND d.morning_at IS NOT NULL
                           THEN d.local_date END) AS evidenced
FROM region_tree t JOIN cadres c ON c.region_id = t.region_id
LEFT JOIN cadre_days d ON d.cadre_id = c.id AND d.kind = 'stay'
     AND d.local_date >= :first AND d.local_date <= :last
WHERE t.ancestor_id = :region AND c.removed_at IS NULL
GROUP BY c.id, c.name, c.rank, c.region_id
ORDER BY c.id
"""
SELECT_REGION_NAME = "SELECT name FROM regions WHERE id = ?"


def _stay(row: Row) -> Stay:
    return Stay(
        int(row[0]),
        str(row[1]),
        date.fromisoformat(str(row[2])),
        from_db(str(row[3])) if row[3] else None,
        from_db(str(row[4])) if row[4] else None,
    )


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))


async def stayed_on(tx: Tx, cadre_id: str, night: date) -> bool:
    return await tx.fetchone(SELECT_STAY_ON, (cadre_id, night.isoformat())) is not None


async def open_stay(tx: Tx, cadre_id: str, nights: Sequence[date]) -> Stay | None:
    latest, before = nights[0], nights[-1]
    params = {"cadre": cadre_id, "night": latest.isoformat(), "before": before.isoformat()}
    row = await tx.fetchone(SELECT_OPEN_STAY, params)
    return None if row is None else _stay(row)


async def stay_of_message(tx: Tx, cadre_id: str, message_id: int) -> Stay | None:
    row = await tx.fetchone(SELECT_STAY_OF_MESSAGE, (message_id, cadre_id))
    return None if row is None else _stay(row)


async def visit_unplaced_since(tx: Tx, cadre_id: str, since: datetime) -> bool:
    return await tx.fetchone(SELECT_VISIT_UNPLACED_SINCE, (cadre_id, to_db(since))) is not None


async def area_of(tx: Tx, day_id: int) -> Area:
    row = await tx.fetchone(SELECT_AREA, (day_id,))
    if row is None:
        return Area("")
    return Area(str(row[0]), _float(row[1]), _float(row[2]), _float(row[3]))


async def add_point(
    tx: Tx, day_id: int, point: Point, inside: bool, message_id: int | None
) -> None:
    values = (
        day_id,
        to_db(point.at),
        point.lat,
        point.lon,
        int(point.live),
        int(inside),
        message_id,
    )
    await tx.execute(INSERT_POINT, values)
    await tx.execute(PLACE_DAY, (point.lat, point.lon, day_id))


async def mark(tx: Tx, day_id: int, part: Part, at: datetime) -> None:
    if part == Part.EVENING:
        await tx.execute(MARK_EVENING, (to_db(at), day_id))
    elif part == Part.MORNING:
        await tx.execute(MARK_MORNING, (to_db(at), day_id))


async def points(tx: Tx, day_id: int) -> list[Point]:
    rows = await tx.fetchall(SELECT_POINTS, (day_id,))
    return [Point(from_db(str(r[0])), float(r[1]), float(r[2]), bool(r[3])) for r in rows]


async def nights(tx: Tx, region_id: str, first: date, last: date) -> list[StayLine]:
    """Per cadre serving in ``region_id``'s subtree: nights and nights with evidence."""
    params = {"region": region_id, "first": first.isoformat(), "last": last.isoformat()}
    rows = await tx.fetchall(SELECT_NIGHTS, params)
    return [StayLine(r[0], r[1], r[2], r[3], int(r[4]), int(r[5])) for r in rows]


async def region_name(tx: Tx, region_id: str) -> str:
    value = await tx.scalar(SELECT_REGION_NAME, (region_id,))
    return str(value) if value is not None else region_id


class Stays:
    """Stays and their evidence over one transaction (``UnitOfWork.stays``;
    ``bot.services.stays.StayStore``)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def open_stay(self, cadre_id: str, nights: Sequence[date]) -> Stay | None:
        return await open_stay(self._tx, cadre_id, nights)

    async def stay_of_message(self, cadre_id: str, message_id: int) -> Stay | None:
        return await stay_of_message(self._tx, cadre_id, message_id)

    async def visit_unplaced_since(self, cadre_id: str, since: datetime) -> bool:
        return await visit_unplaced_since(self._tx, cadre_id, since)

    async def area_of(self, day_id: int) -> Area:
        return await area_of(self._tx, day_id)

    async def add_point(
        self, day_id: int, point: Point, inside: bool, message_id: int | None
    ) -> None:
        await add_point(self._tx, day_id, point, inside, message_id)

    async def mark(self, day_id: int, part: Part, at: datetime) -> None:
        await mark(self._tx, day_id, part, at)

    async def nights(self, region_id: str, first: date, last: date) -> list[StayLine]:
        return await nights(self._tx, region_id, first, last)

    async def region_name(self, region_id: str) -> str:
        return await region_name(self._tx, region_id)
