"""A cadre acting on a request, as use cases over in-memory fakes (``fakes_cadre``): who
hears what after 受理, 回复, 办结, 政策解答, 转交 and 上报, what /file files, and that a
press by anyone but the handler (another cadre, a villager) changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain import requests
from bot.domain.lifecycle import Event, InvalidTransition, Resolution, Status
from bot.domain.requests import Audience, Content, Request
from bot.domain.talking import Purpose
from bot.services import casework
from bot.services.casework import (
    Acted,
    CadresOnly,
    Filed,
    NoHouseholdNamed,
    NoOneAbove,
    NotLinked,
)
from bot.services.identity import Identity
from bot.services.notices import Notice
from tests.services.fakes_cadre import (
    DEADLINES,
    FENG,
    GRANDMA,
    LI,
    LI_QIANG,
    NEIGHBOUR,
    RULES,
    SON,
    SUN,
    WANG,
    ZHENG,
    FakeWork,
    cadre,
    villager,
)

HANDLER = cadre(ZHENG)


async def filed(work: FakeWork, household_id: str = WANG.id, words: str = "水管漏水") -> Request:
    """A request the household filed: 郑小红 (tier 1) handles it."""
    user = GRANDMA if household_id == WANG.id else NEIGHBOUR
    done = await requests.file(
        work.requests, work.now, household_id, Content(words), DEADLINES, by_user=user
    )
    return done.request


def told(notices: tuple[Notice, ...], audience: Audience) -> list[Notice]:
    return [n for n in notices if n.tell.audience is audience]


async def test_accept_then_reply_reaches_every_phone_of_the_household() -> None:
    work = FakeWork()
    request = await filed(work)

    accepted = await casework.acknowledge(work, HANDLER, request.id)
    assert accepted.request.status is Status.ACKNOWLEDGED
    (household,) = told(accepted.notices, Audience.HOUSEHOLD)
    assert (household.tell.what, household.to) == (Event.ACKNOWLEDGED, (GRANDMA, SON))

    asked = await casework.ask(work, HANDLER, request.id, Purpose.REPLYING)
    assert asked.request.number == request.number  # "请发送给村民的回复 (LX-…)"
    work.now += timedelta(minutes=5)
    replied = await casework.message(work, HANDLER, Content("明天上午我去您家看看。"), RULES)

    assert isinstance(replied, Acted)
    assert replied.event is Event.REPLIED
    (household,) = told(replied.notices, Audience.HOUSEHOLD)
    assert household.to == (GRANDMA, SON)
    assert household.tell.content == Content("明天上午我去您家看看。")
    assert household.cadre_account == 3007  # told if a phone never gets the reply
    # The household's next message continues this request; the cadre's next is new.
    assert work.conversations.talks[GRANDMA].purpose is Purpose.TALKING
    assert HANDLER.user_id not in work.conversations.talks


async def test_resolving_asks_the_household_to_confirm_with_the_cadres_note() -> None:
    work = FakeWork()
    request = await filed(work)
    await casework.ask(work, HANDLER, request.id, Purpose.RESOLVING)
    note = Content("水管已经换好了", media="photo", file_id="F1")

    resolved = await casework.message(work, HANDLER, note, RULES)

    assert isinstance(resolved, Acted)
    assert resolved.request.status is Status.RESOLVED
    assert resolved.request.resolution is Resolution.RESOLVED
    (household,) = told(resolved.notices, Audience.HOUSEHOLD)
    # The RESOLVED tell is what the household sees with 「已解决，满意」 / 「没有解决」.
    assert (household.tell.what, household.tell.content) == (Event.RESOLVED, note)
    assert work.requests.trails[request.id][-1].detail["text"] == "水管已经换好了"


async def test_an_explanation_is_its_own_outcome() -> None:
    work = FakeWork()
    request = await filed(work, words="低保怎么申请？")
    await casework.ask(work, HANDLER, request.id, Purpose.EXPLAINING)
    explained = await casework.message(work, HANDLER, Content("带户口本到镇民政办申请。"), RULES)
    assert isinstance(explained, Acted)
    assert explained.request.resolution is Resolution.EXPLAINED
    assert [n.tell.what for n in explained.notices] == [Event.EXPLAINED]


async def test_a_message_long_after_the_press_asks_for_nothing_and_changes_nothing() -> None:
    work = FakeWork()
    request = await filed(work)
    await casework.ask(work, HANDLER, request.id, Purpose.RESOLVING)
    work.now += RULES.idle + timedelta(seconds=1)
    before = dict(work.requests.rows), len(work.requests.trails[request.id])

    assert await casework.message(work, HANDLER, Content("再说一句"), RULES) is None  # "how to"

    assert (dict(work.requests.rows), len(work.requests.trails[request.id])) == before
    assert HANDLER.user_id not in work.conversations.talks  # the stale press is forgotten


async def test_a_second_message_after_one_press_asks_for_nothing() -> None:
    work = FakeWork()
    request = await filed(work)
    await casework.ask(work, HANDLER, request.id, Purpose.RESOLVING)
    await casework.message(work, HANDLER, Content("修好了"), RULES)
    assert await casework.message(work, HANDLER, Content("再说一句"), RULES) is None
    assert [line.kind for line in work.requests.trails[request.id]].count("resolved") == 1


@pytest.mark.parametrize("someone", [cadre(FENG), cadre(LI_QIANG)])
async def test_a_cadre_who_is_not_the_handler_is_refused_and_nothing_changes(
    someone: Identity,
) -> None:
    work = FakeWork()
    request = await filed(work)
    trail = len(work.requests.trails[request.id])

    with pytest.raises(requests.NotAllowed):
        await casework.acknowledge(work, someone, request.id)
    for purpose in (Purpose.REPLYING, Purpose.RESOLVING, Purpose.EXPLAINING):
        with pytest.raises(requests.NotAllowed):
            await casework.ask(work, someone, request.id, purpose)
    with pytest.raises(requests.NotAllowed):
        await casework.handover_choices(work, someone, request.id)
    with pytest.raises(requests.NotAllowed):
        await casework.hand_over(work, someone, request.id, LI_QIANG.id)
    with pytest.raises(requests.NotAllowed):
        await casework.escalate(work, someone, request.id, DEADLINES)

    assert work.requests.rows[request.id] == request
    assert len(work.requests.trails[request.id]) == trail
    assert work.conversations.talks == {}


async def test_a_villager_pressing_a_cadres_button_is_refused() -> None:
    work = FakeWork()
    request = await filed(work)
    grandma = villager()
    with pytest.raises(CadresOnly):
        await casework.acknowledge(work, grandma, request.id)
    with pytest.raises(CadresOnly):
        await casework.ask(work, grandma, request.id, Purpose.REPLYING)
    with pytest.raises(CadresOnly):
        await casework.start_filing(work, grandma, WANG.id)
    assert work.requests.rows[request.id] == request
    assert work.conversations.talks == {}
    assert work.filings.filing == {}


async def test_a_second_accept_and_a_press_on_a_closed_request_are_refused() -> None:
    work = FakeWork()
    request = await filed(work)
    await casework.acknowledge(work, HANDLER, request.id)
    with pytest.raises(InvalidTransition):
        await casework.acknowledge(work, HANDLER, request.id)
    await casework.ask(work, HANDLER, request.id, Purpose.RESOLVING)
    await casework.message(work, HANDLER, Content("修好了"), RULES)
    with pytest.raises(InvalidTransition):
        await casework.ask(work, HANDLER, request.id, Purpose.RESOLVING)  # 办结 again


async def test_hand_over_to_a_cadre_of_the_chain_tells_them_and_the_household() -> None:
    work = FakeWork()
    request = await filed(work)

    choices = await casework.handover_choices(work, HANDLER, request.id)
    assert [c.cadre.id for c in choices.cadres] == [LI_QIANG.id]  # never oneself
    moved = await casework.hand_over(work, HANDLER, request.id, LI_QIANG.id)

    assert moved.handler == LI_QIANG  # "已转交李强办理"
    assert moved.request.handler_id == LI_QIANG.id
    (new,) = told(moved.notices, Audience.HANDLER)
    assert new.to == (3004,)
    assert new.previous == ZHENG.id  # "郑小红把诉求转交给您"
    assert new.first == Content("水管漏水")  # the whole case: what was filed …
    assert [line.kind for line in new.trail][-1] == "handed_over"  # … and its trail
    (household,) = told(moved.notices, Audience.HOUSEHOLD)
    assert (household.tell.what, household.to) == (Event.HANDED_OVER, (GRANDMA, SON))

    # Now it is 李强's: 郑小红's buttons are refused.
    with pytest.raises(requests.NotAllowed):
        await casework.acknowledge(work, HANDLER, request.id)


async def test_hand_over_to_a_cadre_outside_the_chain_is_refused() -> None:
    work = FakeWork()
    request = await filed(work)
    with pytest.raises(requests.NotAllowed):
        await casework.hand_over(work, HANDLER, request.id, FENG.id)  # a forged button
    assert work.requests.rows[request.id] == request


async def test_with_no_one_else_in_the_chain_there_is_no_one_to_hand_over_to() -> None:
    work = FakeWork()
    request = await filed(work, LI.id)
    choices = await casework.handover_choices(work, HANDLER, request.id)
    assert choices.cadres == ()


async def test_escalate_goes_to_the_supervisor_above_with_due_times_of_its_own() -> None:
    work = FakeWork()
    request = await filed(work, LI.id, words="电表不走")  # his chain is 郑小红 alone
    work.now += timedelta(days=2)

    moved = await casework.escalate(work, HANDLER, request.id, DEADLINES)

    assert moved.handler == SUN
    assert moved.request.respond_by == work.now + DEADLINES.acknowledge
    (supervisor,) = told(moved.notices, Audience.HANDLER)
    assert supervisor.to == (3003,)
    assert supervisor.first == Content("电表不走")
    (before,) = told(moved.notices, Audience.CADRE)
    assert before.to == (3007,)  # 郑小红 hears where it went
    (household,) = told(moved.notices, Audience.HOUSEHOLD)
    assert household.to == (NEIGHBOUR,)

    # From the top there is no one above: said so, nothing changed.
    top = moved.request
    with pytest.raises(NoOneAbove) as refused:
        await casework.escalate(work, cadre(SUN), request.id, DEADLINES)
    assert refused.value.request.number == request.number
    assert work.requests.rows[request.id] == top


async def test_file_for_a_linked_household_then_the_next_message_files_it() -> None:
    work = FakeWork()
    with pytest.raises(NoHouseholdNamed):
        await casework.start_filing(work, HANDLER, "")
    with pytest.raises(NotLinked) as refused:
        await casework.start_filing(work, cadre(FENG), LI.id)
    assert refused.value.household_id == LI.id
    assert work.filings.filing == {}

    household = await casework.start_filing(work, HANDLER, LI.id)
    assert household.head_name == "李大山"  # "请发送替「李大山」家登记的诉求内容"
    done = await casework.message(work, HANDLER, Content("电话反映：村口路灯不亮"), RULES)

    assert isinstance(done, Filed)
    assert (done.household, done.handler) == (LI, ZHENG)
    assert done.request.household_id == LI.id
    assert work.requests.trails[done.request.id][0].actor == "cadre:K007"
    assert [n.tell.audience for n in done.notices] == [Audience.HANDLER, Audience.HOUSEHOLD]
    # Filed once: the next message asks for nothing.
    assert await casework.message(work, HANDLER, Content("再说一句"), RULES) is None


async def test_a_reply_button_ends_filing_and_a_file_command_ends_a_reply() -> None:
    work = FakeWork()
    request = await filed(work)
    await casework.start_filing(work, HANDLER, LI.id)
    await casework.ask(work, HANDLER, request.id, Purpose.REPLYING)
    assert work.filings.filing == {}
    await casework.start_filing(work, HANDLER, LI.id)
    assert HANDLER.user_id not in work.conversations.talks


async def test_a_reply_pressed_before_an_escalation_may_still_be_written() -> None:
    """A former handler may still reply (escalation keeps them in the conversation)."""
    work = FakeWork()
    request = await filed(work, LI.id)
    await casework.ask(work, HANDLER, request.id, Purpose.REPLYING)
    await casework.escalate(work, HANDLER, request.id, DEADLINES)  # meanwhile
    replied = await casework.message(work, HANDLER, Content("已经报给镇里了"), RULES)
    assert isinstance(replied, Acted)
    assert [n.to for n in replied.notices] == [(NEIGHBOUR,)]
