"""The household pickers of /file, /visit and /stay over in-memory fakes: buttons by
group and page, search by name, an id as always, and a forged button refused with
nothing changed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.domain import picking
from bot.domain.picking import Kind, Listing, NotYours, Press, Verb
from bot.domain.roster import Rank
from bot.domain.schedule import CadresOnly, DayKind, Rules
from bot.services import pickers
from bot.services.field import Logged
from bot.services.identity import Identity
from bot.services.pickers import Filing, NoneFound
from tests.services.fakes_cadre import LI, SUN, WANG, ZHENG
from tests.services.fakes_pickers import FakeWork, listed

RULES = Rules(zone=ZoneInfo("Asia/Shanghai"), stay_quota={Rank.TOWNSHIP_CADRE: 8})
HANDLER = Identity(3007, admin=False, cadre=ZHENG, households=(), current=None)
SUPERVISOR = Identity(3003, admin=False, cadre=SUN, households=(), current=None)
VILLAGER = Identity(501, admin=False, cadre=None, households=(), current=None)
WANG_HOME = listed(WANG.id, "王秀英", "G011", "柳树村一组")
LI_HOME = listed(LI.id, "李大山", "G011", "柳树村一组")
WANG_TOO = listed("H0005", "王二妹", "V02", "石桥村")  # in 孙丽's township, linked to no one here
STRANGER = listed("H0007", "王春花", "V03", "青山村")  # another township


def work_of(**extra: object) -> FakeWork:
    work = FakeWork()
    work.picks.listed = [WANG_HOME, LI_HOME, WANG_TOO, STRANGER]
    work.picks.links = {"K007": {WANG.id, LI.id}}
    work.picks.regions = {"K003": {"V02"}}
    work.schedule.households = {i.household.id: i.household for i in work.picks.listed}
    work.schedule.visitable_by = {"K007": {WANG.id, LI.id}, "K003": {"H0005"}}
    return work


async def test_the_command_alone_offers_the_cadres_households_as_buttons() -> None:
    work = work_of()
    shown = await pickers.command(work, HANDLER, Verb.VISIT, [], RULES)
    assert isinstance(shown, Listing)
    assert [i.household.head_name for i in shown.households] == ["王秀英", "李大山"]
    assert (shown.kind, shown.pages) == (Kind.PAGE, 1)
    assert work.schedule.days == []  # nothing logged before a press


async def test_many_households_in_several_groups_show_the_groups_then_pages() -> None:
    many = [listed(f"H{n:04}", f"户主{n}", f"G{n % 2}", f"{n % 2 + 1}组") for n in range(1, 22)]
    groups = picking.listing(many, picking.first(Verb.FILE, many))
    assert groups.kind == Kind.GROUPS
    assert [(g.name, g.count) for g in groups.groups] == [("2组", 11), ("1组", 10)]
    first = picking.listing(many, Press(Verb.FILE, Kind.GROUP, "G1", 0))
    assert (len(first.households), first.pages, first.total) == (8, 2, 11)
    second = picking.listing(many, Press(Verb.FILE, Kind.GROUP, "G1", 1))
    assert len(second.households) == 3
    one_group = [listed(f"H{n:04}", f"户主{n}", "G1", "一组") for n in range(1, 12)]
    assert picking.first(Verb.VISIT, one_group).kind == Kind.PAGE  # one group: just pages


async def test_a_name_with_one_match_goes_on_and_keeps_the_note() -> None:
    work = work_of()
    logged = await pickers.command(work, HANDLER, Verb.VISIT, ["王秀英", "送了米"], RULES)
    assert isinstance(logged, Logged)
    assert logged.household == WANG_HOME.household
    assert [(d.kind, d.household_id, d.note) for d in work.schedule.days] == [
        (DayKind.VISIT, WANG.id, "送了米")
    ]


async def test_file_by_name_waits_for_the_content() -> None:
    work = work_of()
    filing = await pickers.command(work, HANDLER, Verb.FILE, ["李大山"], RULES)
    assert isinstance(filing, Filing)
    assert filing.household.head_name == "李大山"
    assert work.filings.filing  # the next message files for 李大山


async def test_a_supervisor_finds_households_of_the_region_and_several_matches_are_buttons() -> (
    None
):
    work = work_of()
    work.picks.links["K003"] = {WANG.id}
    found = await pickers.command(work, SUPERVISOR, Verb.VISIT, ["王"], RULES)
    assert isinstance(found, Listing)
    assert found.kind == Kind.HOUSEHOLD
    assert [i.household.head_name for i in found.households] == ["王秀英", "王二妹"]  # not 王春花
    assert work.schedule.days == []


async def test_a_name_found_nowhere_says_what_was_searched_and_logs_nothing() -> None:
    work = work_of()
    none = await pickers.command(work, HANDLER, Verb.VISIT, ["王春花"], RULES)
    assert none == NoneFound(Verb.VISIT, "王春花", region_too=False)
    assert work.schedule.days == []
    none = await pickers.command(work, SUPERVISOR, Verb.STAY, ["赵"], RULES)
    assert none == NoneFound(Verb.STAY, "赵", region_too=True)
    # /file searches only the households linked to the cadre, as /file reaches only those.
    none = await pickers.command(work, SUPERVISOR, Verb.FILE, ["王二妹"], RULES)
    assert none == NoneFound(Verb.FILE, "王二妹", region_too=False)


async def test_an_id_still_works_as_before() -> None:
    work = work_of()
    logged = await pickers.command(work, HANDLER, Verb.STAY, ["h0001", "夜访"], RULES)
    assert isinstance(logged, Logged)
    assert [(d.household_id, d.note) for d in work.schedule.days] == [(WANG.id, "夜访")]


async def test_a_pressed_household_goes_on_and_a_forged_one_is_refused() -> None:
    work = work_of()
    stayed = await pickers.press(work, HANDLER, Press(Verb.STAY, Kind.HOUSEHOLD, LI.id), RULES)
    assert isinstance(stayed, Logged)
    assert stayed.household == LI_HOME.household
    for forged in (
        Press(Verb.VISIT, Kind.HOUSEHOLD, "H0007"),  # another cadre's household
        Press(Verb.FILE, Kind.HOUSEHOLD, "H0005"),
        Press(Verb.VISIT, Kind.PAGE, page=7),  # past the end
        Press(Verb.FILE, Kind.GROUP, "V03", 0),  # a group not in the list
    ):
        with pytest.raises(NotYours):
            await pickers.press(work, HANDLER, forged, RULES)
    assert len(work.schedule.days) == 1
    assert work.filings.filing == {}


async def test_a_stay_without_a_household_is_a_button_too() -> None:
    work = work_of()
    logged = await pickers.press(work, HANDLER, Press(Verb.STAY, Kind.NONE), RULES)
    assert isinstance(logged, Logged)
    assert logged.household is None
    assert [d.kind for d in work.schedule.days] == [DayKind.STAY]


async def test_villagers_have_no_pickers() -> None:
    work = work_of()
    with pytest.raises(CadresOnly):
        await pickers.command(work, VILLAGER, Verb.VISIT, [], RULES)
    with pytest.raises(CadresOnly):
        await pickers.press(work, VILLAGER, Press(Verb.STAY, Kind.NONE), RULES)
    assert work.schedule.days == []


@pytest.mark.parametrize(
    "data",
    [
        "pk:visit:h:H0001:9",
        "pk:visit:p:" + "9" * 57,
        "pk:file:p:²",
        "pk:fly:p:0",
        "pk:visit:n",  # only a stay has "no household"
        "pk:file:h:王秀英",  # never names
        "pk:file:r:G011",
        "",
        None,
    ],
)
def test_odd_button_data_is_not_a_press(data: str | None) -> None:
    assert picking.decode(data) is None


def test_button_data_round_trips_within_64_bytes() -> None:
    for press in (
        Press(Verb.VISIT, Kind.HOUSEHOLD, "H" * 30),
        Press(Verb.STAY, Kind.GROUP, "G" * 30, 999),
        Press(Verb.FILE, Kind.GROUPS, page=3),
        Press(Verb.STAY, Kind.NONE),
    ):
        data = picking.encode(press)
        assert len(data.encode()) <= 64
        assert picking.decode(data) == press
