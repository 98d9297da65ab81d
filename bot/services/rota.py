"""The 住夜 rota's use cases: the weekly build and the night's reminders (the sweep), a
supervisor's build by button, a cadre's rota and volunteering, 换班 (asked, accepted or
declined), the villagers' 「今晚谁值班」, and the nights kept against the rota.

The rule is ``bot.domain.rota.assign``; the rows are the store's. Every button is checked
here against the presser and the rota as it stands: a forged, stale or foreign press
raises ``Refused`` before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain import rota, stats
from bot.domain.roster import Cadre
from bot.domain.rota import Duty, Kept, Member, Night, Person, Refused, Region, Rules, Swap
from bot.domain.stats import Bounds, Period
from bot.services.identity import Identity
from bot.services.moment import Moment


class RotaStore(Protocol):
    async def regions(self, under: str | None = None) -> list[Region]: ...
    async def region(self, region_id: str) -> Region | None: ...
    async def built(self, week: date) -> set[str]: ...
    async def members(self, region_id: str) -> list[Member]: ...
    async def volunteers(
        self, region_id: str, first: date, last: date
    ) -> dict[date, set[str]]: ...
    async def load(self, region_id: str, since: date, until: date) -> dict[str, int]: ...
    async def save_week(
        self, region_id: str, week: date, nights: Sequence[Night], now: datetime
    ) -> None: ...
    async def duties(self, region_id: str, first: date, last: date) -> list[Duty]: ...
    async def duty(self, duty_id: int) -> Duty | None: ...
    async def unreminded(self, night: date) -> list[Duty]: ...
    async def mark_reminded(self, duty_id: int, now: datetime) -> bool: ...
    async def next_night(self, region_id: str, since: date) -> date | None: ...
    async def person(self, cadre_id: str) -> Person | None: ...
    async def colleagues(self, region_id: str) -> list[Person]: ...
    async def volunteered(self, cadre_id: str, first: date, last: date) -> set[date]: ...
    async def set_volunteer(self, cadre_id: str, night: date, on: bool, now: datetime) -> None: ...
    async def on_night(self, region_id: str, night: date, cadre_id: str) -> bool: ...
    async def ask_swap(
        self, duty_id: int, from_cadre: str, to_cadre: str, now: datetime
    ) -> int: ...
    async def swap(self, swap_id: int) -> Swap | None: ...
    async def answer_swap(self, swap_id: int, answer: str, now: datetime) -> bool: ...
    async def reassign(self, duty_id: int, from_cadre: str, to_cadre: str) -> bool: ...
    async def places_above(self, region_id: str) -> list[Region]: ...
    async def kept(self, region_id: str, first: date, last: date) -> list[Kept]: ...


class RotaWork(Moment, Protocol):
    @property
    def rota(self) -> RotaStore: ...


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reminder:
    """A person on tonight's rota, with the others staying in the same place."""

    duty: Duty
    chat: int
    with_: tuple[Person, ...]

    @property
    def key(self) -> str:
        return f"rota:{self.duty.person.id}:{self.duty.night.isoformat()}"


@dataclass(frozen=True)
class Swept:
    built: int  # regions whose week was built
    reminders: list[Reminder]


@dataclass(frozen=True)
class Built:
    week: date
    regions: int  # built now
    already: int  # built before


@dataclass(frozen=True)
class MyRota:
    """A cadre's /rota: their place's nights this week and next, their own nights to
    come (换班 buttons), next week's nights to volunteer for while it is not built."""

    region: Region
    today: date
    duties: list[Duty]
    mine: list[Duty]
    next_week: list[date]  # empty once next week is built
    volunteered: set[date]
    supervisor: bool


@dataclass(frozen=True)
class Volunteered:
    night: date
    on: bool
    rota: MyRota


@dataclass(frozen=True)
class SwapChoices:
    duty: Duty
    colleagues: list[Person]


@dataclass(frozen=True)
class SwapAsked:
    swap: Swap


@dataclass(frozen=True)
class SwapAnswered:
    swap: Swap
    accepted: bool


@dataclass(frozen=True)
class Tonight:
    """One place's people on duty: tonight's, or the next night's (``tonight`` False)."""

    region: Region
    night: date | None  # None: no rota to come
    tonight: bool
    people: tuple[Person, ...]


