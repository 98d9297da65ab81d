from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.sandbox.server import Sandbox
from tests.e2e.harness import BotProcess, write_config

StartBot = Callable[..., Awaitable[BotProcess]]


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    server = Sandbox()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def start_bot(
    sandbox: Sandbox, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[StartBot]:
    """Start ``lianxin run`` as a child process against the sandbox; stopped after the test."""
    started: list[BotProcess] = []

    async def start(**config: object) -> BotProcess:
        path = write_config(tmp_path, sandbox, **config)  # type: ignore[arg-type]
        bot = BotProcess(path, tmp_path / "bot.log")
        await bot.start()
        started.append(bot)
        return bot

    yield start
    for bot in started:
        code = await bot.stop()
        failed = request.node.stash.get(FAILED, False)
        if failed or code != 0:
            print(f"----- bot log (exit {code}) -----\n{bot.log_text()[-20000:]}")
        assert code == 0, "the bot did not stop cleanly on SIGTERM"


FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    if getattr(report, "when", "") == "call" and getattr(report, "failed", False):
        item.stash[FAILED] = True
    return report
