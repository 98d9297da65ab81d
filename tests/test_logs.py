"""The bot token never reaches a log line, whatever the case it is written in."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot import redaction
from bot.logs import RedactingFormatter

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture(autouse=True)
def no_secrets_left() -> Iterator[None]:
    yield
    redaction.forget()


@pytest.mark.parametrize(
    "url",
    [
        f"https://api.telegram.org/bot{TOKEN}/getMe",
        f"https://API.TELEGRAM.ORG/BOT{TOKEN.upper()}/GETME",
        f"https://api.telegram.org/bot{TOKEN.lower()}/getMe",
    ],
)
def test_the_token_is_blanked_in_any_case(url: str) -> None:
    formatter = RedactingFormatter("%(message)s", [TOKEN])
    record = logging.LogRecord("httpx", logging.WARNING, __file__, 1, "GET %s", (url,), None)
    line = formatter.format(record)
    assert "***" in line
    assert "aahdqtcvch1vgwjxfseofsas0k5paldsaw" not in line.lower()
