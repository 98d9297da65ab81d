"""公示 and reception over fakes: who may publish, what a draft reaches, publishing once,
forged and repeated presses, the length limits, and the 接待日 answer."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import announce as rules
from bot.domain.members import NoHousehold
from bot.domain.requests import NotAllowed
from bot.domain.roster import Rank
from bot.domain.schedule import Repeat, Rules
from bot.services import announce
from tests.services.fakes_announce import SUN, WANG, ZHENG, FakeWork, cadre, villager

ZONE = ZoneInfo("Asia/Shanghai")
IDLE = timedelta(minutes=30)


async def test_a_village_cadre_reaches_the_bound_phones_of_their_village_opted_in() -> None:
    work = FakeWork()
    work.notices.off.add("H0002")  # 李大山's household switched notices off
    draft = await announce.draft(work, cadre(ZHENG), "  明天上午村委会议  ", None)
    assert draft.region_name == "柳树村"
    assert (draft.households, draft.chats) == (1, 2)  # H0001's two phones; H0003 has none
    published = await announce.publish(work, cadre(ZHENG), draft.announcement.id)
    assert [r.chat for r in published.recipients] == [101, 102]
    assert published.announcement.text == "明天上午村委会议"
    assert published.cadre == ZHENG


async def test_a_draft_is_published_once_and_a_cancelled_one_never() -> None:
    work = FakeWork()
    first = await announce.draft(work, cadre(ZHENG), "停水通知", None)
    await announce.publish(work, cadre(ZHENG), first.announcement.id)
    with pytest.raises(NotAllowed):
        await announce.publish(work, cadre(ZHENG), first.announcement.id)  # pressed twice
    second = await announce.draft(work, cadre(ZHENG), "作废", None)
    await announce.cancel(work, cadre(ZHENG), second.announcement.id)
    with pytest.raises(NotAllowed):
        await announce.publish(work, cadre(ZHENG), second.announcement.id)
    assert not work.notices.stored[second.announcement.id].published


async def test_another_cadres_or_an_unknown_draft_is_refused_and_stays_a_draft() -> None:
    work = FakeWork()
    draft = await announce.draft(work, cadre(ZHENG), "通知", None)
    for who, found in ((cadre(SUN, 903), draft.announcement.id), (cadre(ZHENG), 999)):
        with pytest.raises(NotAllowed):
            await announce.publish(work, who, found)
    with pytest.raises(NotAllowed):
        await announce.cancel(work, villager(101, "H0001"), draft.announcement.id)
    assert work.notices.stored[draft.announcement.id].draft


async def test_a_supervisor_publishes_to_their_region_and_others_may_not() -> None:
    work = FakeWork()
    draft = await announce.draft(work, cadre(SUN), "政策通知", None)
    assert draft.region_name == "东坪镇"
    assert draft.households == 2
    for who in (cadre(WANG), villager(101, "H0001")):  # a section chief supervising nothing
        with pytest.raises(rules.NotPublisher):
            await announce.draft(work, who, "x", None)
    assert len(work.notices.stored) == 1


async def test_too_long_or_empty_is_refused_with_the_length_and_the_limit() -> None:
    work = FakeWork()
    with pytest.raises(rules.TooLong) as text:
        await announce.draft(work, cadre(ZHENG), "字" * 4001, None)
    assert (text.value.length, text.value.limit) == (4001, 4000)
    with pytest.raises(rules.TooLong) as caption:
        await announce.draft(work, cadre(ZHENG), "😀" * 500, "photo-id")  # 1,000 UTF-16 units
    assert (caption.value.length, caption.value.limit) == (1000, 928)
    with pytest.raises(rules.Empty):
        await announce.draft(work, cadre(ZHENG), "   ", None)
    assert work.notices.stored == {}
    draft = await announce.draft(work, cadre(ZHENG), "字" * 4000, None)  # just fits
    assert draft.announcement.id == 1


async def test_the_message_after_announce_is_the_draft_while_fresh() -> None:
    work = FakeWork()
    await announce.ask(work, cadre(ZHENG))
    draft = await announce.caught(work, cadre(ZHENG), "", "photo-id", IDLE)
    assert draft is not None
    assert draft.announcement.photo == "photo-id"
    assert await announce.caught(work, cadre(ZHENG), "next", None, IDLE) is None  # asked once
    await announce.ask(work, cadre(ZHENG))
    work.now += IDLE + timedelta(seconds=1)
    assert await announce.caught(work, cadre(ZHENG), "too late", None, IDLE) is None
    assert work.notices.asks == {}


async def test_reception_lists_service_days_and_who_receives_when() -> None:
    work = FakeWork()  # Tuesday 2031-03-04, 09:00 local
    schedule = Rules(ZONE, (15, 16), reception={Rank.TOWNSHIP_SECRETARY: Repeat("weekly", 0)})
    found = await announce.reception(work, villager(101, "H0001"), schedule)
    assert found.service_days == (date(2031, 3, 15), date(2031, 3, 16))
    shown = [(r.cadre.name, r.role) for r in found.cadres]
    assert shown == [("郑小红", "linked"), ("孙丽", "linked")]  # 孙丽 linked and leader: once
    assert found.cadres[0].next_day is None  # village cadres: no reception day configured
    assert found.cadres[1].next_day == date(2031, 3, 10)  # the next Monday
    with pytest.raises(NoHousehold):
        await announce.reception(work, villager(101, "H0001", "H0002"), schedule)


def test_service_days_past_the_month_end_roll_to_the_next_month() -> None:
    schedule = Rules(ZONE, (15, 16))
    assert rules.next_service_days(schedule, date(2031, 3, 16)) == [
        date(2031, 3, 16),
        date(2031, 4, 15),
    ]
