"""In-memory fakes of what the villager's use cases ask of a unit of work (filing,
receipts, relays, /my): two households of one village, three cadres of their chain, the
requests with their trail, the conversations, the follow-ups waiting, and the calls
waiting in each chat. No SQLite: each test runs in a millisecond."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from bot.domain.joining import Join
from bot.domain.lifecycle import Category, Event
from bot.domain.requests import Content, Deadlines, MyRequest, Request, TrailLine
from bot.domain.roster import Cadre, Household, HouseholdDetails, LinkedCadre, Rank
from bot.domain.routing import Candidate
from bot.services.identity import Identity
from tests.services.fakes import FakeConversations as FakeConversations
from tests.services.fakes_threads import FakeFollowUps, FakeOutbox

NOW = datetime(2031, 3, 4, 0, 0, tzinfo=UTC)  # 08:00 in Asia/Shanghai; fixed, never the wall
IDLE = timedelta(minutes=30)
DEADLINES = Deadlines(
    acknowledge=timedelta(hours=24),
    resolve=timedelta(days=7),
    urgent=timedelta(hours=2),
    by_category={Category.ROAD: timedelta(hours=24), Category.HOUSING: timedelta(days=15)},
)

WANG = Household("H0001", "王秀英", "V01", "东村3组12号", "13900000001")
LI = Household("H0002", "李大山", "V01", "东村3组15号", "13900000002")
ZHENG = Cadre("K007", "郑小红", Rank.GRID_WORKER, "东村", "13800000007", "V01")
ZHOU = Cadre("K004", "周建国", Rank.VILLAGE_CADRE, "东村村委", "13800000004", "V01")
CHEN = Cadre("K001", "陈志强", Rank.TOWNSHIP_CADRE, "城关镇", "13800000001", "T01", None, "T01")
CADRES = {c.id: c for c in (ZHENG, ZHOU, CHEN)}
LINKS = {
    WANG.id: [LinkedCadre(1, ZHENG), LinkedCadre(2, ZHOU), LinkedCadre(3, CHEN)],
    LI.id: [LinkedCadre(1, ZHENG)],
}
GRANDMA, SON, NEIGHBOUR = 101, 102, 201  # phones: grandma and son of WANG, LI's
MEMBERS = {GRANDMA: [WANG], SON: [WANG], NEIGHBOUR: [LI]}
ACCOUNTS = {ZHENG.id: 907, ZHOU.id: 904, CHEN.id: 901}  # cadre -> Telegram account


def villager(user_id: int, *households: Household, current: Household | None = None) -> Identity:
    """A phone bound to ``households`` (by default MEMBERS'), speaking for ``current``
    (by default its only household)."""
    bound = tuple(households) or tuple(MEMBERS.get(user_id, ()))
    if current is None and len(bound) == 1:
        current = bound[0]
    return Identity(user_id, admin=False, cadre=None, households=bound, current=current)


@dataclass
class County:
    """Who is bound to what (shared by the fakes below)."""

    members: dict[int, list[Household]] = field(
        default_factory=lambda: {u: list(h) for u, h in MEMBERS.items()}
    )
    accounts: dict[str, int] = field(default_factory=lambda: dict(ACCOUNTS))

    def is_member(self, user_id: int, household_id: str) -> bool:
        return any(h.id == household_id for h in self.members.get(user_id, []))


@dataclass
class Recorded:
    request_id: int
    at: datetime
    event: Event
    actor: str
    detail: dict[str, object]


@dataclass
class FakeRequests:
    """The request store (``bot.domain.requests.RequestStore``, the marks' and the
    notices'): every request's current state and its trail."""

    county: County
    rows: dict[int, Request] = field(default_factory=dict)
    trail_of: list[Recorded] = field(default_factory=list)
    numbers: dict[int, int] = field(default_factory=dict)

    async def next_number(self, year: int) -> int:
        self.numbers[year] = self.numbers.get(year, 0) + 1
        return self.numbers[year]

    async def insert(
        self, request: Request, filed_by_user: int | None, by_cadre: str | None
    ) -> int:
        request_id = len(self.rows) + 1
        self.rows[request_id] = replace(request, id=request_id)
        return request_id

    async def get(self, request_id: int) -> Request | None:
        return self.rows.get(request_id)

    async def record(
        self, request: Request, at: datetime, event: Event, actor: str, detail: dict[str, object]
    ) -> None:
        self.rows[request.id] = request
        self.trail_of.append(Recorded(request.id, at, event, actor, detail))

    async def chain(self, household_id: str) -> list[Candidate]:
        return [
            Candidate(link.cadre.id, link.tier, link.cadre.id in self.county.accounts, None)
            for link in LINKS.get(household_id, [])
        ]

    async def supervisors_above(self, household_id: str) -> list[Candidate]:
        return [Candidate(CHEN.id, 0, CHEN.id in self.county.accounts, None)]

    async def supervisors_over(self, cadre_id: str) -> list[Candidate]:
        return []

    async def previous_handlers(self, request_id: int) -> set[str]:
        return set()

    async def is_member(self, user_id: int, household_id: str) -> bool:
        return self.county.is_member(user_id, household_id)

    async def linked(self, cadre_id: str, household_id: str) -> bool:
        return any(link.cadre.id == cadre_id for link in LINKS.get(household_id, []))

    async def trail(self, request_id: int) -> list[TrailLine]:
        return [
            TrailLine(r.at, r.event.value, r.actor, "", None, "", r.detail)
            for r in self.trail_of
            if r.request_id == request_id
        ]

    async def filed_content(self, request_id: int) -> Content | None:
        for r in self.trail_of:
            if r.request_id == request_id and r.event is Event.FILED:
                return Content(**r.detail)  # type: ignore[arg-type]
        return None

    def events(self, request_id: int) -> list[Event]:
        return [r.event for r in self.trail_of if r.request_id == request_id]


@dataclass
class FakeDirectory:
    county: County

    async def member_users(self, household_id: str) -> list[int]:
        return sorted(u for u in self.county.members if self.county.is_member(u, household_id))

    async def cadre_account(self, cadre_id: str) -> int | None:
        return self.county.accounts.get(cadre_id)

    async def household(self, household_id: str) -> HouseholdDetails:
        h = {WANG.id: WANG, LI.id: LI}[household_id]
        return HouseholdDetails(h.id, h.head_name, h.address, h.phone, "东村")


@dataclass
class FakePeople:
    focus_of: dict[int, str] = field(default_factory=dict)

    async def cadre(self, cadre_id: str) -> Cadre:
        if cadre_id not in CADRES:
            raise LookupError(cadre_id)
        return CADRES[cadre_id]

    async def linked_cadres(self, household_id: str) -> list[LinkedCadre]:
        return list(LINKS.get(household_id, []))

    async def focus(self, user_id: int, household_id: str) -> None:
        self.focus_of[user_id] = household_id


@dataclass
class FakeJoins:
    """Follow-ups waiting, keyed by request; ``pending`` is the calls already waiting in
    each chat's outbox (the handler's "room")."""

    rows: dict[int, list[Join]] = field(default_factory=dict)
    pending: dict[int, int] = field(default_factory=dict)
    windows: dict[int, tuple[datetime, int]] = field(default_factory=dict)
    last_id: int = 0

    async def add(self, request_id: int, user_id: int, content: Content, at: datetime) -> int:
        self.last_id += 1
        self.rows.setdefault(request_id, []).append(Join(self.last_id, user_id, content, at))
        return self.last_id

    async def requests_waiting(self, limit: int) -> list[int]:
        waiting = [(joins[0].id, r) for r, joins in self.rows.items() if joins]
        return [r for _, r in sorted(waiting)][:limit]

    async def waiting(self, request_id: int, limit: int) -> list[Join]:
        return self.rows.get(request_id, [])[:limit]

    async def relayed(self, request_id: int, up_to: int) -> None:
        self.rows[request_id] = [j for j in self.rows.get(request_id, []) if j.id > up_to]

    async def lane_backlog(self, lane: int) -> int:
        return self.pending.get(lane, 0)

    async def count_message(self, user_id: int, now: datetime, window: timedelta) -> int:
        since, count = self.windows.get(user_id, (now, 0))
        if now - since >= window:
            since, count = now, 0
        self.windows[user_id] = (since, count + 1)
        return count + 1

    def left(self, request_id: int) -> list[str]:
        return [j.content.text for j in self.rows.get(request_id, [])]


@dataclass
class FakeViews:
    """/my's store: reads scoped by the member's account, as storage's are."""

    county: County
    requests: FakeRequests

    def _of(self, user_id: int, request: Request) -> MyRequest | None:
        if not self.county.is_member(user_id, request.household_id):
            return None
        handler = CADRES[request.handler_id]
        head = {WANG.id: WANG, LI.id: LI}[request.household_id].head_name
        return MyRequest(request, handler.name, handler.rank, head)

    async def mine(self, user_id: int) -> list[MyRequest]:
        found = [self._of(user_id, r) for r in reversed(self.requests.rows.values())]
        return [m for m in found if m is not None][:10]

    async def one_of_mine(self, user_id: int, request_id: int) -> MyRequest | None:
        request = self.requests.rows.get(request_id)
        return None if request is None else self._of(user_id, request)

    async def id_of_mine(self, user_id: int, number: str) -> int | None:
        for request in self.requests.rows.values():
            if request.number == number.strip().upper() and self._of(user_id, request):
                return request.id
        return None

    async def trail(self, user_id: int, request_id: int) -> list[TrailLine]:
        if await self.one_of_mine(user_id, request_id) is None:
            return []
        return await self.requests.trail(request_id)


@dataclass
class FakeWork:
    now: datetime = NOW
    county: County = field(default_factory=County)
    people: FakePeople = field(default_factory=FakePeople)
    conversations: FakeConversations = field(default_factory=FakeConversations)
    joins: FakeJoins = field(default_factory=FakeJoins)
    outbox: FakeOutbox = field(default_factory=FakeOutbox)
    follow_ups: FakeFollowUps = field(default_factory=FakeFollowUps)

    def __post_init__(self) -> None:
        self.requests = FakeRequests(self.county)
        self.directory = FakeDirectory(self.county)
        self.villager_views = FakeViews(self.county, self.requests)

    def later(self, **delta: float) -> None:
        self.now += timedelta(**delta)
