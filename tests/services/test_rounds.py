"""Rounds, 当场办结, 夜议 and 回头看 over in-memory fakes: what the team and the
supervisor see, and every forged or stale press refused with nothing changed."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.lifecycle import Outcome, Status
from bot.domain.rounds import BadMeeting, NightRules, NotSupervisor, RevisitRefused, RoundRefused
from bot.domain.stats import days
from bot.services import rounds
from tests.services.fakes_cadre import DEADLINES, FENG, LI, LI_QIANG, NOW, SUN, WANG, ZHENG, cadre
from tests.services.fakes_rounds import LIUSHU, FakeWork

ZONE = ZoneInfo("Asia/Shanghai")
NIGHT = NightRules(ZONE)
TODAY = date(2031, 3, 4)  # NOW is 08:00 of this Tuesday in Asia/Shanghai


async def started(work: FakeWork, *team: str) -> int:
    boss = cadre(SUN)
    await rounds.pick_village(work, boss, LIUSHU.id)
    for member in team:
        await rounds.toggle(work, boss, member)
    done = await rounds.start(work, boss, TODAY + timedelta(days=14), ZONE)
    return done.line.round.id


async def test_a_supervisor_starts_a_round_and_the_team_is_told() -> None:
    work = FakeWork()
    boss = cadre(SUN)
    pick = await rounds.pick_village(work, boss, LIUSHU.id)
    assert [c.name for c in pick.choices] == ["李强", "郑小红"]
    await rounds.toggle(work, boss, ZHENG.id)
    await rounds.toggle(work, boss, LI_QIANG.id)
    pick = await rounds.toggle(work, boss, LI_QIANG.id)  # out again
    assert pick.draft.team == (ZHENG.id,)
    done = await rounds.start(work, boss, TODAY + timedelta(days=7), ZONE)
    assert done.team_users == (3007,)
    assert (done.line.coverage.households, done.line.coverage.visited) == (2, 0)
    assert work.rounds.drafts == {}


async def test_starting_is_refused_to_a_non_supervisor_and_for_another_village() -> None:
    work = FakeWork()
    with pytest.raises(NotSupervisor):
        await rounds.villages(work, cadre(ZHENG))
    with pytest.raises(RoundRefused):
        await rounds.pick_village(work, cadre(SUN), "V03")
    await rounds.pick_village(work, cadre(SUN), LIUSHU.id)
    with pytest.raises(RoundRefused):
        await rounds.toggle(work, cadre(SUN), FENG.id)  # not one of the village's cadres
    with pytest.raises(rounds.NoTeam):
        await rounds.start(work, cadre(SUN), TODAY, ZONE)
    with pytest.raises(rounds.BadEnd):
        await rounds.start(work, cadre(SUN), TODAY + timedelta(days=91), ZONE)
    with pytest.raises(rounds.BadEnd):
        await rounds.start(work, cadre(SUN), TODAY - timedelta(days=1), ZONE)
    assert work.rounds.rounds == {}


async def test_a_team_members_visit_covers_the_household_and_the_list_shrinks() -> None:
    work = FakeWork()
    round_id = await started(work, ZHENG.id)
    shown = await rounds.left(work, cadre(ZHENG), round_id, 0, ZONE)
    assert [h for h, _ in shown.households] == [WANG.id, LI.id]
    covered = await rounds.visit(work, cadre(ZHENG), round_id, WANG.id, NIGHT)
    assert (covered.line.coverage.visited, covered.head_name, covered.night) == (
        1,
        "王秀英",
        False,
    )
    shown = await rounds.left(work, cadre(ZHENG), round_id, 0, ZONE)
    assert [h for h, _ in shown.households] == [LI.id]


async def test_a_visit_between_the_night_hours_is_a_night_visit() -> None:
    work = FakeWork(now=NOW + timedelta(hours=12))  # 20:00 local
    round_id = await started(work, ZHENG.id)
    covered = await rounds.visit(work, cadre(ZHENG), round_id, WANG.id, NIGHT)
    assert covered.night


async def test_visits_are_refused_off_the_team_off_the_round_and_after_its_end() -> None:
    work = FakeWork()
    round_id = await started(work, ZHENG.id)
    for who, household, ident in (
        (cadre(LI_QIANG), WANG.id, round_id),  # not on the team
        (cadre(SUN), WANG.id, round_id),  # started it, covers nothing
        (cadre(ZHENG), "H0099", round_id),  # not a household of the round
        (cadre(ZHENG), WANG.id, 99),  # no such round
    ):
        with pytest.raises(RoundRefused):
            await rounds.visit(work, who, ident, household, NIGHT)
    assert work.schedule.days == []
    await rounds.visit(work, cadre(ZHENG), round_id, WANG.id, NIGHT)  # while it runs: fine
    work.now = NOW + timedelta(days=16)  # past its end
    with pytest.raises(RoundRefused):
        await rounds.visit(work, cadre(ZHENG), round_id, LI.id, NIGHT)
    assert len(work.schedule.days) == 1


async def resolved_on_spot(work: FakeWork) -> tuple[int, int]:
    round_id = await started(work, ZHENG.id)
    await rounds.ask_finding(work, cadre(ZHENG), round_id, WANG.id, ZONE)
    assert await work.filings.household_for(3007, ZHENG.id) == WANG.id  # next message files
    request_id = await file_for(work, WANG.id)
    return round_id, request_id


async def file_for(work: FakeWork, household_id: str) -> int:
    from bot.domain.requests import Content
    from bot.services import casework

    filed = await casework.file_for(work, ZHENG, household_id, Content(text="水沟堵了"), DEADLINES)
    return filed.request.id


async def test_resolved_on_the_spot_and_confirmed_on_the_cadres_phone_once() -> None:
    work = FakeWork()
    round_id, request_id = await resolved_on_spot(work)
    found = await rounds.findings(work, cadre(ZHENG), round_id, ZONE)
    assert [f.request_id for f in found.findings] == [request_id]
    solved = await rounds.resolve_on_spot(work, cadre(ZHENG), round_id, request_id, ZONE)
    assert solved.request.status == Status.RESOLVED
    assert {u for n in solved.notices for u in n.to} == {501, 502}  # the household hears
    with pytest.raises(RoundRefused):  # on another cadre's phone
        await rounds.confirm_on_spot(work, cadre(LI_QIANG), request_id)
    done = await rounds.confirm_on_spot(work, cadre(ZHENG), request_id)
    assert (done.request.status, done.request.outcome) == (Status.CLOSED, Outcome.SATISFIED)
    trail = list(work.requests.trails[request_id])
    assert trail[-1].detail["on_spot"] is True
    with pytest.raises(RoundRefused):  # the one-time button, again
        await rounds.confirm_on_spot(work, cadre(ZHENG), request_id)
    assert len(work.requests.trails[request_id]) == len(trail)
    line = (await rounds.findings(work, cadre(ZHENG), round_id, ZONE)).line
    assert (line.findings, line.on_spot, line.confirmed) == (1, 1, 1)


async def test_on_the_spot_is_refused_off_the_team_and_for_a_request_resolved_already() -> None:
    work = FakeWork()
    round_id, request_id = await resolved_on_spot(work)
    with pytest.raises(RoundRefused):
        await rounds.resolve_on_spot(work, cadre(LI_QIANG), round_id, request_id, ZONE)
    with pytest.raises(RoundRefused):  # no such finding
        await rounds.resolve_on_spot(work, cadre(ZHENG), round_id, 999, ZONE)
    with pytest.raises(RoundRefused):  # confirmed before it was resolved on the spot
        await rounds.confirm_on_spot(work, cadre(ZHENG), request_id)
    assert work.requests.rows[request_id].status == Status.OPEN
    await rounds.resolve_on_spot(work, cadre(ZHENG), round_id, request_id, ZONE)
    trail = len(work.requests.trails[request_id])
    with pytest.raises(RoundRefused):
        await rounds.resolve_on_spot(work, cadre(ZHENG), round_id, request_id, ZONE)
    assert len(work.requests.trails[request_id]) == trail


async def closed_request(work: FakeWork) -> int:
    round_id, request_id = await resolved_on_spot(work)
    await rounds.resolve_on_spot(work, cadre(ZHENG), round_id, request_id, ZONE)
    await rounds.confirm_on_spot(work, cadre(ZHENG), request_id)
    return request_id


async def test_a_follow_up_is_scheduled_on_a_closed_case_and_recorded_once() -> None:
    work = FakeWork()
    request_id = await closed_request(work)
    with pytest.raises(RevisitRefused):  # neither its handler nor a supervisor
        await rounds.revisit_ask(work, cadre(LI_QIANG), request_id)
    await rounds.revisit_ask(work, cadre(ZHENG), request_id)
    done = await rounds.schedule_revisit(
        work, cadre(ZHENG), request_id, TODAY + timedelta(3), ZONE
    )
    with pytest.raises(RevisitRefused):  # one pending at a time
        await rounds.schedule_revisit(work, cadre(SUN), request_id, TODAY, ZONE)
    work.now = NOW + timedelta(days=4)
    later = work
    assert [d.revisit_id for d in await rounds.remind_revisits(later, ZONE)] == [done.revisit_id]
    assert await rounds.remind_revisits(later, ZONE) == []  # reminded once
    with pytest.raises(RevisitRefused):  # another cadre's follow-up
        await rounds.record_revisit(later, cadre(SUN), done.revisit_id, True, ZONE)
    recorded = await rounds.record_revisit(later, cadre(ZHENG), done.revisit_id, False, ZONE)
    assert not recorded.satisfied
    assert await work.filings.household_for(3007, ZHENG.id) == WANG.id  # a new request next
    assert work.requests.rows[request_id].status == Status.CLOSED  # never reopened
    assert work.schedule.days[-1].note.startswith("回头看 ")
    with pytest.raises(RevisitRefused):
        await rounds.record_revisit(later, cadre(ZHENG), done.revisit_id, True, ZONE)


async def test_a_follow_up_is_refused_on_a_case_not_closed() -> None:
    work = FakeWork()
    _, request_id = await resolved_on_spot(work)
    with pytest.raises(RevisitRefused):
        await rounds.revisit_ask(work, cadre(ZHENG), request_id)
    assert work.rounds.revisits == {}


async def test_a_night_meeting_is_logged_and_a_decision_filed_once_for_a_household() -> None:
    work = FakeWork()
    with pytest.raises(BadMeeting):
        await rounds.log_meeting(work, cadre(ZHENG), "修路")  # no attendance
    assert work.rounds.meetings == {}
    with pytest.raises(rounds.NoVillage):
        await rounds.log_meeting(work, cadre(FENG), "12 修路\n东头修路")
    logged = await rounds.log_meeting(work, cadre(ZHENG), "23 村口路灯\n东头装两盏路灯")
    assert (logged.meeting.attendance, logged.meeting.decisions) == (23, ("东头装两盏路灯",))
    pick = await rounds.decision_households(work, cadre(ZHENG), logged.meeting_id, 1, 0)
    assert [h for h, _ in pick.households] == [WANG.id, LI.id]
    with pytest.raises(RoundRefused):  # another cadre's meeting
        await rounds.decision_households(work, cadre(LI_QIANG), logged.meeting_id, 1, 0)
    with pytest.raises(RoundRefused):  # a household outside the village
        await rounds.file_decision(work, cadre(ZHENG), logged.meeting_id, 1, "H0099", DEADLINES)
    filed = await rounds.file_decision(work, cadre(ZHENG), logged.meeting_id, 1, LI.id, DEADLINES)
    assert filed.request.household_id == LI.id
    with pytest.raises(RoundRefused):  # filed once
        await rounds.file_decision(work, cadre(ZHENG), logged.meeting_id, 1, WANG.id, DEADLINES)
    assert len(work.requests.rows) == 1


async def test_the_figures_show_visits_night_visits_and_who_is_behind() -> None:
    work = FakeWork(now=NOW + timedelta(hours=12))  # 20:00 local
    round_id = await started(work, ZHENG.id, LI_QIANG.id)
    await rounds.visit(work, cadre(LI_QIANG), round_id, WANG.id, NIGHT)
    shown = await rounds.figures_for(work, cadre(SUN), days(TODAY, TODAY, ZONE), NIGHT)
    visits = {c.cadre.id: (c.visits, c.nights) for c in shown.cadres}
    assert visits[LI_QIANG.id] == (1, 1)
    behind = {n.cadre_id: (n.nights, n.needed) for n in shown.nights if n.behind}
    assert behind == {ZHENG.id: (0, 3), SUN.id: (0, 1)}  # 李强 met his 1
    assert [h for h, _ in shown.unvisited] == [LI.id]
    with pytest.raises(NotSupervisor):
        await rounds.figures_for(work, cadre(ZHENG), days(TODAY, TODAY, ZONE), NIGHT)


def test_the_round_buttons_take_no_other_scopes_presses() -> None:
    """``^r[dv]:`` once swallowed the villager's 已解决，满意 (``rv:``): nothing happened."""
    from handlers import rounds as round_handlers
    from handlers import tell_household

    taken = re.compile(round_handlers.PATTERN)
    others = [f"{tell_household.SCOPE}:{action}:1" for action in tell_household.ACTIONS]
    others += ["rq:ack:1", "du:urge:1", "st:summary:x", "pk:visit:h:H0001", "th:new:1"]
    assert [data for data in others if taken.match(data)] == []
    assert taken.match("rd:c:1")
    assert taken.match("hk:ok:1")


async def test_a_follow_up_is_refused_on_a_case_the_household_withdrew() -> None:
    work = FakeWork()
    request_id = await closed_request(work)
    closed = work.requests.rows[request_id]
    work.requests.rows[request_id] = replace(closed, outcome=Outcome.WITHDRAWN)
    with pytest.raises(RevisitRefused):
        await rounds.revisit_ask(work, cadre(ZHENG), request_id)
    with pytest.raises(RevisitRefused):
        await rounds.schedule_revisit(work, cadre(ZHENG), request_id, TODAY, ZONE)
    assert work.rounds.revisits == {}
