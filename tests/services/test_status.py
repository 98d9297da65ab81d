"""The administrator's /status figures (over fakes)."""

from __future__ import annotations

import pytest

from bot.services import status
from bot.services.identity import identify
from tests.services.fakes_binding import FakeWork

ADMIN = 900


async def test_status_counts_updates_and_calls_with_the_bulk_ones_apart() -> None:
    work = FakeWork()
    work.inbox.by_status.update({"done": 40, "pending": 1, "failed": 2})
    work.outbox.by_status.update(
        {("pending", False): 3, ("pending", True): 5, ("sent", False): 30, ("sent", True): 7}
    )
    figures = await status.status(work, await identify(work.people, ADMIN, (ADMIN,)))
    assert figures == status.Status(
        done=40,
        pending=1,
        failed=2,
        outbox_pending=8,
        outbox_bulk=5,
        outbox_sent=37,
        outbox_failed=0,
    )


async def test_status_is_refused_to_anyone_but_an_administrator() -> None:
    work = FakeWork()
    work.inbox.by_status["done"] = 40
    with pytest.raises(status.NotAdmin):
        await status.status(work, await identify(work.people, 501, (ADMIN,)))
