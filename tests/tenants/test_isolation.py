"""Counties on one PostgreSQL database cannot see each other: a cadre or a supervisor of
county A, whose ids (cadre K001, household H0001, request 3) all exist in county B too,
asks through the service layer for the figures, the workbook, their cases, a household
by name and B's request ids, and sees and changes only A's rows. The scoping is the
connection's (its search_path is the county's schema alone), so it holds for every
repository; the last test checks that no repository's SQL names a schema to get past it."""

from __future__ import annotations

import ast
import re
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain import stats as domain_stats
from bot.domain.picking import Listing, Verb
from bot.domain.requests import InboxFilter, NotAllowed
from bot.domain.schedule import Rules as PickRules
from bot.services import casework, inbox, pickers
from bot.services import stats as figures
from bot.services.identity import Identity, identify
from storage.unit_of_work import reading, unit_of_work
from tests.conftest import START
from tests.pg_cluster import Cluster
from tests.tenants.counties import SUPERVISOR, VILLAGE_CADRE, County, county, database

ZONE = ZoneInfo("Asia/Shanghai")
STORAGE = Path(__file__).resolve().parents[2] / "storage"


@pytest.fixture
async def counties(pg_cluster: Cluster) -> AsyncIterator[tuple[County, County]]:
    async with database(pg_cluster) as url:
        a = await county(url, "county_a", START, 2, "甲县水管漏了")
        b = await county(url, "county_b", START, 5, "乙县路灯坏了")
        try:
            yield a, b
        finally:
            await a.db.close()
            await b.db.close()


async def who(c: County, user: int) -> Identity:
    async with reading(c.db, START) as work:
        return await identify(work.people, user, ())


async def status_of(c: County, request_id: int) -> tuple[str, str]:
    async with c.db.read() as tx:
        row = await tx.fetchone(
            "SELECT status, handler_id FROM requests WHERE id = ?", (request_id,)
        )
    assert row is not None
    return row[0], row[1]


async def test_each_connection_sees_its_own_schema_only(counties: tuple[County, County]) -> None:
    a, b = counties
    for c, filed in ((a, 2), (b, 5)):
        async with c.db.read() as tx:
            schemas = await tx.fetchone("SELECT current_schemas(false)")
            count = await tx.fetchone("SELECT count(*) FROM requests")
        assert schemas is not None
        assert list(schemas[0]) == [c.schema]
        assert count is not None
        assert count[0] == filed


async def test_a_supervisor_of_a_sees_a_figures_only(counties: tuple[County, County]) -> None:
    a, _ = counties
    boss = await who(a, SUPERVISOR)
    assert boss.cadre is not None
    assert boss.cadre.name == "赵建国"
    assert boss.supervises == "C01"  # B's county has the same id
    period = domain_stats.month_of(START.astimezone(ZONE).date(), ZONE)
    order = figures.Order(SUPERVISOR, boss.cadre, "village", period, boss.supervises)
    async with reading(a.db, START) as work:
        # /stats's figures and its by-village button (the chart's days and the cadre
        # names wait for storage/stats.py's port to PostgreSQL: json_each).
        whole = await work.stats.region_figures("C01", period, work.now)
        by_village = await figures.table(work, order)
        place = await work.stats.region("C01")
    assert place is not None
    assert place.name == "和平县"
    assert whole.filed == 2
    assert len(whole.first_response) == 0
    assert sum(line.figures.filed for line in by_village.lines) == 2
    assert [line.name for line in by_village.lines] == ["柳树村"]


async def test_a_cadre_of_a_lists_and_opens_a_cases_only(counties: tuple[County, County]) -> None:
    a, b = counties
    cadre = await who(a, VILLAGE_CADRE)
    async with reading(a.db, START) as work:
        listed = await inbox.page(work, cadre, InboxFilter.ALL)
        waiting = await inbox.inbox(work, cadre)
        with pytest.raises(inbox.NotFound):
            await inbox.open_case(work, cadre, b.requests[-1].id)  # B's id 5: none in A
        with pytest.raises(inbox.NotFound):
            await inbox.open_number(work, cadre, b.requests[-1].number)
        same_id = await inbox.open_case(work, cadre, b.requests[0].id)  # id 1: A's own 1
    assert listed.count == 2
    assert {line.number for line in listed.lines} == {r.number for r in a.requests}
    assert len(waiting.lines) == 2
    assert same_id.content is not None
    assert (same_id.content.text or "").startswith("甲县")
    assert same_id.household.head_name == "王秀英"


