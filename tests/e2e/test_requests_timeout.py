"""销号 by timeout: a resolved request the villager never answers closes by itself, marked
"confirmed by timeout", and both sides are told. The sweep runs from PTB's JobQueue."""

from __future__ import annotations

import pytest

from bot.sandbox.server import Sandbox
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ROOT
from tests.e2e.test_binding import SETTINGS, lianxin, printed_codes
from tests.e2e.test_requests_cadre import County, new_case, number_in

SHORT = (
    SETTINGS
    + """
[requests]
confirm_within = "3s"
sweep_every = "1s"
"""
)


@pytest.fixture
async def hurried_county(sandbox: Sandbox, start_bot: StartBot) -> County:
    bot = await start_bot(extra=SHORT)
    await lianxin(bot.config, "roster", "import", str(ROOT / "bot" / "samples" / "roster"))
    return County(bot, sandbox, await printed_codes(bot), await printed_codes(bot, "--cadres"))


async def test_an_unanswered_resolution_closes_by_timeout(
    sandbox: Sandbox, hurried_county: County
) -> None:
    county = hurried_county
    grandma = await county.villager(2001, "秀英", "H0001")
    cadre = await county.cadre("K007", "郑小红")
    await grandma.send_text("门口的水管漏水")
    number = number_in(await grandma.wait_for_text("已登记您的诉求"))
    case = await new_case(cadre, number)
    await cadre.press(case, text="办结")
    await cadre.wait_for_text("请发送办结说明")
    await cadre.send_text("已经修好")
    resolved = await grandma.wait_for_text("已办结")

    told = await grandma.wait_for_text("超时", after=resolved["message_id"], timeout=60)
    assert number in told["text"]
    closed = await cadre.wait_for_text("超时", timeout=60)
    assert number in closed["text"]
    # The confirmation buttons are stale now: pressing one changes nothing.
    before = len(grandma.callback_answers())
    await grandma.press(resolved, text="已解决，满意")
    await sandbox.wait_until(lambda: len(grandma.callback_answers()) > before)
    assert "什么也没有改变" in grandma.callback_answers()[-1]
