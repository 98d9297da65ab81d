"""What every benchmark that drives the real bot through the Bot API sandbox shares."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.clock import OffsetClock, SystemClock
from bot.config import Config, load_config
from bot.sandbox.server import Sandbox


def bot_config(sandbox: Sandbox, folder: Path, database: str, extra: str = "") -> Config:
    """The bot's configuration against ``sandbox``, its database ``folder / database``,
    written to ``folder / config.toml`` (as an administrator would) and read back."""
    path = folder / "config.toml"
    path.write_text(
        f"""
[telegram]
token = "{sandbox.token}"
base_url = "{sandbox.base_url}"
base_file_url = "{sandbox.base_file_url}"
poll_timeout = "5s"

[database]
path = "{folder / database}"
{extra}""",
        encoding="utf-8",
    )
    return load_config(path, environ={})


def clock_at(moment: datetime) -> OffsetClock:
    """A clock that reads ``moment`` now and ticks on in real time (move it on with
    ``clock.offset += timedelta(...)``)."""
    return OffsetClock(moment - SystemClock().now())
