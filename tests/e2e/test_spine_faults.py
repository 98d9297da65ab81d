"""The operator's faults, with real processes: a second instance, a damaged database,
a Bot API that does not answer at start, a disk that fills while the bot runs.

Each ends with one line and a clear exit code (1 lets systemd restart it), never a
traceback or a hang; and nothing Telegram accepted is sent twice.
"""

from __future__ import annotations

import asyncio
import resource
import sys
from pathlib import Path

import pytest

from bot.sandbox.server import Sandbox
from storage import inbox, migrate
from storage.db import Database
from storage.inbox import StoredUpdate
from tests.conftest import START
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ROOT, BotProcess, write_config
from tests.e2e.support import copies, lianxin, poll, replying_to


def assert_one_line(stderr: str, *phrases: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    for phrase in phrases:
        assert phrase in lines[0], lines[0]


@pytest.mark.sqlite_only(reason="SQLite's lock file; on PostgreSQL processes share the work")
async def test_a_second_instance_on_the_same_database_refuses_to_start(
    sandbox: Sandbox, start_bot: StartBot, tmp_path: Path
) -> None:
    await start_bot()
    villager = sandbox.user(1001, "王秀英")
    await villager.start()
    await villager.wait_for_text("王秀英", timeout=60)  # the first one is up

    second = await lianxin("--config", str(tmp_path / "config.toml"), "run")

    assert second.code == 1
    assert_one_line(second.stderr, "already running")
    later = await villager.send_text("还在吗？")  # the first one still answers
    await villager.wait_for(replying_to(later["message_id"]), timeout=60)


async def test_random_bytes_instead_of_a_database_give_one_line_and_exit_1(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = write_config(tmp_path, sandbox)
    (tmp_path / "lianxin.db").write_bytes(bytes(range(256)) * 40)

    outcome = await lianxin("--config", str(config), "run")

    assert outcome.code == 1
    assert_one_line(outcome.stderr, "lianxin.db", "not a SQLite database")


async def test_a_database_cut_short_gives_one_line_and_exit_1(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = write_config(tmp_path, sandbox)
    path = tmp_path / "lianxin.db"
    db = await Database.open(path)
    await migrate.upgrade(db, START)
    updates = [StoredUpdate(n, n % 7, '{"text": "%s"}' % ("字" * 200)) for n in range(500)]
    await inbox.store(db, updates, START)
    await db.close()
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size // 2)

    outcome = await lianxin("--config", str(config), "run")

    assert outcome.code == 1
    assert_one_line(outcome.stderr, "lianxin.db", "cut short")


async def test_sigterm_stops_a_bot_that_cannot_reach_the_bot_api(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(  # port 9 (discard): nothing listens, every call is refused
        '[telegram]\ntoken = "123456:SANDBOX-TOKEN"\nbase_url = "http://127.0.0.1:9/bot"\n'
        'base_file_url = "http://127.0.0.1:9/file/bot"\n\n[database]\npath = "lianxin.db"\n',
        encoding="utf-8",
    )
    bot = BotProcess(config, tmp_path / "bot.log")
    await bot.start()
    await poll(lambda: "cannot reach the Bot API" in bot.log_text())

    code = await bot.stop()  # SIGTERM; the harness SIGKILLs after 30 s

    assert code == 0, bot.log_text()


async def test_a_full_disk_after_sending_stops_the_bot_and_sends_nothing_twice(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The database stops taking writes (a file-size limit: writes fail as on a full disk)
    while the bot's answer is with Telegram; the mark that it was sent cannot be written."""
    config = write_config(tmp_path, sandbox)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        "run",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,  # a pipe: the file-size limit does not apply to it
        cwd=str(ROOT),
    )
    errors = asyncio.create_task(process.stderr.read())  # type: ignore[union-attr]
    try:
        villager = sandbox.user(1001, "王秀英")
        await villager.start()
        await villager.wait_for_text("王秀英", timeout=60)

        sandbox.delay(1.0)  # answers reach the sandbox, then wait a second there
        sends = sandbox.stats.calls["sendMessage"]
        sent = await villager.send_text("村口的路灯坏了")
        await poll(lambda: sandbox.stats.calls["sendMessage"] > sends)
        resource.prlimit(process.pid, resource.RLIMIT_FSIZE, (1, 1))  # the disk is full
        sandbox.delay(0)

        code = await asyncio.wait_for(process.wait(), timeout=120)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    stderr = (await errors).decode()
    await villager.wait_for(replying_to(sent["message_id"]), timeout=10)

    assert code == 1, stderr
    assert "Traceback" not in stderr
    last = stderr.strip().splitlines()[-1]
    assert "lianxin.db" in last, stderr
    assert "cannot be written" in last, stderr
    assert copies(villager, sent["message_id"]) == 1
