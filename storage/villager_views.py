"""What the villager's side reads and writes besides the request store.

Every read here is scoped by the asking member's account: a query that cannot return
another household's request is the simplest proof that a villager sees only their own.
``RequestMarks`` adds the marks a villager may set (``bot.domain.marks``) to the store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.domain.requests import Content, Request
from bot.domain.roster import Rank
from storage.db import Row, Tx
from storage.requests import Requests, _request
from storage.timefmt import from_db

SELECT_FILED_DETAIL = """
SELECT detail FROM request_events WHERE request_id = ? AND kind = 'filed' ORDER BY id LIMIT 1
"""
SELECT_MEMBER_USERS = """
SELECT user_id FROM members WHERE household_id = ? ORDER BY bound_at, user_id
"""
# The requests of every household the member speaks for, newest first, with the
# handler's name and rank and the household head's name.
SELECT_MINE = """
SELECT r.*, c.name AS handler_name, c.rank AS handler_rank, h.head_name
FROM requests r
JOIN members m ON m.household_id = r.household_id AND m.user_id = ?
JOIN cadres c ON c.id = r.handler_id
JOIN households h ON h.id = r.household_id
ORDER BY r.filed_at DESC, r.id DESC
LIMIT ?
"""
SELECT_ONE_OF_MINE = """
SELECT r.*, c.name AS handler_name, c.rank AS handler_rank, h.head_name
FROM requests r
JOIN members m ON m.household_id = r.household_id AND m.user_id = ?
JOIN cadres c ON c.id = r.handler_id
JOIN households h ON h.id = r.household_id
WHERE r.id = ?
"""
SELECT_ID_OF_MINE_BY_NUMBER = """
SELECT r.id FROM requests r
JOIN members m ON m.household_id = r.household_id AND m.user_id = ?
WHERE r.number = ?
"""
# The trail with a name for each actor: the cadre's, or the villager's Telegram name.
SELECT_TRAIL = """
SELECT e.at, e.kind, e.actor, e.detail, c.name AS cadre_name, a.first_name AS villager_name,
       h.name AS handler_name
FROM request_events e
LEFT JOIN cadres c ON e.actor = 'cadre:' || c.id
LEFT JOIN accounts a ON e.actor = 'villager:' || a.user_id
LEFT JOIN cadres h ON h.id = e.handler_id
WHERE e.request_id = ?
ORDER BY e.id
"""
MINE_LIMIT = 10


@dataclass(frozen=True)
class MyRequest:
    request: Request
    handler_name: str
    handler_rank: Rank
    head_name: str


@dataclass(frozen=True)
class TrailLine:
    at: datetime
    kind: str
    actor: str  # 'villager:<user id>', 'cadre:<id>', 'system'
    actor_name: str  # "" for the system
    handler_name: str  # the handler after this event
    detail: dict[str, object]


class RequestMarks(Requests):
    """The request store, plus the marks a villager sets after filing."""

    async def filed_content(self, request_id: int) -> Content | None:
        detail = await self._tx.scalar(SELECT_FILED_DETAIL, (request_id,))
        if detail is None:
            return None
        fields = Content.__dataclass_fields__
        found = {k: v for k, v in json.loads(detail).items() if k in fields}
        return Content(**found)


def _mine(row: Row) -> MyRequest:
    return MyRequest(
        request=_request(row),
        handler_name=row["handler_name"],
        handler_rank=Rank(row["handler_rank"]),
        head_name=row["head_name"],
    )


async def mine(tx: Tx, user_id: int, limit: int = MINE_LIMIT) -> list[MyRequest]:
    """The member's households' requests, newest first."""
    return [_mine(r) for r in await tx.fetchall(SELECT_MINE, (user_id, limit))]


async def one_of_mine(tx: Tx, user_id: int, request_id: int) -> MyRequest | None:
    """The request if it is of one of the member's households, else None."""
    row = await tx.fetchone(SELECT_ONE_OF_MINE, (user_id, request_id))
    return None if row is None else _mine(row)


async def id_of_mine(tx: Tx, user_id: int, number: str) -> int | None:
    """The id of request ``number`` if it is of one of the member's households."""
    value = await tx.scalar(SELECT_ID_OF_MINE_BY_NUMBER, (user_id, number.strip().upper()))
    return None if value is None else int(value)


async def trail(tx: Tx, user_id: int, request_id: int) -> list[TrailLine]:
    """The request's events in order, if it is of one of the member's households."""
    if await one_of_mine(tx, user_id, request_id) is None:
        return []
    return [
        TrailLine(
            at=from_db(r["at"]),
            kind=r["kind"],
            actor=r["actor"],
            actor_name=r["cadre_name"] or r["villager_name"] or "",
            handler_name=r["handler_name"] or "",
            detail=json.loads(r["detail"]),
        )
        for r in await tx.fetchall(SELECT_TRAIL, (request_id,))
    ]
