"""Personal data at rest: everything lianxin writes is its owner's only (0600 files, 0700
folders), a backup is whole and sound or absent, and ``lianxin purge`` says what it
deleted."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
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


OLD = "2020-01-01T00:00:00.000000Z"


def test_purge_says_what_it_deleted_and_a_dry_run_deletes_nothing(
    config: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(config, capsys, "db", "upgrade")[0] == 0
    database = tmp_path / "data" / "x.db"
    with sqlite3.connect(database) as conn:
        conn.executemany(
            "INSERT INTO inbox (update_id, lane, payload, received_at, status, handled_at) "
            "VALUES (?, 1, '{}', ?, ?, ?)",
            [(1, OLD, "done", OLD), (2, OLD, "failed", OLD), (3, OLD, "pending", None)],
        )
        conn.execute(
            "INSERT INTO accounts (user_id, first_name, first_seen, last_seen) "
            "VALUES (7, '路人', ?, ?)",
            (OLD, OLD),
        )
    (tmp_path / "data" / "files").mkdir()
    chart = tmp_path / "data" / "files" / "stats-1.png"
    chart.write_bytes(b"png")
    old = (datetime.now(UTC) - timedelta(days=2)).timestamp()
    os.utime(chart, (old, old))

    code, said = run(config, capsys, "purge", "--dry-run")
    assert code == 0
    assert said.splitlines() == [
        "试运行（--dry-run），什么也没有删除；正式运行将删除：",
        "已处理的消息原文：1 条（90 天以前处理的）",
        "已发出的消息：0 条；另有 0 条只清空内容（保留去重记号，提醒不会重发）",
        "从未绑定、也没有参与任何诉求的账号：1 个（30 天以来没有消息的）",
        "输错绑定码的旧记录：0 条",
        "已发出的图表和统计表文件：1 个",
        "诉求、办理记录和全部统计数字不受影响；尚未处理或尚未发出的消息一律保留。",
    ]
    assert chart.exists()
    code, said = run(config, capsys, "purge")
    assert code == 0
    assert said.splitlines()[:2] == [
        "已按 [retention] 的设置清理：",
        "已处理的消息原文：1 条（90 天以前处理的）",
    ]
    assert not chart.exists()
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT update_id FROM inbox ORDER BY id").fetchall() == [(2,), (3,)]
        assert conn.execute("SELECT count(*) FROM accounts").fetchone() == (0,)
    assert "：0 " in run(config, capsys, "purge")[1]


def test_purge_without_a_database_says_so(
    config: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, said = run(config, capsys, "purge")
    assert code == 1
    database = tmp_path / "data" / "x.db"
    assert said.strip() == f"lianxin: {database}: no database there (check database.path)"
    assert not (tmp_path / "data").exists()
