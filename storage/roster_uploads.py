"""Rosters sent to the bot in Telegram, waiting for their administrator's 导入 or 取消
(``bot.services.roster_upload``): who sent which file, and where it stands."""

from __future__ import annotations

from datetime import datetime

from bot.domain.roster_uploads import Upload
from storage.db import Row, Tx
from storage.timefmt import from_db, to_db

INSERT_UPLOAD = """
INSERT INTO roster_uploads (token, user_id, file_id, file_name, suffix, received_at)
VALUES (?, ?, ?, ?, ?, ?)
"""
SELECT_UPLOAD = """
SELECT id, token, user_id, file_id, file_name, suffix, received_at, state
FROM roster_uploads WHERE token = ?
"""
# Compare and set: of two presses at once, one moves the state, the other finds it moved.
MOVE_UPLOAD = "UPDATE roster_uploads SET state = ? WHERE token = ? AND state = ?"


class Uploads:
    """The uploads repository over one transaction (``bot.services.roster_upload.Uploads``)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def add(
        self, token: str, user_id: int, file_id: str, file_name: str, suffix: str, now: datetime
    ) -> Upload:
        params = (token, user_id, file_id, file_name, suffix, to_db(now))
        await self._tx.insert(INSERT_UPLOAD, params)
        found = await self.get(token)
        if found is None:  # pragma: no cover - just inserted, in this transaction
            raise RuntimeError("the upload just added is gone")
        return found

    async def get(self, token: str) -> Upload | None:
        row = await self._tx.fetchone(SELECT_UPLOAD, (token,))
        return None if row is None else _upload(row)

    async def move(self, token: str, before: str, after: str) -> bool:
        """Set the state to ``after`` if it is ``before``; whether it was."""
        return await self._tx.execute(MOVE_UPLOAD, (after, token, before)) == 1


def _upload(row: Row) -> Upload:
    return Upload(
        id=int(row["id"]),
        token=str(row["token"]),
        user_id=int(row["user_id"]),
        file_id=str(row["file_id"]),
        file_name=str(row["file_name"]),
        suffix=str(row["suffix"]),
        received_at=from_db(str(row["received_at"])),
        state=str(row["state"]),
    )
