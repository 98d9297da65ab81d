"""Builders of the Bot API calls handlers owe. Nothing here sends; the sender does."""

from __future__ import annotations

from typing import Any

from telegram import BotCommand, InlineKeyboardMarkup, ReplyKeyboardMarkup

from storage.outbox import Call, Priority


def message(
    chat_id: int,
    text: str,
    *,
    keyboard: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None,
    reply_to: int | None = None,
    priority: Priority = Priority.INTERACTIVE,
    dedup_key: str | None = None,
) -> Call:
    params: dict[str, Any] = {"chat_id": chat_id, "text": text}
    if keyboard is not None:
        params["reply_markup"] = keyboard.to_dict()
    if reply_to is not None:
        # If the quoted message is gone, the answer still goes out.
        params["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
    return Call(chat_id, "sendMessage", params, priority, dedup_key)


def answer_button(chat_id: int, query_id: str, text: str | None = None) -> Call:
    params: dict[str, Any] = {"callback_query_id": query_id}
    if text:
        params["text"] = text
    return Call(chat_id, "answerCallbackQuery", params)


def command_menu(
    commands: list[BotCommand], *, chat_id: int | None = None, language: str | None = None
) -> Call:
    """setMyCommands for every private chat, or for one chat (a role's own menu)."""
    scope = {"type": "chat", "chat_id": chat_id} if chat_id else {"type": "all_private_chats"}
    params: dict[str, Any] = {"commands": [c.to_dict() for c in commands], "scope": scope}
    if language:
        params["language_code"] = language
    return Call(chat_id or 0, "setMyCommands", params, Priority.BULK)
