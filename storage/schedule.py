"""What the schedule sweep reads and writes: bound cadres, stays and visits, opt-ins,
rounds already queued, and supervisors' digests.

Reminders are not stored ahead; the sweep derives them from the configuration each time
(``bot.domain.schedule``) and reads here who they go to and what they say. ``Schedules``
is all of it over one transaction, as the use cases (``bot.services.field``,
``bot.services.reminders``) ask for it; the row types are the domain's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.domain.roster import Household, Rank
from bot.domain.schedule import (
    BoundCadre,
    DayKind,
    Digest,
    Line,
    Noted,
    OpenHousehold,
    Optin,
)
from bot.domain.stats import By, Figures, Period
from storage import stats as counted
from storage import stays
from storage.db import Tx
from storage.timefmt import from_db, to_db

SELECT_BOUND_CADRES = """
SELECT c.id, c.name, c.rank, c.supervises, a.user_id
FROM cadre_accounts a JOIN cadres c ON c.id = a.cadre_id
ORDER BY c.id
"""
# Households linked to a bound cadre that have requests not yet closed.
SELECT_OPEN_BY_CADRE = """
SELECT l.cadre_id, h.id, h.head_name, count(r.id) AS open
FROM cadre_accounts a
JOIN links l ON l.cadre_id = a.cadre_id
JOIN households h ON h.id = l.household_id
JOIN requests r ON r.household_id = h.id AND r.status <> 'closed'
                AND (r.accused_id IS NULL OR r.accused_id <> l.cadre_id)
GROUP BY l.cadre_id, h.id, h.head_name
ORDER BY l.cadre_id, h.id
"""
# Every bound member of a household that did not switch notices off (0023: on by
# default, one switch a household, shared with announcements), with the household's
# first-tier cadre (lowest tier, then id).
SELECT_OPTINS = """
SELECT m.user_id, m.household_id, h.head_name, c.name, c.phone
FROM members m
JOIN households h ON h.id = m.household_id AND h.removed_at IS NULL
JOIN links l ON l.household_id = m.household_id
JOIN cadres c ON c.id = l.cadre_id
WHERE l.tier = (SELECT min(tier) FROM links WHERE household_id = m.household_id)
  AND NOT EXISTS (SELECT 1 FROM notice_optouts o WHERE o.household_id = m.household_id)
ORDER BY m.user_id, m.household_id, c.id
"""
DELETE_OPTOUT = "DELETE FROM notice_optouts WHERE household_id = ?"
INSERT_OPTOUT = """
INSERT INTO notice_optouts (household_id, user_id, since) VALUES (?, ?, ?)
ON CONFLICT (household_id) DO NOTHING
"""
SELECT_OPTOUT = "SELECT 1 FROM notice_optouts WHERE household_id = ?"
SELECT_ROUND = "SELECT 1 FROM schedule_rounds WHERE occasion = ?"
INSERT_ROUND = "INSERT INTO schedule_rounds (occasion, done_at, sent) VALUES (?, ?, ?)"
INSERT_DAY = """
INSERT INTO cadre_days (cadre_id, kind, local_date, logged_at, household_id, note)
VALUES (?, ?, ?, ?, ?, ?)
"""
SELECT_UNPLACED = """
SELECT id FROM cadre_days
WHERE cadre_id = ? AND logged_at >= ? AND latitude IS NULL
ORDER BY id DESC LIMIT 1
"""
UPDATE_PLACE = "UPDATE cadre_days SET latitude = ?, longitude = ? WHERE id = ?"
SELECT_UNPICTURED = """
SELECT id FROM cadre_days
WHERE cadre_id = ? AND logged_at >= ? AND photo_file_id IS NULL
ORDER BY id DESC LIMIT 1
"""
UPDATE_PICTURE = "UPDATE cadre_days SET photo_file_id = ? WHERE id = ?"
# A household a cadre may log a stay or visit at (and so read its head's name): linked
# to them, or in the region they supervise or below it.
SELECT_VISITABLE = """
SELECT h.id, h.head_name, h.region_id, h.address, h.phone
FROM households h
WHERE h.id = :household AND h.removed_at IS NULL AND (
    EXISTS (SELECT 1 FROM links l WHERE l.household_id = h.id AND l.cadre_id = :cadre)
    OR EXISTS (SELECT 1 FROM cadres c
               JOIN region_tree t ON t.ancestor_id = c.supervises AND t.region_id = h.region_id
               WHERE c.id = :cadre)
)
"""
COUNT_STAY_DAYS = """
SELECT cadre_id, count(DISTINCT local_date) FROM cadre_days
WHERE kind = 'stay' AND local_date BETWEEN ? AND ?
GROUP BY cadre_id
"""
COUNT_STAY_DAYS_OF = """
SELECT count(DISTINCT local_date) FROM cadre_days
WHERE cadre_id = ? AND kind = 'stay' AND local_date BETWEEN ? AND ?
"""
SELECT_DIGEST_MARK = "SELECT through FROM digest_marks WHERE cadre_id = ?"
UPSERT_DIGEST_MARK = """
INSERT INTO digest_marks (cadre_id, through) VALUES (?, ?)
ON CONFLICT (cadre_id) DO UPDATE SET through = excluded.through
"""
# The jurisdiction of a supervisor is the subtree of the region they supervise
# (``storage.region_tree``, a look-up per row after the rows the dates select); the
# region is each query's first parameter. A digest never lists a confidential complaint
# to the cadre it is about (its accused supervises the region or one above it).
SELECT_NEW_IN = """
SELECT r.number, h.head_name, g.name,
       (SELECT json_extract(e.detail, '$.text') FROM request_events e
        WHERE e.request_id = r.id AND e.kind = 'filed' ORDER BY e.id LIMIT 1)
