"""A cadre who leaves (issue 9, item 8), over a real database with the sample county:
``roster import --prune`` of a cadre who handled requests works and keeps the trail, a
cadre moved off a household no longer sees or answers its cases, and their requests not
yet closed go to the next cadre, who hears of it with the villager and the admins."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest

from bot import leaving
from bot.clock import ManualClock
from bot.config import Config
from bot.domain import binding
from bot.domain import requests as service
from bot.domain.binding import BindingPolicy
from bot.domain.leavers import Reason
from bot.domain.lifecycle import Event
from bot.domain.requests import Content, Request
from bot.domain.roster import Cadre, Link, Roster
from bot.edge.ticks import run_tick
from bot.i18n import Texts
from bot.roster_io import load
from bot.services import notices
from handlers import notify, sweeps
from handlers.context import Setup, Unit
from storage import cadre_views, codes
from storage.db import Database, Tx
from storage.people import People
from storage.requests import Requests, trail
from storage.roster_import import ImportReport, import_roster, read_roster
from storage.unit_of_work import UnitOfWork
from tests.sample import SAMPLE, card_code

POLICY = BindingPolicy(4, 3, timedelta(minutes=10), timedelta(minutes=30))
GRANDMA, ADMIN, K007, K008 = 501, 9001, 3007, 3008
SELECT_SENT = "SELECT lane, payload FROM outbox WHERE method = 'sendMessage' ORDER BY id"
SELECT_CADRE = "SELECT name, removed_at, supervises, backup_id FROM cadres WHERE id = ?"
COUNT_ACCOUNTS = "SELECT count(*) FROM cadre_accounts WHERE cadre_id = ?"


def sample() -> Roster:
    placed, problems = load(SAMPLE)
    assert problems == []
    return placed.roster


def moved(roster: Roster) -> Roster:
    """K007 no longer serves H0001: K008 is its first contact (K007 keeps H0002)."""
    links = tuple(
        Link("H0001", "K008", 1) if (k.household_id, k.cadre_id) == ("H0001", "K007") else k
        for k in roster.links
    )
    return dataclasses.replace(roster, links=links)


def without_k007(roster: Roster) -> Roster:
    """K007 left the county: K008 takes H0001 and H0002 and has no B post any more."""
    cadres = tuple(
        dataclasses.replace(c, backup_id=None) if c.id == "K008" else c
        for c in roster.cadres
        if c.id != "K007"
    )
    links = tuple(
        Link(k.household_id, "K008", k.tier) if k.cadre_id == "K007" else k for k in roster.links
    )
    return dataclasses.replace(roster, cadres=cadres, links=links)


@pytest.fixture
def services(clock: ManualClock) -> Setup:
    config = Config.model_validate({"general": {"admins": [ADMIN]}})
    return Setup(config, clock, Texts("zh"), "lianxin_test_bot")


@pytest.fixture
async def county(db: Database, clock: ManualClock) -> Database:
    await import_roster(db, sample(), prune=False, dry_run=False, now=clock.now())
    for user, code in (
        (GRANDMA, await card_code(db, clock.now(), household="H0001")),
        (K007, await card_code(db, clock.now(), cadre="K007")),
        (K008, await card_code(db, clock.now(), cadre="K008")),
    ):
        async with db.transaction() as tx:
            await binding.bind(People(tx), user, code, clock.now(), POLICY)
    return db


async def file(db: Database, clock: ManualClock, services: Setup) -> Request:
    async with db.transaction() as tx:
        done = await service.file(
            Requests(tx),
            clock.now(),
            "H0001",
            Content(text="水管坏了"),
            services.config.deadlines.table(),
            by_user=GRANDMA,
        )
    assert done.request.handler_id == "K007"
    return done.request


async def reimport(
    db: Database, clock: ManualClock, roster: Roster, *, prune: bool
) -> ImportReport:
    async def then(tx: Tx, report: ImportReport) -> None:
        await leaving.after_import(tx, report, clock.now())

    return await import_roster(db, roster, prune=prune, dry_run=False, now=clock.now(), then=then)


async def tell_reroutes(db: Database, services: Setup) -> int:
    """One tick of the reroutes sweep, as the runtime runs it."""
    return await run_tick(db, services, sweeps.tell_reroutes, lambda: None)


async def sent(db: Database) -> dict[int, list[str]]:
    async with db.read() as tx:
        rows = await tx.fetchall(SELECT_SENT)
    by_chat: dict[int, list[str]] = {}
    for row in rows:
        by_chat.setdefault(row["lane"], []).append(json.loads(row["payload"])["text"])
    return by_chat


async def test_pruning_a_cadre_who_handled_requests_keeps_the_trail_and_reroutes(
    county: Database, clock: ManualClock, services: Setup
) -> None:
    request = await file(county, clock, services)
    async with county.transaction() as tx:
        await service.act(Requests(tx), clock.now(), request.id, "K007", Event.ACKNOWLEDGED)
    clock.advance(timedelta(hours=1))

    report = await reimport(county, clock, without_k007(sample()), prune=True)  # no traceback

    assert (report.tables["cadres"].removed, report.tables["cadres"].kept) == (1, 1)
    assert (report.to_reroute, report.rerouted) == (1, 1)
    async with county.read() as tx:
        row = await tx.fetchone(SELECT_CADRE, ("K007",))
        assert row is not None
        name, removed_at, supervises, backup = row
        assert (name, supervises, backup) == ("郑小红", None, None)
        assert removed_at is not None
        assert await tx.scalar(COUNT_ACCOUNTS, ("K007",)) == 0  # unbound
        assert "K007" not in {c.id for c in (await read_roster(tx)).cadres}  # off the roster
        now = await Requests(tx).get(request.id)
        assert now is not None
        assert (now.handler_id, now.status) == ("K008", request.status.ACKNOWLEDGED)
        steps = await trail(tx, request.id)
        assert [s.kind for s in steps][-1] == "reassigned"
        assert "郑小红" in [s.actor_name for s in steps]  # the trail keeps her name
        assert not await cadre_views.may_see(tx, "K007", request.id)

    assert await tell_reroutes(county, services) == 1
    assert await tell_reroutes(county, services) == 0  # once
    told = await sent(county)
    assert any("郑小红已不再负责这户" in t and request.number in t for t in told[K008])
    assert any("现在由 王磊" in t for t in told[GRANDMA])
    [summary] = told[ADMIN]
    assert f"{request.number}（柳树村王秀英家）：郑小红 → 王磊（已从名册删除）" in summary

    # Re-importing the sample brings her back as a cadre (unbound: a new card binds her).
    await reimport(county, clock, sample(), prune=True)
    async with county.read() as tx:
        row = await tx.fetchone(SELECT_CADRE, ("K007",))
        assert row is not None
        assert row["removed_at"] is None
        assert "K007" in {c.id for c in (await read_roster(tx)).cadres}


async def test_a_cadre_moved_off_a_household_no_longer_sees_or_answers_its_cases(
    county: Database, clock: ManualClock, services: Setup
) -> None:
    request = await file(county, clock, services)
    report = await reimport(county, clock, moved(sample()), prune=False)
    assert (report.to_reroute, report.rerouted) == (1, 1)
    async with county.transaction() as tx:
        store = Requests(tx)
        now = await store.get(request.id)
        assert now is not None
        assert now.handler_id == "K008"
        assert not await cadre_views.may_see(tx, "K007", request.id)  # /inbox LX-… refused
        assert await cadre_views.may_see(tx, "K008", request.id)
        assert await cadre_views.may_see(tx, "K004", request.id)  # still linked (tier 2)
        assert "K007" not in await store.previous_handlers(request.id)
        with pytest.raises(service.NotAllowed):
            await service.may_act(store, request.id, "K007", Event.REPLIED)
    await tell_reroutes(county, services)
    told = await sent(county)
    assert any(request.number in t and "王磊" in t for t in told[K007])  # where it went


async def test_an_unbound_cadre_s_request_goes_one_tier_up_the_chain(
    county: Database, clock: ManualClock, services: Setup
) -> None:
    """``cards revoke --cadre K007 --unbind``: with K008 not in H0001's chain, the request
    goes to the next bound cadre of the chain, 李强 (K004, tier 2)."""
    request = await file(county, clock, services)
    code = await card_code(county, clock.now(), cadre="K004")
    async with county.transaction() as tx:
        await binding.bind(People(tx), 3004, code, clock.now(), POLICY)
    async with county.transaction() as tx:
        live = await codes.live_code(tx, cadre_id="K007")
        assert live is not None
        await codes.unbind(tx, live)
        assert await leaving.reroute_from(tx, clock.now(), "K007", Reason.UNBOUND) == 1
        now = await Requests(tx).get(request.id)
        assert now is not None
        assert (now.handler_id, now.tier) == ("K004", 2)
    await tell_reroutes(county, services)
    told = await sent(county)
    assert any("解除绑定" in t and request.number in t for t in told[3004])
    assert "郑小红 → 李强（已解除绑定）" in told[ADMIN][0]


async def test_a_follow_up_to_a_handler_without_an_account_reaches_the_admins(
    county: Database, clock: ManualClock, services: Setup
) -> None:
    """Re-routing finds someone whenever anyone is there; when no one is, the villager's
    words are not swallowed silently."""
    request = await file(county, clock, services)
    async with county.transaction() as tx:
        await tx.execute("DELETE FROM cadre_accounts WHERE cadre_id = 'K007'")
    async with county.transaction() as tx:
        unit = Unit(UnitOfWork(tx, clock.now()), services)
        done = await service.villager_says(
            Requests(tx), clock.now(), request.id, GRANDMA, Content(text="还是没水")
        )
        calls = notify.calls(unit.view(), await notices.address(unit.work, done.tells))
        assert any(call.lane == ADMIN and "没有人收到" in call.params["text"] for call in calls)


def test_the_sample_cadres_are_what_these_tests_assume() -> None:
    cadres: dict[str, Cadre] = {c.id: c for c in sample().cadres}
    assert (cadres["K007"].name, cadres["K007"].backup_id) == ("郑小红", "K008")
    assert (cadres["K008"].name, cadres["K008"].backup_id) == ("王磊", "K007")
