"""What the villager's side reads and writes besides the request store.

Every read here is scoped by the asking member's account: a query that cannot return
another household's request is the simplest proof that a villager sees only their own.
"""

from __future__ import annotations

from bot.domain.requests import MyRequest, TrailLine
from bot.domain.roster import Rank
from storage.db import Row, Tx
from storage.requests import _request
from storage.requests import trail as requests_trail

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
MINE_LIMIT = 10


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
    return await requests_trail(tx, request_id)


class VillagerViews:
    """What /my reads, scoped by the member's account, over one transaction
    (``bot.services.villager.MyViews``)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def mine(self, user_id: int, limit: int = MINE_LIMIT) -> list[MyRequest]:
        return await mine(self._tx, user_id, limit)

    async def one_of_mine(self, user_id: int, request_id: int) -> MyRequest | None:
        return await one_of_mine(self._tx, user_id, request_id)

    async def id_of_mine(self, user_id: int, number: str) -> int | None:
        return await id_of_mine(self._tx, user_id, number)

    async def trail(self, user_id: int, request_id: int) -> list[TrailLine]:
        return await trail(self._tx, user_id, request_id)
