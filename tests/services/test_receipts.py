"""The villager's buttons on a request, as use cases over in-memory fakes: a category or
the urgent mark changes the due times, satisfied closes it and ends the conversation,
not solved reopens it and makes the next message the reason; a forged press for another
household's request is refused and changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain.lifecycle import Category, Event, InvalidTransition, Outcome, Resolution, Status
from bot.domain.requests import Audience, Content, NotAllowed, Request
from bot.domain.talking import Purpose
from bot.services import filing, receipts
from bot.services.filing import Filed
from tests.services.fakes_villager import (
    ACCOUNTS,
    DEADLINES,
    GRANDMA,
    IDLE,
    NEIGHBOUR,
    NOW,
    SON,
    ZHENG,
    FakeWork,
    villager,
)


async def file(work: FakeWork) -> Request:
    done = await filing.file_or_join(
        work,
        villager(GRANDMA),
        Content(text="村口的路灯坏了"),
        message_id=7,
        idle=IDLE,
        deadlines=DEADLINES,
    )
    assert isinstance(done, Filed)
    return done.request


async def resolved(work: FakeWork) -> Request:
    """A request the handler marked solved (a reply set the grandma's conversation)."""
    request = await file(work)
    solved = replace(request, status=Status.RESOLVED, resolution=Resolution.RESOLVED)
    await work.requests.record(solved, work.now, Event.RESOLVED, f"cadre:{ZHENG.id}", {})
    await work.conversations.set(GRANDMA, request.id, Purpose.TALKING, work.now)
    return solved


async def test_a_category_gives_the_categorys_resolution_time() -> None:
    work = FakeWork()
    request = await file(work)
    work.later(hours=1)

    road = await receipts.categorise(work, villager(GRANDMA), request.id, Category.ROAD, DEADLINES)
    assert road.request.resolve_by == NOW + timedelta(hours=24)  # counted from filing
    housing = await receipts.categorise(
        work, villager(SON), request.id, Category.HOUSING, DEADLINES
    )
    assert housing.request.resolve_by == NOW + timedelta(days=15)
    assert work.requests.events(request.id)[-2:] == [Event.MARKED, Event.MARKED]


async def test_urgent_makes_both_due_times_the_urgent_limit() -> None:
    work = FakeWork()
    request = await file(work)

    done = await receipts.mark_urgent(work, villager(GRANDMA), request.id, DEADLINES)

    assert done.request.urgent
    assert done.request.respond_by == done.request.resolve_by == NOW + timedelta(hours=2)


async def test_satisfied_closes_the_request_and_ends_the_conversation() -> None:
    work = FakeWork()
    request = await resolved(work)

    done = await receipts.confirm(work, villager(GRANDMA), request.id, Outcome.SATISFIED)

    assert done.request.status is Status.CLOSED
    assert done.request.outcome is Outcome.SATISFIED
    assert GRANDMA not in work.conversations.talks
    told = {(n.tell.audience, n.tell.what): n.to for n in done.notices}
    assert told[Audience.HANDLER, Event.CONFIRMED] == (ACCOUNTS[ZHENG.id],)
    assert told[Audience.HOUSEHOLD, Event.CONFIRMED] == (SON,)  # she is answered apart
    with pytest.raises(InvalidTransition):  # a second press changes nothing
        await receipts.confirm(work, villager(SON), request.id, Outcome.PARTLY)
    assert work.requests.rows[request.id].outcome is Outcome.SATISFIED


async def test_not_solved_reopens_to_the_same_cadre_and_waits_for_the_reason() -> None:
    work = FakeWork()
    request = await resolved(work)

    done = await receipts.confirm(work, villager(GRANDMA), request.id, None)

    assert done.request.status is Status.OPEN
    assert done.request.reopened == 1
    assert done.request.handler_id == ZHENG.id
    assert done.handler == ZHENG
    talk = work.conversations.talks[GRANDMA]
    assert (talk.request_id, talk.purpose) == (request.id, Purpose.REOPENING)


async def test_a_forged_press_for_another_households_request_changes_nothing() -> None:
    work = FakeWork()
    request = await resolved(work)
    before = (work.requests.rows[request.id], list(work.requests.trail_of))
    neighbour = villager(NEIGHBOUR)

    presses = [
        receipts.categorise(work, neighbour, request.id, Category.ROAD, DEADLINES),
        receipts.mark_urgent(work, neighbour, request.id, DEADLINES),
        receipts.confirm(work, neighbour, request.id, Outcome.SATISFIED),
        receipts.confirm(work, neighbour, request.id, None),
        receipts.confirm(work, neighbour, 999, None),  # no such request: the same answer
    ]
    for press in presses:
        with pytest.raises(NotAllowed):
            await press

    assert (work.requests.rows[request.id], work.requests.trail_of) == before
    assert NEIGHBOUR not in work.conversations.talks
