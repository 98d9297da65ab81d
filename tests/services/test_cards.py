"""The administrator's contact cards in the chat (bot.services.cards), over fakes."""

from __future__ import annotations

import pytest

from bot.domain.codes import CodeState
from bot.services import cards
from bot.services.identity import Identity
from tests.services.fakes_cards import county

ADMIN = Identity(900, True, None, (), None)
VILLAGER = Identity(501, False, None, (), None)


async def test_the_picker_opens_the_lone_county_then_a_township() -> None:
    work = county()
    top = await cards.places(work, ADMIN)
    assert top.here is not None
    assert top.here.id == "C"
    assert [p.name for p in top.under] == ["东坪镇", "西河乡"]
    township = await cards.places(work, ADMIN, "T1")
    assert [(p.id, p.households) for p in township.under] == [("V1", 11)]
    with pytest.raises(cards.Gone):
        await cards.places(work, ADMIN, "T9")  # a forged button


async def test_a_villages_cards_issue_the_missing_codes() -> None:
    work = county()
    printing = await cards.region_cards(work, ADMIN, "V1")
    assert printing.name == "柳树村"
    assert len(printing.cards) == 11
    assert printing.new == 10  # 李大山's live code is kept
    again = await cards.region_cards(work, ADMIN, "V1")
    assert again.new == 0
    with pytest.raises(cards.Empty):
        await cards.region_cards(work, ADMIN, "V2")
    with pytest.raises(cards.Gone):
        await cards.region_cards(work, ADMIN, "V9")


async def test_find_by_name_or_id_in_pages_and_the_only_one_opens() -> None:
    work = county()
    first = await cards.find(work, ADMIN, "王")
    assert (first.total, first.pages, len(first.hits), first.only) == (10, 2, 8, None)
    second = await cards.find(work, ADMIN, "王", 1)
    assert [h.id for h in second.hits] == ["H0008", "H0009"]
    one = await cards.find(work, ADMIN, "h0100")
    assert one.only is not None
    assert one.only.head_name == "李大山"
    none = await cards.find(work, ADMIN, "赵")
    assert none.hits == ()
    assert none.total == 0
    for bad in ("", "   ", "王" * 17):
        with pytest.raises(cards.BadQuery):
            await cards.find(work, ADMIN, bad)
    with pytest.raises(cards.Gone):
        await cards.find(work, ADMIN, "王", 5)  # a forged page


async def test_revoking_a_card_then_printing_gives_a_new_code() -> None:
    work = county()
    done = await cards.revoke(work, ADMIN, "H0100")
    assert done.revoked
    assert done.holder.code is CodeState.REVOKED
    assert work.cards.revoked == ["H0100"]
    twice = await cards.revoke(work, ADMIN, "H0100")
    assert not twice.revoked  # pressed again: nothing more
    printing = await cards.household_card(work, ADMIN, "H0100")
    assert len(printing.cards) == 1
    assert (await cards.holder(work, ADMIN, "H0100")).code is CodeState.LIVE
    with pytest.raises(cards.Gone):
        await cards.revoke(work, ADMIN, "H9999")


async def test_only_an_administrator_may_and_nothing_changes_otherwise() -> None:
    work = county()
    calls = [
        cards.places(work, VILLAGER),
        cards.region_cards(work, VILLAGER, "V1"),
        cards.household_card(work, VILLAGER, "H0001"),
        cards.find(work, VILLAGER, "王"),
        cards.holder(work, VILLAGER, "H0100"),
        cards.revoke(work, VILLAGER, "H0100"),
    ]
    for call in calls:
        with pytest.raises(cards.NotAdmin):
            await call
    assert work.cards.issued == 0
    assert work.cards.revoked == []
