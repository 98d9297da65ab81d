"""Threads, as use cases over in-memory fakes: a villager's swipe-reply joins the request
the bot's message was about (whatever the idle time says), or files anew if it is closed;
a cadre's swipe-reply answers the case with the 回复 button's checks (never the accused of
a confidential complaint); 「另起一件事」 takes a follow-up out into a request of its own,
once; a receipt names the household for a phone of several; and binding a second
household keeps the first until the person chooses."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain import requests
from bot.domain.lifecycle import Event, InvalidTransition, Status
from bot.domain.requests import Audience, Content, NotAllowed
from bot.domain.talking import Purpose
from bot.domain.threads import AlreadySplit
from bot.services import binding, casework, filing, threads, villager
from bot.services.binding import Joined as Bound
from bot.services.filing import Filed, Joined
from bot.services.identity import Identity, identify
from tests.services import fakes_binding, fakes_cadre
from tests.services.fakes_villager import (
    ACCOUNTS,
    DEADLINES,
    GRANDMA,
    IDLE,
    LI,
    NEIGHBOUR,
    WANG,
    ZHENG,
    FakeWork,
)
from tests.services.fakes_villager import villager as phone
from tests.services.test_binding import POLICY

RECEIPT = 500  # the bot's receipt in grandma's chat (a message id)


async def send(
    work: FakeWork, who: Identity, text: str, replied_to: int | None = None, message_id: int = 7
) -> Filed | Joined:
    return await filing.file_or_join(
        work,
        who,
        Content(text=text),
        message_id=message_id,
        idle=IDLE,
        deadlines=DEADLINES,
        replied_to=replied_to,
    )


async def receipt_of(work: FakeWork, who: Identity, text: str) -> Filed:
    """A request filed, its receipt remembered as the bot's message ``RECEIPT``."""
    done = await send(work, who, text)
    assert isinstance(done, Filed)
    work.outbox.sent(who.user_id, RECEIPT, done.request.id)
    return done


# --- the villager's swipe-reply -------------------------------------------------------


async def test_a_reply_to_an_old_receipt_joins_it_even_a_day_later() -> None:
    work, grandma = FakeWork(), phone(GRANDMA)
    old = await receipt_of(work, grandma, "村口的路灯坏了")
    work.later(hours=13)
    newer = await send(work, grandma, "低保的事想问问")  # another request, talked about now
    assert isinstance(newer, Filed)

    done = await send(work, grandma, "路灯还是不亮", replied_to=RECEIPT)

    assert isinstance(done, Joined)
    assert done.request.id == old.request.id
    assert work.requests.events(old.request.id)[-1] is Event.MESSAGE
    assert work.requests.events(newer.request.id) == [Event.FILED, Event.ROUTED]
    assert done.relay is not None
    assert done.relay.lane == ACCOUNTS[ZHENG.id]
    assert work.conversations.talks[GRANDMA].request_id == old.request.id


async def test_a_reply_to_a_closed_request_files_a_new_one_and_says_so() -> None:
    work, grandma = FakeWork(), phone(GRANDMA)
    old = await receipt_of(work, grandma, "村口的路灯坏了")
    await requests.withdraw(work.requests, work.now, old.request.id, GRANDMA)

    done = await send(work, grandma, "路灯又坏了", replied_to=RECEIPT)

    assert isinstance(done, Filed)
    assert done.request.id != old.request.id
    assert done.after is not None
    assert done.after.number == old.request.number
    assert done.request.household_id == WANG.id
    assert work.requests.events(old.request.id)[-1] is Event.WITHDRAWN  # nothing joined


async def test_a_reply_to_another_households_request_or_to_no_request_is_as_before() -> None:
    work = FakeWork()
    neighbour = await receipt_of(work, phone(NEIGHBOUR), "李家的事")
    work.outbox.sent(GRANDMA, RECEIPT + 1, neighbour.request.id)  # not her chat's, forged

    forged = await send(work, phone(GRANDMA), "我家的事", replied_to=RECEIPT + 1)
    plain = await send(work, phone(GRANDMA), "还有", replied_to=999)  # e.g. /help's answer

    assert isinstance(forged, Filed)
    assert forged.request.household_id == WANG.id
    assert isinstance(plain, Joined)
    assert plain.request.id == forged.request.id  # the conversation, as today
    assert work.requests.events(neighbour.request.id) == [Event.FILED, Event.ROUTED]


async def test_a_phone_of_two_households_replies_to_the_one_it_does_not_speak_for_now() -> None:
    work = FakeWork()
    work.county.members[GRANDMA] = [WANG, LI]
    for_li = phone(GRANDMA, WANG, LI, current=LI)
    li = await receipt_of(work, for_li, "李家的路")
    assert li.household == LI  # the receipt names the household
    for_wang = phone(GRANDMA, WANG, LI, current=WANG)

    done = await send(work, for_wang, "李家的路还是坏的", replied_to=RECEIPT)

    assert isinstance(done, Joined)
    assert done.request.id == li.request.id
    assert done.household == LI  # "为 李大山 家" in the answer


