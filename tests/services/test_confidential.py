"""Confidential complaints as use cases over in-memory fakes: choosing the cadre sends
nothing; the next message files the complaint for the supervisor above the accused and
for no one else; a forged choice is refused and changes nothing; the accused may not
act on it, nor be handed it or escalated to; "about my cadre" makes an ordinary request
confidential and withdraws the accused's copies; a reply is labelled with its writer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain import requests as rules
from bot.domain.lifecycle import Event
from bot.domain.requests import Audience, Content, NotAllowed
from bot.domain.routing import Candidate, Why, excluding, route
from bot.domain.talking import Purpose
from bot.services import casework, confidential, filing
from bot.services.filing import Filed
from bot.services.identity import Identity
from bot.services.notices import Notice
from tests.services.fakes_confidential import FakeComplaintWork
from tests.services.fakes_villager import (
    ACCOUNTS,
    CHEN,
    DEADLINES,
    GRANDMA,
    IDLE,
    NEIGHBOUR,
    ZHENG,
    ZHOU,
    villager,
)

WORDS = Content(text="村干部郑小红收了我家200块钱才给办低保")


def told(notices: tuple[Notice, ...]) -> set[int]:
    return {user for n in notices for user in n.to}


async def complain(work: FakeComplaintWork) -> confidential.Complained:
    chosen = await confidential.choose(work, villager(GRANDMA), ZHENG.id)
    assert (chosen.accused, chosen.supervisor) == (ZHENG, CHEN)
    done = await confidential.file_if_asked(work, villager(GRANDMA), WORDS, DEADLINES)
    assert done is not None
    return done


async def test_choices_are_the_households_cadres() -> None:
    found = await confidential.choices(FakeComplaintWork(), villager(GRANDMA))
    assert [c.cadre for c in found.cadres][:2] == [ZHENG, ZHOU]


async def test_the_complaint_goes_only_to_the_supervisor_above_the_accused() -> None:
    work = FakeComplaintWork()
    done = await complain(work)

    assert (done.request.handler_id, done.request.accused_id) == (CHEN.id, ZHENG.id)
    assert done.supervisor == CHEN
    assert told(done.notices) == {ACCOUNTS[CHEN.id]}
    assert ACCOUNTS[ZHENG.id] not in told(done.notices)
    assert work.complaints.asked_by == {}  # one message, one complaint
    talk = work.conversations.talks[GRANDMA]  # a follow-up joins it (for the supervisor)
    assert (talk.request_id, talk.purpose) == (done.request.id, Purpose.TALKING)


async def test_an_ordinary_message_is_not_a_complaint() -> None:
    work = FakeComplaintWork()
    assert await confidential.file_if_asked(work, villager(GRANDMA), WORDS, DEADLINES) is None
    assert work.requests.rows == {}


async def test_a_forged_choice_is_refused_and_changes_nothing() -> None:
    work = FakeComplaintWork()
    for who, cadre_id in ((villager(NEIGHBOUR), ZHOU.id), (villager(GRANDMA), "K999")):
        with pytest.raises(NotAllowed):
            await confidential.choose(work, who, cadre_id)
    assert work.complaints.asked_by == {}
    assert work.requests.rows == {}


async def test_the_accused_may_not_act_on_it_nor_be_given_it() -> None:
    work = FakeComplaintWork()
    request = (await complain(work)).request
    for event in (Event.ACKNOWLEDGED, Event.REPLIED, Event.RESOLVED, Event.ESCALATED):
        with pytest.raises(NotAllowed):
            await rules.may_act(work.requests, request.id, ZHENG.id, event)
    with pytest.raises(NotAllowed):
        await rules.hand_over(work.requests, work.now, request.id, CHEN.id, ZHENG.id)
    trail = list(work.requests.trail_of)
    with pytest.raises(NotAllowed):  # no one above the supervisor: never back down to her
        await rules.escalate(work.requests, work.now, request.id, "system")
    assert work.requests.trail_of == trail


async def test_about_my_cadre_makes_it_confidential_and_withdraws_her_copies() -> None:
    work = FakeComplaintWork()
    filed = await filing.file_or_join(
        work, villager(GRANDMA), WORDS, message_id=7, idle=IDLE, deadlines=DEADLINES
    )
    assert isinstance(filed, Filed)
    request = filed.request
    assert request.handler_id == ZHENG.id
    work.complaints.sent[(ACCOUNTS[ZHENG.id], request.number)] = [41, 42]

    moved = await confidential.about_my_cadre(work, villager(GRANDMA), request.id)

    assert (moved.request.handler_id, moved.request.accused_id) == (CHEN.id, ZHENG.id)
    assert moved.withdrawn == confidential.Withdrawn(ACCOUNTS[ZHENG.id], (41, 42))
    audiences = {(n.tell.audience, n.to) for n in moved.notices}
    assert (Audience.HANDLER, (ACCOUNTS[CHEN.id],)) in audiences
    assert ACCOUNTS[ZHENG.id] not in told(moved.notices)


def test_the_accused_never_stands_in_as_a_backup() -> None:
    """周建国 is away and 郑小红 is his backup: without her, it goes to the supervisor."""
    now = FakeComplaintWork().now
    accused = Candidate(ZHENG.id, 1, True, None)
    chain = [Candidate(ZHOU.id, 1, True, now + timedelta(days=3), backup=accused), accused]
    supervisor = Candidate(CHEN.id, 0, True, None)
    assert route(chain, [supervisor], now).cadre_id == ZHENG.id
    chosen = route(excluding(chain, ZHENG.id), [supervisor], now)
    assert (chosen.cadre_id, chosen.why) == (CHEN.id, Why.SUPERVISOR)


async def test_the_supervisor_is_not_offered_the_accused_to_hand_it_to() -> None:
    work = FakeComplaintWork()
    request = (await complain(work)).request
    supervisor = Identity(ACCOUNTS[CHEN.id], admin=False, cadre=CHEN, households=(), current=None)
    found = await casework.handover_choices(work, supervisor, request.id)  # type: ignore[arg-type]
    assert ZHENG not in [c.cadre for c in found.cadres]
    assert ZHOU in [c.cadre for c in found.cadres]


async def test_the_supervisors_above_can_be_reported_but_not_past_the_top() -> None:
    work = FakeComplaintWork()
    found = await confidential.choices(work, villager(NEIGHBOUR))  # 李大山: only 郑小红 linked
    assert ([c.cadre for c in found.cadres], found.above) == ([ZHENG], (CHEN,))
    with pytest.raises(confidential.NoOneAbove):  # no one supervises above 陈志强
        await confidential.choose(work, villager(NEIGHBOUR), CHEN.id)
    assert work.complaints.asked_by == {}


async def test_a_complaint_written_a_day_later_still_goes_confidentially() -> None:
    work = FakeComplaintWork()
    await confidential.choose(work, villager(GRANDMA), ZHENG.id)
    work.later(hours=30)  # past any conversation's idle time
    done = await confidential.file_if_asked(work, villager(GRANDMA), WORDS, DEADLINES)
    assert done is not None
    assert told(done.notices) == {ACCOUNTS[CHEN.id]}


async def test_a_complaint_that_can_no_longer_go_confidentially_goes_nowhere() -> None:
    """陈志强 chosen, then no one above him: the message is refused, never filed the
    ordinary way."""
    work = FakeComplaintWork()
    await work.complaints.ask(GRANDMA, "H0001", CHEN.id, work.now)
    with pytest.raises(confidential.NoOneAbove):
        await confidential.file_if_asked(work, villager(GRANDMA), WORDS, DEADLINES)
    assert work.requests.rows == {}


async def test_about_my_cadre_with_no_one_above_the_handler_is_refused() -> None:
    work = FakeComplaintWork()
    work.county.accounts.pop(ZHENG.id)
    work.county.accounts.pop(ZHOU.id)  # no one of the chain bound: 陈志强 handles it
    filed = await filing.file_or_join(
        work, villager(GRANDMA), WORDS, message_id=7, idle=IDLE, deadlines=DEADLINES
    )
    assert isinstance(filed, Filed)
    assert filed.request.handler_id == CHEN.id
    trail = list(work.requests.trail_of)
    with pytest.raises(NotAllowed):
        await confidential.about_my_cadre(work, villager(GRANDMA), filed.request.id)
    assert work.requests.trail_of == trail


async def test_the_regions_discipline_contact_receives_it_first() -> None:
    """The township names 周建国 its discipline contact: the complaint about 郑小红 goes
    to him, not to the supervisor; 郑小红 hears nothing."""
    work = FakeComplaintWork()
    work.requests.discipline = [ZHOU.id]

    done = await complain_to(work, ZHOU)

    assert (done.request.handler_id, done.request.accused_id) == (ZHOU.id, ZHENG.id)
    assert told(done.notices) == {ACCOUNTS[ZHOU.id]}


async def test_without_a_reachable_discipline_contact_the_supervisor_receives_it() -> None:
    work = FakeComplaintWork()
    work.requests.discipline = [ZHOU.id]
    del work.county.accounts[ZHOU.id]  # not on Lianxin: the supervisor, as before
    assert (await complain_to(work, CHEN)).request.handler_id == CHEN.id


async def test_the_accused_is_never_the_discipline_contact_who_receives_it() -> None:
    work = FakeComplaintWork()
    work.requests.discipline = [ZHENG.id]  # she is the township's contact herself
    done = await complain_to(work, CHEN)
    assert ACCOUNTS[ZHENG.id] not in told(done.notices)


async def complain_to(work: FakeComplaintWork, expected: object) -> confidential.Complained:
    chosen = await confidential.choose(work, villager(GRANDMA), ZHENG.id)
    assert chosen.supervisor == expected  # the villager is told who will receive it
    done = await confidential.file_if_asked(work, villager(GRANDMA), WORDS, DEADLINES)
    assert done is not None
    return done
