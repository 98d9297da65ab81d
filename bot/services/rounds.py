"""Visiting rounds (五人大走访), 当场办结, 夜议 and 回头看, and the 走访 figures.

A supervisor starts a round for a village of their region: the team (cadres picked by
buttons), then the end date. Team members see who is left to visit and press a
household to log the visit, which covers it; a problem found is filed for the household
as ``/file`` files it (the cadre's next message), so it counts as the round's finding
(a request a team member filed for a household of the round while it ran). A finding
may be resolved on the spot by a team member, and the villager may confirm it on that
cadre's phone by a one-time button. 夜议 (``/meeting``) is logged with its decisions,
each of which the cadre may file for a household of the village. 回头看 is scheduled on
a closed request and its result recorded as a visit: satisfied, or the problem again,
which files a new request (a closed request is never reopened).

Every press is checked here against the presser and the state: a forged or stale one
raises ``RoundRefused`` / ``RevisitRefused`` before anything is written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain import dates, rounds
from bot.domain.lifecycle import Event, Outcome, Resolution, Status, next_status
from bot.domain.requests import Audience, Content, Deadlines, Request, Tell
from bot.domain.roster import Cadre
from bot.domain.rounds import (
    Coverage,
    Draft,
    Due,
    Finding,
    Meeting,
    NightLine,
    NightRules,
    NotSupervisor,
    Place,
    Revisit,
    RevisitRefused,
    Round,
    RoundRefused,
    TeamCadre,
    Visit,
)
from bot.domain.schedule import CadresOnly, DayKind
from bot.domain.stats import Period
from bot.services import casework, notices
from bot.services.casework import CaseWork, Filed
from bot.services.field import LogWork
from bot.services.identity import Identity
from bot.services.notices import Notice

MAX_AHEAD = timedelta(days=90)  # a round's end, a 回头看's day: at most this far ahead

# --- what the use cases ask of storage ------------------------------------------------


class RoundStore(Protocol):
    async def villages(self, region_id: str) -> list[Place]: ...
    async def team_choices(self, village_id: str) -> list[TeamCadre]: ...
    async def draft(self, user_id: int) -> Draft | None: ...
    async def set_draft(self, user_id: int, draft: Draft, now: datetime) -> None: ...
    async def drop_draft(self, user_id: int) -> None: ...
    async def start(self, draft: Draft, now: datetime, ends_on: date) -> int: ...
    async def round(self, round_id: int) -> Round | None: ...
    async def rounds_of(self, cadre_id: str, today: date) -> list[Round]: ...
    async def rounds_in(self, region_id: str, first: date, end: datetime) -> list[Round]: ...
    async def households(self, round_id: int) -> list[tuple[str, str]]: ...
    async def in_round(self, round_id: int, household_id: str) -> bool: ...
    async def visited(self, round_id: int, start: datetime, end: datetime) -> set[str]: ...
    async def findings(self, round_id: int, start: datetime, end: datetime) -> list[Finding]: ...
    async def add_on_spot(
        self, request_id: int, round_id: int, cadre_id: str, now: datetime
    ) -> None: ...
    async def on_spot(self, request_id: int) -> tuple[int, str, bool] | None: ...
    async def confirm_on_spot(self, request_id: int, by: str, now: datetime) -> None: ...
    async def visits_in(self, region_id: str, start: datetime, end: datetime) -> list[Visit]: ...
    async def cadres_in(self, region_id: str) -> list[TeamCadre]: ...
    async def unvisited(
        self, region_id: str, start: datetime, end: datetime
    ) -> list[tuple[str, str]]: ...
    async def household_count(self, region_id: str) -> int: ...
    async def meeting_village(self, cadre_id: str) -> Place | None: ...
    async def add_meeting(
        self,
        region_id: str,
        cadre_id: str,
        now: datetime,
        topic: str,
        attendance: int,
        decisions: Sequence[str],
    ) -> int: ...
    async def decision(
        self, meeting_id: int, number: int
    ) -> tuple[str, int | None, str, str] | None: ...
    async def decision_filed(self, meeting_id: int, number: int, request_id: int) -> None: ...
    async def meetings_in(
        self, region_id: str, start: datetime, end: datetime
    ) -> tuple[int, int, int]: ...
    async def household_in(self, region_id: str, household_id: str) -> str | None: ...
    async def households_in(self, region_id: str) -> list[tuple[str, str]]: ...
    async def supervises(self, cadre_id: str, household_id: str) -> bool: ...
    async def add_revisit(
        self, request_id: int, cadre_id: str, now: datetime, due_on: date
    ) -> int: ...
    async def open_revisit(self, request_id: int) -> Revisit | None: ...
    async def revisit(self, revisit_id: int) -> Revisit | None: ...
    async def finish_revisit(
        self, revisit_id: int, now: datetime, result: str, note: str
    ) -> None: ...
    async def overdue_revisits(self, today: date) -> list[Due]: ...
    async def mark_reminded(self, revisit_id: int, now: datetime) -> None: ...
    async def revisits_in(
        self, region_id: str, start: datetime, end: datetime, today: date
    ) -> tuple[int, int, int, int]: ...


class FigureWork(Protocol):
    """What the 走访 figures read (a read unit of work will do)."""

    @property
    def now(self) -> datetime: ...
    @property
    def rounds(self) -> RoundStore: ...


class RoundWork(CaseWork, LogWork, Protocol):
    @property
    def rounds(self) -> RoundStore: ...


# --- what happened --------------------------------------------------------------------


@dataclass(frozen=True)
class RoundLine:
    round: Round
    coverage: Coverage
    findings: int
    on_spot: int
    confirmed: int


@dataclass(frozen=True)
class Menu:
    """``/round``: the cadre's rounds running now; a supervisor may start one."""

    rounds: tuple[RoundLine, ...]
    may_start: bool


