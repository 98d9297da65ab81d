"""Retention: ``lianxin purge`` and the running bot's daily sweep delete what is no longer
needed (old handled updates and sent messages, strangers' accounts, charts and workbooks
already uploaded) and keep what is: anything still to handle or to send, the requests,
their trail and so every figure of the statistics (``storage.retention`` says exactly).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.config import Config
from storage import retention
from storage.db import Database

log = logging.getLogger(__name__)
FILES_FOLDER = "files"  # beside the database; handlers/supervisor.py writes charts there


@dataclass(frozen=True)
class Report:
    """What a purge deleted (or, in a dry run, would delete)."""

    rows: retention.Purged
    files: int

    @property
    def total(self) -> int:
        return self.rows.total + self.files


def files_folder(config: Config) -> Path:
    return config.database.path.parent / FILES_FOLDER


async def purge(db: Database, config: Config, now: datetime, *, dry_run: bool = False) -> Report:
    """Everything past its time in ``config.retention``, as of ``now``."""
    keep = config.retention
    bind = config.binding
    cutoffs = retention.Cutoffs(
        messages=now - keep.messages,
        strangers=now - keep.strangers,
        # a wrong code counts for wrong_code_window, then blocks for lockout at most
        bind_failures=now - max(keep.strangers, bind.wrong_code_window + bind.lockout),
    )
    rows = await retention.purge(db, cutoffs, dry_run=dry_run)
    uploading = await retention.pending_files(db)
    old = _old_files(files_folder(config), now - keep.files, uploading)
    if not dry_run:
        _delete(old)
    return Report(rows, len(old))


def _old_files(folder: Path, cutoff: datetime, uploading: set[str]) -> list[Path]:
    """Files in ``folder`` last written before ``cutoff`` that no pending call uploads."""
    if not folder.is_dir():
        return []
    limit = cutoff.timestamp()
    return [
        path
        for path in sorted(folder.iterdir())
        if path.is_file() and path.stat().st_mtime < limit and str(path) not in uploading
    ]


def _delete(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


async def sweep(db: Database, config: Config, now: datetime) -> Report:
    """The bot's periodic purge; logs what it deleted."""
    report = await purge(db, config, now)
    if report.total:
        r = report.rows
        log.info(
            "retention: deleted %d handled update(s), %d sent message(s), %d payload(s) "
            "blanked, %d stranger(s), %d wrong-code tries, %d file(s)",
            r.inbox, r.outbox, r.blanked, r.strangers, r.bind_failures, report.files,
        )  # fmt: skip
    return report
