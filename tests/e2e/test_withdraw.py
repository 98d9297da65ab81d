"""Urgent and withdrawal, played through the sandbox with the real bot (issue 11): 🚨
reaches the handler at once and the receipt shows the new due times; 撤回 asks to
confirm, then closes the request and tells the handler, and the receipt's buttons go;
a forged withdrawal of another household's request is refused and changes nothing;
the household is reminded once, a day before 销号 by timeout; /extend refuses a date
past the cap."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from bot.sandbox.server import Sandbox
from bot.sandbox.users import SandboxUser
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ROOT, pin
from tests.e2e.support import replying_to
from tests.e2e.test_binding import SETTINGS, lianxin, printed_codes
from tests.e2e.test_requests_cadre import County, new_case, number_in
from tests.e2e.test_requests_villager import DUE

REFUSED = "什么也没有改变"
SWEEPING = SETTINGS + '\n[requests]\nsweep_every = "1s"\n'


async def a_county(sandbox: Sandbox, start_bot: StartBot, extra: str = SETTINGS) -> County:
    bot = await start_bot(extra=extra)
    await lianxin(bot.config, "roster", "import", str(ROOT / "bot" / "samples" / "roster"))
    return County(bot, sandbox, await printed_codes(bot), await printed_codes(bot, "--cadres"))


def labels(message: dict[str, Any]) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["text"] for row in rows for b in row]


def same(message: dict[str, Any]) -> Any:
    return lambda m: m["message_id"] == message["message_id"]


async def filed(grandma: SandboxUser, text: str) -> dict[str, Any]:
    sent = await grandma.send_text(text)
    return await grandma.wait_for(replying_to(sent["message_id"]))


async def test_urgent_reaches_the_handler_and_the_receipt_shows_the_new_due_time(
    sandbox: Sandbox, start_bot: StartBot
) -> None:
    county = await a_county(sandbox, start_bot)
    grandma = await county.villager(2001, "秀英", "H0001")
    cadre = await county.cadre("K007", "郑小红")
    receipt = await filed(grandma, "家里老人摔倒了，起不来")
    number = number_in(receipt)
    case = await new_case(cadre, number)
    before = DUE.findall(receipt["text"])

    await grandma.press(receipt, text="🚨 紧急")

    told = await cadre.wait_for(lambda m: "标为紧急" in m["text"] and number in m["text"])
    assert labels(told) == []  # the case's buttons stay on its card, edited in place
    await cadre.wait_for(
        lambda m: same(case)(m) and "【紧急】" in m["text"] and "受理" in labels(m)
    )
    edited = await grandma.wait_for(
        lambda m: same(receipt)(m) and DUE.findall(m["text"]) != before
    )
    assert "✅ 🚨 紧急" in labels(edited)
    month, day, hm = re.findall(r"(\d+)月(\d+)日 (\d\d:\d\d)", edited["text"])[-1]
    assert f"-{int(month):02d}-{int(day):02d} {hm} 前办结" in told["text"]  # the same time
    # A second press tells the cadre nothing more.
    await grandma.press(edited, text="✅ 🚨 紧急")
    await sandbox.wait_until(lambda: len(grandma.callback_answers()) == 2)
    assert sum("标为紧急" in str(m.get("text")) for m in cadre.messages()) == 1


async def test_withdrawing_asks_first_then_closes_and_the_handler_is_told(
    sandbox: Sandbox, start_bot: StartBot
) -> None:
    county = await a_county(sandbox, start_bot)
    grandma = await county.villager(2001, "秀英", "H0001")
    cadre = await county.cadre("K007", "郑小红")
    receipt = await filed(grandma, "路灯不亮了")
    number = number_in(receipt)
    case = await new_case(cadre, number)

    # One tap only asks; "不撤回" gives the receipt its buttons back.
    await grandma.press(receipt, text="↩️ 撤回这件诉求")
    asking = await grandma.wait_for(lambda m: same(receipt)(m) and "确定撤回" in labels(m))
    assert labels(asking) == ["确定撤回", "不撤回"]
    await sandbox.wait_until(lambda: any("确定撤回诉求" in a for a in grandma.callback_answers()))
    await grandma.press(asking, text="不撤回")
    await grandma.wait_for(lambda m: same(receipt)(m) and "🚨 紧急" in labels(m))
    assert not any("撤回" in str(m.get("text")) for m in cadre.messages())

    await grandma.press(receipt, text="↩️ 撤回这件诉求")
    asking = await grandma.wait_for(lambda m: same(receipt)(m) and "确定撤回" in labels(m))
    await grandma.press(asking, text="确定撤回")
    done = await grandma.wait_for_text("已撤回，已告诉 郑小红")
    assert number in done["text"]
    told = await cadre.wait_for(lambda m: "村民已撤回" in m["text"] and number in m["text"])
    assert labels(told) == []
    await grandma.wait_for(lambda m: same(receipt)(m) and labels(m) == [])

    listed = await grandma.command("my")
    mine = await grandma.wait_for_text("您家的诉求", after=listed["message_id"])
    assert f"{number}｜其他｜已销号｜郑小红｜已撤回" in mine["text"]
    # The cadre's card says so and has no buttons left; an old press is stale.
    await cadre.wait_for(lambda m: same(case)(m) and "已销号" in m["text"] and labels(m) == [])
    before = sum("过期" in a for a in cadre.callback_answers())
    await cadre.press_raw(
        case["message_id"], case["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    )
    await sandbox.wait_until(
        lambda: sum("过期" in a for a in cadre.callback_answers()) > before, timeout=30
    )


async def test_a_forged_withdrawal_of_another_households_request_changes_nothing(
    sandbox: Sandbox, start_bot: StartBot
) -> None:
    county = await a_county(sandbox, start_bot)
    grandma = await county.villager(2001, "秀英", "H0001")
    neighbour = await county.villager(2003, "桂兰", "H0003")
    cadre = await county.cadre("K007", "郑小红")
    theirs = await filed(neighbour, "我家门口的水沟堵了")
    number = number_in(theirs)
    request_id = theirs["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[2]
    mine = await filed(grandma, "村口的路灯坏了")

    for forged in (f"rv:wd:{request_id}", f"rv:wdy:{request_id}:r", f"rv:wdy:{request_id}:m"):
        await grandma.press_raw(mine["message_id"], forged)
    await sandbox.wait_until(lambda: sum(REFUSED in a for a in grandma.callback_answers()) == 3)

    assert "确定撤回" not in labels(grandma.messages()[-1])
    await neighbour.command("my")
    listed = await neighbour.wait_for_text("您家的诉求")
    assert f"{number}｜其他｜待受理" in listed["text"]
    assert not any("撤回" in str(m.get("text")) for m in cadre.messages())


async def test_the_household_is_reminded_once_a_day_before_the_automatic_close(
    sandbox: Sandbox, start_bot: StartBot
) -> None:
    county = await a_county(sandbox, start_bot, SWEEPING)  # confirm_within: 7 days
    grandma = await county.villager(2001, "秀英", "H0001")
    cadre = await county.cadre("K007", "郑小红")
    number = number_in(await filed(grandma, "水管漏水"))
    case = await new_case(cadre, number)
    await cadre.press(case, text="办结")
    await cadre.wait_for_text("请发送办结说明")
    await cadre.send_text("已经修好")
    resolved = await grandma.wait_for_text("已办结")
    at = county.bot.now()

    async def restart(later: timedelta) -> None:
        assert await county.bot.stop() == 0
        county.bot.clock = pin(sandbox, at + later)
        await county.bot.start()

    def reminders() -> list[dict[str, Any]]:
        return [m for m in grandma.messages() if "将自动销号" in str(m.get("text"))]

    await restart(timedelta(days=5, hours=23))  # not yet: two days before
    asked = await grandma.command("my")
    await grandma.wait_for_text("您家的诉求", after=asked["message_id"])
    assert reminders() == []

    await restart(timedelta(days=6, minutes=5))  # a day before
    reminder = await grandma.wait_for_text("将自动销号", after=resolved["message_id"], timeout=60)
    assert number in reminder["text"]
    assert {"已解决，满意", "部分解决", "没有解决"} <= set(labels(reminder))

    await restart(timedelta(days=6, hours=3))  # later that day, after a restart: not again
    asked = await grandma.command("my")
    await grandma.wait_for_text("您家的诉求", after=asked["message_id"])
    assert len(reminders()) == 1

    await restart(timedelta(days=7, minutes=5))  # then it closes, as before
    await grandma.wait_for_text("超时", after=reminder["message_id"], timeout=60)
    assert len(reminders()) == 1


async def test_extend_refuses_a_date_past_the_cap(sandbox: Sandbox, start_bot: StartBot) -> None:
    """``[deadlines] max_extend`` (30 days past the current due time) was already there:
    a date decades ahead is refused with the latest date allowed, and nothing changes."""
    county = await a_county(sandbox, start_bot)
    grandma = await county.villager(2001, "秀英", "H0001")
    cadre = await county.cadre("K007", "郑小红")
    receipt = await filed(grandma, "家里停电了")
    number = number_in(receipt)
    case = await new_case(cadre, number)
    await cadre.press(case, text="受理")
    await grandma.wait_for_text("已受理您的诉求")

    sent = await cadre.command("extend", f"{number} 2099-01-01 要等变压器")
    refusal = await cadre.wait_for_text("最多只能延到", after=sent["message_id"])
    assert number in refusal["text"]
    assert "没有改动" in refusal["text"]
    assert not any("延到" in str(m.get("text")) for m in grandma.messages())
