"""What every handler receives: ``context.unit``, the update's unit of work (the use
cases' repositories, through ``bot.services.work.Work``), who is asking (resolved once,
by the first handler of every update), the configuration and texts, and the calls owed.

The edge (the dispatcher, the sweeps) makes a ``Unit`` around a storage unit of work and
makes it current while PTB runs the handlers; the calls the handlers queue with ``send``
and the rows the services write commit together, or neither does. Slow work (statistics,
charts, workbooks) is recorded with ``after_commit`` and runs once that commit is made,
outside any transaction (``bot.edge.longwork`` runs the ``Job``s defined here).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ParamSpec, Protocol, TypeVar
from zoneinfo import ZoneInfo

from telegram.ext import Application, CallbackContext, ExtBot

from bot.calls import Call
from bot.clock import Clock
from bot.config import Config
from bot.i18n import Texts
from bot.roster_cli import ImportOutcome
from bot.services.identity import Identity
from bot.services.province import Counties, Kept
from bot.services.roster_upload import Desk
from bot.services.work import Work

AnyApp = Application[Any, Any, Any, Any, Any, Any]
P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Setup:
    """What handlers need besides the unit of work, fixed for the life of the process."""

    config: Config
    clock: Clock
    texts: Texts
    bot_username: str
    counties: Counties | None = None  # the province's bot only: its counties, read
    kept: Kept | None = None  # and the figures of its period buttons, counted by a job

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.config.general.admins


@dataclass(frozen=True)
class View:
    """What the views need to render, besides the result: the texts, the time zone and the
    moment (dates of this year show no year), the administrators, and the origin of what
    is relayed (the dedup keys of the "not delivered" notices)."""

    texts: Texts
    zone: ZoneInfo
    now: datetime
    admins: tuple[int, ...]
    origin: str


class Shows(Protocol):
    """What dates and times are shown with: a ``View`` or a ``Unit``."""

    @property
    def texts(self) -> Texts: ...
    @property
    def zone(self) -> ZoneInfo: ...
    @property
    def now(self) -> datetime: ...


# --- long work after commit -----------------------------------------------------------


class LongContext(Protocol):
    """What a long job may use: reads (never the writer), worker processes, the setup and
    the update's moment."""

    @property
    def setup(self) -> Setup: ...
    @property
    def now(self) -> datetime: ...
    def reading(self) -> AbstractAsyncContextManager[Work]: ...
    async def in_process(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T: ...
    def file_path(self, stem: str, suffix: str) -> Path: ...
    @property
    def roster(self) -> Desk[ImportOutcome]: ...  # rosters sent in Telegram
    async def tell(self, *calls: Call) -> None: ...  # progress, before the job's end


Run = Callable[[LongContext], Awaitable[list[Call]]]  # a job's work: returns the calls it owes


@dataclass(frozen=True)
class Job:
    name: str  # for the log
    run: Run
    key: str | None = None  # one job per key in the making at a time
    chat: int | None = None  # told "something went wrong" if the job fails


class Runner(Protocol):
    """The runner of long work, as handlers see it: may this person start another?"""

    def busy(self, key: str) -> bool: ...
    def started_since(self, key: str, since: datetime) -> int: ...


# --- the unit -------------------------------------------------------------------------


class WorkWithCalls(Work, Protocol):
    @property
    def inbox_id(self) -> int | None: ...  # the inbox row being handled (None: a sweep)
    @property
    def calls(self) -> list[Call]: ...
    def send(self, *calls: Call) -> None: ...


@dataclass
class Unit:
    work: WorkWithCalls  # the unit of work (storage's UnitOfWork)
    setup: Setup
    runner: Runner | None = None  # the runner of long work (the dispatcher's)
    who: Identity | None = None  # the person asking, once the first handler has looked
    failure: BaseException | None = None
    jobs: list[Job] = field(default_factory=list)

    @property
    def now(self) -> datetime:
        return self.work.now

    @property
    def inbox_id(self) -> int | None:
        return self.work.inbox_id

    @property
    def calls(self) -> list[Call]:
        return self.work.calls

    @property
    def texts(self) -> Texts:
        return self.setup.texts

    @property
    def zone(self) -> ZoneInfo:
        return self.setup.config.general.zone

    def view(self, extra: str = "") -> View:
        """The view of this unit; ``extra`` is added to the origin (e.g. the first
        follow-up a relay takes)."""
        origin = f"u{self.inbox_id}" if self.inbox_id is not None else f"t{self.now.timestamp()}"
        admins = tuple(self.setup.config.general.admins)
        return View(self.texts, self.zone, self.now, admins, f"{origin}{extra}")

    def send(self, *calls: Call) -> None:
        self.work.send(*calls)

    def after_commit(self, job: Job) -> None:
        """Run ``job`` once this unit has committed, outside any transaction; dropped if
        it rolls back."""
        if self.runner is None:
            raise RuntimeError("this unit of work runs no long work")
        self.jobs.append(job)


current_unit: ContextVar[Unit] = ContextVar("current_unit")


class LianxinContext(
    CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]
):
    @property
    def unit(self) -> Unit:
        """The transaction and outgoing calls of the update being handled."""
        try:
            return current_unit.get()
        except LookupError:
            raise RuntimeError("handlers run only inside the dispatcher's unit of work") from None
