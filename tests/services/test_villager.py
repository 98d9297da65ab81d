"""What a bound villager asks besides filing, as use cases over in-memory fakes: /my
lists only the phone's households' requests and opens only those, /cadres needs a
household spoken for, and a forged household button changes nothing."""

from __future__ import annotations

import pytest

from bot.domain.members import NoHousehold
from bot.domain.requests import Content, NotAllowed
from bot.services import filing, villager
from bot.services.filing import Filed
from bot.services.identity import Identity
from bot.services.villager import NotAVillager
from tests.services.fakes_villager import (
    DEADLINES,
    GRANDMA,
    IDLE,
    LI,
    NEIGHBOUR,
    SON,
    WANG,
    ZHENG,
    FakeWork,
)
from tests.services.fakes_villager import villager as phone


async def file(work: FakeWork, who: Identity, text: str) -> int:
    done = await filing.file_or_join(
        work, who, Content(text=text), message_id=1, idle=IDLE, deadlines=DEADLINES
    )
    assert isinstance(done, Filed)
    work.later(hours=1)  # the next message files anew
    return done.request.id


async def test_my_lists_only_the_phones_households_newest_first() -> None:
    work = FakeWork()
    lamp = await file(work, phone(GRANDMA), "路灯坏了")
    pipe = await file(work, phone(NEIGHBOUR), "水管漏了")
    subsidy = await file(work, phone(SON), "低保的事")

    mine = await villager.my_requests(work, phone(GRANDMA))

    assert [m.request.id for m in mine.requests] == [subsidy, lamp]
    assert not mine.several
    assert [m.head_name for m in mine.requests] == [WANG.head_name] * 2
    theirs = await villager.my_requests(work, phone(NEIGHBOUR))
    assert [m.request.id for m in theirs.requests] == [pipe]


async def test_one_request_opens_with_its_trail_only_for_its_household() -> None:
    work = FakeWork()
    lamp = await file(work, phone(GRANDMA), "路灯坏了")
    number = work.requests.rows[lamp].number

    found = await villager.my_request(work, phone(SON), number.lower())
    assert found is not None
    assert found.found.handler_name == ZHENG.name
    assert [line.kind for line in found.trail] == ["filed", "routed"]

    assert await villager.my_request(work, phone(NEIGHBOUR), number) is None
    with pytest.raises(NotAllowed):  # the 查看 button, forged
        await villager.detail(work, phone(NEIGHBOUR), lamp)


async def test_an_unbound_phone_has_no_requests_to_list() -> None:
    work = FakeWork()
    stranger = Identity(999, admin=False, cadre=None, households=(), current=None)

    with pytest.raises(NotAVillager):
        await villager.my_requests(work, stranger)
    with pytest.raises(NotAVillager):
        await villager.my_request(work, stranger, "LX-2031-000001")


async def test_cadres_are_the_current_households_and_a_shared_phone_chooses_first() -> None:
    work = FakeWork()

    found = await villager.cadres(work, phone(GRANDMA))
    assert found.household == WANG
    assert [linked.cadre.id for linked in found.cadres] == ["K007", "K004", "K001"]

    with pytest.raises(NoHousehold):
        await villager.cadres(work, phone(GRANDMA, WANG, LI))


async def test_a_shared_phone_chooses_only_among_its_own_households() -> None:
    work = FakeWork()

    assert await villager.choose(work, phone(GRANDMA, WANG, LI), LI.id) == LI
    assert work.people.focus_of == {GRANDMA: LI.id}

    assert await villager.choose(work, phone(SON), LI.id) is None  # a forged button
    assert SON not in work.people.focus_of
