"""Every update from a person: their account row refreshed, and who they are resolved once."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.accounts import Account
from bot.services.identity import Identity, IdentityWork, identify


class AccountStore(Protocol):
    async def record_seen(self, account: Account, now: datetime) -> bool: ...


class SeenWork(IdentityWork, Protocol):
    @property
    def accounts(self) -> AccountStore: ...


@dataclass(frozen=True)
class Seen:
    first_time: bool  # the account had never written to the bot before
    who: Identity


async def record_seen(work: SeenWork, account: Account, admins: Collection[int]) -> Seen:
    """Note the update (counted, so double handling would show) and say who sent it."""
    first_time = await work.accounts.record_seen(account, work.now)
    return Seen(first_time, await identify(work.people, account.user_id, admins))
