"""/away as a use case over in-memory fakes: a date the rules refuse writes nothing and
tells no one; a good one names the backup and tells the supervisor; back again ends it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.away import BadDate, PastDate, TooFar
from bot.services import away
from bot.services.casework import CadresOnly
from tests.services.fakes_cadre import LI_QIANG, WANG_LEI, ZHENG, FakeWork, cadre, villager

ZONE = ZoneInfo("Asia/Shanghai")
LONGEST = timedelta(days=90)
HER = cadre(ZHENG)


async def test_a_bad_past_or_too_far_date_is_refused_and_nothing_is_written() -> None:
    work = FakeWork()  # 2031-03-04 08:00 local
    with pytest.raises(BadDate):
        await away.set_away(work, HER, "next week", ZONE, LONGEST)
    with pytest.raises(PastDate) as past:
        await away.set_away(work, HER, "2031-03-04", ZONE, LONGEST)  # today has begun
    assert past.value.day.isoformat() == "2031-03-04"  # "2031-03-04 已经过去了"
    with pytest.raises(TooFar) as far:
        await away.set_away(work, HER, "9999-12-31", ZONE, LONGEST)
    assert far.value.latest.isoformat() == "2031-06-02"  # "最长只能登记外出到 2031-06-02"
    assert work.absences.away == {}
    assert await away.away_until(work, HER) is None


async def test_away_names_the_backup_and_the_supervisors_to_tell() -> None:
    work = FakeWork()
    gone = await away.set_away(work, HER, " 2031-03-14 ", ZONE, LONGEST)

    back_on = datetime(2031, 3, 14, tzinfo=ZONE)  # back when that day begins, local time
    assert gone.until == back_on
    assert gone.backup == WANG_LEI  # her B post takes her new requests
    assert gone.supervisors == (3003,)  # 孙丽 hears of it
    assert work.absences.away == {ZHENG.id: back_on}
    assert await away.away_until(work, HER) == back_on

    work.now = back_on
    assert await away.away_until(work, HER) is None  # the day has come: not away


async def test_a_cadre_without_a_backup_is_told_so() -> None:
    gone = await away.set_away(FakeWork(), cadre(LI_QIANG), "2031-03-14", ZONE, LONGEST)
    assert gone.backup is None
    assert gone.supervisors == ()


async def test_back_ends_it_once() -> None:
    work = FakeWork()
    await away.set_away(work, HER, "2031-03-14", ZONE, LONGEST)
    assert await away.come_back(work, HER)  # "欢迎回来"
    assert not await away.come_back(work, HER)  # "您现在不是外出状态"
    assert work.absences.away == {}


async def test_a_villager_cannot_be_away() -> None:
    work = FakeWork()
    with pytest.raises(CadresOnly):
        await away.set_away(work, villager(), "2031-03-14", ZONE, LONGEST)
    with pytest.raises(CadresOnly):
        await away.away_until(work, villager())
    with pytest.raises(CadresOnly):
        await away.come_back(work, villager())
    assert work.absences.away == {}
