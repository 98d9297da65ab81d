"""A province's figures: each county's counted in its own schema by the county's queries,
then pooled — the counts added and the durations put together, so that the province's
median is the median of all its requests, not an average of the counties' medians."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from bot.cli import main
from bot.domain import requests as service
from bot.domain.lifecycle import Event
from bot.domain.province import combined
from bot.domain.stats import Figures
from storage.migrate import latest_version
from storage.requests import Requests
from tests.conftest import START
from tests.pg_cluster import PASSWORD, Cluster
from tests.tenants.counties import County, county, database

HOUR = 3600.0
SAMPLE = Path(__file__).parents[2] / "bot" / "samples" / "roster"


def test_counts_add_and_durations_pool() -> None:
    a = Figures(filed=3, overdue=1, due=2, solved_of_due=1, first_response=(1 * HOUR, 1 * HOUR))
    b = Figures(filed=5, overdue=0, due=4, solved_of_due=4, first_response=(9 * HOUR,) * 3)
    total = combined([a, b])
    assert (total.filed, total.overdue, total.due, total.solved_of_due) == (8, 1, 6, 5)
    assert total.resolution_rate == 5 / 6
    assert total.first_response == (HOUR, HOUR, 9 * HOUR, 9 * HOUR, 9 * HOUR)
    assert total.first_response_median == 9 * HOUR  # not (1 + 9) / 2: the counties' mean
    assert combined([]) == Figures()


async def acknowledged(c: County, after: timedelta, count: int) -> None:
    for request in c.requests[:count]:
        async with c.db.transaction() as tx:
            at = request.filed_at + after
            await service.act(Requests(tx), at, request.id, "K007", Event.ACKNOWLEDGED)


async def two_counties(url: str, filed_at: datetime) -> None:
    """Counties a (2 requests, answered in 1 hour) and b (5, 3 of them answered in 9
    hours), each in its schema of ``url``'s database."""
    a = await county(url, "county_a", filed_at, 2, "甲县水管漏了")
    b = await county(url, "county_b", filed_at, 5, "乙县路灯坏了")
    try:
        await acknowledged(a, timedelta(hours=1), 2)
        await acknowledged(b, timedelta(hours=9), 3)
    finally:
        await a.db.close()
        await b.db.close()


@pytest.fixture
async def province(pg_cluster: Cluster, tmp_path: Path) -> AsyncIterator[Path]:
    async with database(pg_cluster) as url:
        await two_counties(url, START)
        config = tmp_path / "config.toml"
        config.write_text(
            f'[database]\nurl = "{url}"\n[province]\nname = "某省"\n[counties.a]\n[counties.b]\n',
            encoding="utf-8",
        )
        yield config


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert isinstance(exit_.value.code, int)
    return exit_.value.code, out, err


async def run_beside(
    capsys: pytest.CaptureFixture[str], *argv: str | Path
) -> tuple[int, str, str]:
    """``run`` in a thread: the command runs its own event loop."""
    return await asyncio.to_thread(run, capsys, *argv)


