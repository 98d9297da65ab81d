"""In-memory fakes of what ``bot.services.roster_upload`` asks: the uploads table and the
desk (the files kept, and each run of the import)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from bot.domain.roster_uploads import Upload
from bot.services.identity import Identity
from bot.services.roster_upload import Verdict

NOW = datetime(2031, 3, 4, 1, 0, tzinfo=UTC)
ADMIN = Identity(user_id=9001, admin=True, cadre=None, households=(), current=None)
OTHER_ADMIN = Identity(user_id=9002, admin=True, cadre=None, households=(), current=None)
VILLAGER = Identity(user_id=2001, admin=False, cadre=None, households=(), current=None)


@dataclass
class FakeUploads:
    rows: dict[str, Upload] = field(default_factory=dict)
    stale_reads: bool = False  # get() answers what it first saw (two presses at once)
    seen: dict[str, Upload] = field(default_factory=dict)

    async def add(
        self, token: str, user_id: int, file_id: str, file_name: str, suffix: str, now: datetime
    ) -> Upload:
        number = len(self.rows) + 1
        row = Upload(number, token, user_id, file_id, file_name, suffix, now, "checking")
        self.rows[token] = row
        return row

    async def get(self, token: str) -> Upload | None:
        if self.stale_reads and token in self.seen:
            return self.seen[token]
        found = self.rows.get(token)
        if found is not None:
            self.seen.setdefault(token, found)
        return found

    async def move(self, token: str, before: str, after: str) -> bool:
        row = self.rows.get(token)
        if row is None or row.state != before:
            return False
        self.rows[token] = replace(row, state=after)
        return True


@dataclass
class FakeWork:
    now: datetime = NOW
    uploads: FakeUploads = field(default_factory=FakeUploads)


@dataclass
class FakeDesk:
    """Files by path; ``clean``: whether the roster has no problems; ``runs``: (prune,
    dry_run) of every run of the import."""

    uploads: FakeUploads
    clean: bool = True
    telegram_gives: bool = True
    files: set[Path] = field(default_factory=set)
    runs: list[tuple[bool, bool]] = field(default_factory=list)

    def place(self, upload: Upload) -> Path:
        return Path("/data/files") / f"roster-{upload.token}.{upload.suffix}"

    async def fetch(self, upload: Upload, path: Path) -> bool:
        if self.telegram_gives:
            self.files.add(path)
        return self.telegram_gives

    async def run(self, upload: Upload, path: Path, *, prune: bool, dry_run: bool) -> Verdict[str]:
        assert path in self.files, "the import ran over a file that is not there"
        self.runs.append((prune, dry_run))
        return Verdict(self.clean, "problems" if not self.clean else "report")

    def discard(self, path: Path) -> None:
        self.files.discard(path)

    async def settle(self, token: str, before: str, after: str) -> bool:
        return await self.uploads.move(token, before, after)
