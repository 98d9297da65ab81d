"""Dates without typing ISO, through the sandbox with the real bot on a pinned clock
(issue 11, "no typing for people in fields"): a cadre sends ``/away 明天``, then ``/away``
alone and presses 3天, and picks a day from 选日期; a date not understood lists the forms
in Chinese; a supervisor asks ``/stats 上个月`` and presses the 本月 button; a forged
period button is refused as a typed one."""

from __future__ import annotations

from datetime import timedelta

from bot.sandbox.server import Sandbox
from tests.e2e.test_requests_cadre import County, county

__all__ = ["county"]


async def test_a_cadre_is_away_until_a_day_typed_in_chinese_or_pressed(
    sandbox: Sandbox, county: County
) -> None:
    cadre = await county.cadre("K007", "郑小红")
    today = county.bot.now().date()  # the bot's pinned date, not the machine's

    await cadre.command("away", "明天")
    tomorrow = await cadre.wait_for_text(f"已登记您外出到 {today + timedelta(days=1)}")
    assert "王磊" in tomorrow["text"]  # her B post

    await cadre.command("away")
    status = await cadre.wait_for_text("您登记外出到", after=tomorrow["message_id"])
    await cadre.press(status, text="3天")
    three = await cadre.wait_for_text(f"已登记您外出到 {today + timedelta(days=3)}")

    await cadre.press(three, text="我回来了")
    back = await cadre.wait_for_text("欢迎回来")
    await cadre.command("away")
    offer = await cadre.wait_for_text("要外出到哪天", after=back["message_id"])
    await cadre.press(offer, text="选日期")
    picker = await cadre.wait_for_text("选回来的那一天")
    day = today + timedelta(days=5)
    await cadre.press(picker, data=f"away:day:{day.isoformat()}")
    await cadre.wait_for_text(f"已登记您外出到 {day}")

    await cadre.command("away", "下个礼拜")
    refused = await cadre.wait_for_text("日期看不懂")
    assert "下周一" in refused["text"]
    assert "12月5日" in refused["text"]
    await cadre.command("away")
    still = await cadre.wait_for_text("您登记外出到", after=refused["message_id"])
    assert str(day) in still["text"]  # the refused date changed nothing


async def test_a_supervisor_asks_for_last_month_in_chinese(
    sandbox: Sandbox, county: County
) -> None:
    township = await county.cadre("K003", "孙丽")  # supervises T01 (东坪镇)
    today = county.bot.now().date()
    first_of_month = today.replace(day=1)
    last = first_of_month - timedelta(days=1)

    await township.command("stats", "上个月")
    summary = await township.wait_for_text(f"📊 东坪镇 {last.replace(day=1)} 至 {last}")
    await township.press(summary, text="本月")
    await township.wait_for_text(f"📊 东坪镇 {first_of_month} 至 {today}")

    await township.press_raw(summary["message_id"], "st:summary:1900-01-01.2100-12-31")
    await sandbox.wait_until(lambda: any("日期超出范围" in a for a in township.callback_answers()))
    await township.command("stats", "上上个月")
    refused = await township.wait_for_text("时间段看不懂")
    assert "上个月" in refused["text"]
    assert "近7天" in refused["text"]