def at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bot's clock at START (the test's month), whatever day the test runs."""
    offset = (START - datetime.now(START.tzinfo)).total_seconds()
    monkeypatch.setenv("LIANXIN_CLOCK_OFFSET", str(offset + HOUR * 20))


async def test_province_stats_prints_each_county_and_the_province(
    province: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    at_start(monkeypatch)
    code, out, err = await run_beside(capsys, "province", "stats", "--config", province)
    assert code == 0, err
    blocks = [b for b in out.split("\n\n") if b.strip()]
    assert [b.splitlines()[0] for b in blocks] == [
        "📊 和平县（a） 2026-11-01 至 2026-11-16",
        "📊 乙和平县（b） 2026-11-01 至 2026-11-16",
        "📊 某省 2026-11-01 至 2026-11-16",
    ]
    assert blocks[0].splitlines()[1].startswith("登记 2 件")
    assert blocks[1].splitlines()[1].startswith("登记 5 件")
    assert blocks[2].splitlines()[1].startswith("登记 7 件")
    assert "首次答复用时：中位 1.0 小时" in blocks[0]
    assert "首次答复用时：中位 9.0 小时" in blocks[1]
    assert "首次答复用时：中位 9.0 小时" in blocks[2]  # pooled: 1 1 9 9 9


async def test_province_report_writes_a_line_per_county_and_the_total(
    province: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at_start(monkeypatch)
    out_file = tmp_path / "province.xlsx"
    code, out, err = await run_beside(
        capsys, "province", "report", "--month", "2026-11", "--out", out_file, "--config", province
    )
    assert code == 0, err
    assert "2 个县" in out
    sheet = openpyxl.load_workbook(out_file).active
    assert sheet is not None
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [row[:2] for row in rows[1:]] == [["和平县（a）", 2], ["乙和平县（b）", 5], ["某省", 7]]
    median = rows[0].index("首次答复中位(小时)")
    assert [rows[n][median] for n in (1, 2, 3)] == [1.0, 9.0, 9.0]


def test_a_province_needs_counties(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[province]\ncounties = ['x']\n", encoding="utf-8")
    code, _, err = run(capsys, "province", "stats", "--config", config)
    assert code == 2
    assert "没有 [counties.<id>] 表" in err
    config.write_text("[province]\ncounties = ['x']\n[counties.a]\n", encoding="utf-8")
    code, _, err = run(capsys, "province", "stats", "--config", config)
    assert code == 2
    assert err.strip() == f"lianxin: {config}：[province] counties 里的 x 没有配置；已配置：a"


async def test_a_county_s_commands_use_its_schema(
    province: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = await run_beside(
        capsys, "db", "upgrade", "--county", "b", "--config", province
    )
    assert code == 0, err
    assert out.splitlines()[-1].endswith("(schema county_b): schema version " + out.split()[-1])
    assert "secret" not in out  # the URL's password is not shown


def test_a_province_of_sqlite_counties_reads_each_county_s_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[counties.a]\n[counties.b]\n[counties.c]\n", encoding="utf-8")
    for county_id in ("a", "b"):
        code, _, err = run(
            capsys, "roster", "import", "--county", county_id, SAMPLE, "--config", config
        )
        assert code == 0, err
    assert (tmp_path / "a" / "lianxin.db").exists()
    config.write_text(
        "[counties.a]\n[counties.b]\n[counties.c]\n[province]\ncounties = ['a', 'b']\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "province", "stats", "--config", config)
    assert code == 0, err
    heads = [line for line in out.splitlines() if line.startswith("📊")]
    assert [h.split(" ")[1] for h in heads] == ["和平县（a）", "和平县（b）", "全省"]
    config.write_text("[counties.a]\n[counties.c]\n", encoding="utf-8")
    code, _, err = run(capsys, "province", "stats", "--config", config)
    assert code == 2
    assert err.strip() == f"lianxin: c 县还没有数据库：{tmp_path / 'c' / 'lianxin.db'}"


def edit(path: Path, change: Callable[[str], str]) -> None:
    text = path.read_text(encoding="utf-8")
    assert change(text) != text
    path.write_text(change(text), encoding="utf-8")


async def test_a_county_not_set_up_is_one_line(
    province: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(province, lambda text: text + "[counties.c]\n")
    code, out, err = await run_beside(capsys, "province", "stats", "--config", province)
    assert code == 1
    assert out == ""
    assert err.strip().startswith("lianxin: c 县的数据库是第 0 版，与本程序不符")
    assert err.strip().endswith(f"(lianxin db upgrade --county c: {latest_version()})")
    edit(province, lambda text: text.replace(f":{PASSWORD}@", ":wrong-secret@"))
    code, out, err = await run_beside(
        capsys,
        "province",
        "report",
        "--month",
        "2026-11",
        "--out",
        province.parent / "p.xlsx",
        "--config",
        province,
    )
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert "secret" not in err
