"""``GET /healthz`` on the webhook's server: 200 and the verdict while the database answers
and the dispatcher runs, 503 otherwise; no secret, and nothing about anyone in it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.clock import ManualClock
from bot.config import WebhookConfig
from bot.edge.webhook import webhook_app
from storage import inbox, migrate
from storage.db import Database

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
HOOK = WebhookConfig(
    public_url="https://lianxin.example.org/telegram",
    secret_token=SecretStr("a-secret-of-sixteen-or-more"),
)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "x.db")
    await migrate.upgrade(database, NOW)
    await inbox.store(
        database, [inbox.StoredUpdate(1, 1001, '{"update_id": 1, "text": "王秀英"}')], NOW
    )
    yield database
    await database.close()


async def get_health(db: Database, alive: bool = True) -> tuple[int, dict[str, object]]:
    app = webhook_app(db, ManualClock(NOW), HOOK, lambda: None, alive=lambda: alive)
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/healthz")  # no secret header
        body = await response.json()
    assert isinstance(body, dict)
    return response.status, body


async def test_a_running_bot_answers_200_with_its_verdict_and_figures_only(
    db: Database,
) -> None:
    status, body = await get_health(db)
    assert status == 200
    assert body["verdict"] == "ok"
    assert body["inbox_waiting"] == 1
    assert body["last_update_age_s"] == 0
    assert "王秀英" not in str(body)
    assert "1001" not in str(body)


async def test_a_stopped_dispatcher_answers_503(db: Database) -> None:
    status, body = await get_health(db, alive=False)
    assert (status, body["verdict"], body["reasons"]) == (
        503,
        "attention",
        ["dispatcher_stopped"],
    )


async def test_a_database_that_does_not_answer_gives_503(db: Database) -> None:
    await db.close()
    status, body = await get_health(db)
    assert (status, body) == (503, {"verdict": "attention", "reasons": ["database_down"]})