@dataclass(frozen=True)
class Compliance:
    period: Period
    until: date  # nights counted up to this day (today, or the period's end)
    lines: list[Kept]

    @property
    def assigned(self) -> int:
        return sum(line.assigned for line in self.lines)

    @property
    def kept(self) -> int:
        return sum(line.kept for line in self.lines)


# --- the sweep ------------------------------------------------------------------------------


async def sweep(work: RotaWork, rules: Rules) -> Swept:
    """Build the weeks due (this week from today, next week from ``build_on``) for every
    township and village not built yet, then tonight's reminders, each once."""
    built = 0
    for week in rota.weeks_to_build(rules, work.now):
        built += (await _build(work, rules, week, None)).regions
    return Swept(built, await _remind(work, rules))


async def _build(work: RotaWork, rules: Rules, week: date, under: str | None) -> Built:
    store, today = work.rota, rota.local_day(rules, work.now)
    done = await store.built(week)
    nights = rota.nights_of(rules, week, since=today)
    made = already = 0
    for region in await store.regions(under):
        if region.id in done:
            already += 1
            continue
        members = await store.members(region.id)
        last = week + timedelta(days=6)
        volunteers = await store.volunteers(region.id, week, last)
        since = week - timedelta(weeks=rota.FAIRNESS_WEEKS)
        earlier = await store.load(region.id, since, week)
        planned = rota.assign(nights, members, rules.minimums(region.level), volunteers, earlier)
        await store.save_week(region.id, week, planned, work.now)
        made += 1
    return Built(week, made, already)


async def _remind(work: RotaWork, rules: Rules) -> list[Reminder]:
    night = rota.reminder_night(rules, work.now)
    if night is None:
        return []
    store, found = work.rota, []
    duties = await store.unreminded(night)
    for duty in duties:
        if duty.person.user_id is None:
            continue  # not on Lianxin (yet): reminded if they bind before the day ends
        if await store.mark_reminded(duty.id, work.now):
            others = await store.duties(duty.region.id, night, night)
            with_ = tuple(d.person for d in others if d.person.id != duty.person.id)
            found.append(Reminder(duty, duty.person.user_id, with_))
    return found


# --- a cadre's rota, volunteering, a supervisor's build ----------------------------------


def _cadre(who: Identity) -> Cadre:
    if who.cadre is None:
        raise Refused("not_cadre")
    return who.cadre


async def _place(work: RotaWork, who: Identity) -> tuple[Cadre, Region]:
    cadre = _cadre(who)
    region = await work.rota.region(cadre.region_id)
    if region is None:
        raise Refused("no_rota")
    return cadre, region


async def show(work: RotaWork, who: Identity, rules: Rules) -> MyRota:
    """``/rota``: the cadre's township or village, this week's nights and next week's."""
    cadre, region = await _place(work, who)
    today = rota.local_day(rules, work.now)
    following = rota.next_week(rules, work.now)
    duties = await work.rota.duties(region.id, today, following + timedelta(days=6))
    mine = [d for d in duties if d.person.id == cadre.id]
    open_week = region.id not in await work.rota.built(following)
    nights = rota.nights_of(rules, following) if open_week else []
    last = following + timedelta(days=6)
    volunteered = await work.rota.volunteered(cadre.id, following, last)
    return MyRota(region, today, duties, mine, nights, volunteered, who.supervises is not None)


async def volunteer(work: RotaWork, who: Identity, rules: Rules, night_text: str) -> Volunteered:
    """报名: a night of next week's rota, before it is built (pressed again: withdrawn)."""
    cadre, region = await _place(work, who)
    night = _date(night_text)
    following = rota.next_week(rules, work.now)
    if night not in rota.nights_of(rules, following):
        raise Refused("not_working")
    if region.id in await work.rota.built(following):
        raise Refused("built")
    on = night not in await work.rota.volunteered(cadre.id, night, night)
    await work.rota.set_volunteer(cadre.id, night, on, work.now)
    return Volunteered(night, on, await show(work, who, rules))


async def build_next(work: RotaWork, who: Identity, rules: Rules) -> Built:
    """A supervisor's 「生成下周值班表」: next week's rota of every township and village of
    their jurisdiction not built yet (volunteering for it closes)."""
    if who.supervises is None:
        raise Refused("not_supervisor")
    return await _build(work, rules, rota.next_week(rules, work.now), who.supervises)


# --- 换班 ------------------------------------------------------------------------------------


