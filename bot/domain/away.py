"""A cadre away (leave, training) until a date: new requests go to their backup.

``/away 2026-12-01`` means away until that day begins, local time: they are back on it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


class BadDate(ValueError):
    """Not a date written as YYYY-MM-DD."""


class PastDate(ValueError):
    """The day has already begun: being away until then means nothing."""

    def __init__(self, day: date) -> None:
        super().__init__(f"{day} has begun")
        self.day = day


class TooFar(ValueError):
    """Further ahead than ``away.max``: away for years would hand everything on for good."""

    def __init__(self, latest: date) -> None:
        super().__init__(f"later than {latest}")
        self.latest = latest


def until(text: str, now: datetime, zone: ZoneInfo, longest: timedelta) -> datetime:
    """The instant the cadre is back: local midnight at the start of the given day, at
    most ``longest`` from now (else TooFar, naming the last day allowed)."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise BadDate(text) from None
    back = datetime.combine(day, time(0), tzinfo=zone)
    if back <= now:
        raise PastDate(day)
    if back > now + longest:
        raise TooFar((now + longest).astimezone(zone).date())
    return back
