"""The supervisors' figures as use cases: asking (/stats, its buttons) and what is counted.

Asking happens inside the update: who asks (a bound cadre; the buttons a supervisor's,
for their own region only: a button carries only the period), for what period (held to
``[stats]``'s bounds, typed or forged alike), and whether they may ask now (one in the
making at a time, at most ``per_minute`` a minute). What comes back is an ``Order``; the
counting runs after the update's commit, over a read (``summary``, ``table``,
``overdue``), as does the workbook's ``report`` (in a worker process, and for
``lianxin report``). Refusals are ``bot.domain.stats`` errors carrying what the message
needs (``BadPeriod`` and its kinds, ``NotCadre``, ``NotSupervisor``, ``Busy``,
``TooMany``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol, get_args
from zoneinfo import ZoneInfo

from bot.domain import stats
from bot.domain.announce import Binding
from bot.domain.roster import Cadre
from bot.domain.rota import Kept
from bot.domain.stats import (
    Bounds,
    By,
    Day,
    Figures,
    OverdueLine,
    Period,
    Place,
    ReportLine,
    StayLine,
)
from bot.services.identity import Identity

BREAKDOWNS: tuple[By, ...] = get_args(By)
What = Literal[
    "summary", "township", "village", "cadre", "category", "overdue", "workbook", "binding"
]
BUTTONS: tuple[What, ...] = (*BREAKDOWNS, "overdue", "workbook", "binding")
# The period buttons under every summary, as ``bot.domain.dates`` words: 本月, 上个月,
# 本周, 今年. Each carries its days (``YYYY-MM-DD.YYYY-MM-DD``), as the other buttons do.
PERIODS = ("month", "lastmonth", "week", "year")


class StatsStore(Protocol):
    """The figures and lists of one read (storage's ``Stats``)."""

    async def region(self, region_id: str) -> Place | None: ...
    async def region_figures(self, region_id: str, period: Period, now: datetime) -> Figures: ...
    async def cadre_figures(self, cadre_id: str, period: Period, now: datetime) -> Figures: ...
    async def region_days(self, region_id: str, period: Period, zone: ZoneInfo) -> list[Day]: ...
    async def cadre_days(self, cadre_id: str, period: Period, zone: ZoneInfo) -> list[Day]: ...
    async def region_breakdown(
        self, region_id: str, period: Period, now: datetime, by: By
    ) -> dict[str, Figures]: ...
    async def places(self, region_id: str) -> dict[str, Place]: ...
    async def cadre_names(self, cadre_ids: Sequence[str]) -> dict[str, str]: ...
    async def overdue(self, region_id: str, now: datetime, limit: int) -> list[OverdueLine]: ...
    async def report_lines(
        self, region_id: str, period: Period, now: datetime
    ) -> list[ReportLine]: ...
    async def stay_days(self, region_id: str, period: Period) -> list[StayLine] | None: ...
    async def rota_kept(self, region_id: str, first: date, last: date) -> list[Kept]: ...
    async def binding(self, region_id: str) -> list[Binding]:
        """绑定率: the region, then each township, then each village of its subtree."""


class Moment(Protocol):
    @property
    def now(self) -> datetime: ...


class StatsWork(Moment, Protocol):
    """What counting asks of a (read) unit of work."""

    @property
    def stats(self) -> StatsStore: ...


class Pace(Protocol):
    """The runner of long work, as asking sees it: what this key has in the making and
    has started lately."""

    def busy(self, key: str) -> bool: ...
    def started_since(self, key: str, since: datetime) -> int: ...


@dataclass(frozen=True)
class Rules:
    """``[stats]`` and the county's time zone."""

    zone: ZoneInfo
    bounds: Bounds
    per_minute: int


@dataclass(frozen=True)
class Order:
    """Figures asked for and allowed, to be counted after the update's commit."""

    user_id: int
    cadre: Cadre  # who asked
    what: What
    period: Period
    region: str | None  # the region they supervise (its subtree); None: their own cases

    @property
    def key(self) -> str:
        """One in the making at a time per person."""
        return pace_key(self.user_id)


def pace_key(user_id: int) -> str:
    return f"stats:{user_id}"


def _check_pace(pace: Pace, user_id: int, now: datetime, per_minute: int) -> None:
    key = pace_key(user_id)
    stats.check_pace(pace.busy(key), pace.started_since(key, now - stats.PACE_WINDOW), per_minute)


async def ask(
    work: Moment, who: Identity, words: Sequence[str], rules: Rules, pace: Pace
) -> Order:
    """``/stats [本月|上个月|本周|上周|今年|近7天|12月|today|week|month|lastmonth|a day|two
    days]`` (``bot.domain.dates.period``): a supervisor's region, or a cadre's own cases."""
    if who.cadre is None:
        raise stats.NotCadre("figures are for bound cadres")
    period = stats.period(words, work.now, rules.zone, rules.bounds)
    _check_pace(pace, who.user_id, work.now, rules.per_minute)
    return Order(who.user_id, who.cadre, "summary", period, who.cadre.supervises)


async def press(
    work: Moment, who: Identity, action: str, span: str, rules: Rules, pace: Pace
) -> Order:
    """A button under a summary: another period (``summary``, any bound cadre, as
    /stats would answer them), or a supervisor's breakdown, overdue list or workbook of
    their own region, for the period the button carries."""
    if who.cadre is None:
        raise stats.NotSupervisor("the buttons are a cadre's")
    if action == "summary":
        period = stats.span(span, work.now, rules.zone, rules.bounds)
        _check_pace(pace, who.user_id, work.now, rules.per_minute)
        return Order(who.user_id, who.cadre, "summary", period, who.cadre.supervises)
    if who.supervises is None:
        raise stats.NotSupervisor("the buttons are a supervisor's")
    what = next((b for b in BUTTONS if b == action), None)
    if what is None:
        raise stats.NotSupervisor(f"no such button: {action}")
    period = stats.span(span, work.now, rules.zone, rules.bounds)
    _check_pace(pace, who.user_id, work.now, rules.per_minute)
    return Order(who.user_id, who.cadre, what, period, who.supervises)


# --- counted after the commit, over a read --------------------------------------------


@dataclass(frozen=True)
class Summary:
    order: Order
    title: str  # the region's name, or the cadre's
    figures: Figures
    days: list[Day]  # the chart
    periods: tuple[tuple[str, Period], ...] = ()  # the period buttons (``PERIODS``) allowed

    @property
    def supervisor(self) -> bool:
        """A region's summary (with the buttons), not a cadre's own."""
        return self.order.region is not None


def periods(now: datetime, zone: ZoneInfo, bounds: Bounds) -> tuple[tuple[str, Period], ...]:
    """The period buttons as of ``now``: each of ``PERIODS`` that ``bounds`` allow."""
    found = []
    for word in PERIODS:
        try:
            found.append((word, stats.period([word], now, zone, bounds)))
        except stats.BadPeriod:
            continue
    return tuple(found)


async def summary(
    work: StatsWork, order: Order, zone: ZoneInfo, bounds: Bounds | None = None
) -> Summary:
    """The figures and the chart's days of the order's region, or of the cadre's cases,
    with the period buttons ``bounds`` allow (none without ``bounds``)."""
    period, store = order.period, work.stats
    if order.region is not None:
        place = await store.region(order.region)
        title = order.region if place is None else place.name
        figures = await store.region_figures(order.region, period, work.now)
        days = await store.region_days(order.region, period, zone)
    else:
        title = order.cadre.name
        figures = await store.cadre_figures(order.cadre.id, period, work.now)
        days = await store.cadre_days(order.cadre.id, period, zone)
    choices = periods(work.now, zone, bounds) if bounds is not None else ()
    return Summary(order, title, figures, days, choices)


@dataclass(frozen=True)
class TableLine:
    key: str  # a region id, a cadre id or a category
    name: str | None  # the region's or the cadre's name; None for a category
    figures: Figures


@dataclass(frozen=True)
class Table:
    by: By
    period: Period
    lines: list[TableLine]  # best first (``stats.ranking``)


async def table(work: StatsWork, order: Order) -> Table:
    """The region's figures by township, village, cadre or category, best first."""
    by = next(b for b in BREAKDOWNS if b == order.what)
    region = _region(order)
    found = await work.stats.region_breakdown(region, order.period, work.now, by)
    names: dict[str, str] = {}
    if by in ("township", "village"):
        names = {k: p.name for k, p in (await work.stats.places(region)).items()}
    elif by == "cadre":
        names = await work.stats.cadre_names(sorted(found))
    lines = [
        TableLine(key, None if by == "category" else names.get(key, key), figures)
        for key, figures in stats.ranking(found)
    ]
    return Table(by, order.period, lines)


@dataclass(frozen=True)
class Overdue:
    lines: list[OverdueLine]  # longest overdue first
    limit: int


async def overdue(work: StatsWork, order: Order, limit: int) -> Overdue:
    """The region's requests still being worked on past their resolution due time."""
    return Overdue(await work.stats.overdue(_region(order), work.now, limit), limit)


def _region(order: Order) -> str:
    if order.region is None:
        raise stats.NotSupervisor("only a supervisor's order has a region")
    return order.region


@dataclass(frozen=True)
class ReportData:
    """Everything the workbook shows (``bot.report`` writes it)."""

    region: Place
    period: Period
    now: datetime
    lines: list[ReportLine]  # the requests filed in the period, in filing order
    whole: Figures
    townships: dict[str, Figures]  # keyed by region id
    villages: dict[str, Figures]
    cadres: dict[str, Figures]  # keyed by cadre id
    places: dict[str, Place]
    names: dict[str, str]  # cadre names
    stays: list[StayLine] | None  # None: no stays table yet
    rota: list[Kept] | None = None  # 住夜 rota nights kept per place (the 值班 sheet)
    binding: list[Binding] = field(default_factory=list)  # 绑定率: region, townships, villages


async def report(
    work: StatsWork, region_id: str, period: Period, zone: ZoneInfo | None = None
) -> ReportData | None:
    """The workbook of a region's subtree (the /stats button, ``lianxin report``), in one
    read; None for an unknown region. The figures are counted in SQL (a county's month
    is ~90,000 requests); the request rows come as tuples, formatted only when written."""
    store, now = work.stats, work.now
    region = await store.region(region_id)
    if region is None:
        return None
    cadres = await store.region_breakdown(region_id, period, now, "cadre")
    return ReportData(
        region=region,
        period=period,
        now=now,
        lines=await store.report_lines(region_id, period, now),
        whole=await store.region_figures(region_id, period, now),
        townships=await store.region_breakdown(region_id, period, now, "township"),
        villages=await store.region_breakdown(region_id, period, now, "village"),
        cadres=cadres,
        places=await store.places(region_id),
        names=await store.cadre_names(sorted(cadres)),
        stays=await store.stay_days(region_id, period),
        rota=await _rota(store, region_id, period, now, zone),
        binding=await store.binding(region_id),
    )


async def _rota(
    store: StatsStore, region_id: str, period: Period, now: datetime, zone: ZoneInfo | None
) -> list[Kept]:
    """Rota nights of the period up to today (``zone``'s; without one, the whole period)."""
    until = period.last if zone is None else min(period.last, now.astimezone(zone).date())
    return await store.rota_kept(region_id, period.first, until) if until >= period.first else []
