"""The table of Bot API methods the sandbox speaks, by Telegram's case-insensitive name.

Handlers are plain functions of (state, params). All but getUpdates are
synchronous, which makes each call atomic on the event loop: the rate limiter's
check, the send and its record can never interleave with another request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.sandbox import api_bot, api_media, api_messages, api_updates
from bot.sandbox.params import Params
from bot.sandbox.state import SandboxState

SyncHandler = Callable[[SandboxState, Params], Any]
AsyncHandler = Callable[[SandboxState, Params], Awaitable[Any]]

SYNC_METHODS: dict[str, SyncHandler] = {
    "getMe": api_bot.get_me,
    "getChat": api_bot.get_chat,
    "answerCallbackQuery": api_bot.answer_callback_query,
    "setMyCommands": api_bot.set_my_commands,
    "getMyCommands": api_bot.get_my_commands,
    "deleteMyCommands": api_bot.delete_my_commands,
    "setChatMenuButton": api_bot.set_chat_menu_button,
    "getChatMenuButton": api_bot.get_chat_menu_button,
    "setMyDescription": api_bot.set_my_description,
    "getMyDescription": api_bot.get_my_description,
    "setMyShortDescription": api_bot.set_my_short_description,
    "getMyShortDescription": api_bot.get_my_short_description,
    "setMyName": api_bot.accept,
    "sendMessage": api_messages.send_message,
    "editMessageText": api_messages.edit_message_text,
    "editMessageCaption": api_messages.edit_message_caption,
    "editMessageReplyMarkup": api_messages.edit_message_reply_markup,
    "deleteMessage": api_messages.delete_message,
    "copyMessage": api_messages.copy_message,
    "forwardMessage": api_messages.forward_message,
    "sendPhoto": api_media.send_photo,
    "sendDocument": api_media.send_document,
    "sendVoice": api_media.send_voice,
    "sendVideo": api_media.send_video,
    "sendAudio": api_media.send_audio,
    "sendLocation": api_media.send_location,
    "sendContact": api_media.send_contact,
    "sendVideoNote": api_media.send_video_note,
    "sendChatAction": api_media.send_chat_action,
    "getFile": api_media.get_file,
    "setWebhook": api_updates.set_webhook,
    "deleteWebhook": api_updates.delete_webhook,
    "getWebhookInfo": api_updates.get_webhook_info,
}
ASYNC_METHODS: dict[str, AsyncHandler] = {
    "getUpdates": api_updates.get_updates,
}
_CANONICAL = {name.lower(): name for name in (*SYNC_METHODS, *ASYNC_METHODS)}


def canonical_name(method: str) -> str | None:
    """Telegram's spelling of ``method`` (matched case-insensitively), or ``None``."""
    return _CANONICAL.get(method.lower())
