"""The supervisors' workbook as Excel users open it, read back with openpyxl: real dates
and hours (numbers with formats), a frozen bold header, an autofilter over the data and
widths on every sheet; what each request said ([语音] for a voice) and the resolution
note; each region once with its 绑定率; a villager's formula-looking text stays text."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot import report
from bot.domain import requests as service
from bot.domain import stats
from bot.domain.lifecycle import Event
from bot.domain.requests import Content, Deadlines
from bot.i18n import Texts
from bot.services import stats as figures
from bot.services.stats import ReportData
from storage import codes
from storage import stats as store
from storage.db import Database
from storage.people import People
from storage.requests import Requests
from storage.unit_of_work import reading
from tests.sample import load_sample

ZONE = ZoneInfo("Asia/Shanghai")
DEADLINES = Deadlines(timedelta(hours=24), timedelta(days=7), timedelta(hours=2))
T0 = datetime(2026, 11, 2, tzinfo=UTC)  # 08:00 in the county
NOW = datetime(2026, 11, 20, tzinfo=UTC)
NOV = stats.days(date(2026, 11, 1), date(2026, 11, 30), ZONE)
ROAD = "村口的路塌了一块，下雨天孩子上学很危险，请尽快派人来看看，谢谢各位干部，辛苦了！！"
NOTE = "已派施工队修好路面，\n并加装了护栏"
COMPLAINT = "李干部收了我家的低保钱不给收据"
FORMULA = '=HYPERLINK("http://evil.example/","点我")'


@pytest.fixture
async def book(db: Database) -> dict[str, str]:
    """Four requests (a long text resolved with a note, a voice, a formula-looking text,
    one in the other township); two of 柳树村's four households bound."""
    await load_sample(db)
    numbers: dict[str, str] = {}
    async with db.transaction() as tx:
        people = People(tx)
        for n, household in enumerate(("H0001", "H0003")):
            code = await codes.issue(tx, T0, household_id=household, cadre_id=None)
            await people.add_member(500 + n, household, code, T0)
        requests = Requests(tx)
        sent = {
            "road": ("H0001", Content(ROAD)),
            "voice": ("H0003", Content(media="voice", file_id="v1")),
            "formula": ("H0005", Content(FORMULA)),
            "other": ("H0007", Content("水管漏水")),
            "complaint": ("H0002", Content(COMPLAINT)),
        }
        for name, (household, content) in sent.items():
            done = await service.file(
                requests, T0, household, content, DEADLINES, about_cadre=name == "complaint"
            )
            numbers[name] = done.request.number
            if name == "road":
                request = done.request
        await service.act(
            requests,
            T0 + timedelta(hours=2),
            request.id,
            request.handler_id,
            Event.RESOLVED,
            Content(NOTE),
        )
    return numbers


async def _report(db: Database, region: str) -> ReportData:
    async with reading(db, NOW) as work:
        data = await figures.report(work, region, NOV, ZONE)
    assert data is not None
    return data


async def _workbook(db: Database, region: str) -> Workbook:
    content = report.xlsx(await _report(db, region), Texts("zh"), ZONE, {"township_cadre": 8})
    return load_workbook(io.BytesIO(content))


def _rows(sheet: Worksheet) -> dict[object, list[Cell]]:
    """The sheet's rows under its header, by their first cell's value."""
    rows = [[c for c in r if isinstance(c, Cell)] for r in sheet.iter_rows(min_row=2)]
    return {r[0].value: r for r in rows}


def _header(sheet: Worksheet) -> list[object]:
    return [c.value for c in sheet[1]]


async def test_every_sheet_has_a_frozen_header_filters_and_widths(
    db: Database, book: dict[str, str]
) -> None:
    workbook = await _workbook(db, "C01")
    assert workbook.sheetnames[:3] == ["诉求", "按区域", "按干部"]
    for sheet in workbook:
        assert sheet.freeze_panes == "A2", sheet.title
        last = get_column_letter(sheet.max_column)
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}", sheet.title
        assert all(c.font.b for c in sheet[1] if c.value is not None), sheet.title
        for n in range(1, sheet.max_column + 1):
            width = sheet.column_dimensions[get_column_letter(n)].width
            assert 6 <= width <= 62, (sheet.title, n)
    requests = workbook["诉求"]
    header = _header(requests)
    widths = {h: requests.column_dimensions[get_column_letter(n)].width for n, h in
              enumerate(header, 1)}  # fmt: skip
    assert widths["诉求内容"] > widths["登记"] > widths["逾期"]  # by content, CJK double


