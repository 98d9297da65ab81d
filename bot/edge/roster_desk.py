"""Where a roster sent in Telegram waits, and what checks and imports it
(``bot.services.roster_upload.Desk``): Telegram's getFile, a private file under the data
directory's ``files/``, and ``lianxin roster import``'s own ``import_path``.

A .zip holds the four CSV files (as ``roster export`` writes them): they are unpacked,
flat, into a private folder beside it, within sizes no real roster comes near (a zip of a
few kB may unpack to gigabytes), and read as the folder the command line reads.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import shutil
import zipfile
from pathlib import Path, PurePosixPath

from telegram import Bot
from telegram.error import TelegramError

from bot import private
from bot.clock import Clock
from bot.domain.roster_check import Problem
from bot.domain.roster_sheet import SheetOptions
from bot.domain.roster_uploads import Upload
from bot.roster_cli import ImportOutcome, import_path
from bot.services.roster_upload import LIMIT, Verdict
from storage.db import Database
from storage.unit_of_work import unit_of_work

log = logging.getLogger(__name__)
MB = 1024 * 1024
ZIP_MEMBERS = 10  # the four (five with departments) CSV files, and a little slack
ZIP_UNPACKED = 200 * MB  # a county of 100,000 households is ~30 MB of CSV


class _Refused(Exception):
    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


class RosterDesk:
    def __init__(
        self, db: Database, bot: Bot, clock: Clock, folder: Path, options: SheetOptions
    ) -> None:
        self._db = db
        self._options = options  # [roster]'s additions to the 花名册's headers and ranks
        self._bot = bot
        self._clock = clock
        self._folder = folder

    def place(self, upload: Upload) -> Path:
        return self._folder / f"roster-{upload.token}.{upload.suffix}"

    async def fetch(self, upload: Upload, path: Path) -> bool:
        """Download the file (getFile, then its bytes) to ``path``, readable by us only."""
        try:
            found = await self._bot.get_file(upload.file_id)
            if found.file_size is not None and found.file_size > LIMIT:
                return False
            data = bytes(await found.download_as_bytearray())
        except TelegramError as refused:
            log.warning("roster upload %s: Telegram gave no file (%s)", upload.id, refused)
            return False
        await asyncio.to_thread(self._keep, path, data)
        return True

    def _keep(self, path: Path, data: bytes) -> None:
        private.folder(self._folder)
        private.write_bytes(path, data)

    async def run(
        self, upload: Upload, path: Path, *, prune: bool, dry_run: bool
    ) -> Verdict[ImportOutcome]:
        source = path
        try:
            if upload.suffix == "zip":
                source = await asyncio.to_thread(_unzip, path, _unpacked(path))
            outcome = await import_path(
                self._db,
                source,
                prune=prune,
                dry_run=dry_run,
                now=self._clock.now(),
                options=self._options,
            )
        except _Refused as refused:
            problem = Problem(upload.file_name, None, None, refused.reason, refused.params)
            outcome = ImportOutcome(problems=[problem])
        finally:
            if source != path:
                await asyncio.to_thread(shutil.rmtree, source, True)
        outcome.problems = [_named(p, source, upload.file_name) for p in outcome.problems]
        return Verdict(outcome.report is not None, outcome)

    def discard(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        shutil.rmtree(_unpacked(path), ignore_errors=True)

    async def settle(self, token: str, before: str, after: str) -> bool:
        async with unit_of_work(self._db, self._clock.now()) as work:
            return await work.uploads.move(token, before, after)


def _unpacked(path: Path) -> Path:
    return path.with_suffix(".d")


def _unzip(path: Path, into: Path) -> Path:
    """The zip's CSV files, flat in ``into`` (folders in the zip are ignored, as are the
    Mac's ``__MACOSX`` copies); _Refused for anything else."""
    try:
        with zipfile.ZipFile(path) as packed:
            members = [m for m in packed.infolist() if _wanted(m)]
            _check(members)
            shutil.rmtree(into, ignore_errors=True)
            private.folder(into)
            for member in members:
                name = PurePosixPath(member.filename).name
                private.write_bytes(into / name, packed.read(member))
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
        shutil.rmtree(into, ignore_errors=True)
        raise _Refused("zip_unreadable", error=str(error).replace(str(path), "")) from None
    return into


def _wanted(member: zipfile.ZipInfo) -> bool:
    name = PurePosixPath(member.filename)
    hidden = name.name.startswith(".") or "__MACOSX" in name.parts
    return not member.is_dir() and not hidden


def _check(members: list[zipfile.ZipInfo]) -> None:
    names = [PurePosixPath(m.filename).name for m in members]
    others = [n for n in names if not n.lower().endswith(".csv")]
    if others or not names:
        raise _Refused("zip_not_csv", names="、".join(others[:3]) or "—")
    if len(members) > ZIP_MEMBERS or len(set(names)) != len(names):
        raise _Refused("zip_not_csv", names="、".join(names[:3]))
    if sum(m.file_size for m in members) > ZIP_UNPACKED:
        raise _Refused("zip_too_big", limit=ZIP_UNPACKED // MB)


def _named(problem: Problem, source: Path, name: str) -> Problem:
    """The problem with the file's name as sent, never the server's private path."""

    def plain(value: object) -> object:
        if not isinstance(value, str):
            return value
        return value.replace(str(source), name).replace(source.name, name)

    params = {key: plain(value) for key, value in problem.params.items()}
    return dataclasses.replace(problem, where=str(plain(problem.where)), params=params)