async def _own_duty(work: RotaWork, who: Identity, rules: Rules, duty_text: str) -> Duty:
    cadre = _cadre(who)
    duty_id = _id(duty_text)
    duty = None if duty_id is None else await work.rota.duty(duty_id)
    if duty is None or duty.person.id != cadre.id:
        raise Refused("not_yours")
    if duty.night < rota.local_day(rules, work.now):
        raise Refused("past")
    return duty


async def swap_choices(work: RotaWork, who: Identity, rules: Rules, duty_text: str) -> SwapChoices:
    """换班 pressed on one of the cadre's nights: who of the same place may take it."""
    duty = await _own_duty(work, who, rules, duty_text)
    people = await work.rota.colleagues(duty.region.id)
    on = {d.person.id for d in await work.rota.duties(duty.region.id, duty.night, duty.night)}
    choices = [p for p in people if p.id not in on and p.user_id is not None]
    return SwapChoices(duty, choices)


async def ask_swap(
    work: RotaWork, who: Identity, rules: Rules, duty_text: str, to_cadre: str
) -> SwapAsked:
    """A asks B to stay A's night: B must be a bound cadre of the same township or
    village, not on that night already."""
    duty = await _own_duty(work, who, rules, duty_text)
    to = await work.rota.person(to_cadre)
    if to is None or to.region_id != duty.region.id:
        raise Refused("other_region")
    if to.user_id is None:
        raise Refused("unreachable")
    if await work.rota.on_night(duty.region.id, duty.night, to.id):
        raise Refused("already_on")
    swap_id = await work.rota.ask_swap(duty.id, duty.person.id, to.id, work.now)
    return SwapAsked(Swap(swap_id, duty, to))


async def answer_swap(
    work: RotaWork, who: Identity, rules: Rules, swap_text: str, accept: bool
) -> SwapAnswered:
    """B accepts (the night is B's now) or declines (nothing changes); A is told."""
    swap_id = _id(swap_text)
    swap = None if swap_id is None else await work.rota.swap(swap_id)
    if swap is None or who.cadre is None or swap.to.id != who.cadre.id:
        raise Refused("not_yours")
    if swap.answer is not None:
        raise Refused("answered")
    if swap.duty.night < rota.local_day(rules, work.now):
        raise Refused("past")
    if accept and await work.rota.on_night(swap.duty.region.id, swap.duty.night, swap.to.id):
        raise Refused("already_on")
    answer = "accepted" if accept else "declined"
    if not await work.rota.answer_swap(swap.id, answer, work.now):
        raise Refused("answered")
    if accept and not await work.rota.reassign(swap.duty.id, swap.duty.person.id, swap.to.id):
        raise Refused("answered")  # pragma: no cover - checked above in this transaction
    return SwapAnswered(Swap(swap.id, swap.duty, swap.to, answer), accept)


# --- 今晚谁值班 ------------------------------------------------------------------------------


async def on_duty(work: RotaWork, who: Identity, rules: Rules) -> list[Tonight]:
    """A villager's village and township: who stays tonight, or on the next night."""
    household = who.current or (who.households[0] if who.households else None)
    if household is None:
        raise Refused("no_household")
    night = rota.tonight(rules, work.now)
    found = []
    for region in await work.rota.places_above(household.region_id):
        duties = await work.rota.duties(region.id, night, night)
        if duties and rules.working(night):
            found.append(Tonight(region, night, True, tuple(d.person for d in duties)))
            continue
        later = await work.rota.next_night(region.id, night + timedelta(days=1))
        people = () if later is None else await work.rota.duties(region.id, later, later)
        found.append(Tonight(region, later, False, tuple(d.person for d in people)))
    return found


# --- kept against the rota --------------------------------------------------------------


async def compliance(
    work: RotaWork, who: Identity, span: str, zone: ZoneInfo, bounds: Bounds
) -> Compliance:
    """「值班」 under /stats: per township and village of the supervisor's jurisdiction,
    rota nights kept (a stay logged on the night) of those assigned, up to today."""
    if who.supervises is None:
        raise Refused("not_supervisor")
    period = stats.span(span, work.now, zone, bounds)
    until = min(period.last, work.now.astimezone(zone).date())
    lines = (
        await work.rota.kept(who.supervises, period.first, until) if until >= period.first else []
    )
    return Compliance(period, until, lines)


# --- button arguments -----------------------------------------------------------------------


def _id(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) <= 12 else None


def _date(text: str) -> date:
    try:
        if not text.isascii():
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise Refused("not_working") from None
