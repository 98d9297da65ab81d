"""督办 as use cases over in-memory fakes (``fakes_supervision``): a supervisor urges (with
a note or at once), takes a case (包案), assigns it to a department (交办) or moves it up;
who hears what; and every refusal (not their jurisdiction, a villager, a forged request or
department, a closed case, a confidential complaint about them) changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain import requests
from bot.domain.lifecycle import Event, InvalidTransition, Status
from bot.domain.requests import Audience, Content, NotAllowed, Request
from bot.domain.talking import Purpose
from bot.services import inbox, supervision
from bot.services.casework import CadresOnly
from bot.services.identity import Identity
from bot.services.notices import Notice
from bot.services.supervision import DECIDED
from tests.services.fakes_cadre import (
    ACCOUNTS,
    DEADLINES,
    FENG,
    GRANDMA,
    LI_QIANG,
    SON,
    SUN,
    WANG,
    ZHENG,
    cadre,
    villager,
)
from tests.services.fakes_supervision import POWER, WATER, FakeSupervisionWork

SUPERVISOR = cadre(SUN)
IDLE = timedelta(minutes=30)


async def filed(work: FakeSupervisionWork) -> Request:
    """王秀英's request: 郑小红 (tier 1) handles it; 孙丽 supervises the township."""
    done = await requests.file(
        work.requests, work.now, WANG.id, Content("水管漏水"), DEADLINES, by_user=GRANDMA
    )
    return done.request


def to(notices: tuple[Notice, ...], audience: Audience) -> list[Notice]:
    return [n for n in notices if n.tell.audience is audience]


def events(work: FakeSupervisionWork, request: Request) -> list[str]:
    return [line.kind for line in work.requests.trails[request.id]]


async def test_urge_with_a_note_reaches_the_handler_at_once() -> None:
    work = FakeSupervisionWork()
    request = await filed(work)

    asked = await supervision.ask_note(work, SUPERVISOR, request.id)
    assert asked.request.id == request.id
    assert work.conversations.talks[SUPERVISOR.user_id].purpose is Purpose.URGING
    work.now += timedelta(minutes=5)
    urged = await supervision.note(work, SUPERVISOR, Content("今天务必回复村民"), IDLE)

    assert urged is not None
    assert urged.note == "今天务必回复村民"
    (handler,) = to(urged.notices, Audience.HANDLER)
    assert handler.to == (ACCOUNTS[ZHENG.id],)
    assert handler.tell.what is Event.URGED
    assert handler.tell.cadre_id == SUN.id
    assert handler.tell.content == Content("今天务必回复村民")
    assert to(urged.notices, Audience.HOUSEHOLD) == []  # the note is for the handler
    assert events(work, request)[-1] == Event.URGED
    assert work.requests.trails[request.id][-1].detail == {"urge_note": "今天务必回复村民"}
    assert SUPERVISOR.user_id not in work.conversations.talks  # one note per press


async def test_urge_now_needs_no_note_and_a_late_note_is_not_taken() -> None:
    work = FakeSupervisionWork()
    request = await filed(work)
    await supervision.ask_note(work, SUPERVISOR, request.id)

    urged = await supervision.urge(work, SUPERVISOR, request.id)
    assert urged.note == ""
    assert to(urged.notices, Audience.HANDLER)[0].tell.content is None
    assert SUPERVISOR.user_id not in work.conversations.talks

    await supervision.ask_note(work, SUPERVISOR, request.id)
    work.now += IDLE + timedelta(minutes=1)
    assert await supervision.note(work, SUPERVISOR, Content("晚了"), IDLE) is None
    assert events(work, request).count(Event.URGED) == 1


async def test_an_ordinary_cadre_message_is_no_note() -> None:
    work = FakeSupervisionWork()
    assert await supervision.note(work, cadre(ZHENG), Content("回复"), IDLE) is None


async def test_take_makes_the_supervisor_the_leader_and_the_handler_keeps_the_work() -> None:
    work = FakeSupervisionWork()
    request = await filed(work)

    taken = await supervision.take(work, SUPERVISOR, request.id)

    assert taken.request.leader_id == SUN.id
    assert taken.request.handler_id == ZHENG.id
    assert work.supervision.leaders == {request.id: SUN.id}
    assert to(taken.notices, Audience.HANDLER)[0].to == (ACCOUNTS[ZHENG.id],)
    assert to(taken.notices, Audience.HOUSEHOLD)[0].to == (GRANDMA, SON)
    assert events(work, request)[-1] == Event.TAKEN
    with pytest.raises(NotAllowed):  # taken once
        await supervision.take(work, SUPERVISOR, request.id)


async def test_assign_gives_the_case_to_the_departments_contact() -> None:
    work = FakeSupervisionWork()
    request = await filed(work)
    work.now += timedelta(hours=3)

    choices = await supervision.department_choices(work, SUPERVISOR, request.id)
    assert choices.departments == (POWER,)  # 水利站 serves another village
    assert choices.contacts[FENG.id] == FENG

    assigned = await supervision.assign(work, SUPERVISOR, request.id, POWER.id, DEADLINES)

    moved = assigned.request
    assert (moved.handler_id, assigned.handler, assigned.department) == (FENG.id, FENG, POWER)
    assert moved.respond_by == work.now + DEADLINES.acknowledge  # counted from now
    (new,) = to(assigned.notices, Audience.HANDLER)
    assert new.to == (ACCOUNTS[FENG.id],)
    assert new.first == Content("水管漏水")
    assert new.previous == ZHENG.id
    assert new.trail
    (old,) = to(assigned.notices, Audience.CADRE)
    assert old.to == (ACCOUNTS[ZHENG.id],)
    assert to(assigned.notices, Audience.HOUSEHOLD)[0].to == (GRANDMA, SON)
    detail = work.requests.trails[request.id][-1].detail
    assert detail == {"from": ZHENG.id, "department": POWER.id, "department_name": "供电所"}
    # The department's contact now answers as its handler.
    await requests.may_act(work.requests, request.id, FENG.id, Event.REPLIED)


