"""In-memory fakes of what the binding, accounts and status use cases ask of a unit of
work: a small county (one household, its three cadres, a supervisor), its card codes, and
the accounts that wrote. No SQLite: each test runs in a millisecond."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.domain.accounts import Account
from bot.domain.binding import CadreDuties, CodeHolder
from bot.domain.roster import Cadre, Household, LinkedCadre, Rank

NOW = datetime(2031, 3, 4, 0, 0, tzinfo=UTC)  # 08:00 in Asia/Shanghai; fixed, never the wall

WANG = Household("H0001", "王秀英", "V01", "东村3组12号", "13900000001")
LI = Household("H0002", "李大山", "V01", "东村3组15号", "13900000002")
ZHENG = Cadre("K007", "郑小红", Rank.GRID_WORKER, "东村", "13800000007", "V01")
ZHOU = Cadre("K004", "周建国", Rank.VILLAGE_CADRE, "东村村委", "13800000004", "V01")
CHEN = Cadre("K001", "陈志强", Rank.TOWNSHIP_CADRE, "城关镇", "13800000001", "T01", None, "T01")
LINKS = {
    WANG.id: [LinkedCadre(1, ZHENG), LinkedCadre(2, ZHOU), LinkedCadre(3, CHEN)],
    LI.id: [LinkedCadre(1, ZHENG)],
}
REGIONS = {"V01": "东村", "T01": "城关镇"}
CODES = {
    "HouseholdCode001": CodeHolder("HouseholdCode001", WANG.id, None, revoked=False),
    "NeighbourCode002": CodeHolder("NeighbourCode002", LI.id, None, revoked=False),
    "RevokedCode00003": CodeHolder("RevokedCode00003", WANG.id, None, revoked=True),
    "CadreCode0000007": CodeHolder("CadreCode0000007", None, ZHENG.id, revoked=False),
    "CadreCode0000001": CodeHolder("CadreCode0000001", None, CHEN.id, revoked=False),
}


@dataclass
class FakePeople:
    """The roster above, and who bound what (``bot.services.work.People``)."""

    members: dict[tuple[int, str], tuple[str, datetime]] = field(default_factory=dict)
    focus_of: dict[int, str] = field(default_factory=dict)
    cadre_accounts: dict[str, int] = field(default_factory=dict)
    wrong_tries: list[tuple[int, datetime]] = field(default_factory=list)
    codes_looked_up: list[str] = field(default_factory=list)

    async def code_holder(self, code: str) -> CodeHolder | None:
        self.codes_looked_up.append(code)
        return CODES.get(code)

    async def wrong_codes_since(self, user_id: int, since: datetime) -> list[datetime]:
        return sorted(at for user, at in self.wrong_tries if user == user_id and at >= since)

    async def record_wrong_code(self, user_id: int, now: datetime) -> None:
        self.wrong_tries.append((user_id, now))

    async def household(self, household_id: str) -> Household:
        return {WANG.id: WANG, LI.id: LI}[household_id]

    async def linked_cadres(self, household_id: str) -> list[LinkedCadre]:
        return list(LINKS.get(household_id, []))

    async def is_member(self, user_id: int, household_id: str) -> bool:
        return (user_id, household_id) in self.members

    async def members_by_code(self, code: str) -> int:
        return sum(1 for used, _ in self.members.values() if used == code)

    async def add_member(self, user_id: int, household_id: str, code: str, now: datetime) -> None:
        self.members.setdefault((user_id, household_id), (code, now))

    async def focus(self, user_id: int, household_id: str) -> None:
        self.focus_of[user_id] = household_id

    async def focused(self, user_id: int) -> str | None:
        return self.focus_of.get(user_id)

    async def households_of(self, user_id: int) -> list[Household]:
        bound = sorted((at, h) for (user, h), (_, at) in self.members.items() if user == user_id)
        return [await self.household(h) for _, h in bound]

    async def member_users(self, household_id: str) -> list[int]:
        return sorted(user for user, h in self.members if h == household_id)

    async def cadre(self, cadre_id: str) -> Cadre:
        return {c.id: c for c in (ZHENG, ZHOU, CHEN)}[cadre_id]

    async def cadre_user(self, cadre_id: str) -> int | None:
        return self.cadre_accounts.get(cadre_id)

    async def cadre_of_user(self, user_id: int) -> str | None:
        return next((c for c, u in self.cadre_accounts.items() if u == user_id), None)

    async def bind_cadre(self, cadre_id: str, user_id: int, code: str, now: datetime) -> None:
        self.cadre_accounts[cadre_id] = user_id

    async def duties(self, cadre_id: str) -> CadreDuties:
        linked = [(c.tier, h) for h, cs in LINKS.items() for c in cs if c.cadre.id == cadre_id]
        tiers = Counter(tier for tier, _ in linked)
        return CadreDuties(dict(tiers), [await self.household(h) for _, h in sorted(linked)])

    async def region_name(self, region_id: str) -> str:
        return REGIONS.get(region_id, region_id)


@dataclass
class FakeAccounts:
    seen: dict[int, Account] = field(default_factory=dict)
    updates: Counter[int] = field(default_factory=Counter)

    async def record_seen(self, account: Account, now: datetime) -> bool:
        self.seen[account.user_id] = account
        self.updates[account.user_id] += 1
        return self.updates[account.user_id] == 1

    async def display_name(self, user_id: int) -> str:
        account = self.seen.get(user_id)
        if account is None:
            return str(user_id)
        name = " ".join(p for p in (account.first_name, account.last_name) if p)
        return f"{name} (@{account.username})" if account.username else name


@dataclass
class FakeCodes:
    people: FakePeople

    async def member_since(self, user_id: int, household_id: str) -> str | None:
        bound = self.people.members.get((user_id, household_id))
        return None if bound is None else bound[1].isoformat()

    async def unbind_member(self, user_id: int, household_id: str) -> bool:
        if self.people.focus_of.get(user_id) == household_id:
            del self.people.focus_of[user_id]
        return self.people.members.pop((user_id, household_id), None) is not None


@dataclass
class FakeInbox:
    by_status: dict[str, int] = field(default_factory=dict)

    async def counts(self) -> dict[str, int]:
        return dict(self.by_status)


@dataclass
class FakeOutbox:
    by_status: dict[tuple[str, bool], int] = field(default_factory=dict)

    async def counts(self) -> dict[tuple[str, bool], int]:
        return dict(self.by_status)


@dataclass
class FakeWork:
    """What ``bot.services.work.Work`` offers the binding, accounts and status use cases."""

    now: datetime = NOW
    people: FakePeople = field(default_factory=FakePeople)
    accounts: FakeAccounts = field(default_factory=FakeAccounts)
    inbox: FakeInbox = field(default_factory=FakeInbox)
    outbox: FakeOutbox = field(default_factory=FakeOutbox)

    @property
    def codes(self) -> FakeCodes:
        return FakeCodes(self.people)
