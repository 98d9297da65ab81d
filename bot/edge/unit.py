"""The unit of work of one handled update: its transaction and the calls it owes.

The dispatcher opens a Unit per inbox row and makes it current while PTB runs the
handlers; they write through ``unit.tx`` and queue outgoing calls with ``unit.send``.
Both land in the same commit as the row being marked done, or neither does. Slow work
(statistics, charts, workbooks) is recorded with ``unit.after_commit`` and runs once that
commit is made, outside any transaction (``bot.edge.longwork``).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.config import Config
from bot.i18n import Texts
from storage.db import Tx
from storage.outbox import Call

if TYPE_CHECKING:
    from bot.edge.longwork import Job, LongWork


@dataclass(frozen=True)
class Services:
    """What handlers may need besides the transaction, fixed for the life of the process."""

    config: Config
    clock: Clock
    texts: Texts
    bot_username: str

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.config.general.admins


@dataclass
class Unit:
    tx: Tx
    now: datetime
    inbox_id: int | None  # the inbox row being handled; None for a scheduled sweep
    services: Services
    calls: list[Call] = field(default_factory=list)
    failure: BaseException | None = None
    work: LongWork | None = None  # the runner of long work (the dispatcher's)
    jobs: list[Job] = field(default_factory=list)

    def send(self, *calls: Call) -> None:
        self.calls.extend(calls)

    def after_commit(self, job: Job) -> None:
        """Run ``job`` once this unit has committed, outside any transaction; dropped if
        it rolls back."""
        if self.work is None:
            raise RuntimeError("this unit of work runs no long work")
        self.jobs.append(job)


current_unit: ContextVar[Unit] = ContextVar("current_unit")
