"""Every update from a person: counted, and who they are resolved once (over fakes)."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.accounts import Account
from bot.domain.binding import BindingPolicy
from bot.services import accounts, binding
from bot.services.identity import identify
from tests.services.fakes_binding import WANG, ZHENG, FakeWork

ADMIN = 900
ZERO = timedelta(0)


def account(user_id: int) -> Account:
    return Account(user_id, user_id, "秀英", None, None, "zh")


async def test_the_first_update_is_known_as_the_first() -> None:
    work = FakeWork()
    first = await accounts.record_seen(work, account(501), admins=(ADMIN,))
    assert first.first_time
    again = await accounts.record_seen(work, account(501), admins=(ADMIN,))
    assert not again.first_time
    assert work.accounts.updates[501] == 2  # counted, so double handling would show


async def test_who_is_asking_comes_back_with_the_seen_account() -> None:
    work = FakeWork()
    admin = (await accounts.record_seen(work, account(ADMIN), admins=(ADMIN,))).who
    assert (admin.admin, admin.cadre, admin.villager) == (True, None, False)
    policy = BindingPolicy(2, 3, ZERO, ZERO)
    stranger = await identify(work.people, 501, (ADMIN,))
    await binding.bind(work, stranger, "HouseholdCode001", policy)
    await binding.bind(work, await identify(work.people, 700, ()), "CadreCode0000007", policy)
    villager = (await accounts.record_seen(work, account(501), admins=(ADMIN,))).who
    assert (villager.admin, villager.current, villager.cadre) == (False, WANG, None)
    cadre = (await accounts.record_seen(work, account(700), admins=(ADMIN,))).who
    assert (cadre.cadre, cadre.villager, cadre.supervises) == (ZHENG, False, None)
