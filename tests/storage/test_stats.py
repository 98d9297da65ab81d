"""The supervisors' figures over a real database: a known November built with the domain
services and a manual clock, checked exactly for the county, a township, a village and
one cadre; another township's rows never appear; the workbook read back with openpyxl."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot import report
from bot.clock import ManualClock
from bot.domain import requests as service
from bot.domain import stats
from bot.domain.lifecycle import Event, Outcome
from bot.domain.requests import Content, Deadlines
from bot.i18n import Texts
from bot.services import stats as figures
from storage import codes
from storage import stats as store
from storage.db import Database, Tx
from storage.people import People
from storage.requests import Requests
from storage.timefmt import to_db
from storage.unit_of_work import reading
from tests import reference_stats as reference
from tests.sample import load_sample

ZONE = ZoneInfo("Asia/Shanghai")
DEADLINES = Deadlines(timedelta(hours=24), timedelta(days=7), timedelta(hours=2))
T0 = datetime(2026, 11, 2, tzinfo=UTC)
NOW = datetime(2026, 11, 20, tzinfo=UTC)
NOV = stats.days(date(2026, 11, 1), date(2026, 11, 30), ZONE)
H = 3600.0
INSERT_STAY = """
INSERT INTO cadre_days (cadre_id, kind, local_date, logged_at) VALUES (?, 'stay', ?, ?)
"""


@dataclass(frozen=True)
class Expected:
    filed: int
    open: int
    overdue: int
    escalated: int
    explained: int
    reopened: int
    responded_in_time: int
    due: int
    solved_of_due: int
    satisfied: int
    partly: int
    by_timeout: int
    first_response: list[float]
    resolution: list[float]


async def _history(db: Database, clock: ManualClock) -> dict[str, int]:
    """A: answered and confirmed; B: late, reopened, resolved late, partly; C: explained,
    closed by timeout; D: escalated, never answered; E: in the other township."""
    async with db.transaction() as tx:
        people = People(tx)
        for n, cadre in enumerate(("K004", "K007", "K008", "K009", "K010")):
            await people.bind_cadre(cadre, 900 + n, await _code(tx, cadre), T0)
        for n, household in enumerate(("H0001", "H0002", "H0003", "H0005", "H0007")):
            await people.add_member(500 + n, household, await _code(tx, None, household), T0)
    ids: dict[str, int] = {}

    async def at(hours: float, name: str, step: object) -> None:
        clock.set(T0 + timedelta(hours=hours))
        async with db.transaction() as tx:
            store_ = Requests(tx)
            now = clock.now()
            if step == "file":
                household = {"A": "H0001", "B": "H0003", "C": "H0005", "D": "H0002", "E": "H0007"}
                done = await service.file(store_, now, household[name], Content("x"), DEADLINES)
                ids[name] = done.request.id
                return
            request = await store_.get(ids[name])
            assert request is not None
            user = {"A": 500, "B": 502, "C": 503, "D": 501, "E": 504}[name]
            if isinstance(step, Event):
                await service.act(store_, now, request.id, request.handler_id, step)
            elif step == "escalate":
                await service.escalate(store_, now, request.id, "x", by_cadre=request.handler_id)
            elif step == "timeout":
                await service.close_by_timeout(store_, now, request.id)
            else:
                rating = None if step == "reopen" else Outcome(str(step))
                await service.confirm(store_, now, request.id, user, rating)

    for name in "ABCDE":
        await at(0, name, "file")
    await at(1, "C", Event.EXPLAINED)
    await at(1, "E", Event.ACKNOWLEDGED)
    await at(2, "A", Event.ACKNOWLEDGED)
    await at(2, "E", Event.RESOLVED)
    await at(3, "D", "escalate")
    await at(3, "E", "satisfied")
    await at(30, "A", Event.RESOLVED)
    await at(30, "B", Event.ACKNOWLEDGED)
    await at(40, "A", "satisfied")
    await at(50, "B", Event.RESOLVED)
    await at(60, "B", "reopen")
    await at(100, "C", "timeout")
    await at(200, "B", Event.RESOLVED)
    await at(210, "B", "partly")
    clock.set(NOW)
    return ids


async def _code(tx: Tx, cadre: str | None, household: str | None = None) -> str:
    return await codes.issue(tx, T0, household_id=household, cadre_id=cadre)


T01 = Expected(4, 1, 2, 1, 1, 1, 2, 4, 2, 1, 1, 1, [1 * H, 2 * H, 30 * H], [30 * H, 200 * H])
V01 = Expected(3, 1, 2, 1, 0, 1, 1, 3, 2, 1, 1, 0, [2 * H, 30 * H], [30 * H, 200 * H])
C01 = Expected(5, 1, 2, 1, 1, 1, 3, 5, 3, 2, 1, 1, [H, H, 2 * H, 30 * H], [2 * H, 30 * H, 200 * H])
T02 = Expected(1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, [H], [2 * H])
K007 = Expected(1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, [2 * H], [30 * H])


async def _rows(
    tx: Tx, period: stats.Period, region: str = "", cadre: str = ""
) -> list[reference.RequestRow]:
    """The reference's rows of a region's subtree, or of a cadre, walked in Python."""
    rows = await reference.all_rows(tx)
    if cadre:
        return reference.cadre_rows(rows, cadre, period)
    return reference.region_rows(rows, region, await reference.all_places(tx), period)


def _check(f: stats.Figures, e: Expected) -> None:
    counts = (
        f.filed, f.open, f.overdue, f.escalated, f.explained, f.reopened,
        f.responded_in_time, f.due, f.solved_of_due, f.satisfied, f.partly, f.by_timeout,
    )  # fmt: skip
    assert counts == (
        e.filed, e.open, e.overdue, e.escalated, e.explained, e.reopened,
        e.responded_in_time, e.due, e.solved_of_due, e.satisfied, e.partly, e.by_timeout,
    )  # fmt: skip
    assert sorted(f.first_response) == e.first_response
    assert sorted(f.resolution) == e.resolution
    assert f.response_rate == e.responded_in_time / e.filed
    assert f.resolution_rate == e.solved_of_due / e.due
    assert f.satisfaction_rate == e.satisfied / (e.satisfied + e.partly)


@pytest.fixture
async def november(db: Database) -> dict[str, int]:
    await load_sample(db)
    return await _history(db, ManualClock(T0))


@pytest.mark.parametrize(
    ("region", "expected"), [("C01", C01), ("T01", T01), ("V01", V01), ("T02", T02)]
)
async def test_every_figure_for_each_region(
    db: Database, november: dict[str, int], region: str, expected: Expected
) -> None:
    async with db.read() as tx:
        rows = await _rows(tx, NOV, region)
        counted = await store.region_figures(tx, region, NOV, NOW)
    _check(reference.figures(rows, NOV, NOW), expected)
    _check(counted, expected)  # counted in SQL (C01 is the whole county: its root region)


async def test_the_figures_of_one_cadre_and_the_medians(
    db: Database, november: dict[str, int]
) -> None:
    async with db.read() as tx:
        rows = await _rows(tx, NOV, cadre="K007")
        county = reference.figures(await _rows(tx, NOV, "C01"), NOV, NOW)
        own = await store.cadre_figures(tx, "K007", NOV, NOW)
        counted = await store.region_figures(tx, "C01", NOV, NOW)
    _check(reference.figures(rows, NOV, NOW), K007)
    _check(own, K007)
    for f in (county, counted):
        assert f.first_response_median == 1.5 * H
        assert f.first_response_p90 == 30 * H
        assert f.resolution_median == 30 * H
        assert f.resolution_p90 == 200 * H


async def test_a_jurisdiction_never_sees_another_s_requests(
    db: Database, november: dict[str, int]
) -> None:
    async with db.read() as tx:
        t01 = {r.number for r in await _rows(tx, NOV, "T01")}
        t02 = {r.number for r in await _rows(tx, NOV, "T02")}
        overdue_t02 = await store.overdue(tx, "T02", NOW)
        overdue_t01 = await store.overdue(tx, "T01", NOW)
        lines_t02 = await store.report_lines(tx, "T02", NOV, NOW)
        villages_t02 = await store.region_breakdown(tx, "T02", NOV, NOW, "village")
        cadres_t02 = await store.region_breakdown(tx, "T02", NOV, NOW, "cadre")
    assert t01.isdisjoint(t02)
    assert len(t01) == 4
    assert len(t02) == 1
    assert {line.number for line in lines_t02} == t02
    assert list(villages_t02) == ["V03"]
    assert sum(f.filed for f in cadres_t02.values()) == 1
    assert overdue_t02 == []
    assert [line.request_id for line in overdue_t01] == [november["D"]]
    assert overdue_t01[0].handler == "李强"  # escalated to the township cadre


async def test_the_workbook_read_back(db: Database, november: dict[str, int]) -> None:
    async with db.transaction() as tx:
        await tx.execute(INSERT_STAY, ("K004", "2026-11-03", "2026-11-03T01:00:00.000000Z"))
        await tx.execute(INSERT_STAY, ("K004", "2026-11-03", "2026-11-03T02:00:00.000000Z"))
        await tx.execute(INSERT_STAY, ("K004", "2026-11-04", "2026-11-04T01:00:00.000000Z"))
    async with reading(db, NOW) as work:
        data = await figures.report(work, "T01", NOV)
    assert data is not None
    texts = Texts("zh")
    book = load_workbook(io.BytesIO(report.xlsx(data, texts, ZONE, {"township_cadre": 8})))
    assert book.sheetnames == ["诉求", "按区域", "按干部", "绑定率", "住村", "值班"]
    assert next(book["值班"].values) == ("村/乡镇", "层级", "应值夜次", "实住夜次", "守夜率")
    rows = list(book["诉求"].iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "户编号", "户主", "村")
    by_number = {r[0]: r for r in rows[1:]}
    assert len(by_number) == 4
    b = by_number["LX-2026-000002"]
    assert b[2:6] == ("张桂兰", "柳树村", "其他", "x")  # what was filed
    assert isinstance(b[6], datetime)  # a date cell, in local time
    assert [t.isoformat(" ", "minutes") for t in b[6:9] if isinstance(t, datetime)] == [
        "2026-11-02 08:00",
        "2026-11-03 14:00",
        "2026-11-10 16:00",  # the last resolution
    ]
    assert b[11] == "部分解决"
    assert b[12] == "王磊"
    assert b[13:] == (0, "是")
    d = by_number["LX-2026-000004"]
    assert d[12] == "郑小红、李强"
    assert d[13:] == (1, "是")
    regions = list(book["按区域"].iter_rows(values_only=True))
    assert [r[0] for r in regions[1:]] == ["东坪镇", "柳树村", "石桥村"]  # each once
    assert regions[1][1:4] == (4, 1, 2)
    assert regions[1][7:10] == (0.5, 0.5, 0.5)  # percentages, shown 50.0%
    quota = list(book["住村"].iter_rows(values_only=True))
    assert quota[0][4:7] == ("有证据(晚)", "无证据(晚)", "还差(晚)")
    assert quota[1:] == [  # furthest behind first, then by id; both nights without evidence
        ("李强", "K004", "乡镇干部", 8, 0, 2, 8, "否"),
        ("周芳", "K005", "乡镇干部", 8, 0, 0, 8, "否"),
    ]
    csv_text = report.csv_bytes(data, texts, ZONE).decode("utf-8")
    assert csv_text.startswith("\ufeff编号,")
    assert csv_text.count("\n") == 5


# --- SQL against the reference ---------------------------------------------------------
# storage.stats counts every figure in SQL; tests/reference_stats.py defines them over rows
# (and walks the subtree from the parent links, not the closure table). On a random
# history (any status, outcome, reopen, escalation and explanation, times with
# microseconds, households at every level), both must give the same figures exactly.

INSERT_REQUEST = """
INSERT INTO requests (number, household_id, category, status, handler_id, tier, filed_at,
    first_response_at, respond_by, resolve_by, resolved_at, resolution, closed_at, outcome,
    reopened)
VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
INSERT_EVENT = """
INSERT INTO request_events (request_id, at, kind, actor, handler_id) VALUES (?, ?, ?, 'x', ?)
"""
INSERT_HOUSEHOLD = """
INSERT INTO households (id, head_name, region_id, address, phone) VALUES (?, '户主', ?, '', '')
"""
SELECT_IDS = "SELECT id FROM households UNION ALL SELECT '' UNION ALL SELECT id FROM cadres"
REGIONS = ("C01", "T01", "T02", "V01", "V03", "G011")
BYS: tuple[stats.By, ...] = ("township", "village", "cadre", "category")


def _moment(rng: random.Random, base: datetime, days: float) -> datetime:
    return base + timedelta(seconds=rng.uniform(0, days * 86400))


def _request(rng: random.Random, n: int, household: str, cadre: str) -> tuple[object, ...]:
    filed = _moment(rng, datetime(2026, 10, 1, tzinfo=UTC), 75)
    first = _moment(rng, filed, 3) if rng.random() < 0.8 else None
    if rng.random() < 0.1:  # exactly at the response due time: still in time
        first = filed + timedelta(hours=24)
    status, resolved, resolution, closed, outcome = (
        "open" if first is None else "acknowledged",
        None,
        None,
        None,
        None,
    )
    if first is not None and rng.random() < 0.75:
        resolved = _moment(rng, first, 12)
        if rng.random() < 0.1:  # exactly at the resolution due time: not overdue
            resolved = filed + timedelta(days=7)
        resolution, status = rng.choice(("resolved", "explained")), "resolved"
        if rng.random() < 0.8:
            closed = _moment(rng, resolved, 4)
            outcome, status = rng.choice(("satisfied", "partly", "timeout")), "closed"
    elif rng.random() < 0.15:  # 撤回 before a resolution: closed, no outcome
        closed, status = _moment(rng, first or filed, 3), "closed"
    stored = [None if t is None else to_db(t) for t in (filed, first, resolved, closed)]
    category = rng.choice(("water", "road", "other"))
    respond_by, resolve_by = to_db(filed + timedelta(hours=24)), to_db(filed + timedelta(days=7))
    return (
        f"LX-R-{n:05d}", household, category, status, cadre, stored[0], stored[1], respond_by,
        resolve_by, stored[2], resolution, stored[3], outcome, rng.choice((0, 0, 0, 1, 2)),
    )  # fmt: skip


