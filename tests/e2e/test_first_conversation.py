"""The first conversation, played as people would, against the real bot process."""

from __future__ import annotations

from typing import Any

from bot.sandbox.chat_view import MessagePredicate
from bot.sandbox.server import Sandbox
from tests.e2e.conftest import StartBot

ADMIN = 9001


async def test_start_greets_in_chinese_by_default(sandbox: Sandbox, start_bot: StartBot) -> None:
    await start_bot()
    villager = sandbox.user(1001, "王秀英")
    await villager.start()
    greeting = await villager.wait_for_text("王秀英")
    assert "连心" in greeting["text"]
    assert "二维码" in greeting["text"]  # tells them how to bind


async def test_english_when_configured(sandbox: Sandbox, start_bot: StartBot) -> None:
    await start_bot(language="en")
    villager = sandbox.user(1002, "Wang", language_code="en")
    await villager.start()
    greeting = await villager.wait_for_text("Hello, Wang")
    assert "Lianxin" in greeting["text"]


async def test_help_and_menus_per_role(sandbox: Sandbox, start_bot: StartBot) -> None:
    await start_bot(admins=(ADMIN,))
    villager = sandbox.user(1001, "王秀英")
    admin = sandbox.user(ADMIN, "李书记")
    await villager.command("help")
    assert "使用说明" in (await villager.wait_for_text("扫描"))["text"]
    await admin.command("help")
    assert "/status" in (await admin.wait_for_text("管理员命令"))["text"]

    await sandbox.wait_until(lambda: len(admin.commands()) == 5)
    assert [c["command"] for c in villager.commands()] == [
        "start",
        "help",
        "cadres",
        "household",
        "my",
        "visits",
        "notices",
    ]
    assert [c["command"] for c in admin.commands()] == ["start", "help", "status", "cards", "card"]
    english = sandbox.user(1003, "Li", language_code="en")
    assert english.commands()[1]["description"] == "How to use Lianxin"


async def test_unknown_command_and_unsupported_content_get_a_kind_answer(
    sandbox: Sandbox, start_bot: StartBot
) -> None:
    await start_bot()
    villager = sandbox.user(1001, "王秀英")
    sent = await villager.command("frobnicate")
    answer = await villager.wait_for_text("没有「/frobnicate」这个命令")
    assert answer["reply_to_message"]["message_id"] == sent["message_id"]
    await villager.send_sticker()
    await villager.wait_for_text("这类消息我还看不懂")


async def test_unbound_villager_is_told_how_to_bind(sandbox: Sandbox, start_bot: StartBot) -> None:
    await start_bot()
    villager = sandbox.user(1001, "王秀英")
    for send in (villager.send_text("村口的路灯坏了"), villager.send_voice()):
        sent = await send
        answer = await villager.wait_for(_replying_to(sent["message_id"]))
        assert "还没有绑定联系卡" in answer["text"]


async def test_status_is_for_admins_only(sandbox: Sandbox, start_bot: StartBot) -> None:
    await start_bot(admins=(ADMIN,))
    villager = sandbox.user(1001, "王秀英")
    await villager.command("status")
    await villager.wait_for_text("只有管理员")
    admin = sandbox.user(ADMIN, "李书记")
    await admin.command("status")
    report = await admin.wait_for_text("运行状态")
    assert "失败 0" in report["text"]


async def test_an_old_button_says_it_expired(sandbox: Sandbox, start_bot: StartBot) -> None:
    await start_bot()
    villager = sandbox.user(1001, "王秀英")
    await villager.start()
    greeting = await villager.wait_for_text("王秀英")
    await villager.press_raw(greeting["message_id"], "req:ack:12")
    await sandbox.wait_until(lambda: bool(villager.callback_answers()))
    assert "过期" in villager.callback_answers()[0]


async def test_messages_sent_while_the_bot_was_down_are_answered(
    sandbox: Sandbox, start_bot: StartBot
) -> None:
    villager = sandbox.user(1001, "王秀英")
    await villager.send_text("有人吗？")
    await villager.send_text("路灯坏了")
    await start_bot()
    await villager.wait_for(lambda _m: len(villager.messages()) == 2)
    quoted = [m["reply_to_message"]["text"] for m in villager.messages()]
    assert quoted == ["有人吗？", "路灯坏了"]  # in the order they were sent


def _replying_to(message_id: int) -> MessagePredicate:
    def replies(message: dict[str, Any]) -> bool:
        return bool(message.get("reply_to_message", {}).get("message_id") == message_id)

    return replies
