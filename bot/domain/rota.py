"""住夜 rota (seed 004): who stays each working night in a township or a village.

The rule: on every working night a region keeps at least its minimums (per rank, e.g. a
township's 1 principal and 2 team members, and in all at least ``at_least`` people and
``share`` per cent of its staff, rounded up: 20 % of 11 is 3, "不少于20%"). ``assign``
fills a week's nights from the region's cadres:

- volunteers first: everyone who volunteered for a night stays that night (a minimum is a
  floor, not a cap), and counts towards its rank's minimum;
- then each rank's minimum, then the total, from those who stayed the fewest nights so
  far (this week, plus ``earlier``: the last weeks), nobody two nights in a row while
  someone else can go;
- a region without enough people keeps everyone it has and says how many are missing.

Pure: dates in, names out; the caller says which nights and reads time from its clock.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal

from bot.domain.roster import Rank

Level = Literal["township", "village"]
LEVELS: tuple[Level, ...] = ("township", "village")
NIGHT_ENDS = time(6, 0)  # before this, "tonight" is still the night that began yesterday
FAIRNESS_WEEKS = 4  # how far back the nights already stayed count for fairness


@dataclass(frozen=True)
class Minimums:
    """A level's minimums per working night (``[rota.township]``, ``[rota.village]``)."""

    by_rank: Mapping[Rank, int] = field(default_factory=dict)
    at_least: int = 0  # people in all, whatever their rank
    share: int = 0  # per cent of the region's cadres, rounded up

    def total(self, staff: int) -> int:
        """How many stay in all: the largest of the rank minimums' sum, ``at_least`` and
        ``share`` % of ``staff`` rounded up (integers: 20 % of 10 is 2, never 3)."""
        by_share = -(-self.share * staff // 100)
        return max(sum(self.by_rank.values()), self.at_least, by_share)


@dataclass(frozen=True)
class Member:
    """A cadre of the region, as the rule sees them."""

    id: str
    rank: Rank


@dataclass(frozen=True)
class Night:
    """One night's people, in the order chosen; what it lacks of the minimums."""

    night: date
    cadres: tuple[str, ...]
    volunteers: frozenset[str] = frozenset()
    missing: int = 0  # places short of the total
    short_ranks: tuple[Rank, ...] = ()  # ranks short of their minimum


def assign(
    nights: Sequence[date],
    members: Sequence[Member],
    minimums: Minimums,
    volunteers: Mapping[date, Collection[str]] | None = None,
    earlier: Mapping[str, int] | None = None,
) -> list[Night]:
    """The people of each of ``nights`` (in date order), fairly spread (see the module)."""
    offered = volunteers or {}
    load = {m.id: (earlier or {}).get(m.id, 0) for m in members}
    order = {m.id: place for place, m in enumerate(members)}
    known = {m.id for m in members}
    planned: list[Night] = []
    before: frozenset[str] = frozenset()
    last_night: date | None = None
    for night in sorted(nights):
        previous = before if last_night == night - timedelta(days=1) else frozenset()

        def fairest(m: Member, previous: frozenset[str] = previous) -> tuple[bool, int, int]:
            return (m.id in previous, load[m.id], order[m.id])

        keen = frozenset(offered.get(night, ())) & known
        chosen = [m for m in members if m.id in keen]
        short: list[Rank] = []
        for rank, need in minimums.by_rank.items():
            have = sum(1 for m in chosen if m.rank == rank)
            pool = sorted((m for m in members if m.rank == rank and m not in chosen), key=fairest)
            chosen += pool[: max(need - have, 0)]
            if have + len(pool) < need:
                short.append(rank)
        total = minimums.total(len(members))
        pool = sorted((m for m in members if m not in chosen), key=fairest)
        chosen += pool[: max(total - len(chosen), 0)]
        for m in chosen:
            load[m.id] += 1
        ids = tuple(m.id for m in chosen)
        missing = max(total - len(ids), 0)
        planned.append(Night(night, ids, keen, missing, tuple(short)))
        before, last_night = frozenset(ids), night
    return planned


# --- when: weeks, nights, reminders ---------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """``[rota]`` as the sweep and the use cases need it."""

    zone: tzinfo
    weekdays: frozenset[int] = frozenset(range(5))  # working nights, 0 = Monday
    build_on: int = 4  # next week's rota is built from this weekday on (4 = Friday)
    remind_at: time = time(17, 0)
    township: Minimums = Minimums()
    village: Minimums = Minimums()

    def minimums(self, level: Level) -> Minimums:
        return self.township if level == "township" else self.village

    def working(self, day: date) -> bool:
        return day.weekday() in self.weekdays


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def nights_of(rules: Rules, week: date, since: date | None = None) -> list[date]:
    """The working nights of the week starting ``week`` (a Monday), from ``since`` on."""
    days = [week + timedelta(days=n) for n in range(7)]
    return [d for d in days if rules.working(d) and (since is None or d >= since)]


def local_day(rules: Rules, now: datetime) -> date:
    return now.astimezone(rules.zone).date()


def tonight(rules: Rules, now: datetime) -> date:
    """The night people are staying now: today's, or yesterday's before ``NIGHT_ENDS``."""
    local = now.astimezone(rules.zone)
    day = local.date()
    return day - timedelta(days=1) if local.time() < NIGHT_ENDS else day


def weeks_to_build(rules: Rules, now: datetime) -> list[date]:
    """This week (its nights from today on), and next week from ``build_on`` on."""
    today = local_day(rules, now)
    weeks = [week_of(today)]
    if today.weekday() >= rules.build_on:
        weeks.append(week_of(today) + timedelta(days=7))
    return weeks


def reminder_night(rules: Rules, now: datetime) -> date | None:
    """Tonight, if it is a working night and ``remind_at`` has come (until midnight: a
    reminder missed while the bot was down goes out while its day lasts, never after)."""
    local = now.astimezone(rules.zone)
    if rules.working(local.date()) and local.time() >= rules.remind_at:
        return local.date()
    return None


def next_week(rules: Rules, now: datetime) -> date:
    return week_of(local_day(rules, now)) + timedelta(days=7)


# --- refusals ---------------------------------------------------------------------------

Reason = Literal[
    "not_cadre",  # only a bound cadre of a township or village takes part
    "no_rota",  # the person's region keeps no rota (a county cadre, a group …)
    "not_yours",  # a night that is not the presser's, or a swap asked of someone else
    "other_region",  # a swap with a cadre of another township or village
    "already_on",  # the other cadre stays that night already
    "past",  # the night is over (or begins too soon to change)
    "answered",  # a swap already accepted or declined, or unknown
    "built",  # next week's rota is built already: volunteering is closed
    "not_supervisor",  # only a supervisor builds a rota by button
    "not_working",  # not a working night
    "unreachable",  # the other cadre is not on Lianxin: they could not answer
    "no_household",  # 今晚谁值班 from a phone bound to no household
]


class Refused(Exception):
    """A rota button refused; nothing changed. ``reason`` says why (the view words it)."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason: Reason = reason


# --- rows storage reads into ------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    """A township or village that keeps a rota."""

    id: str
    level: Level
    name: str


@dataclass(frozen=True)
class Person:
    """A cadre as the rota shows them: name, rank and phone (tappable in the text)."""

    id: str
    name: str
    rank: Rank
    phone: str
    region_id: str
    user_id: int | None = None  # their Telegram account, if bound


@dataclass(frozen=True)
class Duty:
    """One person's night on the rota (a row of ``rota_nights``)."""

    id: int
    region: Region
    night: date
    person: Person
    volunteer: bool = False


@dataclass(frozen=True)
class Swap:
    """换班 asked: ``to`` would stay ``duty``'s night instead of its person."""

    id: int
    duty: Duty
    to: Person
    answer: str | None = None  # "accepted", "declined" or None while open


@dataclass(frozen=True)
class Kept:
    """A region's rota nights in a period (up to today) and those kept: the cadre logged
    a stay (/stay) dated that night."""

    region: Region
    assigned: int
    kept: int

    @property
    def rate(self) -> float | None:
        return self.kept / self.assigned if self.assigned else None
