"""Formula injection: a roster name such as ``=HYPERLINK(...)`` or a DDE payload must
come out of every export as text, never as a formula a clerk's spreadsheet runs."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot import cards, report
from bot.cells import FORMULA_STARTS, csv_cell, unquote
from bot.domain import stats
from bot.domain.codes import HouseholdCard, is_code_shaped, new_code
from bot.domain.roster import Household, Roster
from bot.domain.stats import ReportLine
from bot.i18n import Texts
from bot.roster_io import load, write_roster
from bot.services.stats import ReportData

SAMPLE = Path(__file__).parents[1] / "bot" / "samples" / "roster"
ZONE = ZoneInfo("Asia/Shanghai")
DDE = "=cmd|' /C calc'!A0"
HOSTILE = [DDE, "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
           "\t=1+1", "\r=1+1", '=HYPERLINK("http://evil.example","点我")']  # fmt: skip


def looks_like_a_formula(cell: str) -> bool:
    return cell.startswith(FORMULA_STARTS)


@pytest.mark.parametrize("text", HOSTILE)
def test_a_csv_cell_that_starts_like_a_formula_is_quoted_and_reads_back(text: str) -> None:
    cell = csv_cell(text)
    assert cell == "'" + text
    assert unquote(str(cell)) == text


@pytest.mark.parametrize("value", ["张三", "13812345678", "0871-1234567", "-5", "+8613812345678",
                                   "3.5", 7, -7, 2.5, "", "'引号"])  # fmt: skip
def test_numbers_and_ordinary_text_are_left_alone(value: object) -> None:
    assert csv_cell(value) == value
    if isinstance(value, str):
        assert unquote(value) == value


def _hostile_roster() -> Roster:
    placed, problems = load(SAMPLE)
    assert problems == []
    households = list(placed.roster.households)
    for n, name in enumerate(HOSTILE):
        households[n] = dataclasses.replace(
            households[n], head_name=name.strip(), address=HOSTILE[-1 - n].strip()
        )
    households[len(HOSTILE)] = dataclasses.replace(households[len(HOSTILE)], head_name="#N/A")
    return dataclasses.replace(placed.roster, households=tuple(households))


def test_the_roster_workbook_has_no_formula_and_reimports_the_same_names(tmp_path: Path) -> None:
    roster = _hostile_roster()
    out = tmp_path / "名册.xlsx"
    write_roster(out, roster)
    book = openpyxl.load_workbook(out)
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type in ("f", "e")] == []  # formula, error
    names = [row[1] for row in book["households"].iter_rows(min_row=2, values_only=True)]
    assert DDE in names  # as text, exactly as in the roster
    again, problems = load(out)
    assert problems == []
    assert again.roster.households == roster.households


def test_the_roster_csv_cells_are_neutralised_and_reimport_the_same_names(
    tmp_path: Path,
) -> None:
    roster = _hostile_roster()
    folder = tmp_path / "名册"
    write_roster(folder, roster)
    text = (folder / "households.csv").read_text("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert [c for c in cells if looks_like_a_formula(c)] == []
    assert "'" + DDE in cells
    again, problems = load(folder)
    assert problems == []
    assert again.roster.households == roster.households


def test_the_report_csv_and_workbook_hold_no_formula() -> None:
    period = stats.days(date(2026, 11, 1), date(2026, 11, 30), ZONE)
    filed, number = "2026-11-02T00:00:00.000000Z", "LX-2026-000001"
    line = ReportLine(
        number, "H0001", DDE, "@村", "other", filed, None, None, None, None, "-王磊", 0, 0
    )  # fmt: skip
    data = ReportData(
        region=stats.Place("T01", "+东坪镇", "township", None),
        period=period,
        now=datetime(2026, 11, 20, tzinfo=UTC),
        lines=[line],
        whole=stats.Figures(),
        townships={},
        villages={},
        cadres={"K001": stats.Figures()},
        places={},
        names={"K001": "=干部"},
        stays=None,
    )
    texts = Texts("zh")
    rows = list(csv.reader(io.StringIO(report.csv_bytes(data, texts, ZONE).decode("utf-8-sig"))))
    assert [c for row in rows for c in row if looks_like_a_formula(c)] == []
    assert rows[1][2:4] == ["'" + DDE, "'@村"]
    book = openpyxl.load_workbook(io.BytesIO(report.xlsx(data, texts, ZONE, {})))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert DDE in [c.value for c in cells]


def test_the_cards_csv_holds_no_formula() -> None:
    old_code = "-AbC123xYz_-0pQr"  # printed before codes stopped starting with -
    card = HouseholdCard(Household("H0001", DDE, "G01"), "+一组", (), old_code)
    text = cards.households_csv([card], "lianxin_bot").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [c for row in rows for c in row if looks_like_a_formula(c)] == []
    assert rows[1][:4] == ["H0001", "'" + DDE, "G01", "'" + old_code]
    assert rows[1][4] == f"https://t.me/lianxin_bot?start={old_code}"


def test_no_new_code_starts_a_formula_and_old_codes_still_work() -> None:
    # By construction the first character is a letter or a digit; 20,000 codes show all
    # 62 of them and nothing else.
    firsts = {new_code()[0] for _ in range(20_000)}
    assert firsts == set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    assert is_code_shaped("-AbC123xYz_-0pQr")
    assert is_code_shaped("_AbC123xYz_-0pQr")
