"""The administrator's /status: how many updates came in and how many calls went out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from bot.services.identity import Identity
from bot.services.moment import Moment


class NotAdmin(PermissionError):
    """Only the configured administrators may ask."""


class InboxFigures(Protocol):
    async def counts(self) -> Mapping[str, int]: ...  # status -> updates


class OutboxFigures(Protocol):
    async def counts(self) -> Mapping[tuple[str, bool], int]: ...  # (status, bulk) -> calls


class StatusWork(Moment, Protocol):
    @property
    def inbox(self) -> InboxFigures: ...
    @property
    def outbox(self) -> OutboxFigures: ...


@dataclass(frozen=True)
class Status:
    done: int
    pending: int  # the /status being handled counts among them
    failed: int
    outbox_pending: int
    outbox_bulk: int  # of the pending ones, how many are bulk (reminders, digests)
    outbox_sent: int
    outbox_failed: int


async def status(work: StatusWork, who: Identity) -> Status:
    if not who.admin:
        raise NotAdmin
    seen = await work.inbox.counts()
    queued = await work.outbox.counts()

    def calls(status: str, bulk_only: bool = False) -> int:
        return sum(n for (s, bulk), n in queued.items() if s == status and (bulk or not bulk_only))

    return Status(
        done=seen.get("done", 0),
        pending=seen.get("pending", 0),
        failed=seen.get("failed", 0),
        outbox_pending=calls("pending"),
        outbox_bulk=calls("pending", bulk_only=True),
        outbox_sent=calls("sent"),
        outbox_failed=calls("failed"),
    )
