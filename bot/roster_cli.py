"""``lianxin roster import|export``: the county's spreadsheet in and out of the database.

The administrator runs this on the server, usually from a file typed in many offices:
every problem is listed at once, one line each, in the configured language, and then
nothing is imported; a file that cannot be read says why, never with a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot import leaving, roster_io
from bot.clock import SystemClock
from bot.config import Config
from bot.domain.roster_assemble import assemble
from bot.domain.roster_check import Problem
from bot.domain.roster_preview import Preview, preview
from bot.domain.roster_sheet import SheetOptions
from bot.i18n import Language, t
from storage import migrate, roster_import
from storage.backend import open_database
from storage.db import Database, Tx
from storage.roster_import import TABLE_NAMES, ImportReport

Load = Callable[[argparse.Namespace], Config]


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser], load: Load) -> None:
    """Register ``roster import`` and ``roster export`` on the ``lianxin`` parser."""
    roster = sub.add_parser("roster", help="import or export the roster (regions, cadres …)")
    actions = roster.add_subparsers(metavar="ACTION")
    imports = actions.add_parser("import", help="read an .xlsx workbook or a folder of CSVs")
    imports.add_argument("path", type=Path)
    imports.add_argument(
        "--prune", action="store_true", help="also remove what the file no longer has"
    )
    imports.add_argument(
        "--dry-run", action="store_true", help="check and count the changes, write nothing"
    )
    imports.set_defaults(command=lambda args: asyncio.run(_import(args, load(args))))
    exports = actions.add_parser("export", help="write PATH.xlsx, or a folder of four CSVs")
    exports.add_argument("path", type=Path)
    exports.set_defaults(command=lambda args: asyncio.run(_export(args, load(args))))


@dataclass
class ImportOutcome:
    """Either problems (nothing was written) or what the import did; ``preview`` (when
    the file could be read whole) is what a clerk checks: counts per township, ten rows
    as read with the ids they got (``preview_lines``)."""

    problems: list[Problem] = field(default_factory=list)
    report: ImportReport | None = None
    preview: Preview | None = None


async def import_path(
    db: Database,
    path: Path,
    *,
    prune: bool,
    dry_run: bool,
    now: datetime | None = None,
    options: SheetOptions | None = None,
) -> ImportOutcome:
    """Read, check and import the roster at ``path`` into a migrated database; the
    requests of cadres who leave (pruned, or no longer linked to a household) go to the
    next cadre in the same transaction (``bot.leaving``). A one-sheet 花名册 gets its
    ids from what the database holds (``bot.domain.roster_assemble``); ``options`` are
    the header dictionary and rank aliases (``[roster]``; the built-in ones if None)."""
    options = options or SheetOptions()
    try:
        found = await asyncio.to_thread(roster_io.read, path, options)
    except roster_io.RosterFileError as error:
        return ImportOutcome(problems=error.problems)
    if isinstance(found, roster_io.SheetFile):
        async with db.read() as tx:
            held = await roster_import.stored(tx)
        placed, problems = assemble(found.lines, held, options.ranks, options.county)
        problems = _in_file_order(found, [*found.problems, *problems])
        shown = preview(placed, found.ignored, found.sheets)
    else:
        placed, problems = found
        shown = preview(placed)
    if problems:
        return ImportOutcome(problems=problems)
    when = now or SystemClock().now()

    async def then(tx: Tx, report: ImportReport) -> None:
        await leaving.after_import(tx, report, when)

    report = await roster_import.import_roster(
        db, placed.roster, prune=prune, dry_run=dry_run, now=when, then=then
    )
    return ImportOutcome(report=report, preview=shown)


def _in_file_order(found: roster_io.SheetFile, problems: list[Problem]) -> list[Problem]:
    order = {where: n for n, where in enumerate(found.sheets)}
    return sorted(problems, key=lambda p: (order.get(p.where, -1), p.row or 0))


async def _open(config: Config) -> Database | None:
    db = await open_database(
        config.database.path, config.database.url, config.database.schema_name
    )
    try:
        await migrate.upgrade(db, SystemClock().now())
    except migrate.MigrationError as error:
        _fail(t(config.general.language, "roster.migration_failed", error=error))
        await db.close()
        return None
    return db


async def _import(args: argparse.Namespace, config: Config) -> int:
    language = config.general.language
    db = await _open(config)
    if db is None:
        return 1
    try:
        outcome = await import_path(
            db,
            args.path,
            prune=args.prune,
            dry_run=args.dry_run,
            options=config.roster.options(),
        )
    finally:
        await db.close()
    if outcome.report is None:
        for problem in outcome.problems:
            _fail(describe(language, problem))
        _fail(t(language, "roster.failed", count=len(outcome.problems)))
        return 1
    if args.dry_run and outcome.preview is not None:
        for line in preview_lines(language, outcome.preview):
            print(line)
    for line in summary(language, outcome.report, prune=args.prune):
        print(line)
    print(t(language, "roster.dry_run" if args.dry_run else "roster.imported", path=args.path))
    return 0


async def _export(args: argparse.Namespace, config: Config) -> int:
    language = config.general.language
    if not config.database.url and not config.database.path.exists():
        _fail(t(language, "roster.no_database", path=config.database.path))
        return 1
    db = await _open(config)
    if db is None:
        return 1
    try:
        async with db.read() as tx:
            roster = await roster_import.read_roster(tx)
    finally:
        await db.close()
    try:
        await asyncio.to_thread(roster_io.write_roster, args.path, roster)
    except roster_io.RosterFileError as error:
        for problem in error.problems:
            _fail(describe(language, problem))
        return 1
    counts = {
        "regions": len(roster.regions),
        "cadres": len(roster.cadres),
        "households": len(roster.households),
        "links": len(roster.links),
    }
    print(t(language, "roster.exported", path=args.path, **counts))
    return 0


def _fail(line: str) -> None:
    print(line, file=sys.stderr)


def describe(language: Language, problem: Problem) -> str:
    """One problem as one line: ``households.csv 第12行 region_id: 未知的区域「V99」``."""
    params = {
        name: t(language, f"roster.level.{value}") if name == "level" else value
        for name, value in problem.params.items()
    }
    reason = t(language, f"roster.problem.{problem.reason}", **params)
    where = {"where": problem.where, "reason": reason}
    if problem.row is None:
        return t(language, "roster.where_file", **where)
    if problem.column is None:
        return t(language, "roster.where_row", row=problem.row, **where)
    return t(language, "roster.where_cell", row=problem.row, column=problem.column, **where)


def summary(language: Language, report: ImportReport, *, prune: bool) -> list[str]:
    """Per table, what was added, updated, left alone and removed (or kept: no --prune).

    Links of households in the file that it no longer gives are removed even without
    --prune (a household's chain is the file's); a line of its own says so.
    """
    lines = []
    for name in TABLE_NAMES:
        if name not in report.tables:  # departments: the file has no such sheet
            continue
        change = report.tables[name]
        table = t(language, f"roster.table.{name}")
        lines.append(
            t(
                language,
                "roster.summary",
                table=table,
                added=change.added,
                updated=change.updated,
                unchanged=change.unchanged,
                removed=change.removed,
            )
        )
        if change.replaced:
            lines.append(t(language, "roster.replaced", table=table, count=change.replaced))
        if change.absent and not prune:
            lines.append(t(language, "roster.kept", table=table, absent=change.absent))
        if change.kept:
            lines.append(t(language, "roster.kept_history", table=table, count=change.kept))
    if prune and report.bound_removed:
        lines.append(t(language, "roster.bound_removed", count=report.bound_removed))
    if report.to_reroute:
        lines.append(t(language, "roster.to_reroute", count=report.to_reroute))
    return lines


def preview_lines(language: Language, preview: Preview) -> list[str]:
    """What the file gives, for a clerk to check against it before importing: the sheets
    read, the columns left aside, per township its villages, households, cadres and
    links, then sample rows as read with the ids they got (the ID card never shown)."""
    lines = []
    for sheet in preview.sheets:
        lines.append(t(language, "roster.preview.sheet", sheet=sheet))
    if preview.ignored:
        ignored = t(language, "roster.preview.list_separator").join(preview.ignored)
        lines.append(t(language, "roster.preview.ignored", columns=ignored))
    for count in preview.townships:
        name = count.name or t(language, "roster.preview.no_township")
        lines.append(
            t(
                language,
                "roster.preview.township",
                township=name,
                villages=count.villages,
                households=count.households,
                cadres=count.cadres,
                links=count.links,
            )
        )
    if preview.samples:
        lines.append(t(language, "roster.preview.samples", count=len(preview.samples)))
    for row in preview.samples:
        place = "/".join(p for p in (row.township, row.village, row.group) if p)
        cadres = t(language, "roster.preview.separator").join(
            t(
                language,
                "roster.preview.cadre",
                tier=c.tier,
                name=c.name,
                id=c.id,
                rank=t(language, f"people.rank.{c.rank.value}"),
            )
            for c in row.cadres
        )
        lines.append(
            t(
                language,
                "roster.preview.row",
                where=row.where,
                row=row.row,
                place=place,
                id=row.household_id,
                head=row.head_name,
                phone=row.phone or "—",
                cadres=cadres or t(language, "roster.preview.no_cadre"),
            )
        )
    return lines
