"""Stays with evidence over a real database: the roster's village centres (lat, lon,
radius_m, migration 0020) import, read back and are checked; a stay's area is its
household's village; points are stored and the night's evidence marked and counted."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

from bot.domain.schedule import DayKind
from bot.domain.stays import Area, Part, Point
from bot.roster_io import load
from storage import schedule
from storage.db import Database
from storage.roster_import import import_roster, read_roster
from storage.stays import Stays

NOW = datetime(2026, 11, 10, 13, 30, tzinfo=UTC)  # 21:30 in Shanghai
SAMPLE = Path(__file__).parents[2] / "bot" / "samples" / "roster"
NIGHT = date(2026, 11, 10)


def with_centres(tmp_path: Path, liushu: str = "25.03,102.71,1500") -> Path:
    """The sample roster, its regions sheet with the optional columns in Chinese."""
    folder = tmp_path / "roster"
    shutil.copytree(SAMPLE, folder)
    regions = folder / "regions.csv"
    lines = regions.read_text(encoding="utf-8-sig").splitlines()
    out = [lines[0] + ",纬度,经度,半径米"]
    for line in lines[1:]:
        out.append(line + ("," + liushu if line.startswith("V01,") else ",,,"))
    regions.write_text("\n".join(out) + "\n", encoding="utf-8")
    return folder


async def test_village_centres_import_and_read_back(db: Database, tmp_path: Path) -> None:
    placed, problems = load(with_centres(tmp_path))
    assert problems == []
    await import_roster(db, placed.roster, prune=False, dry_run=False, now=NOW)
    async with db.read() as tx:
        back = {r.id: r for r in (await read_roster(tx)).regions}
    assert (back["V01"].lat, back["V01"].lon, back["V01"].radius_m) == (25.03, 102.71, 1500.0)
    assert (back["V02"].lat, back["V02"].lon, back["V02"].radius_m) == (None, None, None)
    report = await import_roster(db, placed.roster, prune=False, dry_run=False, now=NOW)
    assert report.tables["regions"].updated == 0  # the same centres: nothing changes


def test_a_bad_or_half_centre_is_a_problem_naming_the_row(tmp_path: Path) -> None:
    _, problems = load(with_centres(tmp_path, "95,102.71,"))
    assert [(p.row, p.column, p.reason) for p in problems] == [(5, "lat", "bad_number")]
    shutil.rmtree(tmp_path / "roster")
    _, problems = load(with_centres(tmp_path, "25.03,,"))
    assert [(p.row, p.column, p.reason) for p in problems] == [(5, "lat", "half_centre")]


async def test_points_mark_the_night_and_count_it(db: Database, tmp_path: Path) -> None:
    placed, _ = load(with_centres(tmp_path))
    await import_roster(db, placed.roster, prune=False, dry_run=False, now=NOW)
    async with db.transaction() as tx:
        day = await schedule.log_day(tx, "K004", DayKind.STAY, NIGHT, NOW, "H0003", "")
        await schedule.log_day(tx, "K005", DayKind.STAY, NIGHT, NOW, None, "")  # no evidence
        store = Stays(tx)
        stay = await store.open_stay("K004", (NIGHT, NIGHT))
        assert stay is not None
        assert stay.id == day
        area = await store.area_of(day)  # H0003 is in 柳树村二组, below 柳树村
        assert area == Area("柳树村", 25.03, 102.71, 1500.0)
        await store.add_point(day, Point(NOW, 25.031, 102.711, live=True), True, 88)
        await store.mark(day, Part.EVENING, NOW)
        morning = datetime(2026, 11, 10, 21, 50, tzinfo=UTC)  # 05:50 the next morning
        await store.add_point(day, Point(morning, 25.031, 102.711, live=True), True, 88)
        await store.mark(day, Part.MORNING, morning)
        again = await store.stay_of_message("K004", 88)
        assert again is not None
        assert again.evidence.counted
        assert await store.stay_of_message("K005", 88) is None  # another's message id
        assert await schedule.Schedules(tx).stayed_on("K004", NIGHT)
        lines = {line.cadre_id: line for line in await store.nights("T01", NIGHT, NIGHT)}
        assert await store.region_name("T01") == "东坪镇"
    assert (lines["K004"].days, lines["K004"].evidenced) == (1, 1)
    assert (lines["K005"].days, lines["K005"].evidenced) == (1, 0)
    assert (lines["K003"].days, lines["K003"].evidenced) == (0, 0)
