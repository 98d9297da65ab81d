"""/inbox a page at a time, as use cases over in-memory fakes: eight cases a page, soonest
due first; the filters (all in reach, overdue, urgent, mine, waiting for the villager);
a supervisor's pages cover their jurisdiction; a page no button shows is refused; a
confidential complaint never shows to the cadre it is about."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain import requests
from bot.domain.lifecycle import Event
from bot.domain.requests import Content, InboxFilter, Request
from bot.services import inbox
from bot.services.casework import CadresOnly
from bot.services.inbox import BadPage
from tests.services.fakes_cadre import (
    DEADLINES,
    GRANDMA,
    LI,
    LI_QIANG,
    NEIGHBOUR,
    SUN,
    WANG,
    ZHENG,
    FakeWork,
    cadre,
    villager,
)


async def filed(work: FakeWork, household_id: str, words: str, *, urgent: bool = False) -> Request:
    user = GRANDMA if household_id == WANG.id else NEIGHBOUR
    content = Content(words) if words else Content(media="voice", file_id="v1")
    done = await requests.file(
        work.requests, work.now, household_id, content, DEADLINES, by_user=user
    )
    request = done.request
    if urgent:
        request = replace(request, urgent=True, respond_by=work.now + DEADLINES.urgent)
        work.requests.rows[request.id] = request
    work.now += timedelta(minutes=1)
    return request


async def thirty(work: FakeWork) -> list[Request]:
    return [await filed(work, (WANG, LI)[n % 2].id, f"第{n}件事：院墙裂了") for n in range(30)]


async def test_thirty_requests_come_eight_a_page_soonest_due_first() -> None:
    work = FakeWork()
    made = await thirty(work)

    first = await inbox.page(work, cadre(ZHENG))
    assert (first.page, first.pages, first.count) == (0, 4, 30)
    assert [line.number for line in first.lines] == [r.number for r in made[:8]]
    assert first.lines[0].text == "第0件事：院墙裂了"
    assert first.lines[0].village == "柳树村"

    last = await inbox.page(work, cadre(ZHENG), InboxFilter.ALL, 3)
    assert [line.number for line in last.lines] == [r.number for r in made[24:]]
    # A page past the end (the list got shorter since the button was drawn): the last one.
    assert (await inbox.page(work, cadre(ZHENG), InboxFilter.ALL, 9)).page == 3


async def test_a_page_no_button_shows_is_refused_and_reads_nothing() -> None:
    work = FakeWork()
    await thirty(work)
    for forged in (-1, inbox.PAGES, 10**12):
        with pytest.raises(BadPage):
            await inbox.page(work, cadre(ZHENG), InboxFilter.ALL, forged)
    assert work.cases.asked_for == []


async def test_filters_overdue_urgent_mine_and_waiting_for_the_villager() -> None:
    work = FakeWork()
    wall = await filed(work, WANG.id, "院墙裂了")
    meter = await filed(work, LI.id, "电表不走", urgent=True)
    lamp = await filed(work, WANG.id, "路灯坏了")
    road = await filed(work, LI.id, "")  # a voice note
    await requests.act(work.requests, work.now, lamp.id, ZHENG.id, Event.ACKNOWLEDGED)
    await requests.act(work.requests, work.now, road.id, ZHENG.id, Event.RESOLVED)
    await requests.hand_over(work.requests, work.now, wall.id, ZHENG.id, LI_QIANG.id)
    work.now += timedelta(hours=25)  # past the response time of the unanswered ones

    async def numbers(who: object, wanted: InboxFilter) -> list[str]:
        shown = await inbox.page(work, who, wanted)  # type: ignore[arg-type]
        return [line.number for line in shown.lines]

    zheng = cadre(ZHENG)
    # 全部: everything in reach, the case handed over to 李强 too (her household's).
    assert set(await numbers(zheng, InboxFilter.ALL)) == {
        wall.number,
        meter.number,
        lamp.number,
        road.number,
    }
    assert set(await numbers(zheng, InboxFilter.MINE)) == {meter.number, lamp.number, road.number}
    # Overdue: unanswered past the response time (the urgent one, long past its 2 h; the
    # handed-over wall); the acknowledged lamp is due in 7 days; the resolved road waits.
    assert set(await numbers(zheng, InboxFilter.OVERDUE)) == {meter.number, wall.number}
    assert await numbers(zheng, InboxFilter.URGENT) == [meter.number]
    assert await numbers(zheng, InboxFilter.WAITING) == [road.number]
    voice = next(
        line for line in (await inbox.page(work, zheng)).lines if line.number == road.number
    )
    assert (voice.text, voice.media) == ("", "voice")  # shown as ［语音］
    # 李强 handles only the wall.
    assert await numbers(cadre(LI_QIANG), InboxFilter.MINE) == [wall.number]


async def test_a_supervisors_pages_cover_the_jurisdiction_paged_the_same_way() -> None:
    work = FakeWork()
    made = await thirty(work)
    shown = await inbox.page(work, cadre(SUN))
    assert (shown.count, shown.pages) == (30, 4)
    assert [line.number for line in shown.lines] == [r.number for r in made[:8]]
    assert (await inbox.page(work, cadre(SUN), InboxFilter.MINE)).count == 0


async def test_a_confidential_complaint_never_shows_to_the_accused() -> None:
    work = FakeWork()
    plain = await filed(work, WANG.id, "院墙裂了")
    complaint = await filed(work, WANG.id, "郑小红收了我家200块钱")
    work.requests.rows[complaint.id] = replace(
        complaint, accused_id=ZHENG.id, handler_id=SUN.id, about_cadre=True
    )
    for wanted in InboxFilter:
        shown = await inbox.page(work, cadre(ZHENG), wanted)
        assert complaint.number not in [line.number for line in shown.lines]
    assert [line.number for line in (await inbox.page(work, cadre(ZHENG))).lines] == [plain.number]
    assert complaint.number in [
        line.number for line in (await inbox.page(work, cadre(SUN), InboxFilter.MINE)).lines
    ]


async def test_a_villager_has_no_pages() -> None:
    work = FakeWork()
    await thirty(work)
    with pytest.raises(CadresOnly):
        await inbox.page(work, villager())