@dataclass(frozen=True)
class Villages:
    villages: tuple[Place, ...]


@dataclass(frozen=True)
class TeamPick:
    draft: Draft
    choices: tuple[TeamCadre, ...]


@dataclass(frozen=True)
class Started:
    line: RoundLine
    team_users: tuple[int, ...]  # the team's bound accounts (they are told)


@dataclass(frozen=True)
class Left:
    """Who is left to visit in a round: a page of households."""

    line: RoundLine
    households: tuple[tuple[str, str], ...]
    page: int
    pages: int


@dataclass(frozen=True)
class Covered:
    line: RoundLine
    household_id: str
    head_name: str
    night: bool


@dataclass(frozen=True)
class Asking:
    """The cadre's next message files the finding for this household."""

    head_name: str


@dataclass(frozen=True)
class Findings:
    line: RoundLine
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Solved:
    """A finding resolved on the spot; the villager may confirm on the cadre's phone."""

    request: Request
    head_name: str
    notices: tuple[Notice, ...]


@dataclass(frozen=True)
class Confirmed:
    request: Request
    head_name: str


@dataclass(frozen=True)
class MeetingLogged:
    meeting_id: int
    village: Place
    meeting: Meeting


@dataclass(frozen=True)
class DecisionPick:
    meeting_id: int
    number: int
    text: str
    households: tuple[tuple[str, str], ...]
    page: int
    pages: int


@dataclass(frozen=True)
class RevisitAsk:
    request: Request


@dataclass(frozen=True)
class Scheduled:
    request: Request
    revisit_id: int
    due_on: date


@dataclass(frozen=True)
class Recorded:
    request: Request
    head_name: str
    satisfied: bool  # else the next message files a new request for the household


@dataclass(frozen=True)
class CadreVisits:
    cadre: TeamCadre
    visits: int
    nights: int  # 夜访 in the period


@dataclass(frozen=True)
class VisitFigures:
    """The 走访 figures of a region for a period (chat and workbook)."""

    region_id: str
    period: Period
    households: int
    cadres: tuple[CadreVisits, ...]
    unvisited: tuple[tuple[str, str], ...]
    week: tuple[date, date]
    nights: tuple[NightLine, ...]  # this week, behind first
    rounds: tuple[RoundLine, ...]
    meetings: tuple[int, int, int]  # meetings, attendance, decisions filed
    revisits: tuple[int, int, int, int]  # scheduled, done, problem again, overdue


# --- helpers ---------------------------------------------------------------------------


def _cadre(who: Identity) -> Cadre:
    if who.cadre is None:
        raise CadresOnly
    return who.cadre


