"""``benchmarks.province`` at a tiny scale on both engines, so that it cannot rot: every
figure of its table is measured (none failed), and the county it builds on PostgreSQL
and on SQLite is the same county (the same requests filed in the month)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks import province
from benchmarks import stats as county
from tests.pg_cluster import Cluster

pytestmark = pytest.mark.slow  # it starts filing processes: about a minute


async def test_the_province_benchmark_measures_both_engines(
    pg_cluster: Cluster,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # run() sizes the county by setting benchmarks.stats' module constants.
    monkeypatch.setattr(county, "HOUSEHOLDS", county.HOUSEHOLDS)
    monkeypatch.setattr(county, "REQUESTS", county.REQUESTS)

    await province.run(2, 0.002, pg_cluster.url, tmp_path, filings=3)

    out = capsys.readouterr().out
    assert "failed" not in out
    table = out[out.index("PostgreSQL  ") :]
    rows = {line.split("  ")[0]: line for line in table.splitlines()[1:]}
    for label in (
        "filed/s, 1 process(es), one county",
        "filed/s, 4 process(es), one county",
        "filed/s, 4 processes, 2 counties",
        "provincial /stats, 2 counties",
        "provincial /stats as its bot reads it, this year, 2 counties",
        "province bot's background count (4 period buttons), 2 counties",
        "provincial /stats from what the bot kept, 2 counties",
        "county month workbook",
    ):
        assert label in rows, out
    county_stats = next(line for label, line in rows.items() if label.startswith("county /stats"))
    pg_filed, sqlite_filed = re.findall(r"\(([\d,]+) filed\)", county_stats)
    assert pg_filed == sqlite_filed != "0"
    province_filed = re.findall(r"\(([\d,]+) filed\)", rows["provincial /stats, 2 counties"])
    assert int(province_filed[0].replace(",", "")) > int(pg_filed.replace(",", ""))
    # The province bot's own reading (each county opened by its configuration) counts the
    # same requests as the benchmark's direct one.
    bot_filed = re.findall(
        r"\(([\d,]+) filed\)", rows["provincial /stats as its bot reads it, 2 counties"]
    )
    assert bot_filed == province_filed
