"""A supervisor's /stats through the sandbox with the real bot: the summary of their own
township, the chart as a photo, the breakdown and overdue buttons and the workbook; the
other township's supervisor sees only theirs; a villager is told it is for cadres. Long
work runs after the update's commit: a villager is answered while a workbook is being
built; periods too long or too old (typed or forged) and too many asks are refused and
change nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.edge.longwork import HOLD_ENV
from bot.sandbox.server import Sandbox
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ROOT
from tests.e2e.test_binding import SETTINGS, lianxin, printed_codes
from tests.e2e.test_requests_cadre import County, county, new_case, number_in

__all__ = ["county"]


def _is_photo(message: dict[str, Any]) -> bool:
    return "photo" in message


async def test_supervisors_see_their_own_jurisdiction(sandbox: Sandbox, county: County) -> None:
    grandma = await county.villager(2001, "秀英", "H0001")
    cadre = await county.cadre("K007", "郑小红")
    await grandma.send_text("家里停水了")
    number = number_in(await grandma.wait_for_text("已登记您的诉求"))
    case = await new_case(cadre, number)
    await cadre.press(case, text="受理")
    await grandma.wait_for_text("已受理")

    township = await county.cadre("K003", "孙丽")  # supervises T01 (东坪镇)
    await township.command("stats")
    summary = await township.wait_for_text("📊 东坪镇")
    assert "登记 1 件" in summary["text"]
    assert "响应率 100.0%" in summary["text"]
    photo = await township.wait_for(_is_photo)
    assert "东坪镇" in photo.get("caption", "")

    await township.press(summary, text="按村")
    villages = await township.wait_for_text("按村（")
    assert "柳树村：登记 1" in villages["text"]
    await township.press(summary, text="逾期清单")
    await township.wait_for_text("没有逾期未办结的诉求")
    await township.press(summary, text="📥 统计表")
    await township.wait_for(lambda m: "document" in m)

    other = await county.cadre("K006", "吴海")  # supervises T02 (西河乡)
    await other.command("stats", "month")
    theirs = await other.wait_for_text("📊 西河乡")
    assert "登记 0 件" in theirs["text"]
    assert number not in str(other.messages())

    await cadre.command("stats", "today")
    own = await cadre.wait_for_text("📊 郑小红本人经办")
    assert "登记 1 件" in own["text"]
    await grandma.command("stats")
    await grandma.wait_for_text("统计只有绑定了的干部可以查看")


@pytest.fixture
async def held(
    sandbox: Sandbox, start_bot: StartBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[County, Path]:
    """The sample county, at most 3 /stats a minute, and a gate: while the returned file
    exists, long work that starts waits (as a big county's workbook would take its time)."""
    gate = tmp_path / "hold-long-work"
    monkeypatch.setenv(HOLD_ENV, str(gate))
    bot = await start_bot(extra=SETTINGS + "\n[stats]\nper_minute = 3\n")
    await lianxin(bot.config, "roster", "import", str(ROOT / "bot" / "samples" / "roster"))
    codes = await printed_codes(bot), await printed_codes(bot, "--cadres")
    return County(bot, sandbox, *codes), gate


def _files(county: County) -> list[str]:
    folder = county.bot.database.parent / "files"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_a_villager_is_answered_while_a_workbook_is_being_built(
    held: tuple[County, Path],
) -> None:
    county, gate = held
    township = await county.cadre("K003", "孙丽")
    await township.command("stats")
    summary = await township.wait_for_text("📊 东坪镇")
    await township.wait_for(_is_photo)

    gate.touch()  # the workbook's work starts and is held there
    await township.press(summary, text="📥 统计表")
    await township.wait_for_text("正在生成统计表")
    grandma = await county.villager(2001, "秀英", "H0001")
    cadre = await county.cadre("K007", "郑小红")
    await grandma.send_text("家里停水了")
    number = number_in(await grandma.wait_for_text("已登记您的诉求"))
    await new_case(cadre, number)
    await township.command("stats", "today")  # one at a time per person
    await township.wait_for_text("上一份统计还在生成")
    assert not any("document" in m for m in township.messages())

    gate.unlink()
    document = await township.wait_for(lambda m: "document" in m)
    assert "东坪镇" in document.get("caption", "")
    await township.command("stats", "today")  # done: asking again works
    await township.wait_for_text("📊 东坪镇", after=document["message_id"])


async def test_periods_too_long_or_too_old_are_refused_and_change_nothing(
    held: tuple[County, Path],
) -> None:
    county, _ = held
    township = await county.cadre("K003", "孙丽")
    await township.command("stats")
    summary = await township.wait_for_text("📊 东坪镇")
    await township.wait_for(_is_photo)
    files = _files(county)

    await township.command("stats", "1900-01-01 2100-12-31")  # stalled everyone for 48 s
    old = await township.wait_for_text("日期超出范围")
    assert "只能查 2000-01-01 至" in old["text"]
    await township.command("stats", "0100-01-01 0100-01-02")  # held the database for 504 s
    older = await township.wait_for_text("日期超出范围", after=old["message_id"])
    await township.command("stats", "2000-01-01 2001-12-31")
    too_long = await township.wait_for_text("时间段太长", after=older["message_id"])
    assert "共 731 天，一次最多查 366 天" in too_long["text"]

    for forged in ("st:workbook:1900-01-01.2100-12-31", "st:village:2000-01-01.2001-12-31"):
        await township.press_raw(summary["message_id"], forged)
    await county.sandbox.wait_until(lambda: len(township.callback_answers()) >= 2)
    answers = township.callback_answers()
    assert "日期超出范围" in answers[0]
    assert "时间段太长" in answers[1]

    await township.command("stats", "today")  # the bot still answers, and counted nothing
    await township.wait_for_text("📊 东坪镇", after=too_long["message_id"])
    await township.wait_for(_is_photo, after=too_long["message_id"])
    assert not any("document" in m for m in township.messages())
    assert len(_files(county)) == len(files) + 1  # only the last chart
    assert "正在生成" not in str(township.messages())


async def test_too_many_stats_a_minute_are_refused(held: tuple[County, Path]) -> None:
    county, _ = held
    township = await county.cadre("K003", "孙丽")
    for _ in range(3):
        before = len(township.messages())
        await township.command("stats", "today")
        await township.wait_for(_is_photo, after=township.messages()[before - 1]["message_id"])
    await township.command("stats", "today")
    refused = await township.wait_for_text("查得太频繁")
    assert "每分钟最多 3 次" in refused["text"]