async def _line(work: FigureWork, found: Round, zone: ZoneInfo) -> RoundLine:
    store, end = work.rounds, rounds.round_end(found.ends_on, zone)
    listed = [h for h, _ in await store.households(found.id)]
    cover = rounds.coverage(listed, await store.visited(found.id, found.started_at, end))
    found_ = await store.findings(found.id, found.started_at, end)
    spot = sum(f.on_spot for f in found_)
    return RoundLine(found, cover, len(found_), spot, sum(f.confirmed for f in found_))


async def _team_round(work: RoundWork, who: Identity, round_id: int, zone: ZoneInfo) -> Round:
    """The round, if the presser is on its team (or started it) and it is still running."""
    cadre = _cadre(who)
    found = await work.rounds.round(round_id)
    if found is None or not rounds.is_open(found.ends_on, work.now, zone):
        raise RoundRefused
    if cadre.id not in {m.id for m in found.team} and cadre.id != found.started_by:
        raise RoundRefused
    return found


def _supervised(who: Identity) -> tuple[Cadre, str]:
    cadre = _cadre(who)
    if cadre.supervises is None:
        raise NotSupervisor
    return cadre, cadre.supervises


# --- a round: setting it up -----------------------------------------------------------


async def menu(work: RoundWork, who: Identity, zone: ZoneInfo) -> Menu:
    """``/round``: the rounds the cadre is on the team of, running now."""
    cadre = _cadre(who)
    mine = await work.rounds.rounds_of(cadre.id, dates.today(work.now, zone))
    lines = [await _line(work, r, zone) for r in mine]
    return Menu(tuple(lines), cadre.supervises is not None)


async def villages(work: RoundWork, who: Identity) -> Villages:
    _, region = _supervised(who)
    return Villages(tuple(await work.rounds.villages(region)))


async def pick_village(work: RoundWork, who: Identity, village_id: str) -> TeamPick:
    """A village of the supervisor's region: a draft round, the team to pick."""
    cadre, region = _supervised(who)
    found = {v.id: v for v in await work.rounds.villages(region)}.get(village_id)
    if found is None:
        raise RoundRefused
    draft = Draft(cadre.id, found, ())
    await work.rounds.set_draft(who.user_id, draft, work.now)
    return TeamPick(draft, tuple(await work.rounds.team_choices(found.id)))


async def toggle(work: RoundWork, who: Identity, cadre_id: str) -> TeamPick:
    """A cadre in or out of the draft's team (one of the village's choices only)."""
    _supervised(who)
    draft = await work.rounds.draft(who.user_id)
    if draft is None:
        raise RoundRefused
    choices = tuple(await work.rounds.team_choices(draft.region.id))
    if cadre_id not in {c.id for c in choices}:
        raise RoundRefused
    team = tuple(t for t in draft.team if t != cadre_id)
    if len(team) == len(draft.team):
        team = (*draft.team, cadre_id)
    draft = replace(draft, team=team)
    await work.rounds.set_draft(who.user_id, draft, work.now)
    return TeamPick(draft, choices)


class NoTeam(RoundRefused):
    """The end date came before anyone was picked for the team."""


class BadEnd(RoundRefused):
    """An end date in the past or more than ``MAX_AHEAD`` ahead."""

    def __init__(self, latest: date) -> None:
        super().__init__(f"the end must fall from today to {latest}")
        self.latest = latest


async def start(work: RoundWork, who: Identity, ends_on: date, zone: ZoneInfo) -> Started:
    """The end date (a button, or ``/round 12月20日``): the round starts, the team hears.
    Raises ``RoundRefused`` (no draft), ``NoTeam``, ``BadEnd``."""
    _supervised(who)
    draft = await work.rounds.draft(who.user_id)
    if draft is None:
        raise RoundRefused
    today = dates.today(work.now, zone)
    if not today <= ends_on <= today + MAX_AHEAD:
        raise BadEnd(today + MAX_AHEAD)
    if not draft.team:
        raise NoTeam
    round_id = await work.rounds.start(draft, work.now, ends_on)
    await work.rounds.drop_draft(who.user_id)
    found = await work.rounds.round(round_id)
    if found is None:  # just written: cannot be
        raise RoundRefused
    users = [await work.directory.cadre_account(m.id) for m in found.team]
    return Started(await _line(work, found, zone), tuple(u for u in users if u is not None))


# --- a round: the team at work ----------------------------------------------------------


