"""In-memory fakes of what the cadre's use cases ask of a unit of work (casework, /inbox,
/away): a small county of two households, their cadres and a township supervisor, the
requests with their trails, what each person's next message is, and who is away.
No SQLite: each test runs in a millisecond."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta

from bot.domain.lifecycle import Event, Status
from bot.domain.requests import Content, Deadlines, InboxFilter, InboxLine, Request, TrailLine
from bot.domain.roster import Cadre, Household, HouseholdDetails, LinkedCadre, Rank
from bot.domain.routing import Candidate
from bot.services.casework import Rules
from bot.services.identity import Identity
from tests.services.fakes import FakeConversations as FakeConversations
from tests.services.fakes_threads import FakeFollowUps, FakeOutbox

NOW = datetime(2031, 3, 4, 0, 0, tzinfo=UTC)  # 08:00 in Asia/Shanghai; fixed, never the wall
DEADLINES = Deadlines(
    acknowledge=timedelta(hours=24), resolve=timedelta(days=7), urgent=timedelta(hours=2)
)
RULES = Rules(DEADLINES, idle=timedelta(hours=2))

WANG = HouseholdDetails("H0001", "王秀英", "柳树村3组12号", "13900000001", "柳树村")
LI = HouseholdDetails("H0002", "李大山", "柳树村3组15号", "13900000002", "柳树村")
ZHENG = Cadre("K007", "郑小红", Rank.GRID_WORKER, "柳树村", "13800000007", "V01", "K008")
WANG_LEI = Cadre("K008", "王磊", Rank.GRID_WORKER, "柳树村", "13800000008", "V01")
LI_QIANG = Cadre("K004", "李强", Rank.TOWNSHIP_CADRE, "东坪镇", "13800000004", "T01")
SUN = Cadre("K003", "孙丽", Rank.TOWNSHIP_CADRE, "东坪镇", "13800000003", "T01", None, "T01")
FENG = Cadre("K009", "冯涛", Rank.GRID_WORKER, "桃园村", "13800000009", "V02")
CADRES = {c.id: c for c in (ZHENG, WANG_LEI, LI_QIANG, SUN, FENG)}
# 王秀英's chain goes up to the township; 李大山's has only his grid worker.
LINKS = {
    WANG.id: [LinkedCadre(1, ZHENG), LinkedCadre(2, LI_QIANG)],
    LI.id: [LinkedCadre(1, ZHENG)],
}
GRANDMA, SON, NEIGHBOUR = 501, 502, 503
MEMBERS = {WANG.id: [GRANDMA, SON], LI.id: [NEIGHBOUR]}
ACCOUNTS = {"K007": 3007, "K008": 3008, "K004": 3004, "K003": 3003, "K009": 3009}
SUPERVISORS_ABOVE = {"K007": [3003], "K008": [3003], "K009": [3003]}  # 孙丽 over the villages


def cadre(who: Cadre) -> Identity:
    """The person bound as cadre ``who``."""
    return Identity(ACCOUNTS[who.id], admin=False, cadre=who, households=(), current=None)


def villager(user_id: int = GRANDMA) -> Identity:
    """A person bound to the household they are a member of (and no cadre)."""
    details = FakeDirectory().household_now(
        next(h for h, users in MEMBERS.items() if user_id in users)
    )
    home = Household(details.id, details.head_name, "V01", details.address, details.phone)
    return Identity(user_id, admin=False, cadre=None, households=(home,), current=home)


@dataclass
class FakeRequests:
    """The request store (``bot.domain.requests.RequestStore``) with trails."""

    rows: dict[int, Request] = field(default_factory=dict)
    trails: dict[int, list[TrailLine]] = field(default_factory=dict)
    numbers: int = 0

    async def next_number(self, year: int) -> int:
        self.numbers += 1
        return self.numbers

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
        kind, _, who = actor.partition(":")
        name = CADRES[who].name if kind == "cadre" else ""
        handler = CADRES[request.handler_id].name
        line = TrailLine(at, event.value, actor, name, request.handler_id, handler, detail)
        self.trails.setdefault(request.id, []).append(line)

    async def chain(self, household_id: str) -> list[Candidate]:
        return [
            Candidate(c.cadre.id, c.tier, c.cadre.id in ACCOUNTS, None)
            for c in LINKS[household_id]
        ]

    async def supervisors_above(self, household_id: str) -> list[Candidate]:
        return [Candidate(SUN.id, 0, True, None)]

    async def supervisors_over(self, cadre_id: str) -> list[Candidate]:
        return [Candidate(SUN.id, 0, True, None)]

    async def previous_handlers(self, request_id: int) -> set[str]:
        return {
            str(line.detail["from"]) for line in self.trails[request_id] if "from" in line.detail
        }

    async def is_member(self, user_id: int, household_id: str) -> bool:
        return user_id in MEMBERS[household_id]

    async def linked(self, cadre_id: str, household_id: str) -> bool:
        return any(c.cadre.id == cadre_id for c in LINKS.get(household_id, []))

    async def trail(self, request_id: int) -> list[TrailLine]:
        return list(self.trails.get(request_id, []))

    async def filed_content(self, request_id: int) -> Content | None:
        filed = next(line for line in self.trails[request_id] if line.kind == Event.FILED)
        names = {f.name for f in fields(Content)}
        return Content(**{k: v for k, v in filed.detail.items() if k in names})  # type: ignore[arg-type]


@dataclass
class FakePeople:
    async def cadre(self, cadre_id: str) -> Cadre:
        if cadre_id not in CADRES:
            raise LookupError(cadre_id)
        return CADRES[cadre_id]

    async def linked_cadres(self, household_id: str) -> list[LinkedCadre]:
        return list(LINKS.get(household_id, []))


@dataclass
class FakeDirectory:
    def household_now(self, household_id: str) -> HouseholdDetails:
        return {WANG.id: WANG, LI.id: LI}[household_id]

    async def household(self, household_id: str) -> HouseholdDetails:
        return self.household_now(household_id)

    async def member_users(self, household_id: str) -> list[int]:
        return list(MEMBERS.get(household_id, []))

    async def cadre_account(self, cadre_id: str) -> int | None:
        return ACCOUNTS.get(cadre_id)


@dataclass
class FakeFilings:
    filing: dict[int, tuple[str, str]] = field(default_factory=dict)  # user -> cadre, household

    async def start(self, user_id: int, cadre_id: str, household_id: str, now: datetime) -> None:
        self.filing[user_id] = (cadre_id, household_id)

    async def household_for(self, user_id: int, cadre_id: str) -> str | None:
        found = self.filing.get(user_id)
        return found[1] if found is not None and found[0] == cadre_id else None

    async def stop(self, user_id: int) -> None:
        self.filing.pop(user_id, None)


WAITING = (Status.OPEN, Status.ACKNOWLEDGED, Status.RESOLVED)


@dataclass
class FakeCases:
    """/inbox's reads over the fake requests: what a cadre holds, what they may open."""

    requests: FakeRequests
    asked_for: list[str] = field(default_factory=list)  # whose inbox was read

    async def open_for(self, cadre_id: str, limit: int) -> list[InboxLine]:
        self.asked_for.append(cadre_id)
        held = [r for r in self.requests.rows.values() if r.handler_id == cadre_id]
        lines = [
            InboxLine(
                r.id,
                r.number,
                r.household_id,
                FakeDirectory().household_now(r.household_id).head_name,
                r.category.value,
                r.urgent,
                r.status.value,
                r.resolve_by if r.first_response_at else r.respond_by,
            )
            for r in held
            if r.status in WAITING
        ]
        return sorted(lines, key=lambda line: (line.due, line.request_id))[:limit]

    async def may_see(self, cadre_id: str, request_id: int) -> bool:
        request = self.requests.rows.get(request_id)
        if request is None:
            return False
        linked = await self.requests.linked(cadre_id, request.household_id)
        return request.handler_id == cadre_id or linked or CADRES[cadre_id].supervises == "T01"

    async def id_by_number(self, number: str) -> int | None:
        wanted = number.strip().upper()
        return next((r.id for r in self.requests.rows.values() if r.number == wanted), None)

    async def count(self, cadre_id: str, wanted: InboxFilter, now: datetime) -> int:
        return len(await self._found(cadre_id, wanted, now))

    async def page(
        self, cadre_id: str, wanted: InboxFilter, now: datetime, offset: int, limit: int
    ) -> list[InboxLine]:
        self.asked_for.append(cadre_id)
        return (await self._found(cadre_id, wanted, now))[offset : offset + limit]

    async def _found(self, cadre_id: str, wanted: InboxFilter, now: datetime) -> list[InboxLine]:
        """storage.cadre_views.SELECT_INBOX_PAGE in Python: the cases in reach, filtered."""
        lines = []
        for r in self.requests.rows.values():
            due = r.resolve_by if r.first_response_at else r.respond_by
            mine = r.handler_id == cadre_id
            if r.status not in WAITING or r.hidden_from(cadre_id):
                continue
            if not (
                mine or (wanted is not InboxFilter.MINE and await self.may_see(cadre_id, r.id))
            ):
                continue
            if wanted is InboxFilter.URGENT and not r.urgent:
                continue
            if wanted is InboxFilter.WAITING and r.status is not Status.RESOLVED:
                continue
            if wanted is InboxFilter.OVERDUE and (r.status is Status.RESOLVED or due >= now):
                continue
            filed = await self.requests.filed_content(r.id)
            head = FakeDirectory().household_now(r.household_id)
            text, media = (filed.text, filed.media) if filed else ("", None)
            lines.append(
                InboxLine(
                    r.id,
                    r.number,
                    r.household_id,
                    head.head_name,
                    r.category.value,
                    r.urgent,
                    r.status.value,
                    due,
                    r.handler_id,
                    head.village,
                    text,
                    media,
                )
            )
        return sorted(lines, key=lambda line: (line.due, line.request_id))


