"""Sending, editing and deleting through a real PTB Bot, and Telegram's refusals."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken

from bot.sandbox import Sandbox
from tests.sandbox.conftest import bot_for

VILLAGER = 1001


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in pairs]])


async def test_get_me_describes_the_bot(bot: Bot, sandbox: Sandbox) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "lianxin_sandbox_bot"


async def test_a_wrong_token_is_unauthorized(sandbox: Sandbox) -> None:
    stranger = Bot("999:WRONG", base_url=sandbox.base_url)
    with pytest.raises(InvalidToken, match="rejected by the server"):
        async with stranger:
            pass


async def test_send_message_returns_a_full_message(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(VILLAGER, "王大爷", username="wang")
    first = await bot.send_message(VILLAGER, "你好")
    second = await bot.send_message(VILLAGER, "再见")
    assert (first.message_id, second.message_id) == (1, 2)
    assert second.from_user is not None
    assert second.from_user.id == 123456
    assert second.chat.id == VILLAGER
    assert second.chat.type == "private"
    assert second.chat.username == "wang"
    assert user.last()["text"] == "再见"
    assert [record.method for record in sandbox.sent] == ["sendMessage", "sendMessage"]


async def test_a_reply_carries_the_replied_message(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(VILLAGER, "王大爷")
    asked = await user.send_text("路灯坏了")
    answer = await bot.send_message(
        VILLAGER, "收到", reply_parameters=ReplyParameters(asked["message_id"])
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "路灯坏了"


async def test_inline_keyboard_round_trips(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(VILLAGER, "王大爷")
    sent = await bot.send_message(VILLAGER, "处理?", reply_markup=keyboard(("受理", "req:ack:7")))
    assert sent.reply_markup == keyboard(("受理", "req:ack:7"))
    assert user.last()["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "req:ack:7"


async def test_edits_change_the_message_and_set_edit_date(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(VILLAGER, "王大爷")
    sent = await bot.send_message(VILLAGER, "待处理", reply_markup=keyboard(("受理", "a")))
    edited = await bot.edit_message_text("已受理", chat_id=VILLAGER, message_id=sent.message_id)
    assert isinstance(edited, type(sent))
    assert edited.text == "已受理"
    assert edited.edit_date is not None
    # editMessageText without reply_markup removes the keyboard, as on Telegram.
    assert "reply_markup" not in user.last()
    await bot.edit_message_reply_markup(
        VILLAGER, sent.message_id, reply_markup=keyboard(("x", "y"))
    )
    assert user.last()["reply_markup"]["inline_keyboard"][0][0]["text"] == "x"
    assert [r.method for r in sandbox.sent][-2:] == ["editMessageText", "editMessageReplyMarkup"]


async def test_an_identical_edit_is_not_modified(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.user(VILLAGER, "王大爷")
    sent = await bot.send_message(VILLAGER, "同样")
    with pytest.raises(BadRequest, match=r"(?i)message is not modified: specified new message"):
        await bot.edit_message_text("同样", chat_id=VILLAGER, message_id=sent.message_id)


async def test_caption_edit(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(VILLAGER, "王大爷")
    photo = await bot.send_photo(VILLAGER, b"not really a jpeg", caption="旧")
    await bot.edit_message_caption(VILLAGER, photo.message_id, caption="新")
    assert user.last()["caption"] == "新"
    text = await bot.send_message(VILLAGER, "文字")
    with pytest.raises(BadRequest, match=r"(?i)no caption in the message to edit"):
        await bot.edit_message_caption(VILLAGER, text.message_id, caption="x")


async def test_delete_message(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(VILLAGER, "王大爷")
    sent = await bot.send_message(VILLAGER, "临时")
    assert await bot.delete_message(VILLAGER, sent.message_id)
    assert user.messages() == []
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(VILLAGER, sent.message_id)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("   ", r"(?i)message text is empty"),
        ("长" * 4097, r"(?i)message is too long"),
    ],
)
async def test_bad_texts_are_refused(bot: Bot, sandbox: Sandbox, text: str, error: str) -> None:
    sandbox.user(VILLAGER, "王大爷")
    with pytest.raises(BadRequest, match=error):
        await bot.send_message(VILLAGER, text)
    assert sandbox.sent == []


async def test_bad_requests_mirror_telegram(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.user(VILLAGER, "王大爷")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(424242, "谁?")
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_photo(VILLAGER, b"x", caption="字" * 1025)
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(VILLAGER, "x", reply_markup=keyboard(("长", "d" * 65)))
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=VILLAGER, message_id=99)
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(VILLAGER, "x", reply_parameters=ReplyParameters(99))


async def test_a_blocked_user_is_forbidden(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(VILLAGER, "王大爷")
    user.block()
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(VILLAGER, "还在吗")
    user.unblock()
    assert (await bot.send_message(VILLAGER, "还在吗")).text == "还在吗"


async def test_copy_and_forward_a_users_voice(bot: Bot, sandbox: Sandbox) -> None:
    villager = sandbox.user(VILLAGER, "王大爷")
    cadre = sandbox.user(2001, "李书记")
    voice = await villager.send_voice()
    copied = await bot.copy_message(2001, VILLAGER, voice["message_id"], caption="王大爷的语音")
    forwarded = await bot.forward_message(2001, VILLAGER, voice["message_id"])
    assert copied.message_id == 1
    assert forwarded.forward_origin is not None
    assert cadre.messages()[0]["voice"]["file_id"] == voice["voice"]["file_id"]
    assert [r.method for r in sandbox.sent] == ["copyMessage", "forwardMessage"]


async def test_get_chat_and_chat_actions(bot: Bot, sandbox: Sandbox) -> None:
    user = sandbox.user(VILLAGER, "王大爷", last_name="王")
    chat = await bot.get_chat(VILLAGER)
    assert chat.first_name == "王大爷"
    assert chat.last_name == "王"
    assert await bot.send_chat_action(VILLAGER, "typing")
    assert user.chat_actions() == ["typing"]
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(VILLAGER, "dancing")


async def test_methods_are_case_insensitive_and_unknown_ones_404(sandbox: Sandbox) -> None:
    async with bot_for(sandbox) as bot:
        me = await bot.do_api_request("GETME")
        assert me["username"] == "lianxin_sandbox_bot"
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("noSuchMethod")
