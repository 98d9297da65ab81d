"""Visits that count (issue 12), through the real bot against the sandbox: a supervisor
starts a 五人大走访 round of 30 households; the team covers them (the round's buttons and
plain /visit alike), files 5 problems, resolves 2 on the spot, and a villager confirms one
on the cadre's phone (the one-time button works once); /stats 「走访」 shows the coverage;
a visit at 20:30 counts as 夜访; a 回头看 is scheduled on the closed case, reminded once
when overdue, and recorded."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.server import Sandbox
from bot.sandbox.users import SandboxUser
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ZONE, pin
from tests.e2e.test_binding import SETTINGS, lianxin, printed_codes
from tests.e2e.test_requests_cadre import County

# A Tuesday morning: visits now are day visits; the evening one is a 夜访.
MORNING = datetime(2031, 3, 4, 10, 0, tzinfo=ZONE)
NUMBER = re.compile(r"LX-\d{4}-\d{6}")


def village_of_thirty(folder: Path) -> Path:
    """柳树村 with 30 households (H0001–H0030), each linked to 郑小红 (K007) then 李强
    (K004); 孙丽 (K003) supervises 东坪镇."""
    folder.mkdir()
    (folder / "regions.csv").write_text(
        "id,name,level,parent_id\nC01,和平县,county,\nT01,东坪镇,township,C01\n"
        "V01,柳树村,village,T01\nG011,柳树村一组,group,V01\n",
        encoding="utf-8",
    )
    (folder / "cadres.csv").write_text(
        "id,name,rank,unit,phone,region_id,backup_id,supervises\n"
        "K003,孙丽,township_secretary,东坪镇党委,13908710003,T01,,T01\n"
        "K004,李强,township_cadre,东坪镇政府,13908710004,T01,,\n"
        "K007,郑小红,village_cadre,柳树村委,13908710007,V01,,\n",
        encoding="utf-8",
    )
    ids = [f"H{n:04d}" for n in range(1, 31)]
    households = "".join(f"{h},户主{h[-2:]},G011,柳树村一组{h[-2:]}号,\n" for h in ids)
    (folder / "households.csv").write_text(
        "id,head_name,region_id,address,phone\n" + households, encoding="utf-8"
    )
    links = "".join(f"{h},K007,1\n{h},K004,2\n" for h in ids)
    (folder / "links.csv").write_text("household_id,cadre_id,tier\n" + links, encoding="utf-8")
    return folder


def labels(message: dict[str, Any]) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


async def visits_figures(sun: SandboxUser) -> str:
    sent = await sun.command("stats")
    summary = await sun.wait_for(lambda m: "🚶 走访" in labels(m), after=sent["message_id"])
    await sun.press(summary, text="🚶 走访")
    shown = await sun.wait_for_text("🚶 走访 ", after=summary["message_id"], timeout=30)
    return str(shown["text"])


@pytest.mark.parametrize("pinned_at", [MORNING])
async def test_a_round_a_night_visit_and_a_follow_up(
    sandbox: Sandbox, start_bot: StartBot, tmp_path: Path
) -> None:
    bot = await start_bot(extra=SETTINGS)
    await lianxin(bot.config, "roster", "import", str(village_of_thirty(tmp_path / "roster")))
    county = County(bot, sandbox, await printed_codes(bot), await printed_codes(bot, "--cadres"))
    sun = await county.cadre("K003", "孙丽")
    zheng = await county.cadre("K007", "郑小红")
    li = await county.cadre("K004", "李强")

    # The supervisor starts the round: the village, the team, the end date.
    sent = await sun.command("round")
    menu = await sun.wait_for(lambda m: "➕ 发起五人大走访" in labels(m), after=sent["message_id"])
    await sun.press(menu, text="➕ 发起五人大走访")
    villages = await sun.wait_for_text("给哪个村", after=menu["message_id"])
    await sun.press(villages, text="柳树村")
    team = await sun.wait_for_text("柳树村的走访组", after=villages["message_id"])
    await sun.press(team, text="郑小红（村干部）")
    team = await sun.wait_for_text("走访组：郑小红", after=team["message_id"])
    await sun.press(team, text="李强（乡镇干部）")
    team = await sun.wait_for_text("走访组：李强、郑小红", after=team["message_id"])
    await sun.press(team, text="14天后结束")
    await sun.wait_for_text("已发起五人大走访", after=team["message_id"])
    told = await zheng.wait_for_text("您被编入柳树村的五人大走访组")
    assert "共 30 户" in told["text"]

    # 郑小红 sees who is left and covers one by its button, filing a problem there.
    await zheng.press(told, text="📋 柳树村：还没走访的户")
    left = await zheng.wait_for_text("还没走访的户，走访后点一下", after=told["message_id"])
    assert "已走访 0/30 户" in left["text"]
    assert "第 1/4 页" in left["text"]
    await zheng.press(left, text="户主01（H0001）")
    covered = await zheng.wait_for_text("已记走访：户主01家", after=left["message_id"])
    assert "1/30" in covered["text"]
    assert "夜访" not in covered["text"]
    await zheng.press(covered, text="📝 登记发现的问题")
    await zheng.wait_for_text("请发送在「户主01」家发现的问题", after=covered["message_id"])
    await zheng.send_text("屋后水沟堵了")
    filed = await zheng.wait_for_text("已替「户主01」家登记诉求", after=covered["message_id"])

    # The rest by plain /visit (a visit of a team member covers), four more problems by /file.
    for n in range(2, 31):
        sent = await (zheng if n % 2 else li).command("visit", f"H{n:04d}")
        await (zheng if n % 2 else li).wait_for_text(f"H{n:04d}", after=sent["message_id"])
    for n in (3, 5, 7, 9):
        sent = await zheng.command("file", f"H{n:04d}")
        await zheng.wait_for_text("请发送替", after=sent["message_id"])
        await zheng.send_text(f"问题{n}")
        head = f"户主{n:02d}"
        filed = await zheng.wait_for_text(f"已替「{head}」家登记诉求", after=sent["message_id"])

    # Two resolved on the spot; one confirmed on the cadre's phone, once only.
    sent = await zheng.command("round")
    menu = await zheng.wait_for_text("已走访 30/30 户", after=filed["message_id"])
    await zheng.press(menu, text="📋 柳树村：还没走访的户")
    done = await zheng.wait_for_text("本轮的户都已走访完", after=sent["message_id"])
    await zheng.press(done, text="🔎 本轮发现的问题")
    found = await zheng.wait_for_text("发现问题 5 件", after=done["message_id"])
    spots = [label for label in labels(found) if label.startswith("✅ 当场办结")]
    assert len(spots) == 5
    await zheng.press(found, text=spots[0])
    first = await zheng.wait_for_text("已当场办结", after=found["message_id"])
    await zheng.press(found, text=spots[1])
    await zheng.wait_for(lambda m: "已当场办结" in m.get("text", ""), after=first["message_id"])
    number = NUMBER.search(first["text"])
    assert number is not None
    await zheng.press(first, text="👍 村民当场确认：已解决，满意")
    confirmed = await zheng.wait_for_text("已记下", after=first["message_id"])
    assert number.group() in confirmed["text"]
    await zheng.press(first, text="👍 村民当场确认：已解决，满意")  # the one-time button, again
    await sandbox.wait_until(
        lambda: any("什么也没有改变" in a for a in zheng.callback_answers()), timeout=30
    )

    shown = await visits_figures(sun)
    assert "已走访 30/30 户（100%），发现问题 5 件，当场办结 2 件（当场确认 1 件）" in shown
    assert "本期没有被走访过的户：0 户（共 30 户）" in shown
    assert "李强：夜访 0/1 次" in shown  # behind this week, before the evening

    # The evening: 李强's visit counts as 夜访, and he is no longer behind.
    assert await bot.stop() == 0
    bot.clock = pin(sandbox, MORNING.replace(hour=20, minute=30))
    await bot.start()
    sent = await li.command("visit", "H0002")
    await li.wait_for_text("H0002", after=sent["message_id"])
    shown = await visits_figures(sun)
    assert "李强：走访 16 次，其中夜访 1 次" in shown
    assert "李强：夜访" not in shown

    # 回头看 on the closed case: scheduled in 3 days, reminded once when overdue, recorded.
    sent = await zheng.command("inbox", number.group())
    card = await zheng.wait_for(lambda m: "🔁 回头看" in labels(m), after=sent["message_id"])
    await zheng.press(card, text="🔁 回头看")
    days = await zheng.wait_for_text("哪天回头看", after=card["message_id"])
    await zheng.press(days, text="3天后")
    scheduled = await zheng.wait_for_text("已安排回头看", after=days["message_id"])
    assert "2031-03-07" in scheduled["text"]
    assert await bot.stop() == 0
    bot.clock = pin(sandbox, MORNING + timedelta(days=4))
    await bot.start()
    overdue = await zheng.wait_for_text("回头看过期", after=scheduled["message_id"], timeout=60)
    await zheng.press(overdue, text="😊 回头看：满意")
    recorded = await zheng.wait_for_text("已记回头看", after=overdue["message_id"])
    assert "满意" in recorded["text"]
    shown = await visits_figures(sun)
    assert "回头看：安排 1 次，已记 1 次（问题又出现 0 次），过期未记 0 次" in shown
    assert sum("回头看过期" in str(m.get("text")) for m in zheng.messages()) == 1