FROM requests r CROSS JOIN households h CROSS JOIN region_tree t CROSS JOIN regions g
WHERE t.ancestor_id = :region AND h.id = r.household_id AND t.region_id = h.region_id
  AND g.id = h.region_id AND r.filed_at > :since AND r.filed_at <= :now
  AND NOT EXISTS (SELECT 1 FROM cadres x JOIN region_tree k ON k.ancestor_id = x.supervises
                  WHERE x.id = r.accused_id AND k.region_id = t.ancestor_id)
ORDER BY r.filed_at, r.id
"""
SELECT_OVERDUE_IN = """
SELECT r.number, h.head_name, g.name,
       (SELECT json_extract(e.detail, '$.text') FROM request_events e
        WHERE e.request_id = r.id AND e.kind = 'filed' ORDER BY e.id LIMIT 1)
FROM region_tree t JOIN households h ON h.region_id = t.region_id
     JOIN regions g ON g.id = h.region_id
     JOIN requests r ON r.household_id = h.id
WHERE t.ancestor_id = ? AND r.resolve_by < ?
  AND r.status NOT IN ('resolved', 'closed')
  AND NOT EXISTS (SELECT 1 FROM cadres x JOIN region_tree k ON k.ancestor_id = x.supervises
                  WHERE x.id = r.accused_id AND k.region_id = t.ancestor_id)
ORDER BY r.resolve_by, r.id
"""
SELECT_ESCALATED_IN = """
SELECT DISTINCT r.number, h.head_name, g.name,
       (SELECT json_extract(f.detail, '$.text') FROM request_events f
        WHERE f.request_id = r.id AND f.kind = 'filed' ORDER BY f.id LIMIT 1)
FROM request_events e
CROSS JOIN requests r CROSS JOIN households h CROSS JOIN region_tree t CROSS JOIN regions g
WHERE t.ancestor_id = :region AND r.id = e.request_id AND h.id = r.household_id
  AND t.region_id = h.region_id AND g.id = h.region_id
  AND e.kind = 'escalated' AND e.at > :since AND e.at <= :now
  AND NOT EXISTS (SELECT 1 FROM cadres x JOIN region_tree k ON k.ancestor_id = x.supervises
                  WHERE x.id = r.accused_id AND k.region_id = t.ancestor_id)
ORDER BY r.number
"""

# The lines noted for a recipient (a cadre id, or '*admins') since their last digest
# (0016), with what each shows; drained (``digested_at``) in the round's transaction.
SELECT_PENDING_LINES = """
SELECT d.id, d.what, d.note, r.number, h.head_name, g.name, r.urgent,
       (SELECT json_extract(e.detail, '$.text') FROM request_events e
        WHERE e.request_id = r.id AND e.kind = 'filed' ORDER BY e.id LIMIT 1)
FROM digest_lines d JOIN requests r ON r.id = d.request_id
     JOIN households h ON h.id = r.household_id JOIN regions g ON g.id = h.region_id
