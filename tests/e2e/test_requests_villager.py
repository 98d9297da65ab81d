"""The villager's side of a request, played through the sandbox with the real bot.

The administrator imports the sample county and prints the cards (as in test_binding);
villagers and the village cadre 郑小红 (K007) bind with them. The cadre's own actions are
pressed on her buttons, as she would.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.sandbox.server import Sandbox
from bot.sandbox.users import SandboxUser
from tests.e2e.harness import BotProcess
from tests.e2e.support import replying_to
from tests.e2e.test_binding import county, printed_codes

__all__ = ["county"]  # the fixture, shared with the binding tests

NUMBER = re.compile(r"LX-\d{4}-\d{6}")
DUE = re.compile(r"\d{1,2}月\d{1,2}日 \d\d:\d\d")


def number_in(message: dict[str, Any]) -> str:
    found = NUMBER.search(str(message.get("text") or message.get("caption") or ""))
    assert found, message
    return found.group()


async def bind(person: SandboxUser, code: str, greeting: str = "已经绑定") -> None:
    after = person.messages()[-1]["message_id"] if person.messages() else None
    await person.start(code)
    await person.wait_for_text(greeting, after=after)


@pytest.fixture
async def cadre(sandbox: Sandbox, county: BotProcess) -> SandboxUser:
    """郑小红, first contact of 王秀英's and 李大山's households, bound."""
    codes = await printed_codes(county, "--cadres")
    person = sandbox.user(3007, "郑小红")
    await bind(person, codes["K007"], "已经绑定为干部")
    return person


@pytest.fixture
async def codes(county: BotProcess) -> dict[str, str]:
    return await printed_codes(county)


async def test_a_voice_note_alone_is_a_request_at_once(
    sandbox: Sandbox, codes: dict[str, str], cadre: SandboxUser
) -> None:
    grandma = sandbox.user(2001, "秀英")
    await bind(grandma, codes["H0001"])
    assert grandma.reply_keyboard() == [
        ["📇 我的干部"],
        ["📋 我的诉求"],
        ["🔒 反映干部问题"],
        ["🏛 接待日"],
    ]
    sent = await grandma.send_voice()
    receipt = await grandma.wait_for(replying_to(sent["message_id"]))
    text = receipt["text"]
    assert "已登记您的诉求" in text
    assert "郑小红（村干部）" in text
    assert DUE.search(text), text
    number = number_in(receipt)
    # The categories, urgent and "about my cadre" are offered, none required.
    labels = [b["text"] for row in receipt["reply_markup"]["inline_keyboard"] for b in row]
    assert {"道路", "用水", "用电", "其他", "🚨 紧急", "反映的是我家的包联干部"} <= set(labels)
    # The cadre has it with the voice note.
    await cadre.wait_for_text(number)
    assert any("voice" in m for m in cadre.messages())


async def test_a_photo_request_and_its_category_buttons(
    sandbox: Sandbox, codes: dict[str, str], cadre: SandboxUser
) -> None:
    grandma = sandbox.user(2001, "秀英")
    await bind(grandma, codes["H0001"])
    sent = await grandma.send_photo(caption="自来水管爆了")
    receipt = await grandma.wait_for(replying_to(sent["message_id"]))
    number = number_in(receipt)
    await cadre.wait_for_text("自来水管爆了")

    await grandma.press(receipt, text="用水")
    await sandbox.wait_until(lambda: "已选类别：用水" in grandma.callback_answers())
    await grandma.wait_for(
        lambda m: m["message_id"] == receipt["message_id"] and _has(m, "✅ 用水")
    )
    await grandma.press(receipt, text="🚨 紧急")
    await sandbox.wait_until(
        lambda: any("已标为紧急" in answer for answer in grandma.callback_answers())
    )
    listed = await grandma.command("my")
    mine = await grandma.wait_for_text("您家的诉求", after=listed["message_id"] - 1)
    assert f"{number}｜用水·紧急｜待受理｜郑小红" in mine["text"]
    await grandma.press(mine, text=f"查看 {number}")
    detail = await grandma.wait_for_text("经过：")
    for said in ("秀英登记：自来水管爆了", "系统派给：郑小红", "秀英标注：用水", "秀英标注：紧急"):
        assert said in detail["text"]


async def test_two_phones_of_a_household_both_see_the_request_and_the_reply(
    sandbox: Sandbox, codes: dict[str, str], cadre: SandboxUser
) -> None:
    grandma, son = sandbox.user(2001, "秀英"), sandbox.user(2002, "大儿子")
    await bind(grandma, codes["H0001"])
    await bind(son, codes["H0001"])
    sent = await son.send_text("村口的路灯坏了一个星期了")
    receipt = await son.wait_for(replying_to(sent["message_id"]))
    number = number_in(receipt)
    await grandma.wait_for_text(number)  # the other phone has the receipt too

    case = await cadre.wait_for_text("村口的路灯坏了")
    await cadre.press(case, text="回复")
    asked = await cadre.wait_for_text("请发送给村民的回复")
    await cadre.send_text("明天上午就去换")
    await cadre.wait_for_text("已把您的回复转给村民", after=asked["message_id"])
    for person in (grandma, son):
        reply = await person.wait_for_text("明天上午就去换")
        assert "郑小红（村干部）回复您的诉求" in reply["text"]
        assert number in reply["text"]

    # The son's answer joins the same request and reaches the cadre.
    said = await son.send_text("好的，谢谢")
    joined = await son.wait_for(replying_to(said["message_id"]))
    assert f"已补充到诉求 {number}" in joined["text"]
    await cadre.wait_for_text("好的，谢谢")

    # The son confirms; grandma's phone hears that it is closed, and how.
    await cadre.press(case, text="办结")
    await cadre.wait_for_text("请发送办结说明")
    await cadre.send_text("灯已经换好了")
    ask = await son.wait_for_text("问题解决了吗")
    await grandma.wait_for_text("问题解决了吗")
    await son.press(ask, text="已解决，满意")
    told = await grandma.wait_for_text("已由家人确认销号")
    assert number in told["text"]
    assert "已解决，满意" in told["text"]


async def test_resolved_confirmed_once_and_not_solved_reopens(
    sandbox: Sandbox, codes: dict[str, str], cadre: SandboxUser
) -> None:
    grandma = sandbox.user(2001, "秀英")
    await bind(grandma, codes["H0001"])
    await grandma.send_text("低保的钱这个月没到")
    case = await cadre.wait_for_text("低保的钱")
    await cadre.press(case, text="办结")
    await cadre.wait_for_text("请发送办结说明")
    await cadre.send_text("已经查过，明天到账")
    ask = await grandma.wait_for_text("问题解决了吗")
    await grandma.press(ask, text="没有解决")
    reopened = await grandma.wait_for_text("已重新交给 郑小红")
    said = await grandma.send_text("还是没到账")
    relayed = await grandma.wait_for(replying_to(said["message_id"]))
    assert "已把您说的原因转告" in relayed["text"]
    await cadre.wait_for_text("还是没到账")
    # A stale "satisfied" on the old message changes nothing (it is open again).
    await grandma.press_raw(
        ask["message_id"], ask["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    )
    await sandbox.wait_until(
        lambda: any("什么也没有改变" in a for a in grandma.callback_answers())
    )

    returned = await cadre.wait_for_text(f"{number_in(reopened)}（王秀英家）村民说还没有解决")
    # The buttons are on the case card (edited in place), not on the notice.
    await cadre.wait_for(
        lambda m: m["message_id"] == case["message_id"] and "村民 补充" in m["text"]
    )
    await cadre.press(case, text="办结")
    await cadre.wait_for_text("请发送办结说明", after=returned["message_id"])
    await cadre.send_text("今天已到账")
    again = await grandma.wait_for_text("今天已到账")
    await grandma.press(again, text="已解决，满意")
    await grandma.wait_for_text("已销号：已解决，满意")
    await grandma.press_raw(
        again["message_id"], again["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    )
    await sandbox.wait_until(
        lambda: sum("什么也没有改变" in a for a in grandma.callback_answers()) == 2
    )
    await grandma.command("my")
    mine = await grandma.wait_for_text("您家的诉求")
    assert "已销号" in mine["text"]


async def test_a_shared_phone_chooses_its_household_before_filing(
    sandbox: Sandbox, codes: dict[str, str], cadre: SandboxUser
) -> None:
    helper = sandbox.user(2020, "网格员小王")
    await bind(helper, codes["H0001"])
    await bind(helper, codes["H0003"])
    await helper.send_text("🏠 换一户")
    chooser = await helper.wait_for_text("请选择现在说的是哪一户")
    await helper.press(chooser, text="王秀英（柳树村一组3号）")
    await helper.wait_for_text("现在说的是「王秀英」家")
    sent = await helper.send_text("王奶奶家屋顶漏雨")
    first = await helper.wait_for(replying_to(sent["message_id"]))
    assert "郑小红（村干部）" in first["text"]

    await helper.send_text("🏠 换一户")
    chooser = await helper.wait_for_text("请选择现在说的是哪一户", after=first["message_id"])
    await helper.press(chooser, text="张桂兰（柳树村二组2号）")
    await helper.wait_for_text("现在说的是「张桂兰」家")
    sent = await helper.send_text("张奶奶家的电表坏了")
    second = await helper.wait_for(replying_to(sent["message_id"]))
    assert number_in(second) != number_in(first)  # a new request, not joined to the first
    # 张桂兰's first contact 王磊 has no account; his AB post 郑小红 stands in.
    assert "由 AB 岗代为办理" in second["text"]
    await helper.command("my")
    mine = await helper.wait_for_text("您家的诉求")
    assert "（王秀英家）" in mine["text"]
    assert "（张桂兰家）" in mine["text"]


async def test_another_households_request_is_not_shown_nor_pressed(
    sandbox: Sandbox, codes: dict[str, str], cadre: SandboxUser
) -> None:
    grandma, neighbour = sandbox.user(2001, "秀英"), sandbox.user(2003, "桂兰")
    await bind(grandma, codes["H0001"])
    await bind(neighbour, codes["H0003"])
    sent = await neighbour.send_text("我家门口的水沟堵了")
    theirs = await neighbour.wait_for(replying_to(sent["message_id"]))
    number = number_in(theirs)
    asked = await grandma.command("my", number)
    answer = await grandma.wait_for_text("没有找到这条诉求", after=asked["message_id"] - 1)
    assert number not in answer["text"]
    # A forged button for their request, pressed on one of grandma's messages.
    category = theirs["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    request_id = category.split(":")[2]
    for forged in (f"rv:ok:{request_id}", f"rv:urg:{request_id}", f"rv:up:{request_id}"):
        await grandma.press_raw(answer["message_id"], forged)
    await sandbox.wait_until(
        lambda: sum("什么也没有改变" in a for a in grandma.callback_answers()) == 3
    )
    await neighbour.command("my")
    mine = await neighbour.wait_for_text("您家的诉求")
    assert f"{number}｜其他｜待受理" in mine["text"]


def _labels(message: dict[str, Any]) -> list[str]:
    return [
        b["text"]
        for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        for b in row
    ]


def _has(message: dict[str, Any], label: str) -> bool:
    return label in _labels(message)


async def test_about_my_cadre_goes_to_the_supervisor_above_the_cadre(
    sandbox: Sandbox, county: BotProcess, codes: dict[str, str], cadre: SandboxUser
) -> None:
    supervisor = sandbox.user(3003, "孙丽")
    await bind(supervisor, (await printed_codes(county, "--cadres"))["K003"], "已经绑定为干部")
    grandma = sandbox.user(2001, "秀英")
    await bind(grandma, codes["H0001"])
    sent = await grandma.send_text("村干部收了修路钱不办事")
    receipt = await grandma.wait_for(replying_to(sent["message_id"]))
    number = number_in(receipt)
    await cadre.wait_for_text(number)
    await grandma.press(receipt, text="反映的是我家的包联干部")
    moved = await grandma.wait_for_text("现在由 孙丽（乡镇书记）办理")
    assert number in moved["text"]
    assert "保密反映" in moved["text"]
    await supervisor.wait_for_text("村干部收了修路钱不办事")
    # The cadre it is about is not told, and her copy is deleted (tests/e2e/test_confidential.py).
    await sandbox.wait_until(lambda: not any(number in str(m) for m in cadre.messages()))
    # Only once: the button is gone from the receipt, and pressing it again changes nothing.
    await grandma.wait_for(
        lambda m: (
            m["message_id"] == receipt["message_id"] and "反映的是我家的包联干部" not in _labels(m)
        )
    )
    data = next(
        b["callback_data"]
        for row in receipt["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == "反映的是我家的包联干部"
    )
    await grandma.press_raw(receipt["message_id"], data)
    await sandbox.wait_until(
        lambda: any("什么也没有改变" in a for a in grandma.callback_answers())
    )


async def test_a_place_files_and_a_contact_joins_the_request(
    sandbox: Sandbox, codes: dict[str, str], cadre: SandboxUser
) -> None:
    grandma = sandbox.user(2001, "秀英")
    await bind(grandma, codes["H0001"])
    sent = await grandma.send_location(25.04, 102.71)
    receipt = await grandma.wait_for(replying_to(sent["message_id"]))
    number = number_in(receipt)
    await cadre.wait_for(lambda m: m["location"]["latitude"] == 25.04)
    shared = await grandma.send_contact("13900001111", "村医老张")
    joined = await grandma.wait_for(replying_to(shared["message_id"]))
    assert f"已补充到诉求 {number}" in joined["text"]
    await grandma.command("my", number)
    detail = await grandma.wait_for_text("经过：")
    assert "秀英登记：［位置］" in detail["text"]
    assert "秀英补充：［名片］" in detail["text"]
