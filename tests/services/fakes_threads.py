"""In-memory fakes of what the threads use cases ask: which request a bot message in a
chat was about (the sender's ``request_messages``), and the follow-ups kept for
「另起一件事」. Shared by the villager's and the cadre's fake units of work."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.domain.requests import Content
from bot.domain.threads import FollowUp


@dataclass
class FakeOutbox:
    """(chat, message id) -> request: what the sender remembered of messages it sent."""

    about: dict[tuple[int, int], int] = field(default_factory=dict)

    def sent(self, chat_id: int, message_id: int, request_id: int) -> None:
        self.about[(chat_id, message_id)] = request_id

    async def request_of_message(self, chat_id: int, message_id: int) -> int | None:
        return self.about.get((chat_id, message_id))


@dataclass
class FakeFollowUps:
    rows: dict[int, FollowUp] = field(default_factory=dict)
    joins: dict[int, int] = field(default_factory=dict)  # follow-up -> its relay row
    waiting: set[int] = field(default_factory=set)  # relay rows still owed (set by tests)

    async def add(
        self, request_id: int, user_id: int, join_id: int, content: Content, at: datetime
    ) -> int:
        follow_up = FollowUp(len(self.rows) + 1, request_id, user_id, content, at)
        self.rows[follow_up.id] = follow_up
        self.joins[follow_up.id] = join_id
        return follow_up.id

    async def get(self, follow_up_id: int) -> FollowUp | None:
        return self.rows.get(follow_up_id)

    async def split(self, follow_up_id: int, to_request: int) -> bool:
        self.rows[follow_up_id] = replace(self.rows[follow_up_id], split_to=to_request)
        join = self.joins.get(follow_up_id)
        if join in self.waiting:
            self.waiting.discard(join)
            return True
        return False