WHERE d.recipient = ? AND d.digested_at IS NULL
ORDER BY d.id
"""
MARK_LINES_DIGESTED = """
UPDATE digest_lines SET digested_at = ? WHERE recipient = ? AND digested_at IS NULL AND id <= ?
"""


def _line(row: Sequence[object]) -> Line:
    return Line(str(row[0]), str(row[1]), str(row[2] or ""), str(row[3] or ""))


async def drain_lines(tx: Tx, recipient: str, now: datetime) -> list[Noted]:
    """The lines noted for ``recipient`` not yet in a digest, marked as digested now."""
    rows = await tx.fetchall(SELECT_PENDING_LINES, (recipient,))
    if rows:
        await tx.execute(MARK_LINES_DIGESTED, (to_db(now), recipient, int(rows[-1][0])))
    return [Noted(_line((r[3], r[4], r[5], r[7])), str(r[1]), str(r[2]), bool(r[6])) for r in rows]


async def bound_cadres(tx: Tx) -> list[BoundCadre]:
    rows = await tx.fetchall(SELECT_BOUND_CADRES)
    return [
        BoundCadre(r["id"], r["name"], Rank(r["rank"]), r["supervises"], int(r["user_id"]))
        for r in rows
    ]


async def open_households(tx: Tx) -> dict[str, list[OpenHousehold]]:
    """By bound cadre: their linked households with requests not yet closed."""
    found: dict[str, list[OpenHousehold]] = {}
    for r in await tx.fetchall(SELECT_OPEN_BY_CADRE):
        found.setdefault(r[0], []).append(OpenHousehold(r[1], r[2], int(r[3])))
    return found


async def optins(tx: Tx) -> list[Optin]:
    rows = await tx.fetchall(SELECT_OPTINS)
    seen: set[tuple[int, str]] = set()
    found = []
    for r in rows:  # one note per household even if two cadres share its first tier
        if (r[0], r[1]) not in seen:
            seen.add((r[0], r[1]))
            found.append(Optin(int(r[0]), r[1], r[2], r[3], r[4]))
    return found


async def set_optin(tx: Tx, user_id: int, household_id: str, on: bool, now: datetime) -> None:
    """The household's notices switch (``/visits``, ``/notices``): any member turns it."""
    if on:
        await tx.execute(DELETE_OPTOUT, (household_id,))
    else:
        await tx.execute(INSERT_OPTOUT, (household_id, user_id, to_db(now)))


async def opted_in(tx: Tx, user_id: int, household_id: str) -> bool:
    """Notices are on for the household unless a member switched them off."""
    return await tx.fetchone(SELECT_OPTOUT, (household_id,)) is None


async def round_done(tx: Tx, occasion: str) -> bool:
    return await tx.fetchone(SELECT_ROUND, (occasion,)) is not None


async def mark_round(tx: Tx, occasion: str, now: datetime, sent: int) -> None:
    await tx.execute(INSERT_ROUND, (occasion, to_db(now), sent))


async def visitable(tx: Tx, cadre_id: str, household_id: str) -> Household | None:
    """The household, if the cadre is linked to it or supervises it; else None, the same
    whether it does not exist or is someone else's (an id says nothing of strangers)."""
    row = await tx.fetchone(SELECT_VISITABLE, {"cadre": cadre_id, "household": household_id})
    if row is None:
        return None
    return Household(row["id"], row["head_name"], row["region_id"], row["address"], row["phone"])


async def log_day(
    tx: Tx,
    cadre_id: str,
    kind: DayKind,
    day: date,
    now: datetime,
    household_id: str | None,
    note: str,
) -> int:
    return await tx.insert(
        INSERT_DAY, (cadre_id, str(kind), day.isoformat(), to_db(now), household_id, note)
    )


async def place_last_day(
    tx: Tx, cadre_id: str, since: datetime, latitude: float, longitude: float
) -> bool:
    """Attach a location to the cadre's last stay or visit logged since ``since``."""
    day_id = await tx.scalar(SELECT_UNPLACED, (cadre_id, to_db(since)))
    if day_id is None:
        return False
    await tx.execute(UPDATE_PLACE, (latitude, longitude, day_id))
    return True


async def picture_last_day(tx: Tx, cadre_id: str, since: datetime, file_id: str) -> bool:
    """Attach a photo to the cadre's last stay or visit logged since ``since``."""
    day_id = await tx.scalar(SELECT_UNPICTURED, (cadre_id, to_db(since)))
    if day_id is None:
        return False
    await tx.execute(UPDATE_PICTURE, (file_id, day_id))
    return True


async def stay_days(tx: Tx, first: date, last: date) -> dict[str, int]:
    """Days stayed between ``first`` and ``last`` (inclusive), by cadre."""
    rows = await tx.fetchall(COUNT_STAY_DAYS, (first.isoformat(), last.isoformat()))
    return {r[0]: int(r[1]) for r in rows}


