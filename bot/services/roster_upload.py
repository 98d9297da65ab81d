"""The roster sent to the bot in Telegram by an administrator: checked (a dry run) and
shown, then imported or cancelled by their button press.

The file waits, private, under the data directory's ``files/`` (the ``Desk`` puts it
there and runs the import: ``bot.edge.roster_desk``); a row (``Uploads``) says who sent it
and where it stands, and moves once: a forged press (another person, a made-up token), a
late one (past ``TTL``) or a second one (pressed twice, two windows) is refused and changes
nothing, and of two presses at once one imports. The slow parts (download, check, import)
run after the update's commit, outside its transaction; ``receive`` and ``press`` are the
quick ones inside it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from bot.domain.roster_uploads import Upload
from bot.services.identity import Identity
from bot.services.moment import Moment

TTL = timedelta(hours=1)  # a checked file waits this long for 导入
LIMIT = 20 * 1024 * 1024  # bytes: Telegram lets a bot download files up to 20 MB
SUFFIXES = ("xlsx", "zip")  # a workbook, or the four CSV files in a zip

# States of an upload (``roster_uploads.state``).
CHECKING, READY, REFUSED = "checking", "ready", "refused"
IMPORTING, DONE, CANCELLED, EXPIRED = "importing", "done", "cancelled", "expired"

# Button actions (``ru:<action>:<token>``).
IMPORT, PRUNE, PRUNE_IMPORT, CANCEL = "go", "prune", "prunego", "no"
ACTIONS = (IMPORT, PRUNE, PRUNE_IMPORT, CANCEL)

R = TypeVar("R")  # the import's own outcome (bot.roster_cli.ImportOutcome)


class NotAdmin(PermissionError):
    """Only the configured administrators may send a roster."""


@dataclass(frozen=True)
class NotRoster(ValueError):
    """Not a roster file: a photo, a .docx, a PDF ..."""

    name: str  # the file's name as sent ("" for a photo)


@dataclass(frozen=True)
class TooLarge(ValueError):
    """Over Telegram's download limit for bots: it cannot be fetched at all."""

    size: int


@dataclass(frozen=True)
class Stale(ValueError):
    """A press that cannot act: unknown token, someone else's, or already acted on."""

    state: str | None  # the upload's state if the presser may know it, else None


@dataclass(frozen=True)
class Offered:
    """A file a person sent: its kind ("document", "photo" ...), Telegram id, name, size."""

    kind: str
    file_id: str
    name: str
    size: int | None


class Uploads(Protocol):
    async def add(
        self, token: str, user_id: int, file_id: str, file_name: str, suffix: str, now: datetime
    ) -> Upload: ...
    async def get(self, token: str) -> Upload | None: ...
    async def move(self, token: str, before: str, after: str) -> bool: ...


class UploadWork(Moment, Protocol):
    @property
    def uploads(self) -> Uploads: ...


@dataclass(frozen=True)
class Verdict(Generic[R]):
    """What a run of the import said: ``clean`` (no problems; for a dry run: it may be
    imported) and the import's own outcome (``bot.roster_cli.ImportOutcome``) to render."""

    clean: bool
    outcome: R


class Desk(Protocol[R]):
    """Where waiting files are kept and what imports them (``bot.edge.roster_desk``)."""

    def place(self, upload: Upload) -> Path: ...
    async def fetch(self, upload: Upload, path: Path) -> bool: ...  # False: Telegram refused
    async def run(
        self, upload: Upload, path: Path, *, prune: bool, dry_run: bool
    ) -> Verdict[R]: ...
    def discard(self, path: Path) -> None: ...
    async def settle(self, token: str, before: str, after: str) -> bool: ...


@dataclass(frozen=True)
class Checked(Generic[R]):
    """A dry run's result (``verdict`` None: the file could not be downloaded)."""

    upload: Upload
    verdict: Verdict[R] | None
    prune: bool = False


@dataclass(frozen=True)
class Pressed:
    """What a valid press does: ``action`` is IMPORT / PRUNE_IMPORT (the state moved to
    importing: import it), PRUNE (show what pruning removes), CANCEL or EXPIRED (the
    state moved: delete the file)."""

    upload: Upload
    action: str

    @property
    def prune(self) -> bool:
        return self.action == PRUNE_IMPORT


# --- inside the update's transaction ----------------------------------------------------


async def receive(work: UploadWork, who: Identity, offered: Offered) -> Upload:
    """An administrator's file, recorded to be checked; NotAdmin, NotRoster, TooLarge."""
    if not who.admin:
        raise NotAdmin
    suffix = offered.name.rpartition(".")[2].lower() if "." in offered.name else ""
    if offered.kind != "document" or suffix not in SUFFIXES:
        raise NotRoster(offered.name)
    if offered.size is not None and offered.size > LIMIT:
        raise TooLarge(offered.size)
    token = secrets.token_urlsafe(9)  # 12 characters, 72 bits: not guessed
    return await work.uploads.add(
        token, who.user_id, offered.file_id, offered.name, suffix, work.now
    )


async def press(work: UploadWork, who: Identity, token: str, action: str) -> Pressed:
    """The sender's own press on their checked roster's buttons; Stale otherwise."""
    upload = await work.uploads.get(token)
    if upload is None or not who.admin or upload.user_id != who.user_id:
        raise Stale(None)  # forged or someone else's: say nothing about it
    if action not in ACTIONS or upload.state != READY:
        raise Stale(upload.state)
    if work.now - upload.received_at > TTL:
        return await _moved(work, upload, EXPIRED, EXPIRED)
    if action == PRUNE:
        return Pressed(upload, PRUNE)
    return await _moved(work, upload, CANCELLED if action == CANCEL else IMPORTING, action)


async def _moved(work: UploadWork, upload: Upload, state: str, action: str) -> Pressed:
    if not await work.uploads.move(upload.token, READY, state):
        raise Stale(state)  # another press moved it first
    return Pressed(upload, action)


# --- after the commit (long work) -------------------------------------------------------


async def check(desk: Desk[R], upload: Upload) -> Checked[R]:
    """Download the file and dry-run it; a file with problems is deleted at once."""
    path = desk.place(upload)
    fetched = await desk.fetch(upload, path)
    verdict = await desk.run(upload, path, prune=False, dry_run=True) if fetched else None
    if verdict is None or not verdict.clean:
        desk.discard(path)
    await desk.settle(upload.token, CHECKING, READY if verdict and verdict.clean else REFUSED)
    return Checked(upload, verdict)


async def preview_prune(desk: Desk[R], upload: Upload) -> Checked[R]:
    """What importing with pruning would do (a dry run with prune), to be confirmed."""
    verdict = await desk.run(upload, desk.place(upload), prune=True, dry_run=True)
    return Checked(upload, verdict, prune=True)


async def apply(desk: Desk[R], pressed: Pressed) -> Verdict[R]:
    """Import the checked file (its state is IMPORTING: this press won), then delete it."""
    path = desk.place(pressed.upload)
    try:
        verdict = await desk.run(pressed.upload, path, prune=pressed.prune, dry_run=False)
    finally:
        desk.discard(path)
    await desk.settle(pressed.upload.token, IMPORTING, DONE if verdict.clean else REFUSED)
    return verdict


def forget(desk: Desk[R], upload: Upload) -> None:
    """A cancelled or expired upload's file goes."""
    desk.discard(desk.place(upload))
