"""The rota over SQLite with the sample county: a week built once per place, nights kept
counted from the stays logged on them, a household's village and township, the workbook's
值班 sheet."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.domain.roster import Rank
from bot.domain.rota import Minimums, Rules
from bot.domain.schedule import DayKind
from bot.domain.stats import days
from bot.i18n import Texts
from bot.report import rota_lines
from bot.services import rota
from bot.services import stats as figures
from storage import schedule as stored
from storage.db import Database
from storage.unit_of_work import unit_of_work
from tests.sample import load_sample

ZONE = ZoneInfo("Asia/Shanghai")
TUESDAY = datetime(2031, 3, 4, 9, 0, tzinfo=ZONE)
RULES = Rules(
    ZONE,
    remind_at=time(17, 0),
    township=Minimums({Rank.TOWNSHIP_SECRETARY: 1, Rank.TOWNSHIP_CADRE: 2}, share=20),
    village=Minimums(at_least=1),
)


async def test_a_week_built_once_kept_nights_counted_and_the_sheet(db: Database) -> None:
    await load_sample(db)
    async with unit_of_work(db, TUESDAY) as work:
        swept = await rota.sweep(work, RULES)
    assert swept.built == 6  # 2 townships, 4 villages (each with cadres)
    async with unit_of_work(db, TUESDAY) as work:
        assert (await rota.sweep(work, RULES)).built == 0
        liushu = await work.rota.duties("V01", date(2031, 3, 4), date(2031, 3, 7))
        assert [d.person.id for d in liushu] == ["K007", "K008", "K007", "K008"]
        above = await work.rota.places_above("G011")
        assert [(r.id, r.level) for r in above] == [("V01", "village"), ("T01", "township")]
        await stored.log_day(work.tx, "K007", DayKind.STAY, date(2031, 3, 4), TUESDAY, None, "")
        await stored.log_day(work.tx, "K008", DayKind.VISIT, date(2031, 3, 5), TUESDAY, None, "")
    async with unit_of_work(db, TUESDAY) as work:
        kept = await work.rota.kept("T01", date(2031, 3, 1), date(2031, 3, 5))
        lines = {k.region.id: (k.kept, k.assigned) for k in kept}
        assert lines == {"T01": (0, 6), "V01": (1, 2), "V02": (0, 2)}  # a visit is no stay
        period = days(date(2031, 3, 1), date(2031, 3, 31), ZONE)
        data = await figures.report(work, "T01", period, ZONE)
    assert data is not None
    assert data.rota is not None
    assert {k.region.id: k.assigned for k in data.rota} == {"T01": 3, "V01": 1, "V02": 1}
    sheet = rota_lines(data.rota, Texts("zh"))
    assert sheet[0] == ["村/乡镇", "层级", "应值夜次", "实住夜次", "守夜率"]
    assert ["柳树村", "村", 1, 1, 1.0] in sheet  # a percentage: shown 100.0%
