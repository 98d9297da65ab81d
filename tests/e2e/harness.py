"""Runs the real bot as its own process against the in-test Bot API sandbox.

Time is pinned: whatever hour CI runs at, each test's Telegram (the sandbox's clock) and
bot (``LIANXIN_CLOCK_OFFSET``) start at the same chosen instant and tick on from there, so
digests, service days, reception days and month boundaries fall where the test says.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli import CLOCK_OFFSET_ENV
from bot.clock import OffsetClock, SystemClock
from bot.config import load_config
from bot.sandbox.server import Sandbox
from storage.backend import open_database
from storage.db import Database

ROOT = Path(__file__).resolve().parents[2]
ZONE = ZoneInfo("Asia/Shanghai")  # [general] timezone, left at its default by write_config
# An ordinary Tuesday morning, in the future so that Telegram's clock (forward only) can
# be moved to it: not a service day (15, 16) or the eve of one, not the 1st (monthly
# reception, ranking), not in a month's last week (stay quotas), no weekly reception
# (Mondays), and before the daily digest (08:00): nothing scheduled falls due while a
# test runs unless the test moves the clock to it.
PINNED = datetime(2031, 3, 4, 7, 0, tzinfo=ZONE)
AT_ENV = "LIANXIN_E2E_AT"  # "HH:MM" on PINNED's date, or a local "YYYY-MM-DDTHH:MM"


def pinned_instant(environ: Mapping[str, str] = os.environ) -> datetime:
    """Where a test starts unless it chooses: PINNED, or the moment $LIANXIN_E2E_AT names
    (to prove the tests pass at any hour: ``LIANXIN_E2E_AT=23:00 pytest tests/e2e/...``)."""
    text = environ.get(AT_ENV, "").strip()
    if not text:
        return PINNED
    try:
        if "-" not in text:
            return datetime.combine(PINNED.date(), time.fromisoformat(text), ZONE)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{AT_ENV}={text!r}: not a local time (e.g. 23:00 or 2031-03-04T23:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZONE)


def pin(sandbox: Sandbox, at: datetime) -> OffsetClock:
    """Move Telegram's clock on to ``at``; returns a clock that agrees with it from now on,
    for a bot that should start at the same instant."""
    step = at.timestamp() - sandbox.clock.time()
    if step < 0:
        raise ValueError(f"Telegram's clock is past {at} already; it only moves forward")
    sandbox.clock.advance(step)
    return agreeing(sandbox)


def agreeing(sandbox: Sandbox) -> OffsetClock:
    """A clock that reads what Telegram's clock reads (both tick with the wall clock)."""
    wall = SystemClock().now()
    return OffsetClock(datetime.fromtimestamp(sandbox.clock.time(), UTC) - wall)


def write_config(
    directory: Path,
    sandbox: Sandbox,
    *,
    admins: tuple[int, ...] = (),
    language: str = "zh",
    mode: str = "polling",
    extra: str = "",
    database_url: str = "",
) -> Path:
    path = directory / "config.toml"
    path.write_text(
        f"""
[telegram]
token = "{sandbox.token}"
base_url = "{sandbox.base_url}"
base_file_url = "{sandbox.base_file_url}"
poll_timeout = "5s"
mode = "{mode}"

[database]
path = "lianxin.db"
{f'url = "{database_url}"' if database_url else ""}

[general]
language = "{language}"
admins = {list(admins)}
{extra}
""",
        encoding="utf-8",
    )
    return path


@contextlib.asynccontextmanager
async def database_of(config: Path) -> AsyncIterator[Database]:
    """The database of the bot configured at ``config``, SQLite's file or PostgreSQL's,
    opened as the bot opens it (not migrated): the one way the tests look inside it."""
    settings = load_config(config, environ={}).database
    db = await open_database(settings.path, settings.url, settings.schema_name)
    try:
        yield db
    finally:
        await db.close()


RUNNING = " is running ("  # what the bot logs once it is up (bot.edge.runtime)


@dataclass
class BotProcess:
    """``lianxin run`` in a child process; its log goes to a file shown on failure."""

    config: Path
    log: Path
    clock: OffsetClock | None = None  # the bot's time, kept across restarts; None: the wall's
    process: asyncio.subprocess.Process | None = None
    starts: int = 0
    env: dict[str, str] = field(default_factory=dict)
    options: tuple[str, ...] = ()  # after ``run``: ``--province``, ``--county a``

    @property
    def database(self) -> Path:
        return self.config.parent / "lianxin.db"

    async def start(self) -> None:
        self.starts += 1
        with self.log.open("a") as log:
            log.write(f"\n===== start {self.starts} =====\n")
        env = {k: v for k, v in os.environ.items() if k not in ("LIANXIN_TOKEN", CLOCK_OFFSET_ENV)}
        env["PYTHONUNBUFFERED"] = "1"
        if self.clock is not None:
            env[CLOCK_OFFSET_ENV] = repr(self.clock.offset.total_seconds())
        env.update(self.env)
        log_file = self.log.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "--config",
            str(self.config),
            "run",
            *self.options,
            stdout=log_file,
            stderr=log_file,
            env=env,
            cwd=str(ROOT),
        )
        log_file.close()

    async def kill(self) -> None:
        """SIGKILL: no chance to clean up, as in a power cut of the process."""
        if self.process and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def stop(self) -> int:
        """SIGTERM and wait for a clean exit; returns the exit code. A bot still starting
        (importing, before its signal handlers exist) is given time to get running first:
        a SIGTERM then would kill it outright, which says nothing about its shutdown."""
        if self.process is None:
            return 0
        if self.process.returncode is None:
            await self._running_or_gone()
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=30)
            except TimeoutError:
                await self.kill()
        return int(self.process.returncode or 0)

    async def _running_or_gone(self) -> None:
        """Wait (a minute at most) until this start's log says the bot is running, or the
        process ended."""
        assert self.process is not None
        marker = f"===== start {self.starts} ====="
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(60):
                while self.process.returncode is None:
                    if RUNNING in self.log_text().rpartition(marker)[2]:
                        return
                    await asyncio.sleep(0.05)

    def now(self) -> datetime:
        """What the bot reads on its clock now, in the county's time zone."""
        return (self.clock or SystemClock()).now().astimezone(ZONE)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def grows(count: Callable[[], int]) -> Callable[[], bool]:
    """A condition that holds once ``count()`` is above its value now."""
    start = count()
    return lambda: count() > start
