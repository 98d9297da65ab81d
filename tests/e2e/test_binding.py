"""Binding through the sandbox with the codes the administrator printed.

The administrator's steps are the real command line (roster import, cards as CSV);
villagers and cadres then open the deep links from that CSV, as scanning the card would.
"""

from __future__ import annotations

import asyncio
import csv
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from bot.sandbox.server import Sandbox
from bot.sandbox.users import SandboxUser
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ROOT, BotProcess

SETTINGS = """
[cards]
bot_username = "lianxin_sandbox_bot"

[binding]
phones_per_household = 2
max_wrong_codes = 3
"""


async def lianxin(config: Path, *args: str) -> str:
    """Run a ``lianxin`` command as the administrator would; fail loudly if it fails."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=ROOT,
    )
    out, _ = await process.communicate()
    text = out.decode()
    assert process.returncode == 0, text
    return text


async def printed_codes(bot: BotProcess, *extra: str) -> dict[str, str]:
    """Card CSV for the whole county: holder id -> the start payload of its link."""
    out = bot.config.parent / f"cards{len(extra)}.csv"
    await lianxin(
        bot.config, "cards", "--region", "C01", "--format", "csv", "--out", str(out), *extra
    )
    with out.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    key = "cadre_id" if "--cadres" in extra else "household_id"
    return {row[key]: parse_qs(urlparse(row["link"]).query)["start"][0] for row in rows}


@pytest.fixture
async def county(start_bot: StartBot) -> BotProcess:
    bot = await start_bot(extra=SETTINGS)
    await lianxin(bot.config, "roster", "import", str(ROOT / "bot" / "samples" / "roster"))
    return bot


async def test_a_villager_binds_with_the_card_and_sees_their_cadres(
    sandbox: Sandbox, county: BotProcess
) -> None:
    codes = await printed_codes(county)
    grandma = sandbox.user(2001, "秀英")
    await grandma.start(codes["H0001"])
    welcome = await grandma.wait_for_text("已经绑定到「王秀英」家")
    for cadre in ("郑小红（村干部）电话 13908710007", "李强（乡镇干部）", "赵建国（县级领导）"):
        assert cadre in welcome["text"]
    assert welcome["text"].index("郑小红") < welcome["text"].index("李强")  # tier order
    assert grandma.reply_keyboard() == [
        ["📇 我的干部"],
        ["📋 我的诉求"],
        ["🔒 反映干部问题"],
        ["🏛 接待日"],
    ]

    await grandma.send_text("📇 我的干部")
    listed = await grandma.wait_for_text("「王秀英」家的包联干部", after=welcome["message_id"])
    assert "第一联系人：郑小红" in listed["text"]
    await grandma.command("cadres")
    await grandma.wait_for_text("「王秀英」家的包联干部", after=listed["message_id"])

    # The same card again is harmless; a bare /start greets her as bound.
    await grandma.start(codes["H0001"])
    again = await grandma.wait_for_text("不用再绑", after=listed["message_id"])
    await grandma.start()
    await grandma.wait_for_text("不用再绑", after=again["message_id"])


async def test_a_card_binds_only_so_many_phones(sandbox: Sandbox, county: BotProcess) -> None:
    codes = await printed_codes(county)
    family = [sandbox.user(2001 + n, name) for n, name in enumerate(("秀英", "大儿子", "邻居"))]
    for person in family[:2]:
        await person.start(codes["H0002"])
        await person.wait_for_text("已经绑定到「李大山」家")
    neighbour = family[2]
    await neighbour.start(codes["H0002"])
    refused = await neighbour.wait_for_text("已经绑定了 2 部手机")
    await neighbour.send_text("我家的水管坏了")
    await neighbour.wait_for_text("您还没有绑定联系卡", after=refused["message_id"])


async def test_wrong_codes_are_answered_then_refused_for_a_while(
    sandbox: Sandbox, county: BotProcess
) -> None:
    codes = await printed_codes(county)
    guesser = sandbox.user(2009, "猜码的人")
    after: int | None = None
    for wrong in ("AAAAAAAAAAAAAAAA", "abc", "0123456789abcdef"):
        await guesser.start(wrong)
        after = (await guesser.wait_for_text("这个绑定码不对", after=after))["message_id"]
    await guesser.start(codes["H0005"])
    await guesser.wait_for_text("输错的次数太多")
    await guesser.command("cadres")
    await guesser.wait_for_text("您还没有绑定联系卡")


async def test_a_revoked_card_is_refused(sandbox: Sandbox, county: BotProcess) -> None:
    codes = await printed_codes(county)
    await lianxin(county.config, "cards", "revoke", "--household", "H0004")
    villager = sandbox.user(2010, "刘福")
    await villager.start(codes["H0004"])
    await villager.wait_for_text("这张联系卡已经作废")
    reissued = await printed_codes(county)
    assert reissued["H0004"] != codes["H0004"]
    await villager.start(reissued["H0004"])
    await villager.wait_for_text("已经绑定到「刘福」家")


async def test_a_cadre_binds_with_their_card(sandbox: Sandbox, county: BotProcess) -> None:
    codes = await printed_codes(county, "--cadres")
    secretary = sandbox.user(3003, "孙丽")
    await secretary.start(codes["K003"])
    welcome = await secretary.wait_for_text("已经绑定为干部")
    assert "乡镇书记" in welcome["text"]
    assert "您督办的区域：东坪镇" in welcome["text"]
    impostor = sandbox.user(3999, "别人")
    await impostor.start(codes["K003"])
    await impostor.wait_for_text("已经绑定在另一个账号上")
    village = sandbox.user(3007, "郑小红")
    await village.start(codes["K007"])
    bound = await village.wait_for_text("已经绑定为干部")
    assert "您联系的农户共 2 户（第一联系人 2 户）：王秀英、李大山" in bound["text"]


async def test_a_shared_phone_chooses_its_household(sandbox: Sandbox, county: BotProcess) -> None:
    codes = await printed_codes(county)
    helper = sandbox.user(2020, "网格员小王")
    await helper.start(codes["H0001"])
    first = await helper.wait_for_text("已经绑定到「王秀英」家")
    await helper.start(codes["H0003"])
    await helper.wait_for_text("已经绑定到「张桂兰」家", after=first["message_id"])
    assert helper.reply_keyboard() == [
        ["📇 我的干部"],
        ["📋 我的诉求"],
        ["🔒 反映干部问题"],
        ["🏛 接待日"],
        ["🏠 换一户"],
    ]

    await helper.send_text("🏠 换一户")
    chooser = await helper.wait_for_text("请选择现在说的是哪一户")
    await helper.press(chooser, text="王秀英（柳树村一组3号）")
    chosen = await helper.wait_for_text("现在说的是「王秀英」家")
    await helper.command("cadres")
    listed = await helper.wait_for_text("的包联干部", after=chosen["message_id"])
    assert "「王秀英」家" in listed["text"]

    # A forged button for a household this phone does not hold changes nothing.
    await helper.press_raw(chooser["message_id"], "hh:pick:H0010")
    await sandbox.wait_until(lambda: "什么也没有改变" in " ".join(helper.callback_answers()))
    await helper.command("cadres")
    after = await helper.wait_for_text("的包联干部", after=listed["message_id"])
    assert "「王秀英」家" in after["text"]


async def test_a_bound_villager_is_told_plainly_what_happens_to_a_message(
    sandbox: Sandbox, county: BotProcess
) -> None:
    codes = await printed_codes(county)
    villager: SandboxUser = sandbox.user(2030, "青山村村民")
    await villager.start(codes["H0007"])
    await villager.wait_for_text("已经绑定到")
    await villager.send_voice()
    # No cadre of 青山村 has bound yet: the request is still filed, to the first contact,
    # and the villager gets her phone (the administrators are told).
    answer = await villager.wait_for_text("已登记您的诉求")
    assert "陈静" in answer["text"]  # the tier-1 cadre of 青山村, with her phone
    assert "13908710010" in answer["text"]
