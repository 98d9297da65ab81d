"""The bot's description and short description, per language, kept as Telegram keeps them."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import BadRequest

from bot.sandbox import Sandbox


async def test_descriptions_are_kept_per_language(bot: Bot, sandbox: Sandbox) -> None:
    await bot.set_my_description("连心：扫码绑定联系卡")
    await bot.set_my_description("Lianxin: scan your card", language_code="en")
    await bot.set_my_short_description("连心")
    assert sandbox.state.descriptions == {
        ("description", ""): "连心：扫码绑定联系卡",
        ("description", "en"): "Lianxin: scan your card",
        ("short_description", ""): "连心",
    }
    assert (await bot.get_my_description(language_code="en")).description == (
        "Lianxin: scan your card"
    )
    assert (await bot.get_my_short_description()).short_description == "连心"
    await bot.set_my_short_description("")  # removed
    assert ("short_description", "") not in sandbox.state.descriptions


async def test_a_description_over_telegram_s_limit_is_refused(bot: Bot, sandbox: Sandbox) -> None:
    with pytest.raises(BadRequest, match="too long"):
        await bot.set_my_description("长" * 513)
    with pytest.raises(BadRequest, match="too long"):
        await bot.set_my_short_description("长" * 121)
    assert sandbox.state.descriptions == {}
