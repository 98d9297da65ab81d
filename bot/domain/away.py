"""A cadre away (leave, training) until a date: new requests go to their backup.

``/away 2026-12-01`` (or ``/away 明天``, ``/away 12月5日``: any form of
``bot.domain.dates``) means away until that day begins, local time: they are back on it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain import dates


class BadDate(ValueError):
    """Not a day in any form ``bot.domain.dates`` reads."""


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
    """The instant the cadre is back: local midnight at the start of the day ``text``
    names (明天, 下周一, 12月5日, 2026-12-05 …; a date without a year is the next one),
    at most ``longest`` from now (else TooFar, naming the last day allowed)."""
    try:
        day = dates.day(text, now, zone)
    except dates.NotADate:
        raise BadDate(text) from None
    return back_on(day, now, zone, longest)


def days_from_today(days: int, now: datetime, zone: ZoneInfo, longest: timedelta) -> datetime:
    """Back ``days`` days after today (the 明天 / 3天 / 一周 buttons); the same limits."""
    try:
        day = dates.today(now, zone) + timedelta(days=days)
    except OverflowError:
        raise TooFar((now + longest).astimezone(zone).date()) from None
    return back_on(day, now, zone, longest)


def back_on(day: date, now: datetime, zone: ZoneInfo, longest: timedelta) -> datetime:
    """Local midnight starting ``day``: not begun yet (else PastDate), at most ``longest``
    ahead (else TooFar)."""
    if day > (now + longest).astimezone(zone).date():
        raise TooFar((now + longest).astimezone(zone).date())
    back = datetime.combine(day, time(0), tzinfo=zone)
    if back <= now:
        raise PastDate(day)
    if back > now + longest:
        raise TooFar((now + longest).astimezone(zone).date())
    return back
