"""Fakes for the confidential complaints' use cases: the villager fakes (one village,
郑小红 and 周建国 of its chain, 陈志强 supervising the township above), with the
supervisors above each cadre, the complaints asked for, and the calls the bot sent to
each chat (to withdraw)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.routing import Candidate
from tests.services.fakes_villager import CHEN, FakeRequests, FakeWork


@dataclass
class FakeComplaintRequests(FakeRequests):
    """Every village cadre's region is under the township 陈志强 supervises; above him,
    no one. ``discipline`` is the discipline contacts above every village cadre (the
    township's, when the roster names one)."""

    discipline: list[str] = field(default_factory=list)

    async def discipline_contacts_above_cadre(self, cadre_id: str) -> list[Candidate]:
        if cadre_id == CHEN.id:
            return []
        return [Candidate(c, 0, c in self.county.accounts, None) for c in self.discipline]

    async def supervisors_above_cadre(self, cadre_id: str) -> list[Candidate]:
        if cadre_id == CHEN.id:
            return []
        return [Candidate(CHEN.id, 0, CHEN.id in self.county.accounts, None)]


@dataclass
class FakeComplaints:
    asked_by: dict[int, tuple[str, str, datetime]] = field(default_factory=dict)
    sent: dict[tuple[int, str], list[int]] = field(default_factory=dict)  # (chat, number)
    withdrawn: list[tuple[int, str]] = field(default_factory=list)

    async def ask(self, user_id: int, household_id: str, accused_id: str, now: datetime) -> None:
        self.asked_by[user_id] = (household_id, accused_id, now)

    async def asked(self, user_id: int) -> tuple[str, str, datetime] | None:
        return self.asked_by.get(user_id)

    async def clear(self, user_id: int) -> None:
        self.asked_by.pop(user_id, None)

    async def withdraw(self, user_id: int, request_id: int, number: str) -> list[int]:
        self.withdrawn.append((user_id, number))
        return self.sent.pop((user_id, number), [])


@dataclass
class FakeComplaintWork(FakeWork):
    complaints: FakeComplaints = field(default_factory=FakeComplaints)
    requests: FakeComplaintRequests = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.requests = FakeComplaintRequests(self.county)
        self.villager_views.requests = self.requests
