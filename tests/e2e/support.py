"""Small helpers the spine's end-to-end tests share: the command line, and reading replies."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.cli import CLOCK_OFFSET_ENV
from bot.sandbox.chat_view import MessagePredicate
from bot.sandbox.users import SandboxUser
from tests.e2e.harness import ROOT


@dataclass(frozen=True)
class Outcome:
    """How a ``lianxin`` command ended."""

    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def lines(self) -> list[str]:
        """The non-blank lines of stderr, where problems are reported."""
        return [line for line in self.stderr.splitlines() if line.strip()]


async def lianxin(*args: str, token: str | None = None, cwd: Path = ROOT) -> Outcome:
    """``python -m bot ARGS`` in a child process, without the caller's LIANXIN_* settings.

    Generous deadline (the demo starts a whole bot); a command that hangs fails the test.
    """
    mine = ("LIANXIN_TOKEN", "LIANXIN_CONFIG", CLOCK_OFFSET_ENV)
    env = {k: v for k, v in os.environ.items() if k not in mine}
    env["PYTHONPATH"] = str(ROOT)
    if token is not None:
        env["LIANXIN_TOKEN"] = token
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=str(cwd),
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=180)
    return Outcome(int(process.returncode or 0), out.decode(), err.decode())


def replying_to(message_id: int) -> MessagePredicate:
    """A bot message quoting the person's message ``message_id``."""

    def replies(message: dict[str, Any]) -> bool:
        return bool(message.get("reply_to_message", {}).get("message_id") == message_id)

    return replies


def copies(person: SandboxUser, message_id: int) -> int:
    """How many bot messages in the person's chat quote their message ``message_id``."""
    return sum(1 for message in person.messages() if replying_to(message_id)(message))


async def poll(condition: Callable[[], bool], timeout: float = 60.0) -> None:  # noqa: ASYNC109
    """Wait for a condition nobody notifies about (a log file, a counter), checking often."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - another process's file: no event to wait on
            await asyncio.sleep(0.005)
