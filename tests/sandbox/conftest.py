"""Fixtures: a running sandbox and a real python-telegram-bot ``Bot`` pointed at it."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import cache
from typing import Any

import certifi
import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.sandbox import Sandbox

SandboxFactory = Callable[..., Awaitable[Sandbox]]


@pytest.fixture(autouse=True)
def _timedelta_attributes(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns on reading durations as ints; opt in to timedeltas (warnings are errors)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def make_sandbox() -> AsyncIterator[SandboxFactory]:
    """Start sandboxes with custom settings; all are stopped after the test."""
    started: list[Sandbox] = []

    async def make(**settings: Any) -> Sandbox:
        sandbox = Sandbox(**settings)
        await sandbox.start()
        started.append(sandbox)
        return sandbox

    yield make
    for sandbox in started:
        await sandbox.stop()


@pytest.fixture
async def sandbox(make_sandbox: SandboxFactory) -> Sandbox:
    """A sandbox without flood limits, for tests about everything else."""
    return await make_sandbox(rate_limits=False)


@cache
def _tls() -> ssl.SSLContext:
    """What httpx builds for every client (certifi's bundle, verifying), built once: it
    takes about 30 ms, and a Bot has two clients."""
    return ssl.create_default_context(cafile=certifi.where())


def bot_for(sandbox: Sandbox) -> Bot:
    return Bot(
        sandbox.token,
        base_url=sandbox.base_url,
        base_file_url=sandbox.base_file_url,
        request=HTTPXRequest(httpx_kwargs={"verify": _tls()}),
        get_updates_request=HTTPXRequest(httpx_kwargs={"verify": _tls()}),
    )


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[Bot]:
    async with bot_for(sandbox) as ptb_bot:
        yield ptb_bot
