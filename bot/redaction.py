"""Secrets (the bot token, the webhook secret) blanked out of any text we keep or print.

The token sits in every Bot API URL, so it turns up in network errors; those errors go
to the log and into the outbox and inbox ``error`` columns. One process-wide list, set
once at start, serves both. Matching ignores case: a URL or an error message may carry
the token's letters in another case (``%3a``, upper-cased hosts and paths in proxies).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "***"
_escaped: set[str] = set()
_pattern: re.Pattern[str] | None = None


def register(secrets: Iterable[str]) -> None:
    """Blank these from now on (with the part after ``:`` of a bot token on its own too)."""
    global _pattern  # one list per process, set at start
    for secret in secrets:
        if not secret:
            continue
        _escaped.add(re.escape(secret))
        _, colon, tail = secret.partition(":")
        if colon and len(tail) >= 8:
            _escaped.add(re.escape(tail))
    if _escaped:
        # Longest first, so a whole token is blanked rather than only its tail.
        ordered = sorted(_escaped, key=len, reverse=True)
        _pattern = re.compile("|".join(ordered), re.IGNORECASE)


def redact(text: str) -> str:
    return text if _pattern is None else _pattern.sub(MASK, text)


def forget() -> None:
    """Drop every registered secret (tests)."""
    global _pattern
    _escaped.clear()
    _pattern = None
