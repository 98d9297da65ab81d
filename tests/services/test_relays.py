"""The relay of a villager's waiting follow-ups, as a use case over in-memory fakes: it
takes what fits (every text so far and one file), deletes exactly those rows, waits
while the handler's chat has calls waiting, relays once per chat per sweep so another
household's request is not held behind a flood, and drops what no account can receive
(the trail keeps the words)."""

from __future__ import annotations

from bot.domain.lifecycle import Category, Status
from bot.domain.requests import Content, Request
from bot.services import relays
from tests.services.fakes_villager import (
    ACCOUNTS,
    GRANDMA,
    LI,
    NEIGHBOUR,
    NOW,
    SON,
    WANG,
    ZHENG,
    FakeWork,
)

PHOTO = Content(text="", media="photo", file_id="AgAD-photo")


def request_of(work: FakeWork, household_id: str, handler_id: str = ZHENG.id) -> Request:
    request_id = len(work.requests.rows) + 1
    request = Request(
        request_id,
        f"LX-2031-{request_id:06d}",
        household_id,
        Category.OTHER,
        urgent=False,
        about_cadre=False,
        status=Status.OPEN,
        handler_id=handler_id,
        tier=1,
        filed_at=NOW,
        respond_by=NOW,
        resolve_by=NOW,
    )
    work.requests.rows[request_id] = request
    return request


async def wait(work: FakeWork, request: Request, user_id: int, *contents: Content) -> None:
    for content in contents:
        await work.joins.add(request.id, user_id, content, work.now)


def texts(*words: str) -> list[Content]:
    return [Content(text=w) for w in words]


async def test_a_relay_takes_every_text_and_one_file_and_deletes_those_rows() -> None:
    work = FakeWork()
    request = request_of(work, WANG.id)
    await wait(work, request, GRANDMA, *texts("一", "二"), PHOTO, PHOTO, *texts("三"))
    await wait(work, request, SON, *texts("四"))

    relay = await relays.relay(work, request.id)

    assert relay is not None
    assert relay.lane == ACCOUNTS[ZHENG.id]
    assert [j.content for j in relay.taken] == [*texts("一", "二"), PHOTO]
    assert relay.handler == ZHENG
    assert relay.household.head_name == WANG.head_name
    assert relay.writers == [GRANDMA]
    assert work.joins.left(request.id) == ["", "三", "四"]  # the second photo waits its turn


async def test_nothing_leaves_while_the_handlers_chat_has_calls_waiting() -> None:
    work = FakeWork()
    request = request_of(work, WANG.id)
    await wait(work, request, GRANDMA, *texts("一", "二"))
    work.joins.pending[ACCOUNTS[ZHENG.id]] = 1

    assert await relays.relay(work, request.id) is None
    assert work.joins.left(request.id) == ["一", "二"]

    work.joins.pending.clear()  # the sender caught up
    relay = await relays.relay(work, request.id)
    assert relay is not None
    assert len(relay.taken) == 2
    assert work.joins.left(request.id) == []


async def test_a_sweep_relays_once_per_chat_so_another_household_is_not_held_back() -> None:
    work = FakeWork()
    flood = request_of(work, WANG.id)
    other = request_of(work, LI.id)
    away = request_of(work, LI.id, handler_id="K004")
    await wait(work, flood, GRANDMA, *texts("一", "二"))
    await wait(work, other, NEIGHBOUR, *texts("我家的水管漏了"))
    await wait(work, away, NEIGHBOUR, *texts("另一件事"))

    first = await relays.relay_waiting(work)

    # ZHENG's chat takes one relay (the longest waiting); ZHOU's another, side by side.
    assert [(r.request.id, r.lane) for r in first] == [
        (flood.id, ACCOUNTS[ZHENG.id]),
        (away.id, ACCOUNTS["K004"]),
    ]
    second = await relays.relay_waiting(work)
    assert [r.request.id for r in second] == [other.id]
    assert await relays.relay_waiting(work) == []


async def test_words_for_a_handler_without_an_account_are_not_owed_to_anyone() -> None:
    work = FakeWork()
    request = request_of(work, WANG.id)
    del work.county.accounts[ZHENG.id]
    await wait(work, request, GRANDMA, *texts("一"))

    assert await relays.relay(work, request.id) is None
    assert work.joins.left(request.id) == []
