"""Binding with a card's code, /start without one, and a household's report of a stranger's
phone: the use cases over in-memory fakes (``fakes_binding``), as the people would see it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.accounts import Account
from bot.domain.binding import BindingPolicy, BoundCadre, Refusal, Refused
from bot.domain.roster import Cadre
from bot.services import binding
from bot.services.binding import Joined, NotBound, StaleNotice
from bot.services.identity import Identity, identify
from tests.services.fakes_binding import CHEN, WANG, ZHENG, FakeWork

POLICY = BindingPolicy(
    phones_per_household=2,
    max_wrong_codes=3,
    wrong_code_window=timedelta(minutes=10),
    lockout=timedelta(minutes=30),
)
GRANDMA, SON, NEIGHBOUR, ADMIN = 501, 502, 503, 900
CARD, CADRE_CARD, SUPERVISOR_CARD = "HouseholdCode001", "CadreCode0000007", "CadreCode0000001"


async def asking(work: FakeWork, user_id: int) -> Identity:
    """Who is asking, as the first handler of every update resolves it."""
    return await identify(work.people, user_id, admins=(ADMIN,))


async def bind(work: FakeWork, user_id: int, code: str) -> binding.Bound:
    return await binding.bind(work, await asking(work, user_id), code, POLICY)


def refused(reason: Refusal, acting_as: Cadre | None = None) -> NotBound:
    return NotBound(Refused(reason), acting_as)


def seen(work: FakeWork, user_id: int, first: str, username: str | None = None) -> None:
    work.accounts.seen[user_id] = Account(user_id, user_id, first, None, username, "zh")


async def test_a_household_card_binds_and_tells_the_villager_their_cadres() -> None:
    work = FakeWork()
    joined = await bind(work, GRANDMA, CARD)
    assert isinstance(joined, Joined)
    assert joined.bound.household.head_name == "王秀英"
    assert not joined.bound.again
    assert [(c.tier, c.cadre.name) for c in joined.bound.cadres] == [
        (1, "郑小红"),
        (2, "周建国"),
        (3, "陈志强"),
    ]
    assert joined.households == 1  # no 「换一户」 button
    assert joined.new_phone is None  # the first phone: no one to tell
    assert [h.id for h in (await asking(work, GRANDMA)).households] == [WANG.id]


async def test_a_second_phone_is_announced_to_the_household_with_its_name() -> None:
    work = FakeWork()
    await bind(work, GRANDMA, CARD)
    seen(work, SON, "小明", "xiaoming")
    joined = await bind(work, SON, CARD)
    assert isinstance(joined, Joined)
    assert joined.new_phone is not None
    assert joined.new_phone.told == (GRANDMA,)  # not the new phone itself
    assert joined.new_phone.name == "小明 (@xiaoming)"
    assert joined.new_phone.at == work.now
    assert joined.new_phone.household == WANG


async def test_the_same_card_again_is_harmless_and_announced_to_no_one() -> None:
    work = FakeWork()
    await bind(work, GRANDMA, CARD)
    await bind(work, SON, CARD)
    again = await bind(work, SON, CARD)
    assert isinstance(again, Joined)
    assert again.bound.again
    assert again.new_phone is None
    assert len(work.people.members) == 2


async def test_a_used_up_or_revoked_card_binds_no_one_new() -> None:
    work = FakeWork()
    await bind(work, GRANDMA, CARD)
    await bind(work, SON, CARD)
    assert await bind(work, NEIGHBOUR, CARD) == refused(Refusal.USED_UP)
    assert await bind(work, NEIGHBOUR, "RevokedCode00003") == refused(Refusal.REVOKED)
    assert (await asking(work, NEIGHBOUR)).households == []
    assert work.people.wrong_tries == []  # a real card is not a guess


async def test_a_cadre_card_binds_the_cadre_and_tells_them_their_households() -> None:
    work = FakeWork()
    bound = await bind(work, 700, CADRE_CARD)
    assert isinstance(bound, BoundCadre)
    assert bound.cadre == ZHENG
    assert not bound.again
    assert bound.duties.households == 2
    assert dict(bound.duties.tiers) == {1: 2}
    assert (await asking(work, 700)).cadre == ZHENG
    supervisor = await bind(work, 701, SUPERVISOR_CARD)
    assert isinstance(supervisor, BoundCadre)
    assert supervisor.supervises == "城关镇"


async def test_a_cadre_card_is_refused_to_a_second_account_and_to_another_cadre() -> None:
    work = FakeWork()
    await bind(work, 700, CADRE_CARD)
    assert await bind(work, 799, CADRE_CARD) == refused(Refusal.TAKEN)
    answer = await bind(work, 700, SUPERVISOR_CARD)
    assert answer == refused(Refusal.OTHER_CADRE, ZHENG)  # "you are 郑小红"
    assert work.people.cadre_accounts == {ZHENG.id: 700}


async def test_wrong_codes_lock_the_account_and_a_locked_one_is_refused_unchecked() -> None:
    work = FakeWork()
    for n in range(POLICY.max_wrong_codes):
        work.now += timedelta(minutes=1)
        guess = f"Guess{n:011d}"
        assert await bind(work, NEIGHBOUR, guess) == refused(Refusal.UNKNOWN)
    work.people.codes_looked_up.clear()
    locked = await bind(work, NEIGHBOUR, CARD)  # even a good card, while locked
    assert isinstance(locked, NotBound)
    assert locked.refused.reason is Refusal.LOCKED
    assert locked.refused.until == work.now + POLICY.lockout  # "try again after 08:33"
    assert work.people.codes_looked_up == []  # the code was not even looked at
    assert (await asking(work, NEIGHBOUR)).households == []
    work.now += POLICY.lockout
    assert isinstance(await bind(work, NEIGHBOUR, CARD), Joined)


async def test_a_wrongly_shaped_code_counts_as_a_wrong_try_without_a_lookup() -> None:
    work = FakeWork()
    answer = await bind(work, NEIGHBOUR, "x' OR 1=1 --")
    assert answer == refused(Refusal.UNKNOWN)
    assert work.people.codes_looked_up == []
    assert work.people.wrong_tries == [(NEIGHBOUR, work.now)]


async def test_start_without_a_code_says_who_the_account_already_is() -> None:
    work = FakeWork()
    assert await binding.who_am_i(work, await asking(work, GRANDMA)) is None  # bound to nothing
    await bind(work, GRANDMA, CARD)
    joined = await binding.who_am_i(work, await asking(work, GRANDMA))
    assert isinstance(joined, Joined)
    assert joined.bound.again
    assert joined.bound.household == WANG
    assert [c.cadre.name for c in joined.bound.cadres] == ["郑小红", "周建国", "陈志强"]
    await bind(work, 700, SUPERVISOR_CARD)
    cadre = await binding.who_am_i(work, await asking(work, 700))
    assert isinstance(cadre, BoundCadre)
    assert (cadre.cadre, cadre.again, cadre.supervises) == (CHEN, True, "城关镇")


async def test_a_shared_phone_with_no_household_chosen_is_greeted_plainly() -> None:
    work = FakeWork()
    await bind(work, GRANDMA, CARD)
    await bind(work, GRANDMA, "NeighbourCode002")
    work.people.focus_of.clear()  # neither chosen
    assert await binding.who_am_i(work, await asking(work, GRANDMA)) is None


async def test_a_member_reports_a_stranger_to_the_admins_and_the_first_cadre() -> None:
    work = FakeWork()
    seen(work, GRANDMA, "秀英")
    seen(work, 666, "陌生人")
    await bind(work, GRANDMA, CARD)
    await bind(work, 666, CARD)
    await bind(work, 700, CADRE_CARD)  # 郑小红, the household's first contact
    reported = await binding.report_stranger(
        work, await asking(work, GRANDMA), WANG.id, 666, admins=(ADMIN,)
    )
    assert (reported.reporter, reported.stranger, reported.stranger_id) == ("秀英", "陌生人", 666)
    assert reported.admins == (ADMIN,)
    assert reported.cadre_user == 700
    assert reported.household == WANG
    assert reported.since == work.now.isoformat()  # one report per binding


async def test_only_another_member_may_report_a_phone_still_bound() -> None:
    work = FakeWork()
    await bind(work, GRANDMA, CARD)
    await bind(work, 666, CARD)
    for reporter, stranger in ((666, 666), (NEIGHBOUR, 666), (GRANDMA, NEIGHBOUR)):
        with pytest.raises(StaleNotice):
            await binding.report_stranger(
                work, await asking(work, reporter), WANG.id, stranger, admins=(ADMIN,)
            )


async def test_an_admin_unbinds_a_reported_phone_and_no_one_else_may() -> None:
    work = FakeWork()
    await bind(work, GRANDMA, CARD)
    await bind(work, 666, CARD)
    with pytest.raises(StaleNotice):  # a member may report, not unbind
        await binding.unbind_stranger(work, await asking(work, GRANDMA), WANG.id, 666)
    assert (await asking(work, 666)).households == [WANG]
    unbound = await binding.unbind_stranger(work, await asking(work, ADMIN), WANG.id, 666)
    assert unbound == binding.Unbound(WANG, 666)  # the phone is told
    assert (await asking(work, 666)).households == []
    assert await binding.unbind_stranger(work, await asking(work, ADMIN), WANG.id, 666) is None
    assert (await asking(work, GRANDMA)).households == [WANG]
