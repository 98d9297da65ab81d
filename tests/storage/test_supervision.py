"""督办 over a real database with the sample county: the roster's optional departments
sheet and the regions' discipline contact (migration 0016) import, export and re-import;
an old roster without them still imports and keeps the stored departments; who
supervises a household (the region tree); 包案 stored; a confidential complaint goes to
the discipline contact first."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date, timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.domain import confidential, requests
from bot.domain import supervision as rules
from bot.domain.roster import Department, Roster
from bot.domain.stats import Period
from bot.roster_io import load, write_roster
from storage import stats
from storage.db import Database
from storage.requests import Requests
from storage.roster_import import import_roster, read_roster
from storage.supervision import Supervision
from tests.sample import card_code
from tests.storage.test_requests import DEADLINES, GRANDMA, VOICE, _bind
from tests.storage.test_requests import county as county  # the fixture
from tests.storage.test_roster_import import NOW, SAMPLE, sample

POWER = Department("D01", "东坪供电所", "T01", "K005")
AGRICULTURE = Department("D02", "县农业农村局", "C01", "K002")
WEST = Department("D03", "西河水利站", "T02", "K012")
DAY = timedelta(days=1)
DEPARTMENTS = "id,name,region_id,contact_id\nD01,东坪供电所,T01,K005\nD02,县农业农村局,C01,K002\n"


def with_departments(roster: Roster, *departments: Department) -> Roster:
    return dataclasses.replace(roster, departments=departments)


def with_discipline(roster: Roster, region_id: str, cadre_id: str) -> Roster:
    regions = tuple(
        dataclasses.replace(r, discipline_contact=cadre_id) if r.id == region_id else r
        for r in roster.regions
    )
    return dataclasses.replace(roster, regions=regions)


async def test_a_folder_with_a_departments_file_imports_them(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "roster"
    shutil.copytree(SAMPLE, folder)
    (folder / "departments.csv").write_text(DEPARTMENTS, encoding="utf-8")
    placed, problems = load(folder)
    assert problems == []

    report = await import_roster(db, placed.roster, prune=False, dry_run=False, now=NOW)

    assert report.tables["departments"].added == 2
    async with db.read() as tx:
        assert (await read_roster(tx)).departments == (POWER, AGRICULTURE)


async def test_an_old_roster_without_the_sheet_keeps_the_stored_departments(
    db: Database,
) -> None:
    await import_roster(
        db, with_departments(sample(), POWER, WEST), prune=False, dry_run=False, now=NOW
    )
    report = await import_roster(db, sample(), prune=True, dry_run=False, now=NOW)
    assert "departments" not in report.tables
    async with db.read() as tx:
        assert (await read_roster(tx)).departments == (POWER, WEST)
    # A sheet is the whole list: what it leaves out goes, what it changes is updated.
    moved = dataclasses.replace(POWER, contact_id="K004")
    report = await import_roster(
        db, with_departments(sample(), moved), prune=False, dry_run=False, now=NOW
    )
    assert (report.tables["departments"].updated, report.tables["departments"].removed) == (1, 1)
    async with db.read() as tx:
        assert (await read_roster(tx)).departments == (moved,)


async def test_departments_and_discipline_contacts_round_trip_a_workbook(
    db: Database, tmp_path: Path
) -> None:
    roster = with_discipline(with_departments(sample(), POWER, AGRICULTURE), "T01", "K005")
    await import_roster(db, roster, prune=False, dry_run=False, now=NOW)
    async with db.read() as tx:
        stored = await read_roster(tx)
    assert next(r for r in stored.regions if r.id == "T01").discipline_contact == "K005"
    write_roster(tmp_path / "back.xlsx", stored)
    placed, problems = load(tmp_path / "back.xlsx")
    assert problems == []
    assert placed.roster.departments == (POWER, AGRICULTURE)
    assert {r.id: r.discipline_contact for r in placed.roster.regions}["T01"] == "K005"


def test_the_roster_check_names_bad_departments_and_contacts(tmp_path: Path) -> None:
    folder = tmp_path / "roster"
    shutil.copytree(SAMPLE, folder)
    bad = "id,name,region_id,contact_id\nD01,甲,T09,K001\nD01,乙,T01,K099\n" + (
        "供电所供电所供电所供电所供电所,丙,T01,K001\n"
    )
    (folder / "departments.csv").write_text(bad, encoding="utf-8")
    regions = (folder / "regions.csv").read_text(encoding="utf-8-sig").splitlines()
    regions[0] += ",discipline_contact"
    regions[2] += ",K098"  # T01
    (folder / "regions.csv").write_text("\n".join(regions) + "\n", encoding="utf-8")

    _, problems = load(folder)

    found = {(p.column, p.reason) for p in problems}
    assert found == {
        ("region_id", "unknown_region"),
        ("contact_id", "unknown_cadre"),
        ("id", "duplicate_id"),
        ("id", "department_id_long"),
        ("discipline_contact", "unknown_cadre"),
    }


async def test_who_supervises_a_household_and_which_departments_serve_it(
    db: Database,
) -> None:
    roster = with_departments(sample(), POWER, AGRICULTURE, WEST)
    await import_roster(db, roster, prune=False, dry_run=False, now=NOW)
    async with db.read() as tx:
        over = Supervision(tx)
        # 孙丽 (东坪镇) and 赵建国 (the county) supervise 王秀英 of 柳树村一组; 吴海 (西河乡)
        # and 郑小红 (supervises nothing) do not.
        assert [await over.supervises(c, "H0001") for c in ("K003", "K001", "K006", "K007")] == [
            True,
            True,
            False,
            False,
        ]
        assert await over.departments_for("H0001") == [POWER, AGRICULTURE]  # nearest first
        assert await over.department("D03") == WEST
        assert await over.department("D99") is None


async def test_taking_a_case_is_stored_and_the_handler_keeps_it(
    county: Database, clock: ManualClock
) -> None:
    async with county.transaction() as tx:
        store = Requests(tx)
        filed = (await requests.file(store, clock.now(), "H0001", VOICE, DEADLINES)).request
        done = await rules.take(store, Supervision(tx), clock.now(), filed.id, "K003")
    async with county.read() as tx:
        stored = await Requests(tx).get(filed.id)
    assert stored is not None
    assert (stored.leader_id, stored.handler_id) == ("K003", "K007")
    assert done.request == stored
    # /stats and the workbook count it as a 包案 case, for the township and the county.
    period = Period(date(2000, 1, 1), date(2100, 1, 1), clock.now() - DAY, clock.now() + DAY)
    async with county.read() as tx:
        for region in ("T01", "C01"):
            assert (await stats.region_figures(tx, region, period, clock.now())).taken == 1
        assert (await stats.region_figures(tx, "T02", period, clock.now())).taken == 0


async def test_a_complaint_goes_to_the_discipline_contact_first(
    county: Database, clock: ManualClock
) -> None:
    """东坪镇 names 周芳 (K005) its discipline contact: a complaint about 郑小红 (柳树村)
    goes to her; one about 李强 (东坪镇) goes up to the county's supervisor as before."""
    async with county.transaction() as tx:
        await tx.execute("UPDATE regions SET discipline_contact = 'K005' WHERE id = 'T01'")
    await _bind(county, clock, 3100, await card_code(county, clock.now(), cadre="K005"))
    async with county.transaction() as tx:
        store = Requests(tx)
        about_zheng = await confidential.file_complaint(
            store, clock.now(), "H0001", "K007", VOICE, DEADLINES, by_user=GRANDMA
        )
        about_li = await confidential.file_complaint(
            store, clock.now(), "H0001", "K004", VOICE, DEADLINES, by_user=GRANDMA
        )
    assert about_zheng.request.handler_id == "K005"
    assert about_li.request.handler_id == "K001"
