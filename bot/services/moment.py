"""The one thing every use case's unit of work carries: the moment it works at.

Its own module so that each service module can build its Protocol on it while
``work.py`` gathers those Protocols into ``Work`` (no import cycle)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Moment(Protocol):
    @property
    def now(self) -> datetime: ...
