"""The ``lianxin`` command: run the bot, play the demo, look after the database."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import re
import signal
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from bot import (
    cards_cli,
    private,
    province_cli,
    province_read,
    report_cli,
    roster_cli,
    status_cli,
)
from bot.clock import Clock, OffsetClock, SystemClock
from bot.config import Config, ConfigError, DatabaseConfig, load_config
from bot.i18n import Language
from storage import pg_copy
from storage.backend import Unreachable, describe, open_database
from storage.db import Database
from storage.migrate import MigrationError
from storage.pg import PgDatabase

CONFIG_ENV = "LIANXIN_CONFIG"
CLOCK_OFFSET_ENV = "LIANXIN_CLOCK_OFFSET"  # tests, the demo and benchmarks only
Command = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    command: Command | None = getattr(args, "command", None)
    if command is None:
        parser.print_help()
        sys.exit(2)
    # Everything lianxin writes (the database and its -wal/-shm, backups, exports, charts
    # and workbooks in files/) names villagers: readable by its owner only.
    before = os.umask(private.UMASK)
    try:
        code = command(args)
    except ConfigError as problem:
        for line in problem.problems:
            print(f"lianxin: {line}", file=sys.stderr)
        code = 2
    except (Unreachable, MigrationError) as problem:
        # Any command: a server it cannot reach or log in to, a missing database, a schema
        # newer than this program. One line (no password, no traceback); 1, not 2: the
        # configuration may be right and the server down.
        print(f"lianxin: {problem}", file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        code = 130
    finally:
        os.umask(before)  # called in-process (tests), leave the caller's as it was
    sys.exit(code)


def _global_options(parser: argparse.ArgumentParser, default: object) -> None:
    """Options every command takes, before or after its name (``lianxin run --config c``)."""
    parser.add_argument(
        "--config",
        type=Path,
        default=default,
        help=f"configuration file (default: ${CONFIG_ENV}, else ./config.toml if present)",
    )
    parser.add_argument(
        "--county",
        default=default,
        metavar="ID",
        help="the county of the file's [counties.ID] to work on (one process per county)",
    )
    parser.add_argument(
        "--province",
        action="store_true",
        default=default,
        help="the province's own bot ([province]: its supervisors' figures of every county)",
    )


def _everywhere(parser: argparse.ArgumentParser) -> None:
    """Give every subcommand, at any depth, the global options. Their default there is
    SUPPRESS, so ``lianxin --config c run`` keeps the outer value when the inner is absent."""
    for action in parser._actions:  # argparse has no public walk
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):  # aliases: once each
                _global_options(child, argparse.SUPPRESS)
                _everywhere(child)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lianxin", description="连心 Lianxin")
    _global_options(parser, None)
    sub = parser.add_subparsers(metavar="COMMAND")

    run = sub.add_parser("run", help="run the bot (polling or webhook, as configured)")
    run.set_defaults(command=_run)

    demo = sub.add_parser("demo", help="the bot and a sample county against the built-in sandbox")
    demo.add_argument("--dir", type=Path, default=Path("lianxin-demo"), help="where it keeps data")
    demo.add_argument(
        "--no-play", action="store_true", help="exit after the scripted scene (no prompt)"
    )
    demo.set_defaults(command=_demo)

    db = sub.add_parser("db", help="database upkeep").add_subparsers(metavar="ACTION")
    upgrade = db.add_parser("upgrade", help="apply schema migrations")
    upgrade.set_defaults(command=_db_upgrade)
    backup = db.add_parser("backup", help="an online, consistent copy (safe while running)")
    backup.add_argument("path", type=Path, nargs="?", help="the copy to make (a new file)")
    backup.add_argument(
        "--into", type=Path, metavar="DIR", help="make a copy named by the time in DIR instead"
    )
    backup.add_argument(
        "--keep", type=int, metavar="N", help="with --into: then delete all but the newest N"
    )
    backup.set_defaults(command=_db_backup)
    dump = db.add_parser(
        "pg-dump", help="PostgreSQL: pg_dump -Fc into DIR, named by the time; keep the newest N"
    )
    dump.add_argument("--into", type=Path, metavar="DIR", required=True)
    dump.add_argument("--keep", type=int, metavar="N", required=True)
    dump.set_defaults(command=_db_pg_dump)
    move = db.add_parser(
        "migrate-to-postgres",
        help="copy this county's SQLite file (database.path) into an empty PostgreSQL schema",
    )
    move.add_argument(
        "--to",
        metavar="URL",
        help="postgresql://… (default: database.url / $LIANXIN_DATABASE_URL)",
    )
    move.add_argument("--schema", help="the schema to fill (default: database.schema)")
    move.set_defaults(command=_db_migrate_to_postgres)

    purge = sub.add_parser(
        "purge", help="delete what [retention] says is no longer needed, and say what"
    )
    purge.add_argument("--dry-run", action="store_true", help="only count; delete nothing")
    purge.set_defaults(command=_purge)

    box = sub.add_parser("inbox", help="updates that could not be handled").add_subparsers(
        metavar="ACTION"
    )
    box.add_parser("failed", help="list them").set_defaults(command=_inbox_failed)
    box.add_parser("retry", help="hand them to the bot again").set_defaults(command=_inbox_retry)

    sandbox = sub.add_parser("sandbox", help="run the Bot API sandbox alone")
    sandbox.add_argument("--port", type=int, default=8081)
    sandbox.set_defaults(command=_sandbox)
    roster_cli.add_commands(sub, _config)
    cards_cli.add_commands(sub, _config)
    report_cli.add_commands(sub, _config)
    status_cli.add_commands(sub, _config, _clock)
    province_cli.add_commands(sub, _config_path, _clock)
    _everywhere(parser)
    return parser


def _config_path(args: argparse.Namespace) -> Path | None:
    path: Path | None = args.config
    if path is None and os.environ.get(CONFIG_ENV):
        path = Path(os.environ[CONFIG_ENV])
    if path is None and Path("config.toml").exists():
        path = Path("config.toml")
    return path


def _config(args: argparse.Namespace) -> Config:
    path = _config_path(args)
    county: str | None = getattr(args, "county", None)
    province = bool(getattr(args, "province", False))
    config = load_config(path, county=county, province=province)
    if county is None and config.counties and not province:
        names = ", ".join(config.counties)
        raise ConfigError([f"{path}: configures counties {names}: pick one with --county ID"])
    return config


def _run(args: argparse.Namespace) -> int:
    return asyncio.run(_run_async(args))


def _clock() -> Clock:
    """The wall clock, or for tests only the wall clock shifted by $LIANXIN_CLOCK_OFFSET
    seconds, so that a test decides the bot's date and hour instead of the hour it runs."""
    text = os.environ.get(CLOCK_OFFSET_ENV)
    if not text:
        return SystemClock()
    try:
        return OffsetClock.parse(text)
    except ValueError as problem:
        raise ConfigError([f"{CLOCK_OFFSET_ENV}={text!r}: {problem}"]) from None