async def test_a_phone_of_one_household_is_not_told_which_household() -> None:
    work = FakeWork()
    done = await send(work, phone(GRANDMA), "有事")
    assert isinstance(done, Filed)
    assert done.household is None


# --- 另起一件事 -----------------------------------------------------------------------


async def follow_up(work: FakeWork) -> tuple[Filed, Joined]:
    grandma = phone(GRANDMA)
    first = await receipt_of(work, grandma, "村口的路灯坏了")
    work.later(minutes=5)
    joined = await send(work, grandma, "另外我家屋顶漏雨", message_id=8)
    assert isinstance(joined, Joined)
    return first, joined


async def test_another_matter_becomes_a_request_of_its_own() -> None:
    work = FakeWork()
    first, joined = await follow_up(work)  # relayed at once: the handler has it

    split = await threads.split(work, phone(GRANDMA), joined.follow_up, DEADLINES, quote=8)

    assert split.new.id != first.request.id
    assert work.requests.events(split.new.id) == [Event.FILED, Event.ROUTED]
    assert work.requests.trail_of[-1].detail == {"to": split.new.number}  # on the old one
    assert work.requests.events(first.request.id)[-1] is Event.SPLIT
    assert not split.moved
    assert split.told == ACCOUNTS[ZHENG.id]  # the old handler hears it is another matter
    receipt = next(n for n in split.notices if n.tell.audience is Audience.HOUSEHOLD)
    assert receipt.reply_to == (GRANDMA, 8)  # quoting her message
    card = next(n for n in split.notices if n.tell.audience is Audience.HANDLER)
    assert card.tell.content == Content(text="另外我家屋顶漏雨")
    assert work.conversations.talks[GRANDMA].request_id == split.new.id


async def test_a_follow_up_not_yet_relayed_moves_with_the_new_request() -> None:
    work = FakeWork()
    work.joins.pending[ACCOUNTS[ZHENG.id]] = 1  # the handler's chat is busy: it waits
    _, joined = await follow_up(work)
    work.follow_ups.waiting.add(work.follow_ups.joins[joined.follow_up])

    split = await threads.split(work, phone(GRANDMA), joined.follow_up, DEADLINES, quote=None)

    assert split.moved
    assert split.told is None


async def test_a_repeated_forged_or_anothers_press_changes_nothing() -> None:
    work = FakeWork()
    _, joined = await follow_up(work)
    await threads.split(work, phone(GRANDMA), joined.follow_up, DEADLINES, quote=None)
    before = (len(work.requests.rows), len(work.requests.trail_of))

    with pytest.raises(AlreadySplit):
        await threads.split(work, phone(GRANDMA), joined.follow_up, DEADLINES, quote=None)
    with pytest.raises(NotAllowed):
        await threads.split(work, phone(GRANDMA), 999, DEADLINES, quote=None)
    with pytest.raises(NotAllowed):  # her son's phone: not his message
        await threads.split(work, phone(102), joined.follow_up, DEADLINES, quote=None)

    assert (len(work.requests.rows), len(work.requests.trail_of)) == before


async def test_a_confidential_complaints_follow_up_is_never_split_to_the_household_chain() -> None:
    work = FakeWork()
    first, joined = await follow_up(work)
    secret = replace(work.requests.rows[first.request.id], accused_id=ZHENG.id)
    work.requests.rows[first.request.id] = secret
    before = len(work.requests.rows)

    with pytest.raises(NotAllowed):
        await threads.split(work, phone(GRANDMA), joined.follow_up, DEADLINES, quote=None)

    assert len(work.requests.rows) == before


# --- the cadre's swipe-reply ----------------------------------------------------------

CARD = 700  # the case card in the cadre's chat


async def case(work: fakes_cadre.FakeWork) -> requests.Request:
    done = await requests.file(
        work.requests,
        work.now,
        fakes_cadre.WANG.id,
        Content("水管漏水"),
        fakes_cadre.DEADLINES,
        by_user=fakes_cadre.GRANDMA,
    )
    for account in fakes_cadre.ACCOUNTS.values():
        work.outbox.sent(account, CARD, done.request.id)
    return done.request


async def answer(
    work: fakes_cadre.FakeWork, who: Identity, words: str
) -> casework.Acted | casework.Filed | None:
    content = Content(words)
    return await casework.message(work, who, content, fakes_cadre.RULES, replied_to=CARD)


async def test_a_cadres_swipe_reply_answers_the_villager() -> None:
    work = fakes_cadre.FakeWork()
    request = await case(work)

    done = await answer(work, fakes_cadre.cadre(fakes_cadre.ZHENG), "明天上午去修")

    assert isinstance(done, casework.Acted)
    assert done.event is Event.REPLIED
    assert done.request.status is Status.ACKNOWLEDGED
    (household,) = [n for n in done.notices if n.tell.audience is Audience.HOUSEHOLD]
    assert household.to == (fakes_cadre.GRANDMA, fakes_cadre.SON)
    assert household.tell.content == Content("明天上午去修")
    assert household.tell.cadre_id == fakes_cadre.ZHENG.id
    assert work.requests.trails[request.id][-1].kind == Event.REPLIED


