"""A cadre away (leave, training) until a date: new requests go to their backup.

``/away 2026-12-01`` means away until that day begins, local time: they are back on it.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo


class BadDate(ValueError):
    """Not a date written as YYYY-MM-DD."""


class PastDate(ValueError):
    """The day has already begun: being away until then means nothing."""

    def __init__(self, day: date) -> None:
        super().__init__(f"{day} has begun")
        self.day = day


def until(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """The instant the cadre is back: local midnight at the start of the given day."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise BadDate(text) from None
    back = datetime.combine(day, time(0), tzinfo=zone)
    if back <= now:
        raise PastDate(day)
    return back
