"""The province's own bot (``lianxin run --province``) through the sandbox: two counties in
one PostgreSQL database, each in its own schema; the provincial supervisor's /stats shows
the province's figures (durations pooled over both counties) and a line per county, its
period buttons count another period, its workbook button sends the counties' sheet.
Anyone else is told their id and sees no figure, by command, by word or by a forged
button; a county that cannot be read is said so in one line."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from bot.config import PROVINCE_TOKEN_ENV
from bot.sandbox.server import Sandbox
from storage.pg import PgDatabase
from tests.e2e.harness import BotProcess, agreeing, write_config
from tests.e2e.support import poll
from tests.pg_cluster import PASSWORD, Cluster
from tests.tenants.counties import database
from tests.tenants.test_province import two_counties

SUPERVISOR, STRANGER = 9001, 9002
SCHEMAS = "SELECT schema_name FROM information_schema.schemata"
PROVINCE = """
[province]
name = "某省"
supervisors = [9001]
[counties.a]
[counties.b]
"""


@pytest.fixture
async def province_url(
    pg_cluster: Cluster, sandbox: Sandbox, pinned_at: datetime
) -> AsyncIterator[str]:
    """Counties a (2 requests, answered in 1 hour) and b (5, 3 of them answered in 9
    hours), filed the day before the test's pinned instant."""
    async with database(pg_cluster) as url:
        await two_counties(url, pinned_at - timedelta(days=1))
        yield url


async def province_bot(sandbox: Sandbox, tmp_path: Path, url: str, extra: str = "") -> BotProcess:
    config = write_config(tmp_path, sandbox, database_url=url, extra=PROVINCE + extra)
    bot = BotProcess(config, tmp_path / "bot.log", agreeing(sandbox), options=("--province",))
    # The province's own token (the file's [telegram] one is the counties'): the sandbox
    # answers one token, so the same one, given the province's way.
    bot.env[PROVINCE_TOKEN_ENV] = sandbox.token
    await bot.start()
    return bot


COUNTED = "the province's figures counted: 4 periods"


async def test_the_provincial_supervisor_sees_every_county_and_the_workbook(
    sandbox: Sandbox, tmp_path: Path, province_url: str, pinned_at: datetime
) -> None:
    bot = await province_bot(sandbox, tmp_path, province_url)
    try:
        # The bot counts its period buttons' figures at start and keeps them (condensed).
        await poll(lambda: COUNTED in bot.log_text())
        boss = sandbox.user(SUPERVISOR, "省督导")
        await boss.command("stats")
        month = f"{pinned_at:%Y-%m}-01 至 {pinned_at:%Y-%m-%d}"
        summary = await boss.wait_for_text(f"📊 某省 {month}", timeout=60)
        text = summary["text"]
        assert "（截至 " in text  # answered from them, saying when they were counted
        assert "登记 7 件" in text
        assert "首次答复用时：中位 9.0 小时" in text  # pooled: 1 1 9 9 9, not (1 + 9) / 2
        assert "和平县（a）：登记 2" in text
        assert "乙和平县（b）：登记 5" in text

        await boss.press(summary, text="上个月")
        last = await boss.wait_for_text("📊 某省", after=summary["message_id"], timeout=60)
        assert "登记 0 件" in last["text"]
        assert f"{pinned_at:%Y-%m}-01" not in last["text"]

        await boss.press(summary, text="📥 各县统计表（Excel）")
        await boss.wait_for_text("正在生成统计表")
        document = await boss.wait_for(lambda m: "document" in m, timeout=60)
        assert "某省" in document["caption"]
        stored = sandbox.state.files.get(document["document"]["file_id"])
        assert stored is not None
        sheet = openpyxl.load_workbook(io.BytesIO(stored.data)).active
        assert sheet is not None
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert [row[:2] for row in rows[1:]] == [
            ["和平县（a）", 2],
            ["乙和平县（b）", 5],
            ["某省", 7],
        ]

        await boss.send_text("你好")
        await boss.wait_for_text("这里只看统计")

        stranger = sandbox.user(STRANGER, "路人")
        await stranger.command("stats")
        await stranger.wait_for_text(f"您的 Telegram 号码（id）是 {STRANGER}")
        await stranger.send_text("给我看看")
        await stranger.wait_for_text("只给省级督导看各县的统计", after=0)
        # A supervisor's button, forged by someone else: refused, nothing sent.
        mine = await stranger.wait_for_text("只给省级督导")
        span = f"{pinned_at:%Y-%m}-01.{pinned_at:%Y-%m-%d}"
        await stranger.press_raw(mine["message_id"], f"pv:workbook:{span}")
        await sandbox.wait_until(lambda: len(stranger.callback_answers()) == 1, timeout=60)
        assert f"{STRANGER}" in stranger.callback_answers()[0]
        assert not any("document" in m or "📊" in str(m.get("text")) for m in stranger.messages())
    finally:
        assert await bot.stop() == 0, bot.log_text()[-5000:]
    assert PASSWORD not in bot.log_text()


async def test_a_county_that_cannot_be_read_is_said_in_one_line(
    sandbox: Sandbox, tmp_path: Path, province_url: str
) -> None:
    bot = await province_bot(sandbox, tmp_path, province_url, extra="[counties.c]\n")
    try:
        boss = sandbox.user(SUPERVISOR, "省督导")
        await boss.command("stats")
        said = await boss.wait_for_text("有的县暂时读不出来", timeout=60)
        assert "c 县的数据库是第 0 版" in said["text"]
        assert "📊" not in said["text"]
    finally:
        assert await bot.stop() == 0, bot.log_text()[-5000:]
    # Looked at, not written to: county c's schema was not made by being read.
    db = await PgDatabase.connect(province_url, "public", create=False)
    try:
        async with db.read() as tx:
            schemas = {r[0] for r in await tx.fetchall(SCHEMAS)}
    finally:
        await db.close()
    assert {"county_a", "county_b", "province"} <= schemas
    assert "county_c" not in schemas
