"""In-memory fakes of what the deadline and leaver use cases ask of a unit of work: one
household (王秀英, 东村) with a chain of three cadres, the township's supervisor, their
accounts, the requests with their trail, the reminders noted and the reroutes to tell.
No SQLite: each test runs in a millisecond."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from bot.domain import deadlines
from bot.domain.deadlines import Due, Missed
from bot.domain.leavers import Untold
from bot.domain.lifecycle import Category, Event, Status
from bot.domain.requests import Content, Deadlines, Request, TrailLine
from bot.domain.roster import Cadre, HouseholdDetails, Rank
from bot.domain.routing import Candidate
from bot.services.identity import Identity
from tests.services.fakes import FakeConversations as FakeConversations

NOW = datetime(2031, 3, 4, 0, 0, tzinfo=UTC)  # 08:00 in Asia/Shanghai; fixed, never the wall
H = timedelta(hours=1)
TABLE = Deadlines(acknowledge=24 * H, resolve=7 * 24 * H, urgent=2 * H)

HOME = HouseholdDetails("H0001", "王秀英", "东村3组12号", "13900000001", "东村")
ZHENG = Cadre("K007", "郑小红", Rank.GRID_WORKER, "东村", "13800000007", "V01")
LI = Cadre("K004", "李强", Rank.VILLAGE_CADRE, "东村村委", "13800000004", "V01")
ZHAO = Cadre("K001", "赵建国", Rank.COUNTY_LEADER, "县委", "13800000001", "C")
SUN = Cadre("K003", "孙丽", Rank.TOWNSHIP_CADRE, "东坪镇", "13800000003", "T01", None, "T01")
WANG = Cadre("K008", "王磊", Rank.GRID_WORKER, "东村", "13800000008", "V01")
CADRES = {c.id: c for c in (ZHENG, LI, ZHAO, SUN, WANG)}
CHAIN = (ZHENG, LI, ZHAO)  # tiers 1, 2, 3 of 王秀英's household
ACCOUNTS = {"K007": 3007, "K004": 3004, "K001": 3001, "K003": 3003, "K008": 3008}
GRANDMA = 501


def cadre(person: Cadre, user_id: int | None = None) -> Identity:
    user = user_id if user_id is not None else ACCOUNTS[person.id]
    return Identity(user, admin=False, cadre=person, households=(), current=None)


def request(request_id: int = 1, **changes: object) -> Request:
    """A request of 王秀英's household filed at ``NOW``, held by 郑小红 at tier 1."""
    filed = Request(
        id=request_id,
        number=f"LX-2031-{request_id:06d}",
        household_id=HOME.id,
        category=Category.OTHER,
        urgent=False,
        about_cadre=False,
        status=Status.OPEN,
        handler_id=ZHENG.id,
        tier=1,
        filed_at=NOW,
        respond_by=NOW + 24 * H,
        resolve_by=NOW + 7 * 24 * H,
    )
    return replace(filed, **changes)  # type: ignore[arg-type]


@dataclass
class Recorded:
    request_id: int
    event: Event
    actor: str
    detail: dict[str, object]


