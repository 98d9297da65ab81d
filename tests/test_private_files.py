"""Personal data at rest: everything lianxin writes is its owner's only (0600 files, 0700
folders), and a backup is whole and sound or absent."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from bot.cli import main
from bot.roster_io import load, write_roster
from storage.db import Database

SAMPLE = Path(__file__).parents[1] / "bot" / "samples" / "roster"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def loose_umask() -> Iterator[None]:
    """A shell's usual umask (022), under which files are born world-readable."""
    before = os.umask(0o022)
    yield
    os.umask(before)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[database]\npath = "data/x.db"\n[cards]\nbot_username = "lianxin_bot"\n')
    return path


def run(config: Path, capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        main(["--config", str(config), *map(str, args)])
    out, err = capsys.readouterr()
    assert isinstance(exit_.value.code, int)
    return exit_.value.code, out + err


def test_the_database_exports_and_backups_are_their_owner_s_only(
    config: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(config, capsys, "roster", "import", SAMPLE)[0] == 0
    database = tmp_path / "data" / "x.db"
    assert mode(database.parent) == 0o700
    assert mode(database) == 0o600
    assert os.umask(0o022) == 0o022  # main() gave the caller's umask back

    outputs = tmp_path / "out"
    assert run(config, capsys, "roster", "export", outputs / "名册.xlsx")[0] == 0
    assert run(config, capsys, "roster", "export", outputs / "名册")[0] == 0
    month = ("report", "--from", "2026-11-01", "--to", "2026-11-30", "--region", "T01")
    assert run(config, capsys, *month, "--format", "csv", "--out", outputs / "r.csv")[0] == 0
    assert run(config, capsys, *month, "--out", outputs / "r.xlsx")[0] == 0
    assert run(config, capsys, "cards", "--region", "T01", "--format", "csv",
               "--out", outputs / "cards.csv")[0] == 0  # fmt: skip
    assert run(config, capsys, "db", "backup", tmp_path / "backups" / "x.db")[0] == 0
    written = [*outputs.rglob("*"), tmp_path / "backups", tmp_path / "backups" / "x.db"]
    assert {p.name: oct(mode(p)) for p in written} == {
        p.name: "0o700" if p.is_dir() else "0o600" for p in written
    }
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == ["x.db"]


def test_files_are_private_however_the_code_is_called(tmp_path: Path) -> None:
    placed, _ = load(SAMPLE)
    write_roster(tmp_path / "a" / "b" / "名册.xlsx", placed.roster)
    write_roster(tmp_path / "c" / "名册", placed.roster)
    for path in tmp_path.rglob("*"):
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path


async def test_a_database_made_world_readable_before_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE t (x)")
    path.chmod(0o644)
    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t VALUES (1)")
        wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
        assert [oct(mode(p)) for p in (path, wal, shm)] == ["0o600"] * 3
    finally:
        await db.close()


async def _fail_half_way(self: aiosqlite.Connection, target: aiosqlite.Connection,
                         **_: Any) -> None:  # fmt: skip
    await target.execute("CREATE TABLE half (x)")  # something is written, then the disk fills
    raise sqlite3.OperationalError("database or disk is full")


async def _corrupt(_path: Path) -> str:
    return "*** in database main ***; Page 7: btreeInitPage() returns error code 11"


@pytest.mark.parametrize(
    ("target", "replacement", "says"),
    [
        ("aiosqlite.Connection.backup", _fail_half_way, "database or disk is full"),
        ("storage.db._integrity", _corrupt, "failed its integrity check: *** in database main"),
    ],
)
def test_a_failed_backup_leaves_nothing_at_its_path(
    config: Path,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    replacement: object,
    says: str,
) -> None:
    assert run(config, capsys, "roster", "import", SAMPLE)[0] == 0
    monkeypatch.setattr(target, replacement)
    backup = tmp_path / "backups" / "x.db"
    code, said = run(config, capsys, "db", "backup", backup)
    assert code == 1
    (line,) = said.splitlines()
    assert line.startswith(f"lianxin: {backup}: no backup made (")
    assert says in line
    assert list(backup.parent.iterdir()) == []  # no partial file, under any name
    monkeypatch.undo()
    assert run(config, capsys, "db", "backup", backup)[0] == 0  # and the next one works
