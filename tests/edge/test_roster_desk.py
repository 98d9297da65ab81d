"""Where a roster sent in Telegram waits and what reads it (bot.edge.roster_desk): a .zip of
the four CSV files imports as their folder does; a zip of anything else, or a damaged
workbook, is one clear problem naming the file as it was sent (never the server's path);
nothing is left behind once the file is discarded."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from telegram import Bot

from bot.clock import ManualClock
from bot.domain.roster_sheet import SheetOptions
from bot.domain.roster_uploads import Upload
from bot.edge.roster_desk import RosterDesk
from bot.roster_cli import describe
from storage.db import Database
from tests.e2e.harness import ROOT

SAMPLE = ROOT / "bot" / "samples" / "roster"
WHEN = datetime(2031, 3, 4, 1, 0, tzinfo=UTC)


def desk(db: Database, clock: ManualClock, tmp_path: Path) -> RosterDesk:
    return RosterDesk(
        db, cast(Bot, object()), clock, tmp_path / "files", SheetOptions()
    )  # no download here


def upload(name: str, suffix: str) -> Upload:
    return Upload(1, "tok123", 9001, "file-1", name, suffix, WHEN, "checking")


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as packed:
        for name, data in files.items():
            packed.writestr(name, data)
    return out.getvalue()


def keep(place: Path, data: bytes) -> None:
    place.parent.mkdir(parents=True, exist_ok=True)
    place.write_bytes(data)


async def test_a_zip_of_the_four_csv_files_imports_and_leaves_nothing(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    tables = {f"名册/{p.name}": p.read_bytes() for p in SAMPLE.glob("*.csv")}
    tables["__MACOSX/名册/._regions.csv"] = b"\x00\x05"  # what a Mac adds
    sent = upload("名册.zip", "zip")
    shelf = desk(db, clock, tmp_path)
    place = shelf.place(sent)
    keep(place, zipped(tables))
    checked = await shelf.run(sent, place, prune=False, dry_run=True)
    assert checked.clean
    assert checked.outcome.report is not None
    assert checked.outcome.report.tables["households"].added == 12
    imported = await shelf.run(sent, place, prune=False, dry_run=False)
    assert imported.clean
    again = await shelf.run(sent, place, prune=False, dry_run=True)
    assert again.outcome.report is not None
    assert again.outcome.report.tables["households"].unchanged == 12  # it was imported
    shelf.discard(place)
    assert list((tmp_path / "files").iterdir()) == []


async def test_a_zip_of_other_files_is_one_clear_problem(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    sent = upload("资料.zip", "zip")
    shelf = desk(db, clock, tmp_path)
    place = shelf.place(sent)
    keep(place, zipped({"通知.docx": b"x", "regions.csv": b"id,name\n"}))
    verdict = await shelf.run(sent, place, prune=False, dry_run=True)
    assert not verdict.clean
    (line,) = [describe("zh", p) for p in verdict.outcome.problems]
    assert line.startswith("资料.zip")
    assert "通知.docx" in line
    keep(place, b"not a zip")
    verdict = await shelf.run(sent, place, prune=False, dry_run=True)
    assert "无法读取这个 .zip 文件" in describe("zh", verdict.outcome.problems[0])


async def test_problems_name_the_file_as_sent_not_where_it_waits(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    sent = upload("坏的.xlsx", "xlsx")
    shelf = desk(db, clock, tmp_path)
    place = shelf.place(sent)
    keep(place, b"PK\x03\x04 broken")
    verdict = await shelf.run(sent, place, prune=False, dry_run=True)
    lines = [describe("zh", p) for p in verdict.outcome.problems]
    assert lines
    assert all("坏的.xlsx" in line for line in lines)
    assert not any(str(tmp_path) in line or "tok123" in line for line in lines)