async def left(work: RoundWork, who: Identity, round_id: int, page: int, zone: ZoneInfo) -> Left:
    """The households not yet visited, a page of ``rounds.PAGE``."""
    found = await _team_round(work, who, round_id, zone)
    line = await _line(work, found, zone)
    end = rounds.round_end(found.ends_on, zone)
    done = await work.rounds.visited(round_id, found.started_at, end)
    waiting = [h for h in await work.rounds.households(round_id) if h[0] not in done]
    pages = rounds.pages(len(waiting))
    if not 0 <= page < pages:
        raise RoundRefused
    shown = waiting[page * rounds.PAGE : (page + 1) * rounds.PAGE]
    return Left(line, tuple(shown), page, pages)


async def visit(
    work: RoundWork, who: Identity, round_id: int, household_id: str, night: NightRules
) -> Covered:
    """A team member visited a household of the round: a visit logged (it counts, and
    may be a 夜访), the household covered."""
    found = await _team_round(work, who, round_id, night.zone)
    cadre = _cadre(who)
    if cadre.id not in {m.id for m in found.team}:
        raise RoundRefused  # the supervisor who started it is not covering households
    if not await work.rounds.in_round(round_id, household_id):
        raise RoundRefused
    today = dates.today(work.now, night.zone)
    await work.schedule.log_day(cadre.id, DayKind.VISIT, today, work.now, household_id, "")
    head = dict(await work.rounds.households(round_id))[household_id]
    line = await _line(work, found, night.zone)
    return Covered(line, household_id, head, night.is_night(work.now))


async def ask_finding(
    work: RoundWork, who: Identity, round_id: int, household_id: str, zone: ZoneInfo
) -> Asking:
    """「登记问题」: the cadre's next message is filed for the household (as /file)."""
    found = await _team_round(work, who, round_id, zone)
    cadre = _cadre(who)
    if cadre.id not in {m.id for m in found.team}:
        raise RoundRefused
    if not await work.rounds.in_round(round_id, household_id):
        raise RoundRefused
    await work.conversations.clear(who.user_id)
    await work.filings.start(who.user_id, cadre.id, household_id, work.now)
    return Asking(dict(await work.rounds.households(round_id))[household_id])


async def findings(work: RoundWork, who: Identity, round_id: int, zone: ZoneInfo) -> Findings:
    found = await _team_round(work, who, round_id, zone)
    end = rounds.round_end(found.ends_on, zone)
    listed = await work.rounds.findings(round_id, found.started_at, end)
    return Findings(await _line(work, found, zone), tuple(listed))


async def resolve_on_spot(
    work: RoundWork, who: Identity, round_id: int, request_id: int, zone: ZoneInfo
) -> Solved:
    """当场办结: a finding of the round, still being worked on, resolved by a team
    member there and then; the household hears (and may confirm as always)."""
    found = await _team_round(work, who, round_id, zone)
    cadre = _cadre(who)
    if cadre.id not in {m.id for m in found.team}:
        raise RoundRefused
    end = rounds.round_end(found.ends_on, zone)
    match = [f for f in await work.rounds.findings(round_id, found.started_at, end)]
    finding = next((f for f in match if f.request_id == request_id), None)
    request = await work.requests.get(request_id)
    if finding is None or request is None or request.hidden_from(cadre.id):
        raise RoundRefused
    if request.status not in (Status.OPEN, Status.ACKNOWLEDGED):
        raise RoundRefused
    changed = _solved(request, work.now)
    content = Content(text="当场办结")
    detail: dict[str, object] = {"text": "当场办结", "on_spot": True}
    await work.requests.record(changed, work.now, Event.RESOLVED, f"cadre:{cadre.id}", detail)
    await work.rounds.add_on_spot(request_id, round_id, cadre.id, work.now)
    tell = Tell(Audience.HOUSEHOLD, Event.RESOLVED, changed, content, cadre_id=cadre.id)
    told = tuple(await notices.address(work, [tell]))
    return Solved(changed, finding.head_name, told)


def _solved(request: Request, now: datetime) -> Request:
    changed = replace(
        request,
        status=next_status(request.status, Event.RESOLVED),
        resolution=Resolution.RESOLVED,
    )
    if request.first_response_at is None:
        changed = replace(changed, first_response_at=now)
    return changed


