"""Operating on PostgreSQL from the command line, as an IT clerk does (README "PostgreSQL:
when and how"): a wrong database.url stops every command with one line and never shows the
password; ``status`` and ``db upgrade`` work there; ``db backup`` points to pg_dump; and
``db migrate-to-postgres`` copies a county made by the real flows (the demo) and proves it
with the counts of both sides.

The commands run as child processes (``tests.e2e.support.lianxin``): what the clerk sees.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

import psycopg
import pytest

from bot import cli
from bot.clock import SystemClock
from bot.config import DATABASE_URL_ENV, ConfigError, load_config
from storage import migrate, pg_copy
from storage.pg import PgDatabase
from tests.conftest import pg_database
from tests.e2e.support import Outcome, lianxin
from tests.pg_cluster import PASSWORD, Cluster

pytestmark = pytest.mark.slow  # child processes and a PostgreSQL server
TOKEN = "123456:AAfakeTokenForTheseTests_x"


def config_file(folder: Path, url: str = "", extra: str = "") -> Path:
    """A config.toml naming the SQLite file, and ``url`` if given (else the environment)."""
    path = folder / "config.toml"
    line = f'url = "{url}"' if url else ""
    text = f'[database]\npath = "lianxin.db"\n{line}\n{extra}\n[general]\nlanguage = "en"\n'
    path.write_text(text, encoding="utf-8")
    return path


async def command(config: Path, *args: str, url: str = "", token: str | None = None) -> Outcome:
    """``lianxin --config CONFIG ARGS`` with $LIANXIN_DATABASE_URL set to ``url``."""
    return await lianxin_with(config, args, {DATABASE_URL_ENV: url} if url else {}, token)


async def lianxin_with(
    config: Path, args: tuple[str, ...], env: dict[str, str], token: str | None
) -> Outcome:
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the helper passes the environment on, LIANXIN_* settings aside
    try:
        return await lianxin("--config", str(config), *args, token=token, cwd=config.parent)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def assert_one_clean_line(outcome: Outcome, code: int, *words: str) -> str:
    """Exit ``code``, one line on stderr saying ``words``, no traceback, no password."""
    assert outcome.code == code, outcome.output
    assert "Traceback" not in outcome.output, outcome.output
    assert PASSWORD not in outcome.output
    assert "wrong-secret-77" not in outcome.output
    problems = outcome.lines
    assert len(problems) == 1, outcome.stderr
    for word in words:
        assert word in problems[0], problems[0]
    return problems[0]


# --- LIANXIN_DATABASE_URL and a url that is not PostgreSQL's --------------------------------


def test_the_environment_s_url_is_database_url_so_the_password_stays_out_of_config_toml(
    tmp_path: Path,
) -> None:
    config = config_file(tmp_path)
    url = "postgresql://lianxin:s3cret@db.example/lianxin"
    loaded = load_config(config, {DATABASE_URL_ENV: url})
    assert loaded.database.url == url
    assert load_config(config, {}).database.url == ""


def test_a_url_that_is_not_postgresql_s_is_refused_without_echoing_its_password(
    tmp_path: Path,
) -> None:
    config = config_file(tmp_path)
    with pytest.raises(ConfigError) as refused:
        load_config(config, {DATABASE_URL_ENV: "mysql://lianxin:wrong-secret-77@db/lianxin"})
    [line] = refused.value.problems
    assert "database.url" in line
    assert "postgresql://" in line
    assert "wrong-secret-77" not in line


async def test_lianxin_with_a_mysql_url_exits_2_with_one_line(tmp_path: Path) -> None:
    config = config_file(tmp_path)
    outcome = await command(config, "status", url="mysql://lianxin:wrong-secret-77@db/x")
    assert_one_clean_line(outcome, 2, "database.url")


# --- A server that cannot be used: every command, one line, exit 1 -------------------------

# Each command that opens the database, as a clerk types it (``run`` needs the token).
COMMANDS: list[tuple[str, ...]] = [
    ("run",),
    ("db", "upgrade"),
    ("status",),
    ("purge", "--dry-run"),
    ("inbox", "failed"),
    ("inbox", "retry"),
    ("report", "--from", "2026-11-01", "--to", "2026-11-30", "--region", "R1", "--out", "r.xlsx"),
    ("cards", "--household", "H1", "--out", "c.pdf", "--bot-username", "lianxin_bot"),
    ("roster", "export", "roster.xlsx"),
    ("db", "migrate-to-postgres"),
]


@pytest.fixture
def county(tmp_path: Path) -> Path:
    """A folder with a SQLite county at the latest version (migrate-to-postgres's source)."""
    path = tmp_path / "lianxin.db"

    async def build() -> None:
        from storage.db import Database

        db = await Database.open(path)
        await migrate.upgrade(db, SystemClock().now())
        await db.close()

    asyncio.run(build())
    return tmp_path


def bad_servers(cluster: Cluster) -> dict[str, tuple[str, str]]:
    """url → the words its one line must say."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    base = f"postgresql://lianxin:wrong-secret-77@127.0.0.1:{cluster.port}"
    return {
        "wrong password": (f"{base}/postgres", "password authentication failed"),
        "missing database": (cluster.url_for("no_such_county"), "does not exist"),
        "refused": (
            f"postgresql://lianxin:wrong-secret-77@127.0.0.1:{closed}/x",
            "Connection refused",
        ),
        "unknown host": ("postgresql://lianxin:wrong-secret-77@no-such-host.invalid/x", "resolve"),
    }


@pytest.mark.parametrize("case", ["wrong password", "missing database", "refused", "unknown host"])
async def test_a_server_that_cannot_be_used_stops_status_and_run_with_one_line(
    county: Path, pg_cluster: Cluster, case: str
) -> None:
    url, words = bad_servers(pg_cluster)[case]
    config = config_file(county)
    for args in (("status",), ("run",)):
        outcome = await command(config, *args, url=url, token=TOKEN)
        line = assert_one_clean_line(outcome, 1, words, "postgresql://lianxin:***@")
        assert "cannot use the PostgreSQL database" in line


async def test_a_wrong_password_stops_every_command_with_one_line_and_never_shows_it(
    county: Path, pg_cluster: Cluster
) -> None:
    wrong = f"postgresql://lianxin:wrong-secret-77@127.0.0.1:{pg_cluster.port}/postgres"
    config = config_file(county)
    for args in COMMANDS:
        outcome = await command(config, *args, url=wrong, token=TOKEN)
        assert_one_clean_line(outcome, 1, "password authentication failed")
    # The right password given on the command line is not echoed either.
    right = pg_cluster.url_for("no_such_county")
    outcome = await command(config, "db", "migrate-to-postgres", "--to", right)
    assert_one_clean_line(outcome, 1, "does not exist")


async def test_a_server_that_never_answers_is_given_up_on_not_waited_for(
    county: Path,
) -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does) and says nothing
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        url = f"postgresql://lianxin:wrong-secret-77@127.0.0.1:{port}/x"
        outcome = await command(config_file(county), "status", url=url)
    assert_one_clean_line(outcome, 1, "timeout")


# --- A database of a newer schema ------------------------------------------------------------


async def test_a_database_of_a_newer_schema_stops_every_command_with_one_line(
    county: Path, pg_cluster: Cluster, pg_template: str
) -> None:
    async with pg_database(pg_cluster, pg_template) as db:
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (9999, "from_the_future", "2030-01-01T00:00:00Z"),
            )
        config = config_file(county)
        for args in (("run",), ("db", "upgrade"), ("roster", "export", "r.xlsx")):
            outcome = await command(config, *args, url=db.url, token=TOKEN)
            assert_one_clean_line(outcome, 1, "9999", "newer")


# --- What works on PostgreSQL ------------------------------------------------------------------


async def test_status_and_db_upgrade_work_on_postgresql_and_backup_points_to_pg_dump(
    county: Path, pg_cluster: Cluster, pg_template: str
) -> None:
    async with pg_database(pg_cluster, pg_template) as db:
        config = config_file(county)
        upgraded = await command(config, "db", "upgrade", url=db.url)
        assert upgraded.code == 0, upgraded.output
        assert "postgresql://lianxin:***@" in upgraded.stdout
        status = await command(config, "status", "--json", url=db.url)
        assert status.code in (0, 1), status.output  # 1: no update yet, a bot never started
        figures = json.loads(status.stdout)
        assert figures["schema"] == migrate.latest_version()
        backup = await command(config, "db", "backup", "--into", "backups", url=db.url)
        assert_one_clean_line(backup, 1, "pg_dump -Fc", "lianxin db pg-dump")
        assert not (county / "backups").exists()
        for output in (upgraded.output, status.output):
            assert PASSWORD not in output


# --- lianxin db migrate-to-postgres ----------------------------------------------------------


@pytest.fixture(scope="module")
def demo_county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's county: a roster, bound people, a request with its trail and messages,
    the outbox, all made by the bot itself (``lianxin demo --no-play``)."""
    folder = tmp_path_factory.mktemp("demo")
    outcome = asyncio.run(lianxin("demo", "--dir", str(folder), "--no-play", cwd=folder))
    assert outcome.code == 0, outcome.output[-3000:]
    return folder / "demo.db"


@asynccontextmanager
async def empty_database(cluster: Cluster) -> AsyncIterator[str]:
    name = f"m_{uuid.uuid4().hex[:12]}"
    await _admin(cluster, f"CREATE DATABASE {name}")
    try:
        yield cluster.url_for(name)
    finally:
        await _admin(cluster, f"DROP DATABASE {name} WITH (FORCE)")


async def _admin(cluster: Cluster, statement: str) -> None:
    async with await psycopg.AsyncConnection.connect(cluster.url, autocommit=True) as conn:
        await conn.execute(cast(Any, statement))


def rows(path: Path, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return [tuple(r) for r in conn.execute(query).fetchall()]


async def pg_rows(url: str, schema: str, query: str) -> list[tuple[Any, ...]]:
    db = await PgDatabase.connect(url, schema)
    try:
        async with db.read() as tx:
            return [tuple(r) for r in await tx.fetchall(query)]
    finally:
        await db.close()


SAME_ROWS = [
    "SELECT id, request_id, at, kind, actor, handler_id, detail FROM request_events ORDER BY id",
    "SELECT id, name, level, parent_id FROM regions ORDER BY id",
    "SELECT id, head_name, address, region_id FROM households ORDER BY id",
    "SELECT id, update_id, received_at, status, payload FROM inbox ORDER BY id",
]


async def test_migrate_to_postgres_copies_the_demo_county_and_the_counts_agree(
    demo_county: Path, pg_cluster: Cluster, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\npath = "{demo_county}"\nschema = "heping"\n[general]\nlanguage = "en"\n',
        encoding="utf-8",
    )
    async with empty_database(pg_cluster) as url:
        outcome = await command(config, "db", "migrate-to-postgres", url=url)
        assert outcome.code == 0, outcome.output
        assert PASSWORD not in outcome.output
        counted = {
            line.split()[0]: (int(line.split()[1]), int(line.split()[2]))
            for line in outcome.stdout.splitlines()[1:-1]
        }
        assert counted["requests"] == (1, 1)
        assert counted["request_events"][0] >= 2
        assert all(source == target for source, target in counted.values())
        assert "the counts agree" in outcome.stdout
        for query in SAME_ROWS:
            copied = await pg_rows(url, "heping", query)
            assert copied == rows(demo_county, query), query
        chinese = await pg_rows(url, "heping", "SELECT name FROM regions ORDER BY id")
        assert any("\u4e00" <= name[0][0] <= "\u9fff" for name in chinese)
        # The bot's next row gets a new id, past the copied ones.
        db = await PgDatabase.connect(url, "heping")
        try:
            async with db.transaction() as tx:
                new = await tx.insert(
                    "INSERT INTO inbox (update_id, lane, payload, received_at)"
                    " VALUES (?, ?, ?, ?)",
                    (1, 1, "{}", "2026-11-30T00:00:00Z"),
                )
        finally:
            await db.close()
        [(largest,)] = rows(demo_county, "SELECT max(id) FROM inbox")
        assert new == largest + 1
        again = await command(config, "db", "migrate-to-postgres", url=url)
        assert_one_clean_line(again, 1, "already holds data", "accounts")


@pytest.mark.parametrize("schema", ["heping", "public"])
async def test_pg_dump_makes_a_dated_dump_that_pg_restore_brings_back_and_keeps_the_newest(
    demo_county: Path, pg_cluster: Cluster, tmp_path: Path, schema: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\npath = "{demo_county}"\nschema = "{schema}"\n[general]\nlanguage = "en"\n',
        encoding="utf-8",
    )
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    old = [f"lianxin-2020-01-0{day}-033000Z.dump" for day in (1, 2, 3)]
    for name in [*old, "keep-me.txt"]:
        (dumps / name).write_bytes(b"an old dump")
    async with empty_database(pg_cluster) as url, empty_database(pg_cluster) as restored:
        copied = await command(config, "db", "migrate-to-postgres", url=url)
        assert copied.code == 0, copied.output
        outcome = await command(config, "db", "pg-dump", "--into", str(dumps), "--keep", "2",
                                url=url)  # fmt: skip
        assert outcome.code == 0, outcome.output
        assert PASSWORD not in outcome.output
        [made] = [p.name for p in dumps.iterdir() if p.name not in [*old, "keep-me.txt"]]
        assert sorted(p.name for p in dumps.iterdir()) == ["keep-me.txt", old[2], made]
        restore = await asyncio.create_subprocess_exec(
            "pg_restore", "--no-owner", "--exit-on-error",
            "--dbname", restored.replace(f":{PASSWORD}@", "@"),
            str(dumps / made),
            env={**os.environ, "PGPASSWORD": PASSWORD},
        )  # fmt: skip
        assert await restore.wait() == 0
        query = "SELECT count(*), max(detail) FROM request_events"
        assert await pg_rows(restored, schema, query) == await pg_rows(url, schema, query)


async def test_migrate_to_postgres_refuses_a_file_behind_this_program_s_version(
    pg_cluster: Cluster, tmp_path: Path
) -> None:
    from storage.db import Database

    old = tmp_path / "lianxin.db"
    db = await Database.open(old)
    await migrate.upgrade(db, SystemClock().now(), target=migrate.latest_version() - 1)
    await db.close()
    async with empty_database(pg_cluster) as url:
        outcome = await command(config_file(tmp_path), "db", "migrate-to-postgres", "--to", url)
        assert_one_clean_line(outcome, 1, "lianxin db upgrade")
        assert await pg_rows(url, "public", "SELECT count(*) FROM pg_tables "
                             "WHERE schemaname = 'public'") == [(0,)]  # fmt: skip


def test_counts_that_differ_are_marked_and_exit_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    copied = pg_copy.Copied(26, [pg_copy.Count("requests", 5, 4), pg_copy.Count("regions", 9, 9)])
    assert cli._counted("en", Path("a.db"), "postgresql://x", copied) == 1
    out, err = capsys.readouterr()
    assert "requests" in out
    assert "≠" in out.splitlines()[1]
    assert "do not switch" in err


def run_here(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        cli.main(list(argv))
    out, err = capsys.readouterr()
    assert isinstance(exit_.value.code, int)
    return exit_.value.code, out + err


def test_pg_dump_and_migrate_without_a_postgresql_url_say_what_to_give(
    county: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    config = str(config_file(county))
    code, said = run_here(
        capsys, "--config", config, "db", "pg-dump", "--into", "d", "--keep", "2"
    )
    assert code == 2
    assert "lianxin db backup" in said
    code, said = run_here(capsys, "--config", config, "db", "migrate-to-postgres")
    assert code == 2
    assert "--to postgresql://" in said
    wrong = "mysql://lianxin:wrong-secret-77@db/x"
    code, said = run_here(capsys, "--config", config, "db", "migrate-to-postgres", "--to", wrong)
    assert code == 2
    assert said.strip() == (
        "lianxin: --to: must start with postgresql:// (or be empty for SQLite's file)"
    )
    code, said = run_here(
        capsys, "--config", config, "db", "migrate-to-postgres", "--to", "postgresql://h/x",
        "--schema", "Bad-Name",
    )  # fmt: skip
    assert code == 2
    assert said.startswith("lianxin: --schema: must be lower-case")