async def _random_history(db: Database, seed: int) -> list[str]:
    rng = random.Random(seed)
    async with db.transaction() as tx:
        for region in ("C01", "T02", "V02"):  # households above the village level too
            await tx.execute(INSERT_HOUSEHOLD, (f"H9{region}", region))
        ids = [r[0] for r in await tx.fetchall(SELECT_IDS)]
        households, cadres = ids[: ids.index("")], ids[ids.index("") + 1 :]
        for n in range(300):
            cadre = rng.choice(cadres)
            request = _request(rng, n, rng.choice(households), cadre)
            request_id = await tx.insert(INSERT_REQUEST, request)
            await tx.execute(INSERT_EVENT, (request_id, request[5], "filed", cadre))
            for kind in ("escalated", "escalated", "explained", "acknowledged"):
                if rng.random() < 0.2:
                    await tx.execute(INSERT_EVENT, (request_id, request[5], kind, cadre))
    return cadres


def _same(counted: stats.Figures, reference: stats.Figures) -> None:
    assert counted == replace(
        reference,
        first_response=tuple(sorted(reference.first_response)),
        resolution=tuple(sorted(reference.resolution)),
    )


@pytest.mark.parametrize("seed", [1, 2])
async def test_sql_counts_every_figure_as_the_definitions_do(db: Database, seed: int) -> None:
    await load_sample(db)
    cadres = await _random_history(db, seed)
    periods = [
        NOV,
        stats.days(date(2026, 10, 1), date(2026, 10, 31), ZONE),
        stats.days(date(2026, 11, 10), date(2026, 11, 16), ZONE),
        stats.days(date(2026, 11, 20), date(2026, 11, 20), ZONE),  # today: NOW is in it
    ]
    async with db.read() as tx:
        for period in periods:
            for region in REGIONS:
                rows = await _rows(tx, period, region)
                places = reference.subtree(region, await reference.all_places(tx))
                assert await store.places(tx, region) == places
                counted = await store.region_figures(tx, region, period, NOW)
                _same(counted, reference.figures(rows, period, NOW))
                days = await store.region_days(tx, region, period, ZONE)
                assert days == reference.per_day(rows, period, ZONE)
                for by in BYS:
                    table = await store.region_breakdown(tx, region, period, NOW, by)
                    expected = reference.breakdown(rows, period, NOW, _key(by, places))
                    assert list(table) == list(expected)
                    for key, figures in table.items():
                        _same(figures, expected[key])
            for cadre in cadres[:6]:
                rows = await _rows(tx, period, cadre=cadre)
                _same(
                    await store.cadre_figures(tx, cadre, period, NOW),
                    reference.figures(rows, period, NOW),
                )
                days = await store.cadre_days(tx, cadre, period, ZONE)
                assert days == reference.per_day(rows, period, ZONE)


def _key(by: stats.By, places: dict[str, stats.Place]) -> Callable[[reference.RequestRow], str]:
    if by in ("township", "village"):
        return lambda r: reference.ancestor(r.region_id, by, places)
    if by == "cadre":
        return lambda r: r.handler_id
    return lambda r: r.category


def test_the_workbook_writer_keeps_any_text() -> None:
    rows: list[list[object]] = [['<b> & "c"', " lead", 1, 2.5, "", "a\x01b", True], ["二"]]
    book = load_workbook(io.BytesIO(report.workbook([("A&B <1>", rows)])))
    assert book.sheetnames == ["A&B <1>"]
    read = list(book["A&B <1>"].iter_rows(values_only=True))
    assert read == [('<b> & "c"', " lead", 1, 2.5, None, "ab", 1), ("二", *[None] * 6)]
