"""A live location in the sandbox: the first message carries ``live_period``; each move
arrives as an ``edited_message`` of the same id with a later ``edit_date``; past the
live period, Telegram (and the sandbox) no longer moves it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram import Bot

from bot.sandbox import Sandbox


async def test_a_live_location_moves_as_edited_messages(bot: Bot, sandbox: Sandbox) -> None:
    cadre = sandbox.user(2001, "李书记")
    sent = await cadre.send_location(25.03, 102.71, live_period=8 * 3600)
    sandbox.clock.advance(3600)
    await cadre.move_location(sent, 25.04, 102.72)

    first, moved = await bot.get_updates()
    assert first.message is not None
    assert first.message.location is not None
    assert first.message.location.live_period == timedelta(hours=8)
    assert moved.message is None
    edited = moved.edited_message
    assert edited is not None
    assert edited.location is not None
    assert edited.message_id == first.message.message_id
    assert (edited.location.latitude, edited.location.longitude) == (25.04, 102.72)
    assert edited.edit_date is not None
    assert (edited.edit_date - first.message.date).total_seconds() == pytest.approx(3600, abs=2)


async def test_a_plain_location_or_an_expired_live_one_does_not_move(sandbox: Sandbox) -> None:
    cadre = sandbox.user(2001, "李书记")
    plain = await cadre.send_location(25.03, 102.71)
    with pytest.raises(LookupError, match="not a live location"):
        await cadre.move_location(plain, 25.04, 102.72)
    live = await cadre.send_location(25.03, 102.71, live_period=60)
    sandbox.clock.advance(120)
    with pytest.raises(LookupError, match="is over"):
        await cadre.move_location(live, 25.04, 102.72)
    with pytest.raises(ValueError, match="live_period"):
        await cadre.send_location(25.03, 102.71, live_period=5)
