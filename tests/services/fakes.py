"""Fakes more than one area's service tests share (each area's own are in fakes_<area>.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.talking import Conversation, Purpose


@dataclass
class FakeConversations:
    """What each person's next message belongs to, in memory."""

    talks: dict[int, Conversation] = field(default_factory=dict)

    async def get(self, user_id: int) -> Conversation | None:
        return self.talks.get(user_id)

    async def set(self, user_id: int, request_id: int, purpose: Purpose, now: datetime) -> None:
        self.talks[user_id] = Conversation(request_id, purpose, now)

    async def clear(self, user_id: int) -> None:
        self.talks.pop(user_id, None)