@dataclass
class FakeAbsences:
    away: dict[str, datetime] = field(default_factory=dict)

    async def until(self, cadre_id: str) -> datetime | None:
        return self.away.get(cadre_id)

    async def set(self, cadre_id: str, until: datetime) -> None:
        self.away[cadre_id] = until

    async def clear(self, cadre_id: str) -> bool:
        return self.away.pop(cadre_id, None) is not None

    async def supervisor_users(self, cadre_id: str) -> list[int]:
        return list(SUPERVISORS_ABOVE.get(cadre_id, []))


@dataclass
class FakeSupervises:
    """Who supervises a household: 孙丽 supervises the township, both villages in it."""

    async def supervises(self, cadre_id: str, household_id: str) -> bool:
        return cadre_id in CADRES and CADRES[cadre_id].supervises == "T01"


@dataclass
class FakeWork:
    now: datetime = NOW
    requests: FakeRequests = field(default_factory=FakeRequests)
    people: FakePeople = field(default_factory=FakePeople)
    directory: FakeDirectory = field(default_factory=FakeDirectory)
    conversations: FakeConversations = field(default_factory=FakeConversations)
    filings: FakeFilings = field(default_factory=FakeFilings)
    absences: FakeAbsences = field(default_factory=FakeAbsences)
    supervision: FakeSupervises = field(default_factory=FakeSupervises)
    outbox: FakeOutbox = field(default_factory=FakeOutbox)
    follow_ups: FakeFollowUps = field(default_factory=FakeFollowUps)
    cases: FakeCases = field(init=False)

    def __post_init__(self) -> None:
        self.cases = FakeCases(self.requests)
