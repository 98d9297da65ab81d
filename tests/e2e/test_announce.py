"""公示 and reception (issue 12) through the real bot against the sandbox, at the pinned
instant (Tuesday 2031-03-04 07:00 Asia/Shanghai, ``tests/e2e/harness.py``): a household
switches notices off, the village cadre publishes an announcement that reaches only the
households with notices on, a forged 发布 changes nothing, a villager presses 接待日, and
the township secretary reads 绑定率 in /stats and under its button."""

from __future__ import annotations

import pytest

from bot.sandbox.server import Sandbox
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ROOT
from tests.e2e.test_binding import SETTINGS, lianxin, printed_codes
from tests.e2e.test_requests_cadre import County

NOTICE = "本周六上午9点在村委会召开村民大会，请每户派一人参加。"


@pytest.fixture
async def county(sandbox: Sandbox, start_bot: StartBot) -> County:
    bot = await start_bot(extra=SETTINGS)
    await lianxin(bot.config, "roster", "import", str(ROOT / "bot" / "samples" / "roster"))
    return County(bot, sandbox, await printed_codes(bot), await printed_codes(bot, "--cadres"))


async def test_an_announcement_reaches_opted_in_households_and_reception_and_binding_show(
    county: County,
) -> None:
    grandma = await county.villager(501, "王秀英", "H0001")
    dashan = await county.villager(502, "李大山", "H0002")
    guilan = await county.villager(503, "张桂兰", "H0003")
    zheng = await county.cadre("K007", "郑小红")

    sent = await dashan.command("notices")  # 李大山's household switches notices off first
    switches = await dashan.wait_for_text("通知默认开启", after=sent["message_id"])
    await dashan.press(switches, text="🔔 李大山：已开启")
    await dashan.wait_for(lambda m: "🔕 李大山：已关闭" in str(m.get("reply_markup")))

    sent = await zheng.command("announce")
    await zheng.wait_for_text("请发送要公告给柳树村农户的内容", after=sent["message_id"])
    sent = await zheng.send_text(NOTICE)
    preview = await zheng.wait_for_text("将发给柳树村 2 户农户", after=sent["message_id"])
    assert "2 部手机" in preview["text"]
    await dashan.press_raw(switches["message_id"], "an:pub:1")  # forged: not his draft
    await county.sandbox.wait_until(lambda: len(dashan.callback_answers()) >= 2, timeout=60)
    assert "这个按钮已经失效" in dashan.callback_answers()[-1]
    await zheng.press(preview, text="✅ 发布")
    await zheng.wait_for_text("公告已发布：柳树村 2 户农户")

    for villager in (grandma, guilan):
        got = await villager.wait_for_text(NOTICE, timeout=60)
        assert got["text"].startswith("📢 柳树村公告（郑小红，村干部）")
        assert "不再接收通知" in str(got["reply_markup"])
    await zheng.press(preview, text="✅ 发布")  # pressed again: nothing more is sent
    await county.sandbox.wait_until(lambda: len(zheng.callback_answers()) >= 2, timeout=60)
    assert "这个按钮已经失效" in zheng.callback_answers()[-1]
    sent = await grandma.send_text("🏛 接待日")
    days = await grandma.wait_for_text("王秀英家的服务日和接待日", after=sent["message_id"])
    assert "3月15日（周六）、3月16日（周日）" in days["text"]
    assert "郑小红（村干部）电话 13908710007：未设接待日" in days["text"]
    assert "赵建国（县级领导）电话 13908710001：每月1日接待，下次 4月1日（周二）" in days["text"]
    leader = "领导 孙丽（乡镇书记）电话 13908710003：每周一接待，下次 3月10日（周一）"
    assert leader in days["text"]

    sun = await county.cadre("K003", "孙丽")
    sent = await sun.command("stats")
    summary = await sun.wait_for_text("绑定率：50.0%（3/6 户已绑定手机）", timeout=60)
    await sun.press(summary, text="📱 绑定率")
    table = await sun.wait_for_text("东坪镇绑定率", timeout=60)
    assert "· 柳树村：75.0%（3/4 户）" in table["text"]
    assert "· 石桥村：0.0%（0/2 户）" in table["text"]

    assert NOTICE not in " ".join(str(m.get("text")) for m in dashan.messages())
    assert sum(NOTICE in str(m.get("text")) for m in grandma.messages()) == 1
