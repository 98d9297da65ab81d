"""A villager's follow-ups to a request, kept so that one can be split into a request of
its own (「另起一件事」, ``bot.services.threads``): which request it joined, the MESSAGE
event it made, its relay row while the relay is owed, and where it went if split."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import datetime

from bot.domain.requests import Content
from bot.domain.threads import FollowUp
from storage.db import Tx
from storage.timefmt import from_db, to_db

# The MESSAGE event is the request's last one: villager_says wrote it just before.
INSERT_FOLLOW_UP = """
INSERT INTO follow_ups (request_id, user_id, event_id, join_id, content, at)
VALUES (?, ?, (SELECT max(id) FROM request_events WHERE request_id = ? AND kind = 'message'),
        ?, ?, ?)
"""
SELECT_FOLLOW_UP = """
SELECT id, request_id, user_id, content, at, split_to FROM follow_ups WHERE id = ?
"""
MARK_SPLIT = "UPDATE follow_ups SET split_to = ? WHERE id = ? AND split_to IS NULL"
# Its relay, if it has not left yet: it goes with the new request's case card instead.
DELETE_WAITING_JOIN = """
DELETE FROM joins WHERE id = (SELECT join_id FROM follow_ups WHERE id = ?)
"""


class FollowUps:
    """Follow-ups over one transaction (``bot.services.threads.FollowUpStore``)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def add(
        self, request_id: int, user_id: int, join_id: int, content: Content, at: datetime
    ) -> int:
        stored = json.dumps(vars(content), ensure_ascii=False)
        values = (request_id, user_id, request_id, join_id, stored, to_db(at))
        return await self._tx.insert(INSERT_FOLLOW_UP, values)

    async def get(self, follow_up_id: int) -> FollowUp | None:
        row = await self._tx.fetchone(SELECT_FOLLOW_UP, (follow_up_id,))
        if row is None:
            return None
        names = {f.name for f in fields(Content)}
        content = Content(**{k: v for k, v in json.loads(row["content"]).items() if k in names})
        return FollowUp(
            id=int(row["id"]),
            request_id=int(row["request_id"]),
            user_id=int(row["user_id"]),
            content=content,
            at=from_db(row["at"]),
            split_to=None if row["split_to"] is None else int(row["split_to"]),
        )

    async def split(self, follow_up_id: int, to_request: int) -> bool:
        """Mark it split into ``to_request``; True if its relay was still owed (and is not
        now: the new request's card carries it)."""
        await self._tx.execute(MARK_SPLIT, (to_request, follow_up_id))
        return await self._tx.execute(DELETE_WAITING_JOIN, (follow_up_id,)) > 0
