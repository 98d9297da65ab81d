"""🚨 and 撤回 as use cases over in-memory fakes: urgent tells the handler at once with the
new due times (a second press tells no one); withdrawing asks nothing of the store at the
first press, then closes the request as withdrawn, the handler and the other members
told; a forged or late withdrawal is refused and changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain.lifecycle import Event, InvalidTransition, Outcome, Resolution, Status
from bot.domain.requests import Audience, NotAllowed
from bot.domain.talking import Purpose
from bot.services import receipts
from tests.services.fakes_villager import (
    ACCOUNTS,
    DEADLINES,
    GRANDMA,
    NEIGHBOUR,
    NOW,
    SON,
    ZHENG,
    FakeWork,
    villager,
)
from tests.services.test_receipts import file


async def test_urgent_tells_the_handler_at_once_with_the_new_due_times() -> None:
    work = FakeWork()
    request = await file(work)

    done = await receipts.mark_urgent(work, villager(GRANDMA), request.id, DEADLINES)

    [notice] = done.notices
    assert (notice.tell.audience, notice.tell.what, notice.to) == (
        Audience.HANDLER,
        Event.MARKED,
        (ACCOUNTS[ZHENG.id],),
    )
    assert notice.request.resolve_by == NOW + timedelta(hours=2)
    assert done.handler == ZHENG  # the receipt names the handler again
    again = await receipts.mark_urgent(work, villager(SON), request.id, DEADLINES)
    assert again.notices == ()  # already urgent: nobody is told twice


async def test_a_forged_urgent_press_tells_no_one_and_changes_nothing() -> None:
    work = FakeWork()
    request = await file(work)
    before = work.requests.rows[request.id]
    with pytest.raises(NotAllowed):
        await receipts.mark_urgent(work, villager(NEIGHBOUR), request.id, DEADLINES)
    assert work.requests.rows[request.id] == before


async def test_the_first_withdraw_press_only_asks() -> None:
    work = FakeWork()
    request = await file(work)
    trail = list(work.requests.events(request.id))

    asked = await receipts.may_withdraw(work, villager(GRANDMA), request.id)

    assert asked.id == request.id
    assert work.requests.rows[request.id].status is Status.OPEN
    assert work.requests.events(request.id) == trail


async def test_withdrawing_closes_it_and_the_handler_and_family_hear() -> None:
    work = FakeWork()
    request = await file(work)
    await work.conversations.set(GRANDMA, request.id, Purpose.TALKING, work.now)

    done = await receipts.withdraw(work, villager(GRANDMA), request.id)

    stored = work.requests.rows[request.id]
    assert (stored.status, stored.outcome) == (Status.CLOSED, Outcome.WITHDRAWN)
    assert work.requests.events(request.id)[-1] is Event.WITHDRAWN
    told = {(n.tell.audience, n.tell.what): n.to for n in done.notices}
    assert told == {
        (Audience.HANDLER, Event.WITHDRAWN): (ACCOUNTS[ZHENG.id],),
        (Audience.HOUSEHOLD, Event.WITHDRAWN): (SON,),  # she is answered apart
    }
    assert GRANDMA not in work.conversations.talks  # her next message files anew
    with pytest.raises(InvalidTransition):  # a second press changes nothing
        await receipts.withdraw(work, villager(SON), request.id)


async def test_another_households_withdrawal_is_refused_and_changes_nothing() -> None:
    work = FakeWork()
    request = await file(work)
    before = (work.requests.rows[request.id], list(work.requests.events(request.id)))
    neighbour = villager(NEIGHBOUR)

    for press in (
        receipts.may_withdraw(work, neighbour, request.id),
        receipts.withdraw(work, neighbour, request.id),
        receipts.withdraw(work, neighbour, 999),  # no such request: the same answer
    ):
        with pytest.raises(NotAllowed):
            await press

    assert (work.requests.rows[request.id], work.requests.events(request.id)) == before


async def test_a_resolved_request_cannot_be_withdrawn() -> None:
    work = FakeWork()
    request = await file(work)
    solved = replace(request, status=Status.RESOLVED, resolution=Resolution.RESOLVED)
    await work.requests.record(solved, work.now, Event.RESOLVED, f"cadre:{ZHENG.id}", {})

    with pytest.raises(InvalidTransition):
        await receipts.may_withdraw(work, villager(GRANDMA), request.id)
    with pytest.raises(InvalidTransition):
        await receipts.withdraw(work, villager(GRANDMA), request.id)
    assert work.requests.rows[request.id].status is Status.RESOLVED
