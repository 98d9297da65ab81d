"""住夜 rota through the sandbox with the real bot (issue 12, seed 004): the week's rota
built by the sweep, a villager's 「今晚谁值班」 with tappable phones, 换班 by button
(asked, accepted), a swap with another village's cadre refused with nothing changed, the
cadre reminded once on their night (across restarts), and a supervisor's /stats 「值班」:
nights kept (a stay logged on the night) of those assigned.

The clock is fixed: Tuesday 2031-03-04 16:50 Asia/Shanghai, then 17:05 and 17:10 (the
reminders go at 17:00), whatever the hour the tests run at."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.sandbox.server import Sandbox
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ZONE, pin
from tests.e2e.test_binding import SETTINGS
from tests.e2e.test_requests_cadre import County
from tests.e2e.test_withdraw import a_county

AT = datetime(2031, 3, 4, 16, 50, tzinfo=ZONE)  # a Tuesday, before the 17:00 reminders
ROTA = (
    SETTINGS
    + """
[requests]
sweep_every = "1s"

[rota]
enabled = true
remind_at = "17:00"

[rota.village]
minimum = {}
at_least = 1
"""
)
REMINDER = "3月4日（周二）晚上轮到您在柳树村住夜值班"


def button_data(message: dict[str, Any], text: str) -> str:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return next(str(b["callback_data"]) for row in rows for b in row if b["text"] == text)


async def restart(county: County, sandbox: Sandbox, at: datetime) -> None:
    assert await county.bot.stop() == 0
    county.bot.clock = pin(sandbox, at)
    await county.bot.start()


@pytest.mark.parametrize("pinned_at", [AT])
async def test_a_rota_built_asked_swapped_reminded_and_counted(
    sandbox: Sandbox, start_bot: StartBot
) -> None:
    county = await a_county(sandbox, start_bot, ROTA)
    zheng = await county.cadre("K007", "郑小红")  # 柳树村 (V01)
    wang = await county.cadre("K008", "王磊")  # 柳树村 (V01)
    feng = await county.cadre("K009", "冯涛")  # 石桥村 (V02): another village
    grandma = await county.villager(2001, "秀英", "H0001")  # 柳树村一组
    await sandbox.wait_until(lambda: "rota: 6 week(s) built" in county.bot.log_text(), timeout=60)
    assert ["🌙 今晚谁值班"] in (grandma.reply_keyboard() or [])

    # The villager asks who is on duty tonight: her village's and her township's people.
    await grandma.send_text("🌙 今晚谁值班")
    duty = await grandma.wait_for_text("今晚柳树村住夜值班的干部")
    assert "郑小红（村干部）电话 13908710007" in duty["text"]
    assert "今晚东坪镇住夜值班的干部" in duty["text"]
    assert "孙丽（乡镇书记）电话 13908710003" in duty["text"]

    # The cadre's rota: one a night in 柳树村, taking turns from today.
    await zheng.command("rota")
    shown = await zheng.wait_for_text("柳树村住夜值班表")
    assert "3月4日（周二）：郑小红" in shown["text"]
    assert "3月5日（周三）：王磊" in shown["text"]
    assert "3月6日（周四）：郑小红" in shown["text"]

    # 换班 by button: 王磊 takes Thursday.
    await zheng.press(shown, text="换班：3月6日（周四）")
    choose = await zheng.wait_for_text("请谁替您")
    await zheng.press(choose, text="王磊（网格员）电话 13908710008")
    asked = await wang.wait_for_text("请您替他3月6日（周四）在柳树村住夜值班")
    await zheng.wait_for_text("已请 王磊 替您3月6日（周四）的住夜")
    await wang.press(asked, text="同意")
    await zheng.wait_for_text("王磊 同意替您3月6日（周四）在柳树村的住夜")
    again = await zheng.command("rota")
    after = await zheng.wait_for_text("柳树村住夜值班表", after=again["message_id"])
    assert "3月6日（周四）：王磊" in after["text"]

    # A swap with 石桥村's cadre (a forged button) is refused and changes nothing.
    tuesday = button_data(after, "换班：3月4日（周二）").split(":")[2]
    await zheng.press_raw(after["message_id"], f"ro:to:{tuesday}.K009")
    await sandbox.wait_until(lambda: any("只能和同一个村" in a for a in zheng.callback_answers()))
    assert not any("请您替" in str(m.get("text")) for m in feng.messages())

    # 17:05: the cadre on tonight's rota is reminded (after a restart too, once).
    await restart(county, sandbox, AT + timedelta(minutes=15))
    reminded = await zheng.wait_for_text(REMINDER)
    assert "同班" in reminded["text"]
    assert not any(REMINDER in str(m.get("text")) for m in wang.messages())  # not his night
    await zheng.command("stay")
    stayed = await zheng.wait_for_text("在哪一户住村")
    await zheng.press(stayed, text="🌙 只记驻村，不选户")
    await zheng.wait_for_text("已登记 3月4日 住村")
    await restart(county, sandbox, AT + timedelta(minutes=20))

    # The supervisor's /stats 「值班」: the nights kept of those assigned, up to today.
    township = await county.cadre("K003", "孙丽")  # supervises 东坪镇 (T01)
    await township.command("stats")
    summary = await township.wait_for_text("📊 东坪镇")
    await township.press(summary, text="🌙 值班")
    kept = await township.wait_for_text("住夜值班 2031-03-01 至 2031-03-04")
    assert "柳树村：实住 1 / 应值 1（100.0%）" in kept["text"]
    assert "东坪镇：实住 0 / 应值 3" in kept["text"]
    assert sum(REMINDER in str(m.get("text")) for m in zheng.messages()) == 1
