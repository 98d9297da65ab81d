"""Rounds, 夜议 and 回头看 over a real database with the sample county (migration 0022):
a round's households are its village's, a team member's visit covers one and a stranger's
does not; a meeting's village and decisions; a 回头看 reminded once when overdue."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot import report
from bot.clock import ManualClock
from bot.domain import requests
from bot.domain.requests import Content
from bot.domain.rounds import Draft, NightRules, Place
from bot.domain.schedule import DayKind
from bot.domain.stats import days
from bot.i18n import Texts
from bot.services import rounds
from bot.services import stats as figures
from storage import schedule
from storage.db import Database
from storage.requests import Requests
from storage.rounds import Rounds
from storage.unit_of_work import reading
from tests.storage.test_requests import DEADLINES
from tests.storage.test_requests import county as county  # the fixture


async def test_a_round_covers_its_villages_households_by_its_teams_visits(
    county: Database, clock: ManualClock
) -> None:
    now = clock.now()
    async with county.transaction() as tx:
        store = Rounds(tx)
        assert [v.id for v in await store.villages("T01")] == ["V01", "V02"]
        assert "K007" in {c.id for c in await store.team_choices("V01")}
        draft = Draft("K003", Place("V01", "柳树村"), ("K007",))
        round_id = await store.start(draft, now, date(2031, 3, 18))
        households = [h for h, _ in await store.households(round_id)]
        assert households == ["H0001", "H0002", "H0003", "H0004"]
        await schedule.log_day(tx, "K007", DayKind.VISIT, now.date(), now, "H0001", "")
        await schedule.log_day(tx, "K004", DayKind.VISIT, now.date(), now, "H0002", "")  # off team
        end = now + timedelta(days=20)
        assert await store.visited(round_id, now, end) == {"H0001"}
        assert [v.household_id for v in await store.visits_in("V01", now, end)] == [
            "H0001",
            "H0002",
        ]
        unvisited = [h for h, _ in await store.unvisited("V01", now, end)]
        assert unvisited == ["H0003", "H0004"]
        assert [r.id for r in await store.rounds_of("K007", now.date())] == [round_id]


async def test_a_meeting_and_a_follow_up(county: Database, clock: ManualClock) -> None:
    now = clock.now()
    async with county.transaction() as tx:
        store = Rounds(tx)
        village = await store.meeting_village("K007")
        assert village == Place("V01", "柳树村")
        meeting_id = await store.add_meeting("V01", "K007", now, "路灯", 23, ["装灯", "修路"])
        assert await store.decision(meeting_id, 2) == ("修路", None, "K007", "V01")
        assert await store.decision(meeting_id, 3) is None
        assert await store.meetings_in("T01", now, now + timedelta(days=1)) == (1, 23, 0)
        assert await store.household_in("V01", "H0003") == "张桂兰"
        assert await store.household_in("V02", "H0003") is None
        assert await store.supervises("K003", "H0001")
        assert not await store.supervises("K007", "H0001")
        filed = await requests.file(
            Requests(tx), now, "H0001", Content(text="水管"), DEADLINES, by_cadre="K007"
        )
        request_id = filed.request.id
        revisit_id = await store.add_revisit(request_id, "K007", now, now.date())
        assert await store.overdue_revisits(now.date()) == []
        due = await store.overdue_revisits(now.date() + timedelta(days=1))
        assert [d.revisit_id for d in due] == [revisit_id]
        await store.mark_reminded(revisit_id, now)
        assert await store.overdue_revisits(now.date() + timedelta(days=1)) == []


async def test_the_workbook_has_a_visits_sheet(county: Database, clock: ManualClock) -> None:
    now = clock.now()
    zone = ZoneInfo("Asia/Shanghai")
    night = NightRules(zone)
    evening = datetime.combine(now.astimezone(zone).date(), time(20), zone)
    async with county.transaction() as tx:
        await schedule.log_day(tx, "K004", DayKind.VISIT, now.date(), evening, "H0001", "")
        await schedule.log_day(tx, "K007", DayKind.VISIT, now.date(), now, "H0002", "")
    period = days(evening.date(), evening.date(), zone)
    async with reading(county, evening) as work:
        data = await figures.report(work, "T01", period)
        visits = await rounds.visit_figures(work, "T01", period, night)
    assert data is not None
    content = report.xlsx(data, Texts("zh"), zone, {}, visits)
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames[-1] == "走访"
    rows = {r[1]: r for r in book["走访"].iter_rows(values_only=True) if r[1]}
    assert rows["K004"][3:] == (1, 1, 1, 1, "是")  # 李强: a 夜访, his weekly one
    assert rows["K007"][3:] == (1, 0, 0, 3, "否")  # 郑小红: behind on 夜访
