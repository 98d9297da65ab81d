"""``python -m bot.sandbox`` serves on its own and says where."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import aiohttp
import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # a process of its own
async def test_the_sandbox_runs_standalone() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.sandbox",
        "--port",
        "0",
        "--token",
        "42:STANDALONE",
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode().strip()
        assert line.startswith("base_url=http://127.0.0.1:")
        base_url = line.removeprefix("base_url=")
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{base_url}42:STANDALONE/getMe") as response,
        ):
            me = await response.json()
        assert me["result"]["id"] == 42
    finally:
        process.terminate()
        await process.wait()
