from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from storage import migrate
from storage.db import Database

START = datetime(2026, 11, 15, 0, 30, tzinfo=UTC)  # 08:30 in Asia/Shanghai, a service day


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "lianxin.db")
    await migrate.upgrade(database, START)
    yield database
    await database.close()
