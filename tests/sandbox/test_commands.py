"""Command menus per scope and language, as each chat sees them."""

from __future__ import annotations

import pytest
from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import BadRequest

from bot.sandbox import Sandbox

VILLAGER_MENU = [BotCommand("start", "开始"), BotCommand("mine", "我的请求")]
CADRE_MENU = [BotCommand("open", "待办"), BotCommand("stats", "统计")]


async def test_a_chat_scope_is_what_that_user_sees(bot: Bot, sandbox: Sandbox) -> None:
    villager = sandbox.user(1001, "王大爷")
    cadre = sandbox.user(2001, "李书记")
    await bot.set_my_commands(VILLAGER_MENU, scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(CADRE_MENU, scope=BotCommandScopeChat(2001))
    assert cadre.commands() == [
        {"command": "open", "description": "待办"},
        {"command": "stats", "description": "统计"},
    ]
    assert [c["command"] for c in villager.commands()] == ["start", "mine"]
    assert await bot.get_my_commands(scope=BotCommandScopeChat(2001)) == tuple(CADRE_MENU)


async def test_the_users_language_comes_before_the_default(bot: Bot, sandbox: Sandbox) -> None:
    chinese = sandbox.user(1001, "王大爷", language_code="zh")
    english = sandbox.user(1002, "Tom", language_code="en")
    await bot.set_my_commands([BotCommand("help", "help")])
    await bot.set_my_commands([BotCommand("help", "帮助")], language_code="zh")
    assert chinese.commands() == [{"command": "help", "description": "帮助"}]
    assert english.commands() == [{"command": "help", "description": "help"}]
    await bot.delete_my_commands(language_code="zh")
    assert chinese.commands() == [{"command": "help", "description": "help"}]


async def test_invalid_commands_are_refused(bot: Bot, sandbox: Sandbox) -> None:
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_menu_button_is_accepted(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.user(1001, "王大爷")
    assert await bot.set_chat_menu_button()
    assert (await bot.get_chat_menu_button()).type == "default"
