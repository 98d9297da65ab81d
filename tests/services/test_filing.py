"""What a villager sends, as a use case over in-memory fakes: a message files a request
(the handler and the household are told, the receipt quotes it), one within the idle time
joins the request talked about (relayed now if the handler's chat has room, the villager
answered once, then once more, then not), and after it, or for another household, a new
request is filed."""

from __future__ import annotations

import pytest

from bot.domain.joining import Answer
from bot.domain.lifecycle import Event, Status
from bot.domain.members import NoHousehold
from bot.domain.requests import Audience, Content
from bot.domain.talking import Purpose
from bot.services import filing
from bot.services.filing import Filed, Joined
from bot.services.identity import Identity
from tests.services.fakes_villager import (
    ACCOUNTS,
    DEADLINES,
    GRANDMA,
    IDLE,
    LI,
    NEIGHBOUR,
    NOW,
    SON,
    WANG,
    ZHENG,
    FakeWork,
    villager,
)


async def send(
    work: FakeWork, who: Identity | int, text: str, message_id: int = 7
) -> Filed | Joined:
    identity = villager(who) if isinstance(who, int) else who
    return await filing.file_or_join(
        work, identity, Content(text=text), message_id=message_id, idle=IDLE, deadlines=DEADLINES
    )


async def filed(work: FakeWork, who: Identity | int, text: str, message_id: int = 7) -> Filed:
    done = await send(work, who, text, message_id)
    assert isinstance(done, Filed)
    return done


async def joined(work: FakeWork, who: Identity | int, text: str) -> Joined:
    done = await send(work, who, text)
    assert isinstance(done, Joined)
    return done


async def test_a_message_files_a_request_and_the_handler_and_household_are_told() -> None:
    work = FakeWork()

    done = await filed(work, GRANDMA, "村口的路灯坏了", message_id=41)

    request = done.request
    assert request.number == "LX-2031-000001"
    assert request.handler_id == ZHENG.id
    assert request.status is Status.OPEN
    assert request.respond_by == NOW + DEADLINES.acknowledge
    assert request.resolve_by == NOW + DEADLINES.resolve
    told = {(n.tell.audience, n.tell.what): n for n in done.notices}
    card = told[Audience.HANDLER, Event.FILED]
    assert card.to == (ACCOUNTS[ZHENG.id],)
    assert card.tell.content == Content(text="村口的路灯坏了")
    receipt = told[Audience.HOUSEHOLD, Event.ROUTED]
    assert receipt.to == (GRANDMA, SON)  # every phone of the household
    assert receipt.reply_to == (GRANDMA, 41)  # the receipt quotes her message
    assert receipt.handler == ZHENG
    assert work.requests.events(request.id) == [Event.FILED, Event.ROUTED]
    talk = work.conversations.talks[GRANDMA]
    assert (talk.request_id, talk.purpose) == (request.id, Purpose.TALKING)


async def test_a_message_within_the_idle_time_joins_and_reaches_the_handler() -> None:
    work = FakeWork()
    first = await filed(work, GRANDMA, "村口的路灯坏了")
    work.later(minutes=10)

    done = await joined(work, GRANDMA, "已经坏了三天")

    assert done.request.id == first.request.id
    assert work.requests.events(first.request.id)[-1] is Event.MESSAGE
    assert done.relay is not None
    assert done.relay.lane == ACCOUNTS[ZHENG.id]
    assert [j.content.text for j in done.relay.taken] == ["已经坏了三天"]
    assert work.joins.left(first.request.id) == []  # the row left with its relay
    assert done.answer is Answer.JOINED
    assert done.handler == ZHENG
    assert not done.reason
    assert done.notices == ()  # the handler hears through the relay, not twice
    assert len(work.requests.rows) == 1


async def test_after_the_idle_time_a_message_files_a_new_request() -> None:
    work = FakeWork()
    first = await filed(work, GRANDMA, "村口的路灯坏了")
    work.later(seconds=IDLE.total_seconds())

    second = await filed(work, GRANDMA, "另外，低保的事想问问")

    assert second.request.id != first.request.id
    assert work.conversations.talks[GRANDMA].request_id == second.request.id


async def test_a_shared_phone_speaking_for_another_household_files_anew() -> None:
    work = FakeWork()
    work.county.members[GRANDMA] = [WANG, LI]
    first = await filed(work, villager(GRANDMA, WANG, LI, current=WANG), "有事")
    work.later(minutes=1)

    second = await filed(work, villager(GRANDMA, WANG, LI, current=LI), "有事")

    assert second.request.household_id == LI.id != first.request.household_id
    assert work.requests.events(first.request.id) == [Event.FILED, Event.ROUTED]


async def test_a_flood_is_answered_twice_and_waits_while_the_handler_has_calls_waiting() -> None:
    work = FakeWork()
    request = (await filed(work, GRANDMA, "村口的路灯坏了")).request
    work.joins.pending[ACCOUNTS[ZHENG.id]] = 1  # the case card is still on its way

    answers = []
    for n in range(4):
        done = await joined(work, GRANDMA, f"补充{n}")
        assert done.relay is None
        answers.append(done.answer)

    assert answers == [Answer.JOINED, Answer.ALL_RECEIVED, None, None]
    assert work.joins.left(request.id) == ["补充0", "补充1", "补充2", "补充3"]
    assert work.requests.events(request.id).count(Event.MESSAGE) == 4  # in the trail at once
    work.later(seconds=30)
    assert (await joined(work, GRANDMA, "又一条")).answer is Answer.JOINED  # a new window


async def test_the_message_after_not_solved_is_the_reason_for_the_handler() -> None:
    work = FakeWork()
    request = (await filed(work, GRANDMA, "村口的路灯坏了")).request
    await work.conversations.set(GRANDMA, request.id, Purpose.REOPENING, work.now)

    done = await joined(work, GRANDMA, "灯还是不亮")

    assert done.reason
    assert work.conversations.talks[GRANDMA].purpose is Purpose.TALKING


async def test_another_households_phone_never_joins_a_request_not_its_own() -> None:
    work = FakeWork()
    request = (await filed(work, GRANDMA, "村口的路灯坏了")).request
    # A forged or stale conversation row pointing at WANG's request:
    await work.conversations.set(NEIGHBOUR, request.id, Purpose.TALKING, work.now)

    done = await filed(work, NEIGHBOUR, "我家的水管漏了")

    assert done.request.household_id == LI.id
    assert work.requests.events(request.id) == [Event.FILED, Event.ROUTED]


async def test_a_phone_that_speaks_for_no_household_files_nothing() -> None:
    work = FakeWork()
    work.county.members[GRANDMA] = [WANG, LI]

    with pytest.raises(NoHousehold):
        await send(work, villager(GRANDMA, WANG, LI), "有事")

    assert work.requests.rows == {}
