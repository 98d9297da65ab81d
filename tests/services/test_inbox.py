"""/inbox and opening a case, as use cases over in-memory fakes: a cadre sees the requests
they hold, oldest due first, and opens only what they may see; a villager is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain import requests
from bot.domain.requests import Content, Request
from bot.services import inbox
from bot.services.casework import CadresOnly
from bot.services.inbox import NotFound
from tests.services.fakes_cadre import (
    DEADLINES,
    FENG,
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


async def filed(work: FakeWork, household_id: str, words: str) -> Request:
    user = GRANDMA if household_id == WANG.id else NEIGHBOUR
    done = await requests.file(
        work.requests, work.now, household_id, Content(words), DEADLINES, by_user=user
    )
    work.now += timedelta(minutes=1)
    return done.request


async def test_inbox_lists_only_this_cadres_waiting_requests_oldest_due_first() -> None:
    work = FakeWork()
    wall = await filed(work, WANG.id, "院墙裂了")
    meter = await filed(work, LI.id, "电表不走")
    handed = await filed(work, WANG.id, "路灯坏了")
    await requests.hand_over(work.requests, work.now, handed.id, ZHENG.id, LI_QIANG.id)

    listed = await inbox.inbox(work, cadre(ZHENG))

    assert [line.number for line in listed.lines] == [wall.number, meter.number]
    assert [line.head_name for line in listed.lines] == ["王秀英", "李大山"]
    assert not listed.more
    assert work.cases.asked_for == [ZHENG.id]  # the asking cadre's, no one else's
    assert (await inbox.inbox(work, cadre(FENG))).lines == ()  # "您目前没有待办的诉求"


async def test_a_full_inbox_says_there_may_be_more() -> None:
    work = FakeWork()
    for n in range(inbox.LIMIT + 3):
        await filed(work, WANG.id, f"第{n}件事")
    listed = await inbox.inbox(work, cadre(ZHENG))
    assert len(listed.lines) == inbox.LIMIT
    assert listed.more


async def test_a_case_opens_with_the_household_the_filed_words_and_the_trail() -> None:
    work = FakeWork()
    request = await filed(work, WANG.id, "院墙裂了")

    opened = await inbox.open_number(work, cadre(ZHENG), request.number.lower())

    assert opened.request == request
    assert opened.household == WANG
    assert opened.content == Content("院墙裂了")
    assert [line.kind for line in opened.trail] == ["filed", "routed"]
    # Tier 2 of the household and its township's supervisor may look too.
    assert (await inbox.open_case(work, cadre(LI_QIANG), request.id)).request == request
    assert (await inbox.open_case(work, cadre(SUN), request.id)).request == request


async def test_a_case_not_ones_own_reads_as_a_number_that_does_not_exist() -> None:
    work = FakeWork()
    request = await filed(work, WANG.id, "院墙裂了")
    with pytest.raises(NotFound):
        await inbox.open_number(work, cadre(FENG), request.number)
    with pytest.raises(NotFound):
        await inbox.open_case(work, cadre(FENG), request.id)
    with pytest.raises(NotFound):
        await inbox.open_number(work, cadre(ZHENG), "LX-2031-999999")
    with pytest.raises(NotFound):
        await inbox.open_case(work, cadre(ZHENG), 99999)


async def test_a_villager_has_no_inbox() -> None:
    work = FakeWork()
    request = await filed(work, WANG.id, "院墙裂了")
    with pytest.raises(CadresOnly):
        await inbox.inbox(work, villager())
    with pytest.raises(CadresOnly):
        await inbox.open_number(work, villager(), request.number)
