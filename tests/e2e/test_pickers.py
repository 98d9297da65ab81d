"""No typing in the field (issue 11), through the real bot against the sandbox: a cadre
files, visits and stays only by pressing buttons (the reply keyboard, the household
buttons, the location button and 跳过); ``/visit 王`` with two matches offers both; a
name found nowhere says what was searched; a forged picker button is refused and logs
nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.sandbox.server import Sandbox
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ROOT
from tests.e2e.test_access import logged_days
from tests.e2e.test_binding import SETTINGS, lianxin, printed_codes
from tests.e2e.test_requests_cadre import County


def roster_with_two_wangs(folder: Path) -> Path:
    """The sample roster with 刘福 (H0004, 柳树村二组) renamed 王福: 李强 (K004) is linked
    to 王秀英 and 王福."""
    shutil.copytree(ROOT / "bot" / "samples" / "roster", folder)
    households = folder / "households.csv"
    text = households.read_text(encoding="utf-8-sig").replace("刘福", "王福")
    households.write_text(text, encoding="utf-8-sig")
    return folder


@pytest.fixture
async def county(sandbox: Sandbox, start_bot: StartBot, tmp_path: Path) -> County:
    bot = await start_bot(extra=SETTINGS)
    await lianxin(bot.config, "roster", "import", str(roster_with_two_wangs(tmp_path / "roster")))
    return County(bot, sandbox, await printed_codes(bot), await printed_codes(bot, "--cadres"))


async def test_a_cadre_files_visits_and_stays_by_pressing_buttons(county: County) -> None:
    li = await county.cadre("K004", "李强")
    assert li.reply_keyboard() == [["📥 待办", "📝 代办登记"], ["🚶 走访", "🌙 驻村"], ["❓ 帮助"]]

    sent = await li.send_text("📝 代办登记")
    picker = await li.wait_for_text("替哪一户登记诉求", after=sent["message_id"])
    await li.press(picker, text="王秀英（柳树村一组·H0001）")
    await li.wait_for_text("请发送替「王秀英」家登记的诉求内容")
    await li.send_text("村口的路灯坏了")
    await li.wait_for_text("已替「王秀英」家登记诉求")

    sent = await li.send_text("🚶 走访")
    picker = await li.wait_for_text("走访了哪一户", after=sent["message_id"])
    await li.press(picker, text="李大山（柳树村一组·H0002）")
    await li.wait_for_text("走访（李大山家，H0002）")
    photo = await li.send_photo()  # a picture of the visit, minutes later
    await li.wait_for_text("已把照片附到您刚才的登记上", after=photo["message_id"])

    sent = await li.send_text("🌙 驻村")
    picker = await li.wait_for_text("在哪一户住村", after=sent["message_id"])
    await li.press(picker, text="张桂兰（柳树村二组·H0003）")
    await li.wait_for_text("住村（张桂兰家，H0003）")
    assert li.reply_keyboard() == [["📍 发送位置"], ["跳过"]]
    await li.send_location(25.03, 102.71)  # what the 📍 button sends
    placed = await li.wait_for_text("已把位置附到")
    assert ["📥 待办", "📝 代办登记"] in (
        li.reply_keyboard() or []
    )  # the cadre's keyboard is back

    sent = await li.command("stay")
    picker = await li.wait_for_text("在哪一户住村", after=sent["message_id"])
    await li.press(picker, text="🌙 只记驻村，不选户")  # the same night: refused (issue 12)
    await li.wait_for_text("同一晚不能再登记", after=placed["message_id"])
    skipped = await li.send_text("跳过")
    await li.wait_for_text("这次不附位置", after=skipped["message_id"])
    assert ["🚶 走访", "🌙 驻村"] in (li.reply_keyboard() or [])

    assert await logged_days(county.bot.config) == [
        ("visit", "H0002"),
        ("stay", "H0003"),
    ]


async def test_a_name_finds_one_or_offers_several_and_forged_buttons_change_nothing(
    county: County,
) -> None:
    li = await county.cadre("K004", "李强")
    sent = await li.command("visit", "王")
    several = await li.wait_for_text("户主姓名里有「王」的有 2 户", after=sent["message_id"])
    buttons = [b["text"] for row in several["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["王秀英（柳树村一组·H0001）", "王福（柳树村二组·H0004）"]
    await li.press(several, text="王福（柳树村二组·H0004）")
    await li.wait_for_text("走访（王福家，H0004）")

    sent = await li.command("file", "王秀英")  # one match: straight on
    await li.wait_for_text("请发送替「王秀英」家登记的诉求内容", after=sent["message_id"])
    sent = await li.command("visit", "赵")
    nothing = await li.wait_for_text("没有户主姓名含「赵」的", after=sent["message_id"])
    assert "/visit H0001" in nothing["text"]

    for forged in ("pk:visit:h:H0007", "pk:stay:p:99999999", "pk:file:h:H0010", "pk:visit:n"):
        await li.press_raw(several["message_id"], forged)
    await county.sandbox.wait_until(lambda: len(li.callback_answers()) >= 5, timeout=60)
    refusals = li.callback_answers()[1:]
    assert refusals == ["这个按钮已失效或不属于您，没有做任何登记。请重新发命令选户。"] * 4
    assert await logged_days(county.bot.config) == [("visit", "H0004")]