async def test_a_swipe_reply_after_pressing_done_resolves_that_case() -> None:
    work = fakes_cadre.FakeWork()
    request = await case(work)
    handler = fakes_cadre.cadre(fakes_cadre.ZHENG)
    await casework.ask(work, handler, request.id, Purpose.RESOLVING)

    done = await answer(work, handler, "已修好")

    assert isinstance(done, casework.Acted)
    assert done.event is Event.RESOLVED
    assert fakes_cadre.ACCOUNTS[fakes_cadre.ZHENG.id] not in work.conversations.talks


async def test_a_cadre_who_may_not_reply_is_refused_and_nothing_changes() -> None:
    work = fakes_cadre.FakeWork()
    request = await case(work)
    trail = list(work.requests.trails[request.id])

    with pytest.raises(NotAllowed):
        await answer(work, fakes_cadre.cadre(fakes_cadre.FENG), "我来回复")

    assert work.requests.trails[request.id] == trail
    assert work.requests.rows[request.id].status is Status.OPEN


async def test_the_accused_can_never_answer_a_confidential_complaint_by_swipe_reply() -> None:
    work = fakes_cadre.FakeWork()
    request = await case(work)  # her copy of the card was sent before it became secret
    secret = replace(request, accused_id=fakes_cadre.ZHENG.id, handler_id=fakes_cadre.SUN.id)
    work.requests.rows[request.id] = secret
    trail = list(work.requests.trails[request.id])

    with pytest.raises(NotAllowed):
        await answer(work, fakes_cadre.cadre(fakes_cadre.ZHENG), "别乱说")
    done = await answer(work, fakes_cadre.cadre(fakes_cadre.SUN), "已收到，会核实")

    assert isinstance(done, casework.Acted)
    assert work.requests.trails[request.id][len(trail) :][0].actor == "cadre:K003"


async def test_a_swipe_reply_to_a_solved_case_is_refused() -> None:
    work = fakes_cadre.FakeWork()
    request = await case(work)
    handler = fakes_cadre.cadre(fakes_cadre.ZHENG)
    await requests.act(work.requests, work.now, request.id, fakes_cadre.ZHENG.id, Event.RESOLVED)

    with pytest.raises(InvalidTransition):
        await answer(work, handler, "还有一句")


# --- which household ------------------------------------------------------------------


async def asking(work: fakes_binding.FakeWork, user_id: int) -> Identity:
    return await identify(work.people, user_id, admins=())


async def test_binding_a_second_household_keeps_the_first_until_the_person_chooses() -> None:
    work = fakes_binding.FakeWork()
    await binding.bind(work, await asking(work, 501), "HouseholdCode001", POLICY)

    second = await binding.bind(work, await asking(work, 501), "NeighbourCode002", POLICY)

    assert isinstance(second, Bound)
    assert second.bound.household == fakes_binding.LI
    assert second.kept == fakes_binding.WANG  # 「切换到 李大山 家」/「仍为 王秀英 家」
    who = await asking(work, 501)
    assert who.current == fakes_binding.WANG  # not switched silently
    assert len(who.households) == 2
    chosen = await villager.choose(work, who, fakes_binding.LI.id)  # type: ignore[arg-type]
    assert chosen == fakes_binding.LI
    assert (await asking(work, 501)).current == fakes_binding.LI


async def test_a_first_binding_or_the_same_household_again_asks_nothing() -> None:
    work = fakes_binding.FakeWork()
    first = await binding.bind(work, await asking(work, 501), "HouseholdCode001", POLICY)
    again = await binding.bind(work, await asking(work, 501), "HouseholdCode001", POLICY)

    assert isinstance(first, Bound)
    assert first.kept is None
    assert isinstance(again, Bound)
    assert again.kept is None


async def test_idle_time_does_not_matter_for_a_reply() -> None:
    work, grandma = FakeWork(), phone(GRANDMA)
    old = await receipt_of(work, grandma, "村口的路灯坏了")
    work.later(seconds=IDLE.total_seconds() * 100)
    done = await send(work, grandma, "还没修", replied_to=RECEIPT)
    assert isinstance(done, Joined)
    assert done.request.id == old.request.id
    work.later(seconds=1)
    assert isinstance(await send(work, grandma, "再说一句"), Joined)  # the conversation now


async def test_a_follow_up_of_a_closed_request_is_not_split() -> None:
    work = FakeWork()
    first, joined = await follow_up(work)
    await requests.withdraw(work.requests, work.now, first.request.id, GRANDMA)
    before = len(work.requests.rows)

    with pytest.raises(InvalidTransition):
        await threads.split(work, phone(GRANDMA), joined.follow_up, DEADLINES, quote=None)

    assert len(work.requests.rows) == before
    assert work.follow_ups.rows[joined.follow_up].split_to is None
