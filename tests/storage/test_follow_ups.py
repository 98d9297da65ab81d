"""Follow-ups over a real database: a split one leaves the old request's trail (which
stays append-only: a split event is added), its relay row goes if it had not left, and
it is split once."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.domain import requests as service
from bot.domain.lifecycle import Event
from bot.domain.requests import Content
from storage.db import Database
from storage.follow_ups import FollowUps
from storage.joins import Joins
from storage.requests import Requests
from tests.storage.test_requests import DEADLINES, GRANDMA, county, events, file

__all__ = ["county"]  # the fixture


async def test_a_split_follow_up_leaves_the_old_trail_and_its_waiting_relay(
    county: Database, clock: ManualClock
) -> None:
    old = (await file(county, clock)).request
    roof = Content(text="屋顶漏雨")
    async with county.transaction() as tx:
        await service.villager_says(Requests(tx), clock.now(), old.id, GRANDMA, roof)
        join = await Joins(tx).add(old.id, GRANDMA, roof, clock.now())
        kept = await FollowUps(tx).add(old.id, GRANDMA, join, roof, clock.now())
    assert (await events(county, old))[-1] == "message"

    async with county.transaction() as tx:
        new = await service.file(
            Requests(tx), clock.now(), old.household_id, roof, DEADLINES, by_user=GRANDMA
        )
        moved = await FollowUps(tx).split(kept, new.request.id)
        await Requests(tx).record(old, clock.now(), Event.SPLIT, f"villager:{GRANDMA}", {})
        assert await Joins(tx).waiting(old.id, 10) == []

    assert moved
    assert await events(county, old) == ["filed", "routed", "split"]
    async with county.read() as tx:
        found = await FollowUps(tx).get(kept)
    assert found is not None
    assert found.split_to == new.request.id
    assert found.content == roof
