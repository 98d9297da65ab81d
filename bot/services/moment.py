"""The smallest Protocol: a unit of work knows the moment it runs at (the injected
clock's, never the wall clock). Service modules import it from here, not from
``work.py`` (which imports every service module's Protocol)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Moment(Protocol):
    @property
    def now(self) -> datetime: ...
