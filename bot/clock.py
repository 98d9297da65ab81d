"""The one source of time. Domain code asks a Clock; nothing in it reads the wall clock."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class OffsetClock:
    """The wall clock shifted by a fixed amount, for tests, the demo and benchmarks only.

    It keeps ticking in real time, so the bot's timers behave as usual, and processes given
    the same offset agree on the time, also across a restart: an end-to-end test can run
    the bot on an ordinary Tuesday morning whatever hour it is where the test runs.
    """

    LIMIT = timedelta(days=100 * 366)  # far enough for any test, well inside datetime's range

    def __init__(self, offset: timedelta) -> None:
        if abs(offset) > self.LIMIT:
            raise ValueError(f"not within {self.LIMIT.days} days either way")
        self.offset = offset

    @classmethod
    def parse(cls, seconds: str) -> OffsetClock:
        """An offset written as seconds (a float, e.g. ``86400`` for a day ahead)."""
        try:
            value = float(seconds)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise ValueError("not a number of seconds (e.g. 86400 for one day ahead)")
        if abs(value) > cls.LIMIT.total_seconds():
            raise ValueError(f"not within {cls.LIMIT.days} days either way")
        return cls(timedelta(seconds=value))

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class ManualClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, by: timedelta) -> None:
        self._now += by

    def set(self, moment: datetime) -> None:
        self._now = moment