@dataclass
class FakeRequests:
    """The requests (``bot.services.deadlines.DeadlineStores`` and the notices' trails)."""

    rows: dict[int, Request] = field(default_factory=dict)
    events: list[Recorded] = field(default_factory=list)
    reminded: set[tuple[int, Due, datetime]] = field(default_factory=set)
    resolved_at: dict[int, datetime] = field(default_factory=dict)
    visible_to: dict[str, set[int]] = field(default_factory=dict)  # cadre -> request ids
    close_reminded: set[tuple[int, datetime]] = field(default_factory=set)
    urged: dict[tuple[int, Due, datetime | None, int], datetime] = field(default_factory=dict)
    digest_lines: list[tuple[str, int, str, str]] = field(default_factory=list)

    def add(self, *requests: Request) -> None:
        for r in requests:
            self.rows[r.id] = r
            for c in CHAIN[r.tier - 1 :]:
                self.visible_to.setdefault(c.id, set()).add(r.id)

    # the request store
    async def next_number(self, year: int) -> int:
        return len(self.rows) + 1

    async def insert(
        self, request: Request, filed_by_user: int | None, by_cadre: str | None
    ) -> int:
        self.rows[request.id] = request
        return request.id

    async def get(self, request_id: int) -> Request | None:
        return self.rows.get(request_id)

    async def record(
        self, request: Request, at: datetime, event: Event, actor: str, detail: dict[str, object]
    ) -> None:
        self.rows[request.id] = request
        self.events.append(Recorded(request.id, event, actor, detail))
        if event is Event.RESOLVED:
            self.resolved_at[request.id] = at

    async def chain(self, household_id: str) -> list[Candidate]:
        return [Candidate(c.id, tier, c.id in ACCOUNTS, None) for tier, c in enumerate(CHAIN, 1)]

    async def supervisors_above(self, household_id: str) -> list[Candidate]:
        return [Candidate(SUN.id, 0, True, None)]

    async def supervisors_over(self, cadre_id: str) -> list[Candidate]:
        return [] if cadre_id == ZHAO.id else [Candidate(SUN.id, 0, True, None)]

    async def previous_handlers(self, request_id: int) -> set[str]:
        return set()

    async def is_member(self, user_id: int, household_id: str) -> bool:
        return user_id == GRANDMA

    async def linked(self, cadre_id: str, household_id: str) -> bool:
        return cadre_id in {c.id for c in CHAIN}

    # the deadline store
    async def mark_reminded(
        self, request_id: int, due: Due, due_at: datetime, at: datetime
    ) -> bool:
        if (request_id, due, due_at) in self.reminded:
            return False
        self.reminded.add((request_id, due, due_at))
        return True

    async def jurisdiction_supervisors(self, household_id: str) -> list[str]:
        return [SUN.id]

    async def all_supervisors_above(self, household_id: str) -> list[str]:
        return [SUN.id]

    async def visible(self, cadre_id: str, number: str) -> int | None:
        for r in self.rows.values():
            if r.number == number and r.id in self.visible_to.get(cadre_id, set()):
                return r.id
        return None

    # 督办: urged facts and digest lines
    async def mark_urged(self, request_id: int, fact: Missed, at: datetime) -> bool:
        key = (request_id, fact.due, fact.at, fact.reopens)
        if key in self.urged:
            return False
        self.urged[key] = at
        return True

    async def urged_at(self, request_id: int, fact: Missed) -> datetime | None:
        return self.urged.get((request_id, fact.due, fact.at, fact.reopens))

    async def note_for_digest(
        self, recipient: str, request_id: int, what: str, note: str, at: datetime
    ) -> None:
        self.digest_lines.append((recipient, request_id, what, note))

    # what the sweeps find (as storage's queries do, by the domain's rules)
    async def unurged(self, now: datetime, reopens: int, limit: int) -> list[int]:
        return [
            i
            for i, r in sorted(self.rows.items())
            if any((i, f.due, f.at, f.reopens) not in self.urged for f in deadlines.missed(r, now))
        ][:limit]

    async def to_escalate(
        self, now: datetime, cutoff: datetime, reopens: int, limit: int
    ) -> list[int]:
        after = now - cutoff
        found = []
        for i, r in sorted(self.rows.items()):
            reopen = await self.urged_at(i, Missed(Due.REOPENED, reopens=r.reopened))
            if deadlines.escalation_due(r, now, after, reopen) is not None:
                found.append(i)
        return found[:limit]

    async def near_due(self, now: datetime, horizon: datetime, limit: int) -> list[int]:
        return [
            i
            for i, r in sorted(self.rows.items())
            if any(now < at <= horizon for _, at in deadlines.dues(r))
        ][:limit]

    async def resolved_before(self, cutoff: datetime, limit: int) -> list[int]:
        return [
            i
            for i, r in sorted(self.rows.items())
            if r.status is Status.RESOLVED and self.resolved_at.get(i, cutoff) <= cutoff
        ][:limit]

    async def closing_soon(
        self, remind: datetime, close: datetime, limit: int
    ) -> list[tuple[int, datetime]]:
        found = []
        for i, r in sorted(self.rows.items()):
            at = self.resolved_at.get(i, NOW)
            fresh = (i, at) not in self.close_reminded
            if r.status is Status.RESOLVED and close < at <= remind and fresh:
                found.append((i, at))
        return found[:limit]

    async def mark_close_reminded(
        self, request_id: int, resolved_at: datetime, at: datetime
    ) -> bool:
        if (request_id, resolved_at) in self.close_reminded:
            return False
        self.close_reminded.add((request_id, resolved_at))
        return True

    # the trails (for a cadre who takes a case over)
    async def trail(self, request_id: int) -> list[TrailLine]:
        return [
            TrailLine(NOW, e.event, e.actor, "", None, "", e.detail)
            for e in self.events
            if e.request_id == request_id
        ]

    async def filed_content(self, request_id: int) -> Content | None:
        return Content(text="水管坏了")


@dataclass
class FakeDirectory:
    accounts: dict[str, int] = field(default_factory=lambda: dict(ACCOUNTS))
    members: tuple[int, ...] = (GRANDMA,)

    async def member_users(self, household_id: str) -> list[int]:
        return list(self.members)

    async def cadre_account(self, cadre_id: str) -> int | None:
        return self.accounts.get(cadre_id)

    async def household(self, household_id: str) -> HouseholdDetails:
        return HOME


@dataclass
class FakePeople:
    roster: dict[str, Cadre] = field(default_factory=lambda: dict(CADRES))

    async def cadre(self, cadre_id: str) -> Cadre:
        try:
            return self.roster[cadre_id]
        except KeyError:
            raise LookupError(cadre_id) from None


@dataclass
class FakeReroutes:
    """The reroutes the command line wrote (``bot.services.leavers.RerouteLog``)."""

    requests: FakeRequests
    rows: list[Untold] = field(default_factory=list)
    told: set[int] = field(default_factory=set)

    async def untold(self) -> list[Untold]:
        return [row for row in self.rows if row.id not in self.told]

    async def request(self, request_id: int) -> Request | None:
        return await self.requests.get(request_id)

    async def mark_told(self, ids: Sequence[int], now: datetime) -> None:
        self.told.update(ids)


@dataclass
class FakeWork:
    """The unit of work as the deadline and leaver use cases see it."""

    now: datetime = NOW
    deadlines: FakeRequests = field(default_factory=FakeRequests)
    directory: FakeDirectory = field(default_factory=FakeDirectory)
    people: FakePeople = field(default_factory=FakePeople)
    conversations: FakeConversations = field(default_factory=FakeConversations)
    reroutes: FakeReroutes = field(init=False)

    def __post_init__(self) -> None:
        self.reroutes = FakeReroutes(self.deadlines)

    @property
    def requests(self) -> FakeRequests:  # the notices' trails
        return self.deadlines
