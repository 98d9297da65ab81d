"""Deadlines with the real bot against the sandbox, with due times of seconds: a request
nobody takes up is reminded of once, then stays with the village cadre (K007), who is
urged once (督办) while the T01 supervisor (K003) reads it in the digest, and a restart
in the middle repeats neither; with ``deadlines.escalate_after`` set it climbs to the
township cadre (K004), the villager and the supervisor are told and the new handler can
act. ``/extend`` sets a later date once, with the reason the villager sees."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest

from bot.sandbox.server import Sandbox
from bot.sandbox.users import SandboxUser
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ROOT, pin
from tests.e2e.test_binding import SETTINGS, lianxin, printed_codes
from tests.e2e.test_requests_cadre import County, new_case, number_in

SHORT = (
    SETTINGS
    + """
[requests]
sweep_every = "1s"

[deadlines]
acknowledge = "8s"
remind_before = "1h"
"""
)
DIGEST_AT = time(8, 0)  # [schedule.digest] at, left at its default


async def hurried(sandbox: Sandbox, start_bot: StartBot) -> County:
    bot = await start_bot(extra=SHORT)
    await lianxin(bot.config, "roster", "import", str(ROOT / "bot" / "samples" / "roster"))
    return County(bot, sandbox, await printed_codes(bot), await printed_codes(bot, "--cadres"))


def reminders(cadre: SandboxUser, number: str) -> list[dict[str, Any]]:
    return [m for m in cadre.messages() if "提醒" in str(m.get("text")) and number in m["text"]]


def next_digest(now: datetime) -> datetime:
    """The next time the supervisors' daily digest falls due (the default, 08:00)."""
    today = datetime.combine(now.date(), DIGEST_AT, now.tzinfo)
    return today if today > now else today + timedelta(days=1)


@pytest.mark.parametrize("down_over_the_digest", [False, True])
async def test_an_unanswered_request_stays_its_handler_is_urged_and_a_restart_repeats_nothing(
    sandbox: Sandbox, start_bot: StartBot, down_over_the_digest: bool
) -> None:
    county = await hurried(sandbox, start_bot)
    grandma = await county.villager(2001, "秀英", "H0001")
    village = await county.cadre("K007", "郑小红")
    township = await county.cadre("K004", "李强")
    supervisor = await county.cadre("K003", "孙丽")
    await grandma.send_text("村口的路塌了一块")
    receipt = await grandma.wait_for_text("已登记您的诉求")
    number = number_in(receipt)
    card = await new_case(village, number)

    # Halfway to the 8s response time: one reminder. Then the bot restarts.
    await village.wait_for(lambda m: "提醒" in m["text"] and number in m["text"], timeout=60)
    assert await county.bot.stop() == 0
    if down_over_the_digest:
        # It comes back after 08:00: the supervisor's daily digest, which lists this
        # request, goes out at start; no message of its own.
        county.bot.clock = pin(sandbox, next_digest(county.bot.now()))
    await county.bot.start()

    urged = await village.wait_for(
        lambda m: "📣 督办" in m["text"] and number in m["text"], timeout=60
    )
    assert "超过受理时限" in urged["text"]
    if down_over_the_digest:
        await supervisor.wait_for(lambda m: "督办摘要" in m["text"] and number in m["text"])
    assert "reply_markup" not in urged  # the card keeps the case's only live buttons
    # The card was re-rendered with the time passed; the handler takes it up from it.
    await village.wait_for(lambda m: m["message_id"] == card["message_id"] and "⏰" in m["text"])
    await village.press(card, text="受理")
    await grandma.wait_for_text("已受理您的诉求", timeout=60)

    assert len(reminders(village, number)) == 1  # not again after the restart
    urges = [m for m in village.messages() if "📣 督办" in str(m.get("text"))]
    assert len(urges) == 1
    assert not [m for m in township.messages() if number in str(m.get("text"))]
    to_supervisor = [m for m in supervisor.messages() if number in str(m.get("text"))]
    assert all("督办摘要" in m["text"] for m in to_supervisor)  # only ever a digest line
    assert not [m for m in grandma.messages() if "已上报" in str(m.get("text"))]


async def test_past_escalate_after_it_climbs_and_everyone_hears(
    sandbox: Sandbox, start_bot: StartBot
) -> None:
    extra = SHORT.replace(
        'remind_before = "1h"\n',
        'remind_before = "1h"\nescalate_after = "4s"\n\n'
        '[notices]\nsupervisors = "instant"\nadmins = "instant"\n',
    )
    bot = await start_bot(extra=extra)
    await lianxin(bot.config, "roster", "import", str(ROOT / "bot" / "samples" / "roster"))
    county = County(bot, sandbox, await printed_codes(bot), await printed_codes(bot, "--cadres"))
    grandma = await county.villager(2001, "秀英", "H0001")
    village = await county.cadre("K007", "郑小红")
    township = await county.cadre("K004", "李强")
    supervisor = await county.cadre("K003", "孙丽")
    await grandma.send_text("村口的路塌了一块")
    receipt = await grandma.wait_for_text("已登记您的诉求")
    number = number_in(receipt)
    await new_case(village, number)

    escalated = await township.wait_for(
        lambda m: "上报到您这里" in m["text"] and number in m["text"], timeout=60
    )
    assert "超过受理时限" in escalated["text"]
    assert "村口的路塌了一块" in escalated["text"]  # the whole case
    told = await grandma.wait_for_text("已上报", after=receipt["message_id"], timeout=60)
    assert "李强" in told["text"]
    notice = await supervisor.wait_for(
        lambda m: "已自动上报" in m["text"] and number in m["text"], timeout=60
    )
    await village.wait_for(lambda m: "改由" in m["text"] and number in m["text"], timeout=60)
    await township.press(escalated, text="受理")
    await grandma.wait_for_text("已受理您的诉求", timeout=60)
    await supervisor.press(notice, text="查看诉求")
    await supervisor.wait_for(lambda m: "村口的路塌了一块" in m["text"], timeout=60)


async def test_the_handler_extends_once_and_the_villager_sees_why(
    sandbox: Sandbox, start_bot: StartBot
) -> None:
    county = await hurried(sandbox, start_bot)
    grandma = await county.villager(2001, "秀英", "H0001")
    village = await county.cadre("K007", "郑小红")
    await grandma.send_text("家里停电了")
    receipt = await grandma.wait_for_text("已登记您的诉求")
    number = number_in(receipt)
    case = await new_case(village, number)
    await village.press(case, text="受理")
    await grandma.wait_for_text("已受理您的诉求")

    today = county.bot.now().date()
    later = today + timedelta(days=10)  # ahead for the bot, within deadlines.max_extend (30d)
    await village.command("extend", f"{number} {later.isoformat()} 要等变压器")
    await village.wait_for_text("已把")
    told = await grandma.wait_for_text("延到", after=receipt["message_id"])
    assert "要等变压器" in told["text"]
    year = f"{later.year}年" if later.year != today.year else ""
    assert f"延到 {year}{later.month}月{later.day}日" in told["text"]

    again = later + timedelta(days=1)
    await village.command("extend", f"{number} {again.isoformat()} 还要等")
    await village.wait_for_text("已经延期过一次")
    await village.command("extend", f"{number} 月底 还要等")  # 明天 is a date now (issue 11)
    await village.wait_for_text("不是日期")
    await village.command("extend", f"LX-{later.year}-999999 {again.isoformat()} 还要等")
    await village.wait_for_text("没有找到")