async def test_a_forged_request_id_of_b_changes_nothing(counties: tuple[County, County]) -> None:
    a, b = counties
    cadre = await who(a, VILLAGE_CADRE)
    forged = b.requests[-1].id
    before = await status_of(b, forged)
    with pytest.raises((NotAllowed, LookupError)):
        async with unit_of_work(a.db, START) as work:
            await casework.acknowledge(work, cadre, forged)
    assert await status_of(b, forged) == before == ("open", "K007")
    # An id both have: the act is on A's request, B's stays as it was.
    shared = b.requests[0].id
    async with unit_of_work(a.db, START) as work:
        await casework.acknowledge(work, cadre, shared)
    assert (await status_of(a, shared))[0] == "acknowledged"
    assert (await status_of(b, shared))[0] == "open"


async def test_household_pickers_find_a_households_only(counties: tuple[County, County]) -> None:
    a, _ = counties
    cadre = await who(a, VILLAGE_CADRE)
    rules = PickRules(zone=ZONE, stay_quota={})
    async with unit_of_work(a.db, START) as work:
        listed = await pickers.command(work, cadre, Verb.FILE, [], rules)
        only_b = await pickers.command(work, cadre, Verb.VISIT, ["孤山"], rules)
        with pytest.raises(casework.NotLinked):
            await pickers.command(work, cadre, Verb.FILE, ["H0999"], rules)  # B's household
    assert isinstance(listed, Listing)
    shown = repr(listed)
    assert "王秀英" in shown
    assert "乙" not in shown
    assert "H0999" not in shown
    assert isinstance(only_b, pickers.NoneFound)


# A statement that names a schema ("county_x.requests", "public.regions") or a county's
# schema at all would reach past the connection's search_path.
# PostgreSQL's own catalogs (information_schema, pg_catalog) are not a county's tables.
QUALIFIED = re.compile(
    r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE|EXISTS)\s+(?!information_schema\.|pg_catalog\.)"
    r"\"?[A-Za-z_]\w*\"?\s*\.\s*\"?[A-Za-z_]",
    re.IGNORECASE,
)

COUNTY = re.compile(r"\bcounty_\w*\"?\s*\.")  # county_heping.x (county_leader is a rank)


def strings(source: Path) -> list[str]:
    """Every string constant of a module: its SQL and nothing of its Python."""
    tree = ast.parse(source.read_text(encoding="utf-8"))
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def test_no_repository_sql_names_a_schema() -> None:
    sources = sorted(STORAGE.glob("*.py"))
    assert len(sources) > 20
    for source in sources:
        # The door sets the search_path; the copy into PostgreSQL names its target schema.
        if source.name in ("pg.py", "backend.py", "pg_copy.py"):
            continue
        for text in strings(source):
            assert not COUNTY.search(text), f"{source.name} names a county's schema: {text}"
            assert "search_path" not in text, f"{source.name} changes the search_path"
            found = QUALIFIED.search(text)
            assert found is None, f"{source.name}: {found[0] if found else ''}"
    scripts = sorted((STORAGE / "migrations").rglob("*.sql"))
    assert len(scripts) > 20
    for script in scripts:
        text = script.read_text(encoding="utf-8")
        assert not COUNTY.search(text), script.name
        assert "search_path" not in text, script.name
        found = QUALIFIED.search(text)
        assert found is None, f"{script.name}: {found[0] if found else ''}"


def test_the_check_sees_a_qualified_name() -> None:
    for bad in (
        "SELECT 1 FROM county_b.requests",
        'UPDATE "public".regions SET x = 1',
        "INSERT INTO other.households VALUES (1)",
        "SELECT * FROM a JOIN b . c ON 1",
    ):
        assert QUALIFIED.search(bad), bad
    assert COUNTY.search("SELECT * FROM county_b . requests")
    assert not COUNTY.search("rank IN ('county_leader', 'section_chief')")
    assert not QUALIFIED.search("SELECT r.id FROM requests r JOIN households h ON h.id = 1")
