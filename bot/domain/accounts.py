"""A Telegram account as the bot last saw it: who wrote, under which name, from which chat."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Account:
    user_id: int
    chat_id: int | None
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
