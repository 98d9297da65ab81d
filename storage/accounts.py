"""Telegram accounts that have written to the bot."""

from __future__ import annotations

from datetime import datetime

from bot.domain.accounts import Account
from storage.db import Tx
from storage.timefmt import to_db

UPSERT_SEEN = """
INSERT INTO accounts (user_id, chat_id, first_name, last_name, username, language_code,
                      first_seen, last_seen, updates_seen)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
ON CONFLICT (user_id) DO UPDATE SET
    chat_id = coalesce(excluded.chat_id, accounts.chat_id),
    first_name = excluded.first_name,
    last_name = excluded.last_name,
    username = excluded.username,
    language_code = excluded.language_code,
    last_seen = excluded.last_seen,
    updates_seen = accounts.updates_seen + 1
"""
SELECT_SEEN = "SELECT updates_seen FROM accounts WHERE user_id = ?"
SELECT_NAME = "SELECT first_name, last_name, username FROM accounts WHERE user_id = ?"
SELECT_KNOWN = "SELECT 1 FROM accounts WHERE user_id = ?"


async def record_seen(tx: Tx, account: Account, now: datetime) -> bool:
    """Note that this account sent an update (counted, so double handling would show).

    Returns True the first time the account is seen."""
    await tx.execute(
        UPSERT_SEEN,
        (
            account.user_id,
            account.chat_id,
            account.first_name,
            account.last_name,
            account.username,
            account.language_code,
            to_db(now),
            to_db(now),
        ),
    )
    return await updates_seen(tx, account.user_id) == 1


async def updates_seen(tx: Tx, user_id: int) -> int:
    return int(await tx.scalar(SELECT_SEEN, (user_id,)) or 0)


async def display_name(tx: Tx, user_id: int) -> str:
    """The account's Telegram name (and @username) as people would recognise it; the id
    if it never wrote to the bot."""
    row = await tx.fetchone(SELECT_NAME, (user_id,))
    if row is None:
        return str(user_id)
    name = " ".join(part for part in (row["first_name"], row["last_name"]) if part)
    return f"{name} (@{row['username']})" if row["username"] else name or str(user_id)


class Accounts:
    """The accounts repository over one transaction (``bot.services.accounts``)."""

    def __init__(self, tx: Tx) -> None:
        self._tx = tx

    async def record_seen(self, account: Account, now: datetime) -> bool:
        return await record_seen(self._tx, account, now)

    async def display_name(self, user_id: int) -> str:
        return await display_name(self._tx, user_id)


async def known(tx: Tx, user_ids: list[int]) -> set[int]:
    """Which of ``user_ids`` have ever written to the bot (the administrators: a few, so
    one lookup each, the same on SQLite and PostgreSQL)."""
    return {u for u in set(user_ids) if await tx.fetchone(SELECT_KNOWN, (u,)) is not None}
