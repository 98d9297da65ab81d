"""What the use cases ask of a unit of work, as Protocols: each service module names the
small one it needs; ``Work`` is all of them, and storage's ``UnitOfWork`` satisfies it
(mypy checks that where the dispatcher hands one to the handlers).

Service modules import ``Moment`` from ``moment.py``, never this module: it imports
theirs."""

from __future__ import annotations

from typing import Protocol

from bot.services.field import FieldWork
from bot.services.identity import IdentityStore
from bot.services.moment import Moment
from bot.services.notices import NoticeWork


class IdentityWork(Moment, Protocol):
    @property
    def people(self) -> IdentityStore: ...


class Work(IdentityWork, NoticeWork, FieldWork, Protocol):
    """Every repository a use case may ask for (add your module's Protocol to the bases)."""
