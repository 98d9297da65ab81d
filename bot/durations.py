"""Durations written with their unit ("90s", "30m", "2h", "7d", "1h30m"), as configuration uses."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_UNITS = {
    "ms": timedelta(milliseconds=1),
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}


def parse_duration(text: object) -> timedelta:
    """Read "90s" or "1h30m"; a bare number is refused, since its unit would be a guess."""
    if isinstance(text, timedelta):
        return text
    if not isinstance(text, str):
        raise ValueError('write a duration with its unit, e.g. "90s", "30m", "2h" or "7d"')
    compact = text.strip().replace(" ", "")
    parts = _PART.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise ValueError(
            f'"{text}" is not a duration; write it with its unit, e.g. "90s", "30m", "2h" or "7d"'
        )
    return sum((float(n) * _UNITS[u] for n, u in parts), timedelta())


def format_duration(value: timedelta) -> str:
    """The shortest exact spelling, for messages and the example configuration."""
    seconds = value.total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