async def confirm_on_spot(work: RoundWork, who: Identity, request_id: int) -> Confirmed:
    """The villager confirms on the cadre's phone: the one-time button of that request,
    pressed on the phone of the cadre who resolved it; once (then it is closed)."""
    cadre = _cadre(who)
    spot = await work.rounds.on_spot(request_id)
    request = await work.requests.get(request_id)
    if spot is None or request is None or spot[1] != cadre.id or spot[2]:
        raise RoundRefused
    if request.status != Status.RESOLVED:
        raise RoundRefused
    changed = replace(
        request,
        status=next_status(request.status, Event.CONFIRMED),
        outcome=Outcome.SATISFIED,
    )
    detail: dict[str, object] = {"rating": "satisfied", "on_spot": True, "phone_of": cadre.id}
    await work.requests.record(changed, work.now, Event.CONFIRMED, f"cadre:{cadre.id}", detail)
    await work.rounds.confirm_on_spot(request_id, cadre.id, work.now)
    head = (await work.directory.household(request.household_id)).head_name
    return Confirmed(changed, head)


# --- 夜议 ---------------------------------------------------------------------------------


class NoVillage(Exception):
    """The cadre has no village to hold a meeting in (none supervised, none linked)."""


async def log_meeting(work: RoundWork, who: Identity, text: str) -> MeetingLogged:
    """``/meeting <人数> <议题>`` then one decision a line. Raises ``BadMeeting``,
    ``NoVillage``, ``CadresOnly``."""
    cadre = _cadre(who)
    held = rounds.meeting(text)
    village = await work.rounds.meeting_village(cadre.id)
    if village is None:
        raise NoVillage
    meeting_id = await work.rounds.add_meeting(
        village.id, cadre.id, work.now, held.topic, held.attendance, held.decisions
    )
    return MeetingLogged(meeting_id, village, held)


async def _decision(
    work: RoundWork, who: Identity, meeting_id: int, number: int
) -> tuple[str, str]:
    """The decision's text and village, if it is the presser's and not yet filed."""
    cadre = _cadre(who)
    found = await work.rounds.decision(meeting_id, number)
    if found is None or found[2] != cadre.id or found[1] is not None:
        raise RoundRefused
    return found[0], found[3]


async def decision_households(
    work: RoundWork, who: Identity, meeting_id: int, number: int, page: int
) -> DecisionPick:
    """「立案」 under a decision: the village's households to file it for, a page."""
    text, village = await _decision(work, who, meeting_id, number)
    listed = await work.rounds.households_in(village)
    pages = rounds.pages(len(listed))
    if not 0 <= page < pages:
        raise RoundRefused
    shown = tuple(listed[page * rounds.PAGE : (page + 1) * rounds.PAGE])
    return DecisionPick(meeting_id, number, text, shown, page, pages)


async def file_decision(
    work: RoundWork,
    who: Identity,
    meeting_id: int,
    number: int,
    household_id: str,
    deadlines: Deadlines,
) -> Filed:
    """A decision filed for a household of the meeting's village (once), as /file files."""
    text, village = await _decision(work, who, meeting_id, number)
    if await work.rounds.household_in(village, household_id) is None:
        raise RoundRefused
    filed = await casework.file_for(work, _cadre(who), household_id, Content(text=text), deadlines)
    await work.rounds.decision_filed(meeting_id, number, filed.request.id)
    return filed


# --- 回头看 -------------------------------------------------------------------------------


async def _closed_case(work: RoundWork, who: Identity, request_id: int) -> Request:
    """A closed request the presser handled or supervises, without a 回头看 pending (not
    one the household withdrew: there is nothing to look at)."""
    cadre = _cadre(who)
    request = await work.requests.get(request_id)
    if request is None or request.hidden_from(cadre.id) or request.status != Status.CLOSED:
        raise RevisitRefused
    if request.outcome in (None, Outcome.WITHDRAWN):
        raise RevisitRefused
    if request.handler_id != cadre.id and not await work.rounds.supervises(
        cadre.id, request.household_id
    ):
        raise RevisitRefused
    if await work.rounds.open_revisit(request_id) is not None:
        raise RevisitRefused
    return request


