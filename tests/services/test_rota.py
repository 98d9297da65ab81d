"""The rota's use cases over in-memory fakes: the weekly build, each person reminded once,
swaps (accepted, declined, refused across villages), volunteering, 今晚谁值班, and the
nights kept against the rota."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.roster import Rank
from bot.domain.rota import Minimums, Refused, Rules
from bot.domain.stats import Bounds
from bot.services import rota
from tests.services.fakes_rota import FakeRotaWork, cadre, villager

ZONE = ZoneInfo("Asia/Shanghai")
TUESDAY_7 = datetime(2031, 3, 4, 7, 0, tzinfo=ZONE)
TUESDAY_17 = datetime(2031, 3, 4, 17, 30, tzinfo=ZONE)
RULES = Rules(
    ZONE,
    remind_at=time(17, 0),
    township=Minimums({Rank.TOWNSHIP_SECRETARY: 1, Rank.TOWNSHIP_CADRE: 2}, share=20),
    village=Minimums(at_least=1),  # one a night: 柳树村's two cadres take turns
)


async def built(now: datetime = TUESDAY_7) -> FakeRotaWork:
    work = FakeRotaWork(now)
    await rota.sweep(work, RULES)
    return work


async def test_the_sweep_builds_this_weeks_rota_from_today_once() -> None:
    work = await built()
    nights = {d.night for d in work.rota.rows.values()}
    assert nights == {date(2031, 3, d) for d in range(4, 8)}  # Tuesday to Friday
    township = await work.rota.duties("T01", date(2031, 3, 4), date(2031, 3, 4))
    assert {d.person.id for d in township} == {"K003", "K004", "K005"}
    village = [
        d.person.id for d in await work.rota.duties("V01", date(2031, 3, 3), date(2031, 3, 9))
    ]
    assert village == ["K007", "K008", "K007", "K008"]  # alternating: nobody twice running
    rows = len(work.rota.rows)
    assert (await rota.sweep(work, RULES)).built == 0
    assert len(work.rota.rows) == rows


async def test_each_person_is_reminded_once_on_their_night() -> None:
    work = await built()
    assert (await rota.sweep(work, RULES)).reminders == []  # 07:00: not yet
    work.now = TUESDAY_17
    reminders = (await rota.sweep(work, RULES)).reminders
    assert {r.duty.person.id for r in reminders} == {"K003", "K004", "K005", "K007", "K009"}
    secretary = next(r for r in reminders if r.duty.person.id == "K003")
    assert {p.name for p in secretary.with_} == {"李强", "周芳"}
    assert secretary.key == "rota:K003:2031-03-04"
    assert (await rota.sweep(work, RULES)).reminders == []  # again: nothing


async def test_a_swap_accepted_gives_the_night_to_the_colleague() -> None:
    work = await built()
    wednesday = next(
        d for d in work.rota.rows.values() if d.person.id == "K008" and d.night.day == 5
    )
    choices = await rota.swap_choices(work, cadre("K008"), RULES, str(wednesday.id))
    assert [p.id for p in choices.colleagues] == ["K007"]
    asked = await rota.ask_swap(work, cadre("K008"), RULES, str(wednesday.id), "K007")
    assert asked.swap.to.user_id == 107
    answered = await rota.answer_swap(work, cadre("K007"), RULES, str(asked.swap.id), True)
    assert answered.accepted
    assert answered.swap.duty.person.user_id == 108  # the asker is told
    night = await work.rota.duties("V01", wednesday.night, wednesday.night)
    assert [d.person.id for d in night] == ["K007"]
    with pytest.raises(Refused) as again:
        await rota.answer_swap(work, cadre("K007"), RULES, str(asked.swap.id), True)
    assert again.value.reason == "not_yours"  # the night is no longer the asker's


async def test_a_swap_declined_changes_nothing() -> None:
    work = await built()
    duty = next(d for d in work.rota.rows.values() if d.person.id == "K007")
    asked = await rota.ask_swap(work, cadre("K007"), RULES, str(duty.id), "K008")
    before = dict(work.rota.rows)
    answered = await rota.answer_swap(work, cadre("K008"), RULES, str(asked.swap.id), False)
    assert not answered.accepted
    assert work.rota.rows == before
    with pytest.raises(Refused) as twice:
        await rota.answer_swap(work, cadre("K008"), RULES, str(asked.swap.id), True)
    assert twice.value.reason == "answered"


async def test_a_swap_with_another_villages_cadre_is_refused_and_changes_nothing() -> None:
    work = await built()
    duty = next(d for d in work.rota.rows.values() if d.person.id == "K007")
    before = dict(work.rota.rows)
    with pytest.raises(Refused) as refused:
        await rota.ask_swap(work, cadre("K007"), RULES, str(duty.id), "K009")
    assert refused.value.reason == "other_region"
    assert work.rota.swaps == {}
    assert work.rota.rows == before


@pytest.mark.parametrize(
    ("who", "duty", "to", "reason"),
    [
        ("K008", "K007", "K008", "not_yours"),  # someone else's night, forged
        ("K007", "K007", "K404", "other_region"),  # no such cadre
        ("K007", "K007", "K007", "already_on"),  # themselves
    ],
)
async def test_forged_swaps_are_refused(who: str, duty: str, to: str, reason: str) -> None:
    work = await built()
    night = next(d for d in work.rota.rows.values() if d.person.id == duty)
    with pytest.raises(Refused) as refused:
        await rota.ask_swap(work, cadre(who), RULES, str(night.id), to)
    assert refused.value.reason == reason
    assert work.rota.swaps == {}


async def test_a_night_gone_by_cannot_be_swapped() -> None:
    work = await built()
    duty = next(d for d in work.rota.rows.values() if d.person.id == "K007")
    work.now = TUESDAY_7 + timedelta(days=1)
    with pytest.raises(Refused) as refused:
        await rota.ask_swap(work, cadre("K007"), RULES, str(duty.id), "K008")
    assert refused.value.reason == "past"


async def test_volunteers_for_next_week_are_placed_first() -> None:
    friday = datetime(2031, 3, 7, 7, 0, tzinfo=ZONE)
    work = FakeRotaWork(TUESDAY_7)
    done = await rota.volunteer(work, cadre("K008"), RULES, "2031-03-10")
    assert done.on
    assert done.rota.volunteered == {date(2031, 3, 10)}
    work.now = friday
    await rota.sweep(work, RULES)
    monday = await work.rota.duties("V01", date(2031, 3, 10), date(2031, 3, 10))
    assert [(d.person.id, d.volunteer) for d in monday] == [("K008", True)]
    tuesday = await work.rota.duties("V01", date(2031, 3, 11), date(2031, 3, 11))
    assert [d.person.id for d in tuesday] == ["K007"]
    with pytest.raises(Refused) as closed:
        await rota.volunteer(work, cadre("K007"), RULES, "2031-03-11")
    assert closed.value.reason == "built"
    with pytest.raises(Refused) as weekend:
        await rota.volunteer(FakeRotaWork(TUESDAY_7), cadre("K007"), RULES, "2031-03-15")
    assert weekend.value.reason == "not_working"


async def test_only_a_supervisor_builds_next_week_by_button() -> None:
    work = await built()
    with pytest.raises(Refused):
        await rota.build_next(work, cadre("K007"), RULES)
    made = await rota.build_next(work, cadre("K003", supervises="T01"), RULES)
    assert (made.week, made.regions, made.already) == (date(2031, 3, 10), 3, 0)
    again = await rota.build_next(work, cadre("K003", supervises="T01"), RULES)
    assert (again.regions, again.already) == (0, 3)


async def test_a_villager_sees_tonights_people_of_village_and_township() -> None:
    work = await built()
    places = await rota.on_duty(work, villager(), RULES)
    assert [p.region.name for p in places] == ["柳树村", "东坪镇"]
    assert all(p.tonight for p in places)
    assert [(p.name, p.phone) for p in places[0].people] == [("郑小红", "13908710007")]


async def test_outside_working_nights_the_villager_sees_the_next_one() -> None:
    work = await built()
    saturday = datetime(2031, 3, 8, 20, 0, tzinfo=ZONE)
    await rota.build_next(work, cadre("K003", supervises="T01"), RULES)
    work.now = saturday
    places = await rota.on_duty(work, villager(), RULES)
    assert not places[0].tonight
    assert places[0].night == date(2031, 3, 10)
    assert places[0].people


async def test_kept_against_assigned_counts_the_stays_logged_on_the_night() -> None:
    work = await built()
    work.rota.stays.add(("K007", date(2031, 3, 4)))
    work.now = datetime(2031, 3, 5, 9, 0, tzinfo=ZONE)
    found = await rota.compliance(
        work, cadre("K003", supervises="T01"), "2031-03-01.2031-03-31", ZONE, Bounds()
    )
    assert found.until == date(2031, 3, 5)
    village = next(line for line in found.lines if line.region.id == "V01")
    assert (village.kept, village.assigned) == (1, 2)  # Tuesday kept; Wednesday not (yet)
    with pytest.raises(Refused):
        await rota.compliance(work, cadre("K007"), "2031-03-01.2031-03-31", ZONE, Bounds())
