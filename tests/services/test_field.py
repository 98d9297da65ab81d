"""Field work and the reminder rounds, as use cases over in-memory fakes: a stay counted
against the quota, a stale or foreign place refused, a villager refused, the notes
switched only for one's own household, and who is reminded of what at a given moment."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import schedule
from bot.domain.requests import Content
from bot.domain.roster import Household, Rank
from bot.domain.schedule import (
    BoundCadre,
    CadresOnly,
    DayKind,
    Kind,
    NothingToPlace,
    NotYourHousehold,
    OpenHousehold,
    Optin,
    Rules,
)
from bot.services import field, reminders
from bot.services.reminders import Quota, ServiceDay, VisitNote
from tests.services.fakes_field import FakeSchedule, FakeWork, cadre, villager

ZONE = ZoneInfo("Asia/Shanghai")
RULES = Rules(zone=ZONE, stay_quota={Rank.TOWNSHIP_CADRE: 8, Rank.COUNTY_LEADER: 2})
GRANDMA_HOME = Household("H0001", "王秀英", "V01")
STRANGER_HOME = Household("H0007", "杨春花", "V03")
LI = cadre("K004", Rank.TOWNSHIP_CADRE, 904)


def local(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=ZONE)


def field_work(now: datetime) -> FakeWork:
    store = FakeSchedule(
        visitable_by={"K004": {"H0001"}},
        households={h.id: h for h in (GRANDMA_HOME, STRANGER_HOME)},
    )
    return FakeWork(now, store)


# --- /stay, /visit and the place after them -------------------------------------------


async def test_a_stay_is_logged_for_the_local_day_and_counted_against_the_quota() -> None:
    work = field_work(local("2026-03-03", "21:00"))
    await field.log_day(work, LI, RULES, DayKind.STAY, [])
    work.now = local("2026-03-04", "00:30")  # past local midnight (still the 3rd in UTC)

    logged = await field.log_day(work, LI, RULES, DayKind.STAY, ["h0001", "夜访", "老人"])

    assert (logged.day.month, logged.day.day) == (3, 4)
    assert logged.household == GRANDMA_HOME  # the cadre is told whose household
    assert (logged.logged, logged.needed) == (2, 8)  # "This month: 2 of 8 days"
    assert not logged.unknown
    (_, day) = work.schedule.days
    assert (day.cadre_id, day.kind, day.household_id, day.note) == (
        "K004",
        DayKind.STAY,
        "H0001",
        "夜访 老人",
    )


async def test_a_stay_in_a_strangers_household_is_logged_without_naming_it() -> None:
    work = field_work(local("2026-03-03", "21:00"))
    logged = await field.log_day(work, LI, RULES, DayKind.VISIT, ["H0007", "路过"])
    assert logged.household is None  # 杨春花 is not revealed
    assert logged.unknown == "H0007"  # "H0007 is not a household you are linked to …"
    assert [(d.household_id, d.note) for d in work.schedule.days] == [(None, "路过")]


async def test_a_note_that_does_not_start_with_an_id_is_all_note() -> None:
    work = field_work(local("2026-03-03", "21:00"))
    logged = await field.log_day(work, LI, RULES, DayKind.VISIT, ["走访", "H0001"])
    assert (logged.household, logged.unknown) == (None, "")
    assert work.schedule.days[0].note == "走访 H0001"


async def test_a_location_joins_the_visit_only_within_ten_minutes() -> None:
    work = field_work(local("2026-03-03", "21:00"))
    await field.log_day(work, LI, RULES, DayKind.VISIT, ["H0001"])
    work.now += timedelta(minutes=11)

    with pytest.raises(NothingToPlace) as refused:
        await field.place(work, LI, 25.03, 102.71)

    assert refused.value.within == timedelta(minutes=10)  # what the message can say
    assert [d.place for d in work.schedule.days] == [None]  # nothing written

    work.now -= timedelta(minutes=2)  # 9 minutes after the visit
    await field.place(work, LI, 25.03, 102.71)
    assert [d.place for d in work.schedule.days] == [(25.03, 102.71)]


async def test_a_photo_joins_the_visit_once_and_only_within_ten_minutes() -> None:
    work = field_work(local("2026-03-03", "21:00"))
    await field.log_day(work, LI, RULES, DayKind.VISIT, ["H0001"])
    photo = Content(media="photo", file_id="AgAD-visit")
    work.now += timedelta(minutes=11)
    assert not await field.picture(work, LI, photo)  # too late: a message like any other
    assert [d.photo for d in work.schedule.days] == [""]

    work.now -= timedelta(minutes=2)
    assert not await field.picture(work, LI, Content(text="到了"))  # words are not a photo
    assert await field.picture(work, LI, photo)
    assert not await field.picture(work, LI, Content(media="photo", file_id="AgAD-second"))
    assert [d.photo for d in work.schedule.days] == ["AgAD-visit"]
    grandma = villager(501, GRANDMA_HOME)
    assert not await field.picture(work, grandma, photo)


async def test_a_villager_cannot_log_a_stay_a_visit_or_a_place() -> None:
    work = field_work(local("2026-03-03", "21:00"))
    grandma = villager(501, GRANDMA_HOME)
    with pytest.raises(CadresOnly):
        await field.log_day(work, grandma, RULES, DayKind.STAY, ["H0001"])
    with pytest.raises(CadresOnly):
        await field.log_day(work, grandma, RULES, DayKind.VISIT, [])
    with pytest.raises(CadresOnly):
        await field.place(work, grandma, 25.03, 102.71)
    assert work.schedule.days == []


# --- the service-day note -------------------------------------------------------------


async def test_a_villager_switches_the_note_for_her_household_and_no_other() -> None:
    work = field_work(local("2026-03-03", "21:00"))
    grandma = villager(501, GRANDMA_HOME)
    assert await field.notes(work, grandma) == [field.Note(GRANDMA_HOME, on=False)]

    assert await field.switch_note(work, grandma, "H0001", on=True) == [
        field.Note(GRANDMA_HOME, on=True)
    ]
    with pytest.raises(NotYourHousehold):  # a forged button
        await field.switch_note(work, grandma, "H0007", on=True)
    assert work.schedule.opted == {(501, "H0001")}

    assert await field.notes(work, villager(502)) == []  # not bound: told to bind first


# --- who is reminded of what, at a given moment ---------------------------------------


def county() -> FakeSchedule:
    return FakeSchedule(
        cadres=[
            BoundCadre("K001", "赵建国", Rank.COUNTY_LEADER, "C01", 901),
            BoundCadre("K004", "李强", Rank.TOWNSHIP_CADRE, None, 904),
            BoundCadre("K007", "郑小红", Rank.VILLAGE_CADRE, None, 907),
        ],
        open={"K007": [OpenHousehold("H0001", "王秀英", 1)]},
        optin_rows=[Optin(501, "H0001", "王秀英", "郑小红", "13800000007")],
    )


async def due_now(work: FakeWork) -> list[reminders.Reminder] | None:
    (occasion,) = schedule.due(RULES, work.now)
    return await reminders.remind(work, RULES, occasion, ZONE)


async def test_the_eve_of_a_service_day_reminds_every_cadre_and_who_asked() -> None:
    work = FakeWork(local("2026-03-14", "20:00"), county())

    found = await due_now(work)

    assert found is not None
    by_chat = {r.chat: r for r in found}
    assert sorted(by_chat) == [501, 901, 904, 907]
    village = by_chat[907]
    assert isinstance(village, ServiceDay)
    assert (village.kind, village.day.isoformat()) == (Kind.EVENING, "2026-03-15")
    assert [h.head_name for h in village.households] == ["王秀英"]  # "王秀英 (H0001): 1 open"
    assert isinstance(by_chat[901], ServiceDay)
    assert by_chat[901].households == ()  # "None of your households has an open request."
    note = by_chat[501]
    assert isinstance(note, VisitNote)
    assert (note.optin.cadre_name, note.optin.cadre_phone) == ("郑小红", "13800000007")
    assert {r.key for r in found} == {
        "svc:K001:2026-03-15:evening",
        "svc:K004:2026-03-15:evening",
        "svc:K007:2026-03-15:evening",
        "visit:501:H0001:2026-03-15",
    }

    work.now += timedelta(minutes=30)  # the next sweep: the round is done, nothing twice
    assert await due_now(work) is None
    assert work.schedule.rounds == {"evening:2026-03-15": 4}


async def test_the_quota_reminder_goes_to_those_behind_with_their_count() -> None:
    store = county()
    work = FakeWork(local("2026-03-25", "07:30"), store)
    for day in ("03", "10"):  # K004 stayed two days of eight (a second stay a night: refused)
        work.now = local(f"2026-03-{day}", "21:00")
        await field.log_day(work, LI, RULES, DayKind.STAY, [])
    leader = cadre("K001", Rank.COUNTY_LEADER, 901)
    for day in ("05", "06"):  # the county leader met the quota of two
        work.now = local(f"2026-03-{day}", "21:00")
        await field.log_day(work, leader, RULES, DayKind.STAY, [])
    work.now = local("2026-03-25", "07:30")

    found = await due_now(work)

    assert found is not None
    (reminder,) = found  # K007 has no quota; K001 is not behind
    assert isinstance(reminder, Quota)
    assert reminder.chat == 904
    standing = reminder.standing
    assert (standing.logged, standing.needed, standing.short) == (2, 8, 6)  # "2 of 8, 6 to go"
    assert (reminder.last.isoformat(), reminder.days_left) == ("2026-03-31", 7)
    assert reminder.key == "quota:K004:2026-03-25"
