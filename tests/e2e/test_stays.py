"""Stays with evidence (issue 12, 2468), through the real bot against the sandbox with a
fixed clock: a cadre starts a stay and shares a live location that moves in the evening
and the next morning (edited messages, across restarts): the night counts with
evidence; the next night's stay with 跳过 counts without; a location 12 km away is
answered and is no evidence; a second stay the same night is refused; the supervisor's
「🌙 住村」 under /stats shows both nights against the quota, those behind first."""

from __future__ import annotations

import shutil
from datetime import datetime, time, timedelta
from pathlib import Path

from bot.sandbox.server import Sandbox
from bot.sandbox.users import SandboxUser
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ROOT, ZONE, pin
from tests.e2e.test_access import logged_days
from tests.e2e.test_binding import SETTINGS, lianxin, printed_codes
from tests.e2e.test_requests_cadre import County
from tests.e2e.test_withdraw import labels

STAYS = SETTINGS + '\n[stays]\nevening = "21:00"\nmorning = "06:00"\n'
CENTRE = (25.03, 102.71)  # 柳树村, radius 1,500 m
IN_VILLAGE = (25.031, 102.711)
TWELVE_KM_AWAY = (25.03 + 12_000 / 111_195, 102.71)
UNTIL_STOPPED = 0x7FFFFFFF  # 「共享实时位置」 with no end


def roster_with_a_centre(folder: Path) -> Path:
    """The sample roster; 柳树村 (V01) gets a centre and a radius (the optional columns)."""
    shutil.copytree(ROOT / "bot" / "samples" / "roster", folder)
    regions = folder / "regions.csv"
    lines = regions.read_text(encoding="utf-8-sig").splitlines()
    centre = f",{CENTRE[0]},{CENTRE[1]},1500"
    rows = [lines[0] + ",lat,lon,radius_m"]
    rows += [line + (centre if line.startswith("V01,") else ",,,") for line in lines[1:]]
    regions.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
    return folder


def first_night(now: datetime) -> datetime:
    """The 10th of next month (whatever day the test starts on: one month holds both
    nights), as a local date at midnight."""
    next_month = (now.astimezone(ZONE).date().replace(day=1) + timedelta(days=32)).replace(day=10)
    return datetime.combine(next_month, time(0, 0), ZONE)


async def stay_at_zhang(li: SandboxUser) -> dict[str, object]:
    sent = await li.send_text("🌙 驻村")
    picker = await li.wait_for_text("在哪一户住村", after=sent["message_id"])
    await li.press(picker, text="张桂兰（柳树村二组·H0003）")
    return await li.wait_for_text("住村（张桂兰家，H0003）", after=picker["message_id"])


async def handled(li: SandboxUser) -> int:
    """Wait until the chat's updates so far are handled (the same chat is handled in
    order: /help's answer comes after them); the id of that /help."""
    asked = await li.command("help")
    await li.wait_for(lambda m: m["message_id"] > asked["message_id"])
    return int(asked["message_id"])


async def test_a_night_with_a_live_location_counts_and_one_without_is_counted_apart(
    sandbox: Sandbox, start_bot: StartBot, tmp_path: Path
) -> None:
    bot = await start_bot(extra=STAYS)
    roster = roster_with_a_centre(tmp_path / "roster")
    await lianxin(bot.config, "roster", "import", str(roster))
    county = County(bot, sandbox, await printed_codes(bot), await printed_codes(bot, "--cadres"))
    li = await county.cadre("K004", "李强")  # township cadre: 8 nights a month
    sun = await county.cadre("K003", "孙丽")  # supervises 东坪镇 (T01)
    night = first_night(bot.now())

    async def restart(at: datetime) -> None:
        assert await bot.stop() == 0
        bot.clock = pin(sandbox, at)
        await bot.start()

    # Night 1: the stay at 20:50, a live location shared at once, moving all night.
    await restart(night.replace(hour=20, minute=50))
    logged = await stay_at_zhang(li)
    assert "共享实时位置" in str(logged["text"])  # how to share a live location
    assert li.reply_keyboard() == [["📍 发送位置"], ["跳过"]]
    live = await li.send_location(*IN_VILLAGE, live_period=UNTIL_STOPPED)
    started = await li.wait_for_text("实时位置", after=live["message_id"])
    assert "晚上（21:00 以后）还没有" in started["text"]  # 20:50: not yet the evening

    await restart(night.replace(hour=21, minute=40))
    await li.move_location(live, 25.0312, 102.7112)  # an edited message: no answer
    await handled(li)
    await restart(night + timedelta(days=1, hours=5, minutes=40))
    await li.move_location(live, 25.0311, 102.7109)
    asked = await handled(li)
    between = [m for m in li.messages() if started["message_id"] < m["message_id"] < asked]
    assert [m.get("text", "")[:6] for m in between] == [
        li.messages()[-1].get("text", "")[:6]  # only the first /help's answer
    ]

    # Night 2: a stay with 跳过; a place 12 km away; the same night again.
    await restart(night + timedelta(days=1, hours=21, minutes=10))
    await stay_at_zhang(li)
    skipped = await li.send_text("跳过")
    await li.wait_for_text("这次不附位置", after=skipped["message_id"])
    far = await li.send_location(*TWELVE_KM_AWAY)
    answer = await li.wait_for_text("不在村里", after=far["message_id"])
    assert "离柳树村约 12 公里" in answer["text"]
    twice = await li.command("stay")
    picker = await li.wait_for_text("在哪一户住村", after=twice["message_id"])
    await li.press(picker, text="🌙 只记驻村，不选户")
    refused = await li.wait_for_text("同一晚不能再登记", after=picker["message_id"])
    assert "没有做任何登记" in refused["text"]
    assert [d for d in await logged_days(bot.config) if d[0] == "stay"] == [
        ("stay", "H0003"),
        ("stay", "H0003"),
    ]

    # The supervisor: /stats, then 🌙 住村.
    stats = await sun.command("stats")
    summary = await sun.wait_for(
        lambda m: "🌙 住村" in labels(m), after=stats["message_id"], timeout=60
    )
    await sun.press(summary, text="🌙 住村")
    shown = await sun.wait_for_text("本月住村", after=summary["message_id"])
    lines = shown["text"].splitlines()
    zhou = next(n for n, line in enumerate(lines) if "周芳（K005）：0 / 0 / 8" in line)
    li_line = next(n for n, line in enumerate(lines) if "李强（K004）" in line)
    assert "李强（K004）：1 / 1 / 8，还差 7 晚" in lines[li_line]
    assert zhou < li_line  # 周芳 is further behind