@pytest.mark.parametrize("department_id", [WATER.id, "D99", "", "x" * 200, "D01:1"])
async def test_assign_to_a_department_not_serving_the_household_is_refused(
    department_id: str,
) -> None:
    work = FakeSupervisionWork()
    request = await filed(work)
    before = list(work.requests.trails[request.id])

    with pytest.raises(NotAllowed):
        await supervision.assign(work, SUPERVISOR, request.id, department_id, DEADLINES)

    assert work.requests.rows[request.id] == request
    assert work.requests.trails[request.id] == before


async def test_move_up_escalates_by_the_supervisors_decision() -> None:
    work = FakeSupervisionWork()
    request = await filed(work)

    moved = await supervision.move_up(work, SUPERVISOR, request.id, DEADLINES)

    assert moved.request.handler_id == LI_QIANG.id
    assert moved.handler == LI_QIANG
    last = work.requests.trails[request.id][-1]
    assert (last.kind, last.actor) == (Event.ESCALATED, f"cadre:{SUN.id}")
    assert last.detail["reason"] == DECIDED
    assert to(moved.notices, Audience.HANDLER)[0].to == (ACCOUNTS[LI_QIANG.id],)


async def test_move_up_with_no_one_above_changes_nothing() -> None:
    work = FakeSupervisionWork()
    request = await filed(work)
    top = replace(request, handler_id=SUN.id, tier=9)
    work.requests.rows[request.id] = top
    with pytest.raises(supervision.NoOneAbove):
        await supervision.move_up(work, SUPERVISOR, request.id, DEADLINES)
    assert work.requests.rows[request.id] == top


async def test_only_a_supervisor_of_the_household_may_act() -> None:
    work = FakeSupervisionWork()
    request = await filed(work)
    before = list(work.requests.trails[request.id])
    acts: list[Callable[[Identity], Awaitable[object]]] = [
        lambda who: supervision.ask_note(work, who, request.id),
        lambda who: supervision.urge(work, who, request.id, "快"),
        lambda who: supervision.take(work, who, request.id),
        lambda who: supervision.department_choices(work, who, request.id),
        lambda who: supervision.assign(work, who, request.id, POWER.id, DEADLINES),
        lambda who: supervision.move_up(work, who, request.id, DEADLINES),
    ]
    for act in acts:
        with pytest.raises(NotAllowed):  # a cadre of the chain, not a supervisor
            await act(cadre(LI_QIANG))
        with pytest.raises(CadresOnly):
            await act(villager(GRANDMA))
    assert work.requests.trails[request.id] == before
    assert work.requests.rows[request.id] == request
    assert work.supervision.leaders == {}
    assert work.conversations.talks == {}


@pytest.mark.parametrize("request_id", [0, 2, 999_999_999_999])
async def test_a_forged_request_id_is_refused(request_id: int) -> None:
    work = FakeSupervisionWork()
    await filed(work)
    with pytest.raises(NotAllowed):
        await supervision.take(work, SUPERVISOR, request_id)
    with pytest.raises(NotAllowed):
        await supervision.urge(work, SUPERVISOR, request_id)
    assert work.supervision.leaders == {}


async def test_a_closed_request_is_not_supervised_any_more() -> None:
    work = FakeSupervisionWork()
    request = await filed(work)
    work.requests.rows[request.id] = replace(request, status=Status.CLOSED)
    for act in (supervision.take, supervision.urge, supervision.ask_note):
        with pytest.raises(InvalidTransition):
            await act(work, SUPERVISOR, request.id)


async def test_the_handler_does_not_urge_themselves() -> None:
    work = FakeSupervisionWork()
    request = await filed(work)
    work.requests.rows[request.id] = replace(request, handler_id=SUN.id)
    with pytest.raises(NotAllowed):
        await supervision.urge(work, SUPERVISOR, request.id)


async def test_a_confidential_complaint_is_never_the_accuseds_to_supervise() -> None:
    work = FakeSupervisionWork()
    request = await filed(work)
    work.requests.rows[request.id] = replace(request, accused_id=SUN.id, handler_id=LI_QIANG.id)
    for act in (supervision.take, supervision.urge, supervision.department_choices):
        with pytest.raises(NotAllowed):
            await act(work, SUPERVISOR, request.id)


async def test_a_confidential_complaint_is_never_assigned_to_the_accused() -> None:
    """供电所's contact 冯涛 is the accused: 供电所 is not offered, and a forged press for
    it is refused."""
    work = FakeSupervisionWork()
    request = await filed(work)
    work.requests.rows[request.id] = replace(request, accused_id=FENG.id)

    choices = await supervision.department_choices(work, SUPERVISOR, request.id)

    assert choices.departments == ()
    with pytest.raises(NotAllowed):
        await supervision.assign(work, SUPERVISOR, request.id, POWER.id, DEADLINES)
    assert work.requests.rows[request.id].handler_id == ZHENG.id


async def test_a_supervisor_opening_a_case_gets_the_supervisors_buttons() -> None:
    work = FakeSupervisionWork()
    request = await filed(work)
    assert (await inbox.open_case(work, SUPERVISOR, request.id)).supervising
    assert not (await inbox.open_case(work, cadre(ZHENG), request.id)).supervising
