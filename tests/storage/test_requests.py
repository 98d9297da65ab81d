"""Requests from 挂号 to 销号 over a real database with the sample county: numbering,
routing (tier 1, the AB post, about my cadre, the supervisor), the villager's marks and
confirmation, and refusals that change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.domain import binding, marks
from bot.domain import confidential as about_cadre
from bot.domain import requests as service
from bot.domain.binding import BindingPolicy
from bot.domain.lifecycle import Category, Event, InvalidTransition, Outcome, Status
from bot.domain.requests import Audience, Content, Deadlines, NotAllowed, Request
from bot.domain.routing import Why
from storage import villager_views
from storage.db import Database
from storage.people import People
from storage.requests import Requests
from storage.timefmt import to_db
from tests.sample import card_code, load_sample

POLICY = BindingPolicy(
    phones_per_household=4,
    max_wrong_codes=3,
    wrong_code_window=timedelta(minutes=10),
    lockout=timedelta(minutes=30),
)
DEADLINES = Deadlines(timedelta(hours=24), timedelta(days=7), timedelta(hours=2))
GRANDMA, SON, NEIGHBOUR = 501, 502, 503  # 王秀英's phone and her son's; a 张桂兰 phone
VOICE = Content(media="voice", file_id="voice-1")
INSERT_AWAY = "INSERT INTO cadre_away (cadre_id, until) VALUES (?, ?)"
SELECT_COLUMNS = "SELECT category, urgent, status, handler_id FROM requests WHERE id = ?"
COUNT_EVENTS = "SELECT count(*) FROM request_events WHERE request_id = ?"
UPDATE_EVENT = "UPDATE request_events SET actor = 'someone else' WHERE request_id = ?"
DELETE_EVENT = "DELETE FROM request_events WHERE request_id = ?"


@pytest.fixture
async def county(db: Database, clock: ManualClock) -> Database:
    """The sample county; 王秀英's household (H0001) with two phones, 张桂兰's (H0003)
    with one, and the cadres 郑小红 (K007), 王磊 (K008), 李强 (K004), 孙丽 (K003) bound."""
    await load_sample(db)
    for user, household in ((GRANDMA, "H0001"), (SON, "H0001"), (NEIGHBOUR, "H0003")):
        await _bind(db, clock, user, await card_code(db, clock.now(), household=household))
    for n, cadre in enumerate(("K007", "K008", "K004", "K003")):
        await _bind(db, clock, 3000 + n, await card_code(db, clock.now(), cadre=cadre))
    return db


async def _bind(db: Database, clock: ManualClock, user: int, code: str) -> None:
    async with db.transaction() as tx:
        await binding.bind(People(tx), user, code, clock.now(), POLICY)


async def file(
    db: Database, clock: ManualClock, household: str = "H0001", user: int = GRANDMA
) -> service.Done:
    async with db.transaction() as tx:
        return await service.file(
            Requests(tx), clock.now(), household, VOICE, DEADLINES, by_user=user
        )


async def events(db: Database, request: Request) -> list[str]:
    async with db.read() as tx:
        return [line.kind for line in await villager_views.trail(tx, GRANDMA, request.id)]


async def resolved(db: Database, clock: ManualClock) -> Request:
    done = await file(db, clock)
    async with db.transaction() as tx:
        store = Requests(tx)
        await service.act(store, clock.now(), done.request.id, "K007", Event.ACKNOWLEDGED)
        note = Content(text="路灯换好了")
        finished = await service.act(
            store, clock.now(), done.request.id, "K007", Event.RESOLVED, note
        )
    return finished.request


async def test_requests_are_numbered_within_the_year(county: Database, clock: ManualClock) -> None:
    first, second = await file(county, clock), await file(county, clock, "H0003", NEIGHBOUR)
    assert (first.request.number, second.request.number) == ("LX-2026-000001", "LX-2026-000002")
    clock.advance(timedelta(days=60))  # into 2027
    assert (await file(county, clock)).request.number == "LX-2027-000001"


async def test_a_request_goes_to_the_first_contact_with_its_due_times(
    county: Database, clock: ManualClock
) -> None:
    done = await file(county, clock)
    request = done.request
    assert (request.handler_id, request.tier, request.status) == ("K007", 1, Status.OPEN)
    assert request.resolve_by == clock.now() + timedelta(days=7)
    assert request.respond_by == clock.now() + timedelta(hours=24)
    told = [(t.audience, t.what) for t in done.tells]
    assert told == [(Audience.HANDLER, Event.FILED), (Audience.HOUSEHOLD, Event.ROUTED)]
    assert await events(county, request) == ["filed", "routed"]


async def test_an_away_cadre_is_stood_in_for_by_the_backup(
    county: Database, clock: ManualClock
) -> None:
    async with county.transaction() as tx:
        await tx.execute(INSERT_AWAY, ("K007", to_db(clock.now() + timedelta(days=3))))
    done = await file(county, clock)
    assert done.request.handler_id == "K008"
    route = done.tells[0].route
    assert route is not None
    assert (route.why, route.instead_of) == (Why.BACKUP, "K007")
    clock.advance(timedelta(days=4))  # back again
    assert (await file(county, clock)).request.handler_id == "K007"


async def test_about_my_cadre_makes_it_confidential_for_the_supervisor_above_the_cadre(
    county: Database, clock: ManualClock
) -> None:
    filed = await file(county, clock)
    async with county.transaction() as tx:
        done = await about_cadre.about_my_cadre(Requests(tx), clock.now(), filed.request.id, SON)
    # K007's region is 柳树村; the township 东坪镇 above it is supervised by K003.
    request = done.request
    assert (request.handler_id, request.accused_id, request.about_cadre) == ("K003", "K007", True)
    told = {(t.audience, t.cadre_id) for t in done.tells}
    assert told == {(Audience.HANDLER, None), (Audience.HOUSEHOLD, None)}  # K007 is not told
    handler_tell = next(t for t in done.tells if t.audience is Audience.HANDLER)
    assert handler_tell.content == VOICE  # the new handler hears what was said
    assert await events(county, done.request) == ["filed", "routed", "handed_over"]
    # Only once, and only while nobody has taken it up.
    async with county.transaction() as tx:
        with pytest.raises(InvalidTransition):
            await about_cadre.about_my_cadre(Requests(tx), clock.now(), filed.request.id, SON)
    second = await file(county, clock)
    async with county.transaction() as tx:
        store = Requests(tx)
        await service.act(store, clock.now(), second.request.id, "K007", Event.ACKNOWLEDGED)
    async with county.transaction() as tx:
        with pytest.raises(InvalidTransition):
            await about_cadre.about_my_cadre(Requests(tx), clock.now(), second.request.id, GRANDMA)


async def test_a_household_without_a_bound_cadre_goes_to_its_township_supervisor(
    county: Database, clock: ManualClock
) -> None:
    # 冯玉珍 (H0005): 冯涛 (K009) is not bound, 李强 (K004) is tier 2 and bound; without
    # him too, the chain has no one and 孙丽 (K003, supervising 东坪镇) handles it.
    async with county.transaction() as tx:
        await tx.execute(INSERT_AWAY, ("K004", to_db(clock.now() + timedelta(days=3))))
        await tx.execute(INSERT_AWAY, ("K005", to_db(clock.now() + timedelta(days=3))))
    done = await file(county, clock, "H0005", NEIGHBOUR)
    assert done.request.handler_id == "K003"
    assert done.tells[0].route is not None
    assert done.tells[0].route.why is Why.SUPERVISOR


async def test_marks_change_the_row_and_leave_a_trail(
    county: Database, clock: ManualClock
) -> None:
    filed = await file(county, clock)
    async with county.transaction() as tx:
        store = Requests(tx)
        await marks.categorise(store, clock.now(), filed.request.id, SON, Category.ROAD)
        again = await marks.categorise(store, clock.now(), filed.request.id, SON, Category.ROAD)
        urgent = await marks.mark_urgent(store, clock.now(), filed.request.id, GRANDMA, DEADLINES)
    assert again.request.category is Category.ROAD
    assert urgent.request.resolve_by == filed.request.filed_at + timedelta(hours=2)
    async with county.read() as tx:
        row = await tx.fetchone(SELECT_COLUMNS, (filed.request.id,))
        stored = await Requests(tx).get(filed.request.id)
    assert row is not None
    assert (row["category"], row["urgent"]) == ("road", 1)
    assert stored is not None
    assert stored.resolve_by == urgent.request.resolve_by
    assert await events(county, filed.request) == ["filed", "routed", "marked", "marked"]


async def test_the_villager_confirms_or_reopens(county: Database, clock: ManualClock) -> None:
    request = await resolved(county, clock)
    async with county.transaction() as tx:
        reopened = await service.confirm(Requests(tx), clock.now(), request.id, SON, None)
    assert (reopened.request.status, reopened.request.reopened) == (Status.OPEN, 1)
    assert reopened.request.handler_id == "K007"  # back to the same cadre
    async with county.transaction() as tx:
        store = Requests(tx)
        await service.act(store, clock.now(), request.id, "K007", Event.RESOLVED)
        closed = await service.confirm(store, clock.now(), request.id, GRANDMA, Outcome.PARTLY)
    assert (closed.request.status, closed.request.outcome) == (Status.CLOSED, Outcome.PARTLY)
    trail = await events(county, request)
    assert trail[-4:] == ["resolved", "reopened", "resolved", "confirmed"]


async def test_refused_presses_change_nothing(county: Database, clock: ManualClock) -> None:
    request = await resolved(county, clock)
    async with county.read() as tx:
        before = await tx.scalar(COUNT_EVENTS, (request.id,))
    # Another household's member, and a request that does not exist.
    for request_id, user in ((request.id, NEIGHBOUR), (999, GRANDMA)):
        async with county.transaction() as tx:
            store = Requests(tx)
            with pytest.raises(NotAllowed):
                await service.confirm(store, clock.now(), request_id, user, Outcome.SATISFIED)
            with pytest.raises(NotAllowed):
                await marks.categorise(store, clock.now(), request_id, user, Category.WATER)
            with pytest.raises(NotAllowed):
                await about_cadre.about_my_cadre(store, clock.now(), request_id, user)
    # Pressing "satisfied" twice confirms once.
    async with county.transaction() as tx:
        await service.confirm(Requests(tx), clock.now(), request.id, GRANDMA, Outcome.SATISFIED)
    async with county.transaction() as tx:
        with pytest.raises(InvalidTransition):
            await service.confirm(Requests(tx), clock.now(), request.id, SON, Outcome.SATISFIED)
        with pytest.raises(InvalidTransition):
            await marks.mark_urgent(Requests(tx), clock.now(), request.id, SON, DEADLINES)
    async with county.read() as tx:
        assert await tx.scalar(COUNT_EVENTS, (request.id,)) == before + 1
        row = await tx.fetchone(SELECT_COLUMNS, (request.id,))
    assert row is not None
    assert (row["category"], row["urgent"], row["status"]) == ("other", 0, "closed")


async def test_a_villager_sees_only_their_households_requests(
    county: Database, clock: ManualClock
) -> None:
    mine = await file(county, clock)
    theirs = await file(county, clock, "H0003", NEIGHBOUR)
    async with county.read() as tx:
        assert [m.request.id for m in await villager_views.mine(tx, SON)] == [mine.request.id]
        assert await villager_views.id_of_mine(tx, SON, theirs.request.number) is None
        assert await villager_views.id_of_mine(tx, SON, mine.request.number.lower()) == (
            mine.request.id
        )
        assert await villager_views.one_of_mine(tx, SON, theirs.request.id) is None
        assert await villager_views.trail(tx, SON, theirs.request.id) == []


async def test_the_trail_is_append_only(county: Database, clock: ManualClock) -> None:
    done = await file(county, clock)
    for sql in (UPDATE_EVENT, DELETE_EVENT):
        with pytest.raises(Exception, match="append-only"):
            async with county.transaction() as tx:
                await tx.execute(sql, (done.request.id,))
    assert await events(county, done.request) == ["filed", "routed"]
