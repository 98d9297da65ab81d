"""督办 through the sandbox with the real bot: a township secretary opens a village case
and, with their own buttons, urges with a note (the handler reads it at once), takes it
personally (包案, counted by /stats), assigns it to the power station of the roster's
departments sheet (its contact gets the case and answers the villager), and moves
another case up a tier; forged 督办 presses are refused and change nothing."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.server import Sandbox
from bot.sandbox.users import SandboxUser
from tests.e2e.conftest import StartBot
from tests.e2e.harness import ROOT
from tests.e2e.test_binding import SETTINGS, lianxin, printed_codes
from tests.e2e.test_requests_cadre import County, new_case, number_in, refusals, refused

# 东坪供电所 serves the township 东坪镇 (T01) through 周芳 (K005); 县水利局 the county.
DEPARTMENTS = "id,name,region_id,contact_id\nD01,东坪供电所,T01,K005\nD02,县水利局,C01,K002\n"


@pytest.fixture
async def county(sandbox: Sandbox, start_bot: StartBot, tmp_path: Path) -> County:
    """The sample county, imported with a fifth file: departments.csv."""
    folder = tmp_path / "roster"
    shutil.copytree(ROOT / "bot" / "samples" / "roster", folder)
    (folder / "departments.csv").write_text(DEPARTMENTS, encoding="utf-8")
    bot = await start_bot(extra=SETTINGS)
    imported = await lianxin(bot.config, "roster", "import", str(folder))
    assert "部门：新增 2" in imported, imported
    return County(bot, sandbox, await printed_codes(bot), await printed_codes(bot, "--cadres"))


async def supervisor_card(supervisor: SandboxUser, number: str) -> dict[str, Any]:
    """``/inbox LX-…`` as the supervisor: the case with the 督办 buttons."""
    await supervisor.command("inbox", number)
    return await supervisor.wait_for(
        lambda m: f"诉求 {number}" in m["text"] and "du:urge:" in str(m.get("reply_markup"))
    )


def request_id(card: dict[str, Any]) -> str:
    found = re.search(r"du:urge:(\d+)", str(card["reply_markup"]))
    assert found, card
    return found.group(1)


async def test_a_supervisor_urges_takes_assigns_and_moves_up(
    sandbox: Sandbox, county: County
) -> None:
    grandma = await county.villager(2001, "秀英", "H0001")
    handler = await county.cadre("K007", "郑小红")  # tier 1 of 柳树村
    secretary = await county.cadre("K003", "孙丽")  # supervises 东坪镇
    power = await county.cadre("K005", "周芳")  # 东坪供电所's contact

    await grandma.send_text("家门口的电线杆歪了，怕倒")
    number = number_in(await grandma.wait_for_text("已登记您的诉求"))
    case = await new_case(handler, number)

    # 催办 with a note: the handler reads it at once; her card keeps the buttons.
    card = await supervisor_card(secretary, number)
    await secretary.press(card, text="📣 催办")
    await secretary.wait_for_text("写一句对诉求")
    await secretary.send_text("今天下午务必到现场看看")
    urged = await handler.wait_for_text("【督办】孙丽")
    assert "今天下午务必到现场看看" in urged["text"]
    assert "reply_markup" not in urged
    shown = next(m for m in handler.messages() if m["message_id"] == case["message_id"])
    assert "rq:reply:" in str(shown["reply_markup"])
    await secretary.wait_for_text(f"已催办诉求 {number}")

    # 包案: the handler keeps the work; the household hears; /stats counts it.
    await secretary.press(card, text="🧑‍💼 包案")
    await handler.wait_for_text("【包案】孙丽")
    await grandma.wait_for_text("包案督办")
    await secretary.command("stats")
    figures = await secretary.wait_for_text("📊 东坪镇")
    assert "领导包案 1 件" in figures["text"]
    last = secretary.messages()[-1]["message_id"]
    await secretary.command("inbox", number)
    reopened = await secretary.wait_for(
        lambda m: f"诉求 {number}" in m["text"] and "du:" in str(m.get("reply_markup")),
        after=last,
    )
    assert "孙丽已包案督办" in reopened["text"]
    assert "du:take:" not in str(reopened["reply_markup"])  # once per case

    # Opened again, the case's card is the new one: the old one's buttons are gone.
    old = next(m for m in secretary.messages() if m["message_id"] == card["message_id"])
    assert not old.get("reply_markup", {}).get("inline_keyboard")
    card = reopened

    # 交办 to the power station: its contact gets the case and answers the villager.
    await secretary.press(card, text="📤 交办")
    choices = await secretary.wait_for_text("交办给哪个部门")
    assert "县水利局" in str(choices["reply_markup"])  # the county's serves it too
    await secretary.press(choices, text="东坪供电所（周芳）")
    case = await power.wait_for(
        lambda m: "【交办】" in m["text"] and "inline_keyboard" in str(m.get("reply_markup"))
    )
    assert number in case["text"]
    assert "电线杆歪了" in case["text"]
    await handler.wait_for_text("已交办给东坪供电所")
    told = await grandma.wait_for_text("已交办给东坪供电所")
    assert "周芳" in told["text"]
    await power.press(case, text="回复")
    await power.wait_for_text("请发送")
    await power.send_text("明天上午带人来扶正")
    answer = await grandma.wait_for_text("明天上午带人来扶正")
    assert "周芳" in answer["text"]

    # 转上级办理 on another case: 李大山's goes from 郑小红 to 李强 (tier 2).
    neighbour = await county.villager(2002, "大山", "H0002")
    township = await county.cadre("K004", "李强")
    await neighbour.send_text("低保材料交了两个月没回音")
    second = number_in(await neighbour.wait_for_text("已登记您的诉求"))
    await new_case(handler, second)
    other = await supervisor_card(secretary, second)
    await secretary.press(other, text="⬆️ 转上级办理")
    moved = await new_case(township, second)
    assert "上级督办决定转上级办理" in moved["text"]
    await secretary.wait_for_text(f"已把诉求 {second} 转上级办理")


async def test_forged_supervision_presses_are_refused(sandbox: Sandbox, county: County) -> None:
    grandma = await county.villager(2001, "秀英", "H0001")
    handler = await county.cadre("K007", "郑小红")
    secretary = await county.cadre("K003", "孙丽")
    stranger = await county.cadre("K006", "吴海")  # supervises 西河乡, not 柳树村

    await grandma.send_text("村口路灯坏了")
    number = number_in(await grandma.wait_for_text("已登记您的诉求"))
    case = await new_case(handler, number)
    rid = request_id(await supervisor_card(secretary, number))

    # Another township's secretary, the handler herself (not a supervisor), and the
    # supervisor with a department that does not exist, a huge id or junk: refused.
    for person, message_id, data in (
        (stranger, None, f"du:take:{rid}"),
        (stranger, None, f"du:to:{rid}:D01"),
        (handler, case["message_id"], f"du:take:{rid}"),
        (secretary, None, f"du:to:{rid}:D99"),
        (secretary, None, "du:up:99999999999999999999999"),
        (secretary, None, f"du:take:{rid}²"),
    ):
        before = refusals(person)
        target = message_id or person.messages()[-1]["message_id"]
        await person.press_raw(target, data)
        await refused(sandbox, person, before)

    # Nothing changed: 郑小红 still handles it, nobody took it, no one was told.
    last = handler.messages()[-1]["message_id"]
    await handler.command("inbox")
    listed = await handler.wait_for_text("LX-", after=last)
    assert number in listed["text"]
    assert not any("包案" in str(m.get("text")) for m in grandma.messages())
    assert not any("【督办】" in str(m.get("text")) for m in handler.messages())