async def stay_days_of(tx: Tx, cadre_id: str, first: date, last: date) -> int:
    value = await tx.scalar(COUNT_STAY_DAYS_OF, (cadre_id, first.isoformat(), last.isoformat()))
    return int(value or 0)


async def digest_mark(tx: Tx, cadre_id: str) -> datetime | None:
    value = await tx.scalar(SELECT_DIGEST_MARK, (cadre_id,))
    return None if value is None else from_db(str(value))


async def set_digest_mark(tx: Tx, cadre_id: str, through: datetime) -> None:
    await tx.execute(UPSERT_DIGEST_MARK, (cadre_id, to_db(through)))


async def digest(tx: Tx, region_id: str, since: datetime, now: datetime) -> Digest:
    """Requests of ``region_id``'s subtree: filed and escalated in (since, now], and
    overdue now (past their resolution time, neither resolved nor closed)."""
    window = {"region": region_id, "since": to_db(since), "now": to_db(now)}
    new = await tx.fetchall(SELECT_NEW_IN, window)
    overdue = await tx.fetchall(SELECT_OVERDUE_IN, (region_id, to_db(now)))
    escalated = await tx.fetchall(SELECT_ESCALATED_IN, window)
    return Digest(
        [_line(r) for r in new], [_line(r) for r in overdue], [_line(r) for r in escalated]
    )


class Schedules:
    """The schedule's rows over one transaction (``UnitOfWork.schedule``): the field-work
    log and opt-ins (``bot.services.field.FieldStore``) and what the reminder rounds read
    and mark (``bot.services.reminders.ReminderStore``)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    # field work

    async def visitable(self, cadre_id: str, household_id: str) -> Household | None:
        return await visitable(self._tx, cadre_id, household_id)

    async def log_day(
        self,
        cadre_id: str,
        kind: DayKind,
        day: date,
        now: datetime,
        household_id: str | None,
        note: str,
    ) -> int:
        return await log_day(self._tx, cadre_id, kind, day, now, household_id, note)

    async def stay_days_of(self, cadre_id: str, first: date, last: date) -> int:
        return await stay_days_of(self._tx, cadre_id, first, last)

    async def place_last_day(
        self, cadre_id: str, since: datetime, latitude: float, longitude: float
    ) -> bool:
        return await place_last_day(self._tx, cadre_id, since, latitude, longitude)

    async def picture_last_day(self, cadre_id: str, since: datetime, file_id: str) -> bool:
        return await picture_last_day(self._tx, cadre_id, since, file_id)

    async def stayed_on(self, cadre_id: str, night: date) -> bool:
        return await stays.stayed_on(self._tx, cadre_id, night)

    async def opted_in(self, user_id: int, household_id: str) -> bool:
        return await opted_in(self._tx, user_id, household_id)

    async def set_optin(self, user_id: int, household_id: str, on: bool, now: datetime) -> None:
        await set_optin(self._tx, user_id, household_id, on, now)

    # reminder rounds

    async def round_done(self, occasion: str) -> bool:
        return await round_done(self._tx, occasion)

    async def mark_round(self, occasion: str, now: datetime, sent: int) -> None:
        await mark_round(self._tx, occasion, now, sent)

    async def bound_cadres(self) -> list[BoundCadre]:
        return await bound_cadres(self._tx)

    async def open_households(self) -> dict[str, list[OpenHousehold]]:
        return await open_households(self._tx)

    async def optins(self) -> list[Optin]:
        return await optins(self._tx)

    async def stay_days(self, first: date, last: date) -> dict[str, int]:
        return await stay_days(self._tx, first, last)

    async def digest_mark(self, cadre_id: str) -> datetime | None:
        return await digest_mark(self._tx, cadre_id)

    async def set_digest_mark(self, cadre_id: str, through: datetime) -> None:
        await set_digest_mark(self._tx, cadre_id, through)

    async def digest(self, region_id: str, since: datetime, now: datetime) -> Digest:
        return await digest(self._tx, region_id, since, now)

    async def drain_lines(self, recipient: str, now: datetime) -> list[Noted]:
        return await drain_lines(self._tx, recipient, now)

    async def breakdown(
        self, region_id: str, period: Period, now: datetime, by: By
    ) -> dict[str, Figures]:
        return await counted.region_breakdown(self._tx, region_id, period, now, by)

    async def place_names(self, region_id: str) -> dict[str, str]:
        """``region_id`` and every region below it, by id."""
        return {k: p.name for k, p in (await counted.places(self._tx, region_id)).items()}

    async def cadre_names(self, cadre_ids: Sequence[str]) -> dict[str, str]:
        return await counted.cadre_names(self._tx, cadre_ids)
