"""/inbox's page query over SQLite with the sample county: the scope (handled, linked,
supervised; never a complaint about oneself), each filter, the order and paging, and
what a line shows (the village above the household's group, the words filed)."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.config import Config
from bot.domain import requests as service
from bot.domain.lifecycle import Event
from bot.domain.requests import Content, InboxFilter, Request
from storage.cadre_views import Cases
from storage.db import Database
from storage.requests import Requests
from tests.sample import load_sample

DEADLINES = Config().deadlines.table()
UPDATE_ACCUSED = "UPDATE requests SET accused_id = ?, handler_id = ? WHERE id = ?"


async def filed(db: Database, clock: ManualClock, household: str, content: Content) -> Request:
    async with db.transaction() as tx:
        done = await service.file(
            Requests(tx), clock.now(), household, content, DEADLINES, by_cadre="K007"
        )
    clock.advance(timedelta(minutes=1))
    return done.request


async def shown(
    db: Database, clock: ManualClock, cadre: str, wanted: InboxFilter, offset: int = 0
) -> tuple[int, list[str]]:
    async with db.read() as tx:
        cases = Cases(tx)
        count = await cases.count(cadre, wanted, clock.now())
        lines = await cases.page(cadre, wanted, clock.now(), offset, 8)
    return count, [line.number for line in lines]


async def test_the_page_query_scopes_filters_orders_and_pages(
    db: Database, clock: ManualClock
) -> None:
    await load_sample(db)
    wall = await filed(db, clock, "H0001", Content("院墙裂了，下雨天怕塌，请尽快来看看"))
    voice = await filed(db, clock, "H0002", Content(media="voice", file_id="v1"))
    lamp = await filed(db, clock, "H0001", Content("路灯坏了"))
    done = await filed(db, clock, "H0002", Content("电表不走"))
    async with db.transaction() as tx:
        store = Requests(tx)
        await service.act(store, clock.now(), lamp.id, "K007", Event.ACKNOWLEDGED)
        await service.act(store, clock.now(), done.id, "K007", Event.RESOLVED)
        await service.hand_over(store, clock.now(), wall.id, "K007", "K004")
        await tx.execute(UPDATE_ACCUSED, ("K007", "K003", voice.id))  # about 郑小红
    more = [await filed(db, clock, "H0002", Content(f"第{n}件")) for n in range(10)]
    clock.advance(timedelta(hours=25))  # past every response time not yet met

    # 郑小红 (K007): never the complaint about her; the wall handed to 李强 is still in reach.
    count, numbers = await shown(db, clock, "K007", InboxFilter.ALL)
    assert count == 13
    assert voice.number not in numbers
    assert numbers[:3] == [wall.number, more[0].number, more[1].number]  # soonest due first
    _, second = await shown(db, clock, "K007", InboxFilter.ALL, offset=8)
    assert len(second) == 5
    assert not set(numbers) & set(second)
    assert (await shown(db, clock, "K007", InboxFilter.MINE))[0] == 12
    overdue = (await shown(db, clock, "K007", InboxFilter.OVERDUE))[1]
    assert wall.number in overdue
    assert lamp.number not in overdue  # acknowledged: due to be solved in 7 days
    assert done.number not in overdue  # resolved: waiting for the villager
    assert (await shown(db, clock, "K007", InboxFilter.WAITING))[1] == [done.number]
    assert (await shown(db, clock, "K007", InboxFilter.URGENT))[0] == 0
    # 孙丽 (K003) supervises the township: everything, the complaint she handles too.
    assert (await shown(db, clock, "K003", InboxFilter.ALL))[0] == 14
    assert (await shown(db, clock, "K003", InboxFilter.MINE))[1] == [voice.number]
    # 冯涛 (K009) of another village: nothing.
    assert (await shown(db, clock, "K009", InboxFilter.ALL))[0] == 0

    async with db.read() as tx:
        lines = await Cases(tx).page("K003", InboxFilter.ALL, clock.now(), 0, 20)
    by_number = {line.number: line for line in lines}
    assert by_number[wall.number].village == "柳树村"  # not its group, 柳树村一组
    assert by_number[wall.number].text == "院墙裂了，下雨天怕塌，请尽快来看看"
    assert (by_number[voice.number].text, by_number[voice.number].media) == ("", "voice")
    assert by_number[lamp.number].handler_id == "K007"