async def _run_async(args: argparse.Namespace) -> int:
    """Run the bot; a database it cannot use ends it with one line and exit code 1
    (systemd restarts it), never with a traceback or a hang."""
    from bot.edge.runtime import run_until_stopped
    from bot.logs import setup_logging
    from storage.faults import fault_of
    from storage.instance import AlreadyRunning

    config = _config(args)
    config.token()  # fail now, plainly, if there is none
    clock = _clock()
    secrets = [config.token()]
    if config.webhook.secret_token:
        secrets.append(config.webhook.secret_token.get_secret_value())
    setup_logging(secrets)
    if isinstance(clock, OffsetClock):
        logging.getLogger(__name__).warning(
            "the clock is shifted by %s (%s, for tests only)", clock.offset, CLOCK_OFFSET_ENV
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    counties = province_read.counties(_config_path(args))[1] if config.is_province else []
    try:
        await run_until_stopped(config, clock, stop, counties)
    except AlreadyRunning as problem:
        print(f"lianxin: {config.database.path}: {problem}", file=sys.stderr)
        return 1
    except (Unreachable, MigrationError) as problem:
        print(f"lianxin: {problem}; stopped", file=sys.stderr)
        return 1
    except Exception as error:
        fault = fault_of(error)
        if fault is None:
            raise
        print(f"lianxin: {_named(config)}: {fault}; stopped", file=sys.stderr)
        return 1
    return 0


def _demo(args: argparse.Namespace) -> int:
    return asyncio.run(_demo_async(args))


async def _demo_async(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    code: int = await run_demo(args.dir, play=not args.no_play)
    return code


def _db_upgrade(args: argparse.Namespace) -> int:
    return asyncio.run(_db_upgrade_async(args))


async def _db_upgrade_async(args: argparse.Namespace) -> int:
    from storage import migrate

    config = _config(args)
    db = await _open(config)
    try:
        applied = await migrate.upgrade(db, SystemClock().now())
        version = await migrate.current_version(db)
    except migrate.MigrationError as problem:
        print(f"lianxin: {problem}", file=sys.stderr)
        return 1
    finally:
        await db.close()
    for m in applied:
        print(f"applied {m.version:04d}_{m.name}")
    print(f"{_named(config)}: schema version {version}")
    return 0


async def _open(config: Config) -> Database:
    """The configured database: SQLite's file, or PostgreSQL's ``database.url``."""
    where = config.database
    return await open_database(where.path, where.url, where.schema_name)


def _named(config: Config) -> str:
    """The database as messages name it (a URL without its password)."""
    where = config.database
    return describe(where.path, where.url, where.schema_name)


# `lianxin db backup --into DIR` names each copy by the time it was made (UTC), so that
# the names sort as the copies were made and `--keep N` deletes the oldest beyond N.
DATED_BACKUP = "lianxin-%Y-%m-%d-%H%M%SZ.db"
_DATED_BACKUP_NAME = re.compile(r"^lianxin-\d{4}-\d{2}-\d{2}-\d{6}Z\.db$")


def dated_backup_name(now: datetime) -> str:
    return now.astimezone(UTC).strftime(DATED_BACKUP)


def backups_beyond(names: Iterable[str], keep: int) -> list[str]:
    """The dated copies among ``names`` that are older than the newest ``keep``, oldest
    first; any other file is never among them."""
    dated = sorted(name for name in names if _DATED_BACKUP_NAME.match(name))
    return dated[: max(len(dated) - keep, 0)]


def _backup_usage(args: argparse.Namespace) -> str | None:
    """The catalogue key of what is wrong with PATH / --into / --keep, or None."""
    if args.path is not None and args.into is not None:
        return "db_backup.both"
    if args.path is None and args.into is None:
        return "db_backup.where"
    if args.keep is not None and args.into is None:
        return "db_backup.keep_needs_into"
    if args.keep is not None and args.keep < 1:
        return "db_backup.keep_at_least_one"
    return None


def _db_backup(args: argparse.Namespace) -> int:
    from bot.i18n import t

    config = _config(args)
    language = config.general.language
    problem = _backup_usage(args)
    if problem is not None:
        print(t(language, problem, keep=args.keep), file=sys.stderr)
        return 2
    if config.database.url:
        print(t(language, "ops.backup_pg_dump", database=_named(config)), file=sys.stderr)
        return 1
    source = config.database.path
    into: Path | None = args.into
    target: Path = args.path if into is None else into / dated_backup_name(SystemClock().now())
    code = _db_backup_to(source, target)
    if code != 0 or into is None or args.keep is None:
        return code
    for name in backups_beyond((p.name for p in into.iterdir()), args.keep):
        (into / name).unlink(missing_ok=True)
        print(t(language, "db_backup.removed", name=name))
    count = sum(1 for p in into.iterdir() if _DATED_BACKUP_NAME.match(p.name))
    print(t(language, "db_backup.kept", folder=into, count=count, keep=args.keep))
    return 0


def _db_backup_to(source: Path, target: Path) -> int:
    if not source.exists():
        print(f"lianxin: {source}: no database there (check database.path)", file=sys.stderr)
        return 1
    if target.resolve() == source.resolve():
        print(f"lianxin: {target}: the backup must not overwrite the database", file=sys.stderr)
        return 1
    if target.exists():
        print(f"lianxin: {target}: already exists; choose a new file name", file=sys.stderr)
        return 1
    return asyncio.run(_db_backup_async(source, target))


async def _db_backup_async(source: Path, target: Path) -> int:
    from storage.db import BackupError, Database

    db = await Database.open(source)
    try:
        await db.backup_to(target)
    except BackupError as problem:
        print(f"lianxin: {target}: no backup made ({problem})", file=sys.stderr)
        return 1
    finally:
        await db.close()
    print(f"backed up {source} to {target}")
    return 0


DATED_DUMP = "lianxin-%Y-%m-%d-%H%M%SZ.dump"
_DATED_DUMP_NAME = re.compile(r"^lianxin-\d{4}-\d{2}-\d{2}-\d{6}Z\.dump$")


def _db_pg_dump(args: argparse.Namespace) -> int:
    """pg_dump of database.url's schema, the password handed over in the environment
    (PGPASSWORD), never on pg_dump's command line where ``ps`` shows it to every user."""
    import subprocess

    from bot.i18n import t
    from storage.backend import password_of, redact

    config = _config(args)
    language, url, into = config.general.language, config.database.url, args.into
    if not url:
        print(t(language, "ops.dump.no_url"), file=sys.stderr)
        return 2
    if args.keep < 1:
        print(t(language, "db_backup.keep_at_least_one", keep=args.keep), file=sys.stderr)
        return 2
    into.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = into / SystemClock().now().astimezone(UTC).strftime(DATED_DUMP)
    secret = password_of(url)
    plain = url.replace(f":{secret}@", "@") if secret else url
    # The county's schema; "public" (a database of its own): the whole database, since a
    # dump of public alone makes pg_restore stop at "schema public already exists".
    schema = config.database.schema_name
    only = [] if schema == "public" else ["--schema", schema]
    command = ["pg_dump", "-Fc", "--no-password", *only, "--file", str(target), "--dbname", plain]
    env = {**os.environ, "PGPASSWORD": secret} if secret else dict(os.environ)
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        print(t(language, "ops.dump.no_pg_dump"), file=sys.stderr)
        return 1
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        said = " ".join(done.stderr.replace(secret or "\0", "***").split()) if done.stderr else ""
        print(t(language, "ops.dump.failed", database=redact(url), problem=said), file=sys.stderr)
        return 1
    print(t(language, "ops.dump.made", database=redact(url), path=target))
    dated = sorted(p.name for p in into.iterdir() if _DATED_DUMP_NAME.match(p.name))
    for name in dated[: max(len(dated) - args.keep, 0)]:
        (into / name).unlink(missing_ok=True)
        print(t(language, "db_backup.removed", name=name))
    return 0


def _db_migrate_to_postgres(args: argparse.Namespace) -> int:
    from bot.i18n import t

    config = _config(args)
    language = config.general.language
    url: str = args.to or config.database.url
    schema: str = args.schema or config.database.schema_name
    checked = {"url": url, "schema": schema}
    try:  # the same checks as database.url and database.schema in config.toml
        DatabaseConfig.model_validate(checked)
    except ValidationError as problem:
        for error in problem.errors():
            key = {"url": "--to", "schema": "--schema"}[str(error["loc"][0])]
            print(f"lianxin: {key}: {str(error['msg']).removeprefix('Value error, ')}",
                  file=sys.stderr)  # fmt: skip
        return 2
    if not url:
        print(t(language, "ops.copy.no_url"), file=sys.stderr)
        return 2
    return asyncio.run(_copy_county(config, url, schema))


async def _copy_county(config: Config, url: str, schema: str) -> int:
    from bot.i18n import t
    from storage import migrate

    language, source = config.general.language, config.database.path
    if not source.exists():
        print(f"lianxin: {source}: no database there (check database.path)", file=sys.stderr)
        return 1
    version, latest = await pg_copy.source_version(source), migrate.latest_version()
    if version != latest:
        key = "ops.copy.upgrade_first" if version < latest else "ops.copy.newer"
        print(t(language, key, path=source, version=version, latest=latest), file=sys.stderr)
        return 1
    target = await open_database(source, url, schema)
    named = describe(source, url, schema)
    try:
        if not isinstance(target, PgDatabase):  # a postgresql:// url opens one
            raise TypeError(f"{named} is not a PostgreSQL database")
        full = await pg_copy.occupied(target)
        if full:
            tables = ", ".join(full[:5])
            print(t(language, "ops.copy.not_empty", target=named, tables=tables), file=sys.stderr)
            return 1
        copied = await pg_copy.copy_county(source, target, SystemClock().now())
    except pg_copy.CopyRefused as problem:
        print(t(language, "ops.copy.refused", target=named, problem=problem), file=sys.stderr)
        return 1
    finally:
        await target.close()
    return _counted(language, source, named, copied)


def _counted(language: Language, source: Path, target: str, copied: pg_copy.Copied) -> int:
    """Print the counts, source beside target; 1 if any table differs."""
    from bot.i18n import t

    width = max(len(c.table) for c in copied.counts)
    print(t(language, "ops.copy.heading", table="".ljust(width)))
    for c in copied.counts:
        mark = "" if c.source == c.target else "  ≠"
        print(f"{c.table.ljust(width)}  {c.source:>10}  {c.target:>10}{mark}")
    if copied.differ:
        print(t(language, "ops.copy.differ", count=len(copied.differ)), file=sys.stderr)
        return 1
    rows = sum(c.source for c in copied.counts)
    print(t(language, "ops.copy.done", source=source, target=target, tables=len(copied.counts),
            rows=rows, version=copied.version))  # fmt: skip
    return 0


def _purge(args: argparse.Namespace) -> int:
    return asyncio.run(_purge_async(args))


async def _purge_async(args: argparse.Namespace) -> int:
    from bot import retention
    from bot.i18n import t
    from storage import migrate

    config = _config(args)
    language = config.general.language
    if not config.database.url and not config.database.path.exists():
        print(f"lianxin: {config.database.path}: no database there (check database.path)",
              file=sys.stderr)  # fmt: skip
        return 1
    db = await _open(config)
    try:
        await migrate.upgrade(db, SystemClock().now())  # the indexes the purge relies on
        report = await retention.purge(db, config, SystemClock().now(), dry_run=args.dry_run)
    finally:
        await db.close()
    rows, keep = report.rows, config.retention
    print(t(language, "purge.dry_run" if args.dry_run else "purge.done"))
    print(t(language, "purge.inbox", count=rows.inbox, days=keep.messages.days))
    print(t(language, "purge.outbox", count=rows.outbox, blanked=rows.blanked))
    print(t(language, "purge.strangers", count=rows.strangers, days=keep.strangers.days))
    print(t(language, "purge.bind_failures", count=rows.bind_failures))
    print(t(language, "purge.files", count=report.files))
    print(t(language, "purge.kept"))
    return 0


def _inbox_failed(args: argparse.Namespace) -> int:
    return asyncio.run(_inbox_failed_async(args))


async def _inbox_failed_async(args: argparse.Namespace) -> int:
    from storage import inbox

    db = await _open(_config(args))
    try:
        rows = await inbox.failed(db)
    finally:
        await db.close()
    for row in rows:
        print(f"{row.id}\t{row.update_id}\t{row.handled_at}\t{row.error}")
    print(f"{len(rows)} failed update(s)")
    return 0


def _inbox_retry(args: argparse.Namespace) -> int:
    return asyncio.run(_inbox_retry_async(args))


async def _inbox_retry_async(args: argparse.Namespace) -> int:
    from storage import inbox

    db = await _open(_config(args))
    try:
        count = await inbox.requeue_failed(db)
    finally:
        await db.close()
    print(f"{count} update(s) handed back to the bot; a running bot picks them up within seconds")
    return 0


def _sandbox(args: argparse.Namespace) -> int:
    return asyncio.run(_sandbox_async(args))


async def _sandbox_async(args: argparse.Namespace) -> int:
    from bot.sandbox.server import Sandbox

    sandbox = Sandbox()
    await sandbox.start(port=args.port)
    print(f"Bot API sandbox at {sandbox.base_url} (token {sandbox.token}); Ctrl-C stops it")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await sandbox.stop()
    return 0
