"""A roster an administrator sent to the bot in Telegram, waiting to be imported
(``bot.services.roster_upload``; stored by ``storage.roster_uploads``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Upload:
    id: int
    token: str  # in the buttons' data
    user_id: int  # the administrator who sent it
    file_id: str  # Telegram's
    file_name: str  # as sent
    suffix: str  # xlsx | zip
    received_at: datetime
    state: str  # bot.services.roster_upload's CHECKING, READY ...
