"""``lianxin report`` as a supervisor's office uses it: the workbook and the CSV of a
township's month, and plain answers for a wrong region or date."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from bot.cli import main

SAMPLE = Path(__file__).parents[1] / "bot" / "samples" / "roster"


def run(config: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(["--config", str(config), *args])
    out, err = capsys.readouterr()
    assert isinstance(exit_.value.code, int)
    return exit_.value.code, out, err


@pytest.fixture
def config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[database]\npath = "x.db"\n', "utf-8")
    assert run(path, capsys, "roster", "import", str(SAMPLE))[0] == 0
    return path


def test_a_month_of_a_township_as_xlsx_and_csv(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = config.parent / "r.xlsx"
    code, said, _ = run(
        config, capsys, "report", "--from", "2026-11-01", "--to", "2026-11-30",
        "--region", "T01", "--format", "xlsx", "--out", str(out),
    )  # fmt: skip
    assert code == 0
    assert "0 件诉求" in said
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[:3] == ["诉求", "按区域", "按干部"]
    regions = [r[0] for r in book["按区域"].iter_rows(min_row=2, values_only=True)]
    assert regions == ["东坪镇", "柳树村", "石桥村"]  # no requests: each place, with its 绑定率
    rows = config.parent / "r.csv"
    code, _, _ = run(
        config, capsys, "report", "--from", "2026-11-01", "--to", "2026-11-30",
        "--region", "T01", "--format", "csv", "--out", str(rows),
    )  # fmt: skip
    assert code == 0
    assert rows.read_bytes().startswith("\ufeff编号".encode())


def test_an_unknown_region_or_date_is_said_plainly(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(config.parent / "r.xlsx")
    code, _, err = run(
        config, capsys, "report", "--from", "2026-11-01", "--to", "2026-11-30",
        "--region", "T99", "--out", out,
    )  # fmt: skip
    assert (code, err.strip()) == (1, "没有区域「T99」。")
    code, _, err = run(
        config, capsys, "report", "--from", "2026-11-31", "--to", "2026-11-30",
        "--region", "T01", "--out", out,
    )  # fmt: skip
    assert code == 2
    assert "日期看不懂" in err
