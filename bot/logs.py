"""Logging for the bot and its commands; secrets never reach a log line."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from bot import redaction


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then blanks every secret (the token sits in Bot API URLs),
    whatever its case."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        redaction.register(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return redaction.redact(super().format(record))


def setup_logging(secrets: Iterable[str] = (), level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, token included, at INFO; we only want its warnings.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
