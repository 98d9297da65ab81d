"""Runs the real bot as its own process against the in-test Bot API sandbox."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.sandbox.server import Sandbox

ROOT = Path(__file__).resolve().parents[2]


def write_config(
    directory: Path,
    sandbox: Sandbox,
    *,
    admins: tuple[int, ...] = (),
    language: str = "zh",
    mode: str = "polling",
    extra: str = "",
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

[general]
language = "{language}"
admins = {list(admins)}
{extra}
""",
        encoding="utf-8",
    )
    return path


@dataclass
class BotProcess:
    """``lianxin run`` in a child process; its log goes to a file shown on failure."""

    config: Path
    log: Path
    process: asyncio.subprocess.Process | None = None
    starts: int = 0
    env: dict[str, str] = field(default_factory=dict)

    @property
    def database(self) -> Path:
        return self.config.parent / "lianxin.db"

    async def start(self) -> None:
        self.starts += 1
        with self.log.open("a") as log:
            log.write(f"\n===== start {self.starts} =====\n")
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        env.pop("LIANXIN_TOKEN", None)
        log_file = self.log.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "--config",
            str(self.config),
            "run",
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
        """SIGTERM and wait for a clean exit; returns the exit code."""
        if self.process is None:
            return 0
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=30)
            except TimeoutError:
                await self.kill()
        return int(self.process.returncode or 0)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def grows(count: Callable[[], int]) -> Callable[[], bool]:
    """A condition that holds once ``count()`` is above its value now."""
    start = count()
    return lambda: count() > start
