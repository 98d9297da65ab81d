from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path

import pytest

from bot.sandbox.server import Sandbox
from tests.conftest import _pg_admin as pg_admin
from tests.e2e.harness import BotProcess, agreeing, pin, pinned_instant, write_config
from tests.pg_cluster import Cluster

StartBot = Callable[..., Awaitable[BotProcess]]


@pytest.fixture
def pinned_at() -> datetime:
    """The instant this test's Telegram and bot start at, whatever the hour CI runs at:
    ``harness.PINNED`` or $LIANXIN_E2E_AT. A test that needs another moment says so with
    ``@pytest.mark.parametrize("pinned_at", [datetime(...)])`` (in the future: Telegram's
    clock only moves forward), or later on with ``start_bot(at=...)``."""
    try:
        return pinned_instant()
    except ValueError as problem:
        raise pytest.UsageError(str(problem)) from None


@pytest.fixture
async def sandbox(pinned_at: datetime) -> AsyncIterator[Sandbox]:
    server = Sandbox()
    await server.start()
    pin(server, pinned_at)
    yield server
    await server.stop()


BACKENDS = ("sqlite", "postgresql")
SQLITE_ONLY = "sqlite_only"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test whose bot has a database runs on each backend (ids ``[sqlite]`` and
    ``[postgresql]``), except those marked ``sqlite_only(reason=...)``: about the file
    itself (its mode, its backup, its damage), which PostgreSQL does not have."""
    if "backend" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker(SQLITE_ONLY)
        if only is not None and not only.kwargs.get("reason"):
            raise pytest.UsageError(f"{metafunc.definition.nodeid}: sqlite_only needs a reason")
        metafunc.parametrize("backend", BACKENDS[:1] if only else BACKENDS)


@pytest.fixture
async def database_url(backend: str, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """``database.url`` for this test's bot: empty on SQLite (the file beside the
    configuration); on PostgreSQL a new empty database on the session's server, which the
    bot migrates as it starts, dropped after the test."""
    if backend == "sqlite":
        yield ""
        return
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    name = f"e2e_{uuid.uuid4().hex[:16]}"
    await pg_admin(cluster, f"CREATE DATABASE {name}")
    yield cluster.url_for(name)
    await pg_admin(cluster, f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
async def start_bot(
    sandbox: Sandbox, tmp_path: Path, database_url: str, request: pytest.FixtureRequest
) -> AsyncIterator[StartBot]:
    """Start ``lianxin run`` as a child process against the sandbox; stopped after the test.

    The bot's clock reads what Telegram's reads (``pinned_at`` unless the test moved it),
    and keeps that time across ``bot.stop()``/``bot.start()``; ``at=`` moves both on first.
    """
    started: list[BotProcess] = []

    async def start(*, at: datetime | None = None, **config: object) -> BotProcess:
        clock = agreeing(sandbox) if at is None else pin(sandbox, at)
        config.setdefault("database_url", database_url)
        path = write_config(tmp_path, sandbox, **config)  # type: ignore[arg-type]
        bot = BotProcess(path, tmp_path / "bot.log", clock)
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


E2E = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of this folder starts real processes: marked ``slow``, so
    ``pytest -m "not slow"`` runs the fast tiers alone."""
    for item in items:
        if E2E in item.path.parents:
            item.add_marker(pytest.mark.slow)
