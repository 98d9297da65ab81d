"""In-memory fakes for rounds, 当场办结, 夜议 and 回头看 (``bot.services.rounds``): the
cadre-side unit of work of ``fakes_pickers`` and a round store over plain lists. A
household's visits and a round's findings are derived here as storage derives them
(visits by team members from the schedule's days; requests of the round's households)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.roster import Rank
from bot.domain.rounds import Draft, Due, Finding, Place, Revisit, Round, TeamCadre, Visit
from bot.domain.schedule import DayKind
from tests.services import fakes_cadre, fakes_pickers
from tests.services.fakes_cadre import LI, LI_QIANG, SUN, WANG, ZHENG
from tests.services.fakes_field import FakeSchedule

LIUSHU = Place("V01", "柳树村")
TEAM = (
    TeamCadre(LI_QIANG.id, LI_QIANG.name, Rank.TOWNSHIP_CADRE),
    TeamCadre(ZHENG.id, ZHENG.name, Rank.GRID_WORKER),
)
HEADS = {WANG.id: WANG.head_name, LI.id: LI.head_name}


@dataclass
class FakeRounds:
    schedule: FakeSchedule
    requests: fakes_cadre.FakeRequests
    drafts: dict[int, Draft] = field(default_factory=dict)
    rounds: dict[int, Round] = field(default_factory=dict)
    spots: dict[int, tuple[int, str, bool]] = field(default_factory=dict)
    meetings: dict[int, tuple[str, str, list[str]]] = field(default_factory=dict)
    decisions: dict[tuple[int, int], int] = field(default_factory=dict)
    revisits: dict[int, Revisit] = field(default_factory=dict)
    reminded: set[int] = field(default_factory=set)

    async def villages(self, region_id: str) -> list[Place]:
        return [LIUSHU] if region_id == "T01" else []

    async def team_choices(self, village_id: str) -> list[TeamCadre]:
        return list(TEAM) if village_id == LIUSHU.id else []

    async def draft(self, user_id: int) -> Draft | None:
        return self.drafts.get(user_id)

    async def set_draft(self, user_id: int, draft: Draft, now: datetime) -> None:
        self.drafts[user_id] = draft

    async def drop_draft(self, user_id: int) -> None:
        self.drafts.pop(user_id, None)

    async def start(self, draft: Draft, now: datetime, ends_on: date) -> int:
        round_id = len(self.rounds) + 1
        team = tuple(t for t in TEAM if t.id in draft.team)
        self.rounds[round_id] = Round(round_id, draft.region, draft.cadre_id, now, ends_on, team)
        return round_id

    async def round(self, round_id: int) -> Round | None:
        return self.rounds.get(round_id)

    async def rounds_of(self, cadre_id: str, today: date) -> list[Round]:
        return [
            r
            for r in self.rounds.values()
            if cadre_id in {t.id for t in r.team} and r.ends_on >= today
        ]

    async def rounds_in(self, region_id: str, first: date, end: datetime) -> list[Round]:
        return list(self.rounds.values())

    async def households(self, round_id: int) -> list[tuple[str, str]]:
        return sorted(HEADS.items())

    async def in_round(self, round_id: int, household_id: str) -> bool:
        return household_id in HEADS

    async def visited(self, round_id: int, start: datetime, end: datetime) -> set[str]:
        team = {t.id for t in self.rounds[round_id].team}
        return {
            d.household_id
            for d in self.schedule.days
            if d.kind == DayKind.VISIT
            and d.cadre_id in team
            and start <= d.at < end
            and d.household_id in HEADS
        }

    async def findings(self, round_id: int, start: datetime, end: datetime) -> list[Finding]:
        return [
            Finding(
                r.id,
                r.number,
                HEADS[r.household_id],
                r.status.value,
                r.id in self.spots,
                self.spots.get(r.id, (0, "", False))[2],
            )
            for r in self.requests.rows.values()
            if r.household_id in HEADS and start <= r.filed_at < end
        ]

    async def add_on_spot(
        self, request_id: int, round_id: int, cadre_id: str, now: datetime
    ) -> None:
        self.spots[request_id] = (round_id, cadre_id, False)

    async def on_spot(self, request_id: int) -> tuple[int, str, bool] | None:
        return self.spots.get(request_id)

    async def confirm_on_spot(self, request_id: int, by: str, now: datetime) -> None:
        round_id, cadre_id, _ = self.spots[request_id]
        self.spots[request_id] = (round_id, cadre_id, True)

    async def visits_in(self, region_id: str, start: datetime, end: datetime) -> list[Visit]:
        return [
            Visit(d.cadre_id, d.at, d.household_id)
            for d in self.schedule.days
            if d.kind == DayKind.VISIT and start <= d.at < end
        ]

    async def cadres_in(self, region_id: str) -> list[TeamCadre]:
        return [TeamCadre(SUN.id, SUN.name, SUN.rank), *TEAM]

    async def unvisited(
        self, region_id: str, start: datetime, end: datetime
    ) -> list[tuple[str, str]]:
        seen = {v.household_id for v in await self.visits_in(region_id, start, end)}
        return [h for h in sorted(HEADS.items()) if h[0] not in seen]

    async def household_count(self, region_id: str) -> int:
        return len(HEADS)

    async def meeting_village(self, cadre_id: str) -> Place | None:
        return LIUSHU if cadre_id == ZHENG.id else None

    async def add_meeting(
        self,
        region_id: str,
        cadre_id: str,
        now: datetime,
        topic: str,
        attendance: int,
        decisions: Sequence[str],
    ) -> int:
        self.meetings[len(self.meetings) + 1] = (region_id, cadre_id, list(decisions))
        return len(self.meetings)

    async def decision(
        self, meeting_id: int, number: int
    ) -> tuple[str, int | None, str, str] | None:
        found = self.meetings.get(meeting_id)
        if found is None or not 1 <= number <= len(found[2]):
            return None
        region, cadre_id, texts = found
        return texts[number - 1], self.decisions.get((meeting_id, number)), cadre_id, region

    async def decision_filed(self, meeting_id: int, number: int, request_id: int) -> None:
        self.decisions[(meeting_id, number)] = request_id

    async def meetings_in(
        self, region_id: str, start: datetime, end: datetime
    ) -> tuple[int, int, int]:
        return len(self.meetings), 0, len(self.decisions)

    async def household_in(self, region_id: str, household_id: str) -> str | None:
        return HEADS.get(household_id) if region_id == LIUSHU.id else None

    async def households_in(self, region_id: str) -> list[tuple[str, str]]:
        return sorted(HEADS.items()) if region_id == LIUSHU.id else []

    async def supervises(self, cadre_id: str, household_id: str) -> bool:
        return cadre_id == SUN.id

    async def add_revisit(
        self, request_id: int, cadre_id: str, now: datetime, due_on: date
    ) -> int:
        revisit_id = len(self.revisits) + 1
        self.revisits[revisit_id] = Revisit(revisit_id, request_id, cadre_id, due_on, False)
        return revisit_id

    async def open_revisit(self, request_id: int) -> Revisit | None:
        return next(
            (v for v in self.revisits.values() if v.request_id == request_id and not v.done),
            None,
        )

    async def revisit(self, revisit_id: int) -> Revisit | None:
        return self.revisits.get(revisit_id)

    async def finish_revisit(self, revisit_id: int, now: datetime, result: str, note: str) -> None:
        found = self.revisits[revisit_id]
        self.revisits[revisit_id] = Revisit(
            found.id, found.request_id, found.cadre_id, found.due_on, True
        )

    async def overdue_revisits(self, today: date) -> list[Due]:
        return [
            Due(v.id, v.request_id, "LX", "?", v.due_on, 0)
            for v in self.revisits.values()
            if not v.done and v.due_on < today and v.id not in self.reminded
        ]

    async def mark_reminded(self, revisit_id: int, now: datetime) -> None:
        self.reminded.add(revisit_id)

    async def revisits_in(
        self, region_id: str, start: datetime, end: datetime, today: date
    ) -> tuple[int, int, int, int]:
        done = sum(v.done for v in self.revisits.values())
        return len(self.revisits), done, 0, 0


@dataclass
class FakeWork(fakes_pickers.FakeWork):
    rounds: FakeRounds = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.rounds = FakeRounds(self.schedule, self.requests)