async def revisit_ask(work: RoundWork, who: Identity, request_id: int) -> RevisitAsk:
    """「回头看」 on a closed case: which day (buttons, or ``/revisit LX-… 12月20日``)."""
    return RevisitAsk(await _closed_case(work, who, request_id))


async def schedule_revisit(
    work: RoundWork, who: Identity, request_id: int, due_on: date, zone: ZoneInfo
) -> Scheduled:
    request = await _closed_case(work, who, request_id)
    today = dates.today(work.now, zone)
    if not today <= due_on <= today + MAX_AHEAD:
        raise BadEnd(today + MAX_AHEAD)
    revisit_id = await work.rounds.add_revisit(request_id, _cadre(who).id, work.now, due_on)
    return Scheduled(request, revisit_id, due_on)


async def record_revisit(
    work: RoundWork, who: Identity, revisit_id: int, satisfied: bool, zone: ZoneInfo
) -> Recorded:
    """The 回头看 done: a visit to the household with a note naming the request; the
    problem again starts a new request (the cadre's next message, as /file)."""
    cadre = _cadre(who)
    found = await work.rounds.revisit(revisit_id)
    if found is None or found.done or found.cadre_id != cadre.id:
        raise RevisitRefused
    request = await work.requests.get(found.request_id)
    if request is None:
        raise RevisitRefused
    result = "satisfied" if satisfied else "again"
    note = f"回头看 {request.number} {'满意' if satisfied else '问题又出现'}"
    today = dates.today(work.now, zone)
    household = request.household_id
    await work.schedule.log_day(cadre.id, DayKind.VISIT, today, work.now, household, note)
    await work.rounds.finish_revisit(revisit_id, work.now, result, note)
    if not satisfied:
        await work.conversations.clear(who.user_id)
        await work.filings.start(who.user_id, cadre.id, household, work.now)
    head = (await work.directory.household(household)).head_name
    return Recorded(request, head, satisfied)


async def remind_revisits(work: RoundWork, zone: ZoneInfo) -> list[Due]:
    """The sweep: 回头看 past their day and not done, each reminded once."""
    due = await work.rounds.overdue_revisits(dates.today(work.now, zone))
    for item in due:
        await work.rounds.mark_reminded(item.revisit_id, work.now)
    return due


# --- the 走访 figures ---------------------------------------------------------------------


async def visit_figures(
    work: FigureWork, region_id: str, period: Period, night: NightRules
) -> VisitFigures:
    """Visits and 夜访 per cadre in the period, households never visited in it, 夜访 this
    week against the minimums, the rounds running in it, 夜议 and 回头看."""
    store = work.rounds
    cadres = await store.cadres_in(region_id)
    visits = await store.visits_in(region_id, period.start, period.end)
    count = Counter(v.cadre_id for v in visits)
    nights = Counter(v.cadre_id for v in visits if night.is_night(v.at))
    known = {c.id for c in cadres}
    lines = [CadreVisits(c, count[c.id], nights[c.id]) for c in cadres]
    week = rounds.week_of(dates.today(work.now, night.zone))
    start = datetime.combine(week[0], datetime.min.time(), night.zone)
    this_week = await store.visits_in(region_id, start, start + timedelta(days=7))
    weekly = Counter(v.cadre_id for v in this_week if night.is_night(v.at) and v.cadre_id in known)
    behind = rounds.night_lines(((c.id, c.name, c.rank) for c in cadres), weekly, night)
    found = await store.rounds_in(region_id, period.first, period.end)
    return VisitFigures(
        region_id=region_id,
        period=period,
        households=await store.household_count(region_id),
        cadres=tuple(sorted(lines, key=lambda c: (-c.visits, c.cadre.id))),
        unvisited=tuple(await store.unvisited(region_id, period.start, period.end)),
        week=week,
        nights=tuple(behind),
        rounds=tuple([await _line(work, r, night.zone) for r in found]),
        meetings=await store.meetings_in(region_id, period.start, period.end),
        revisits=await store.revisits_in(
            region_id, period.start, period.end, dates.today(work.now, night.zone)
        ),
    )


async def figures_for(
    work: FigureWork, who: Identity, period: Period, night: NightRules
) -> VisitFigures:
    """「走访」 on /stats: the presser's own region only. Raises ``NotSupervisor``."""
    _, region = _supervised(who)
    return await visit_figures(work, region, period, night)
