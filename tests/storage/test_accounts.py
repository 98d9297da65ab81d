"""Accounts that wrote to the bot, on both backends: counted once each, and which of the
configured administrators the bot can message (start-up's check)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.accounts import Account
from storage import accounts
from storage.db import Database

NOW = datetime(2031, 3, 4, 1, 0, tzinfo=UTC)


def account(user_id: int, name: str) -> Account:
    return Account(user_id, user_id, name, None, None, "zh-hans")


async def test_an_account_is_new_once_and_its_updates_are_counted(db: Database) -> None:
    async with db.transaction() as tx:
        assert await accounts.record_seen(tx, account(7, "王明"), NOW)
        assert not await accounts.record_seen(tx, account(7, "王明明"), NOW)
        assert await accounts.updates_seen(tx, 7) == 2
        assert await accounts.display_name(tx, 7) == "王明明"


async def test_known_are_the_administrators_who_wrote(db: Database) -> None:
    async with db.transaction() as tx:
        await accounts.record_seen(tx, account(1, "甲"), NOW)
        await accounts.record_seen(tx, account(2, "乙"), NOW)
    async with db.read() as tx:
        assert await accounts.known(tx, [1, 3, 1]) == {1}
        assert await accounts.known(tx, [2, 1]) == {1, 2}
        assert await accounts.known(tx, []) == set()