async def test_the_request_rows_have_real_dates_what_was_said_and_the_note(
    db: Database, book: dict[str, str]
) -> None:
    sheet = (await _workbook(db, "C01"))["诉求"]
    header = _header(sheet)
    assert header[4:10] == ["类别", "诉求内容", "登记", "首次答复", "办结", "办结说明"]
    rows = _rows(sheet)
    road = rows[book["road"]]
    filed, answered, resolved = road[6], road[7], road[8]
    for cell in (filed, answered, resolved):
        assert cell.is_date
        assert cell.number_format == "yyyy-mm-dd hh:mm"
    assert isinstance(filed.value, datetime)
    assert isinstance(resolved.value, datetime)
    assert filed.value == datetime(2026, 11, 2, 8, 0, tzinfo=ZONE).replace(tzinfo=None)
    assert resolved.value - filed.value == timedelta(hours=2)
    said = road[5].value
    assert isinstance(said, str)
    assert said.startswith("村口的路塌了一块，下雨天孩子上学很危险")
    assert said.endswith("…")
    assert len(said) == report.WORDS
    assert road[9].value == "已派施工队修好路面， 并加装了护栏"  # on one line
    assert rows[book["voice"]][5].value == Texts("zh")("requests_cadre.media.voice")
    assert rows[book["voice"]][5].value == "［语音］"
    assert rows[book["voice"]][8].value is None  # not resolved: an empty cell
    formula = rows[book["formula"]][5]
    assert (formula.value, formula.data_type) == (FORMULA, "s")  # text, never a formula
    assert all(c.data_type != "f" for r in rows.values() for c in r)
    shown = report.csv_bytes(await _report(db, "C01"), Texts("zh"), ZONE).decode("utf-8-sig")
    assert f"{book['road']},H0001,王秀英,柳树村,其他,村口的路塌了" in shown
    assert ",2026-11-02 08:00,2026-11-02 10:00,2026-11-02 10:00,已派施工队" in shown
    assert ",［语音］,2026-11-02 08:00,," in shown
    assert "'" + FORMULA.replace('"', '""') in shown  # quoted as text, as before


async def test_each_region_once_with_its_binding_rate_and_hours_as_numbers(
    db: Database, book: dict[str, str]
) -> None:
    sheet = (await _workbook(db, "C01"))["按区域"]
    header = _header(sheet)
    assert header[-1] == "绑定率"
    assert header[11] == "首次答复中位(小时)"
    lines = _rows(sheet)
    names = list(lines)
    assert names == ["和平县", "东坪镇", "西河乡", "柳树村", "石桥村", "青山村", "河口村"]
    rate = {name: line[-1] for name, line in lines.items()}
    assert rate["柳树村"].value == 0.5  # 2 of its 4 households have a bound phone
    assert rate["柳树村"].number_format == "0.0%"
    assert rate["和平县"].value == pytest.approx(2 / 12)  # of the county's 12
    assert rate["河口村"].value == 0.0
    hours = lines["柳树村"][11]  # the first response: the resolution, 2 hours after filing
    assert (hours.value, hours.number_format, hours.data_type) == (2.0, "0.0", "n")
    assert lines["柳树村"][7].number_format == "0.0%"  # the response rate
    township = list(_rows((await _workbook(db, "T01"))["按区域"]))
    assert township == ["东坪镇", "柳树村", "石桥村"]  # the township once, as the whole


async def test_a_village_s_binding_sheet_names_it_once(db: Database, book: dict[str, str]) -> None:
    async with db.read() as tx:
        lines = await store.Stats(tx).binding("V01")
    assert [(b.region_id, b.households, b.bound) for b in lines] == [("V01", 4, 2)]
    village = await _workbook(db, "V01")
    assert [r[0] for r in village["按区域"].iter_rows(min_row=2, values_only=True)] == ["柳树村"]
    assert [r[0] for r in village["绑定率"].iter_rows(min_row=2, values_only=True)] == ["柳树村"]


async def test_a_complaint_about_a_cadre_is_counted_but_its_words_stay_in_the_bot(
    db: Database, book: dict[str, str]
) -> None:
    """The county's workbook (above every accused) lists the complaint, without its words."""
    sheet = (await _workbook(db, "C01"))["诉求"]
    complaint = _rows(sheet)[book["complaint"]]
    assert complaint[5].value in (None, "")
    assert all(COMPLAINT not in str(c.value) for c in complaint)
    assert _rows(sheet)[book["other"]][5].value == "水管漏水"  # others' words are there
