"""Threads, played through the sandbox with the real bot (issue 11): a follow-up that is
another matter is split off with 「另起一件事」 (once); a villager's swipe-reply to a
receipt of thirteen hours ago joins that request, and the cadre's swipe-reply to the
relay reaches her as the answer; a phone bound to two households is asked before it
switches, and its receipts say for which household."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.sandbox.server import Sandbox
from tests.e2e.conftest import StartBot
from tests.e2e.harness import pin
from tests.e2e.support import replying_to
from tests.e2e.test_requests_cadre import new_case, number_in
from tests.e2e.test_withdraw import a_county, labels

SPLIT = "➕ 这是另一件事，另起诉求"


def text_of(message: dict[str, Any]) -> str:
    return str(message.get("text") or message.get("caption") or "")


async def test_another_matter_then_swipe_replies_on_both_sides_after_thirteen_hours(
    sandbox: Sandbox, start_bot: StartBot
) -> None:
    county = await a_county(sandbox, start_bot)
    grandma = await county.villager(2001, "秀英", "H0001")
    cadre = await county.cadre("K007", "郑小红")
    asked = await grandma.send_text("村口的路灯坏了")
    receipt = await grandma.wait_for(replying_to(asked["message_id"]))
    lamp = number_in(receipt)
    await new_case(cadre, lamp)

    # Another matter, sent within the conversation: "已补充", with 「另起一件事」.
    roof = await grandma.send_text("另外我家屋顶漏雨")
    added = await grandma.wait_for(replying_to(roof["message_id"]))
    assert f"已补充到诉求 {lamp}" in added["text"]
    assert SPLIT in labels(added)
    pressed = button_data(added, SPLIT)
    assert len(pressed.encode()) <= 64
    await grandma.press(added, text=SPLIT)
    split = await grandma.wait_for(
        lambda m: replying_to(roof["message_id"])(m) and "已登记您的诉求" in text_of(m)
    )
    other = number_in(split)
    assert other != lamp
    card = await new_case(cadre, other)
    assert "屋顶漏雨" in card["text"]
    await sandbox.wait_until(lambda: any(other in a for a in grandma.callback_answers()))
    # Pressed again (the button is gone; a stale client still sends it): nothing new.
    await grandma.press_raw(added["message_id"], pressed)
    await sandbox.wait_until(lambda: any("没有再登记" in a for a in grandma.callback_answers()))
    await grandma.press_raw(added["message_id"], "th:new:999999")  # forged
    await sandbox.wait_until(
        lambda: any("什么也没有改变" in a for a in grandma.callback_answers())
    )
    assert sum("已登记您的诉求" in text_of(m) for m in grandma.messages()) == 2

    # Thirteen hours later: a new message is a new request; a swipe-reply to the first
    # receipt joins the street lamp's request all the same.
    assert await county.bot.stop() == 0
    county.bot.clock = pin(sandbox, county.bot.now() + timedelta(hours=13))
    await county.bot.start()
    later = await grandma.send_text("低保的事想问问")
    fresh = await grandma.wait_for(replying_to(later["message_id"]))
    assert "已登记您的诉求" in fresh["text"]
    assert number_in(fresh) not in (lamp, other)
    again = await grandma.reply_to(receipt["message_id"], "路灯还是不亮")
    joined = await grandma.wait_for(replying_to(again["message_id"]))
    assert f"已补充到诉求 {lamp}" in joined["text"]
    relay = await cadre.wait_for(lambda m: "路灯还是不亮" in m["text"] and lamp in m["text"])

    # The cadre swipes to reply to the relay: it is the answer to the street lamp.
    await cadre.reply_to(relay["message_id"], "明天上午去修")
    answer = await grandma.wait_for(lambda m: "明天上午去修" in text_of(m))
    assert lamp in answer["text"]
    assert "郑小红" in answer["text"]
    await cadre.wait_for(lambda m: f"已把您的回复转给村民（{lamp}）" in m["text"])


def button_data(message: dict[str, Any], label: str) -> str:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    (data,) = [b["callback_data"] for row in rows for b in row if b["text"] == label]
    return str(data)


async def test_a_second_household_is_switched_to_only_when_asked_and_receipts_name_it(
    sandbox: Sandbox, start_bot: StartBot
) -> None:
    county = await a_county(sandbox, start_bot)
    phone = await county.villager(2001, "秀英", "H0001")
    first = await phone.send_text("我家的水管漏水")
    receipt = await phone.wait_for(replying_to(first["message_id"]))
    assert "为 " not in receipt["text"]  # one household: nothing to name

    await phone.start(county.households["H0002"])  # the neighbour's card, on her phone
    asked = await phone.wait_for_text("之后发来的消息仍算 王秀英 家的")
    assert labels(asked) == ["切换到 李大山 家", "仍为 王秀英 家"]
    second = await phone.send_text("院墙裂了")
    still = await phone.wait_for(replying_to(second["message_id"]))
    assert still["text"].startswith("为 王秀英 家登记")

    await phone.press(asked, text="切换到 李大山 家")
    await phone.wait_for_text("李大山", after=asked["message_id"])
    third = await phone.send_text("李家门口的路坏了")
    switched = await phone.wait_for(replying_to(third["message_id"]))
    assert switched["text"].startswith("为 李大山 家登记")
    assert "已登记您的诉求" in switched["text"]
