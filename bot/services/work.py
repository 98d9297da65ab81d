"""What the use cases ask of a unit of work, as Protocols: each service module names the
small one it needs; ``Work`` is all of them, and storage's ``UnitOfWork`` satisfies it
(mypy checks that where the dispatcher hands one to the handlers)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.services.identity import IdentityStore
from bot.services.stats import StatsWork


class Moment(Protocol):
    @property
    def now(self) -> datetime: ...


class IdentityWork(Moment, Protocol):
    @property
    def people(self) -> IdentityStore: ...


class Work(IdentityWork, StatsWork, Protocol):
    """Every repository a use case may ask for (add your module's Protocol to the bases)."""
