"""Builders of the Bot API calls handlers owe. Nothing here sends; the sender does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import BotCommand, InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.calls import Call, Priority

from . import paging
from .paging import Page, Part

Keyboard = InlineKeyboardMarkup | ReplyKeyboardMarkup


def message(
    chat_id: int,
    text: str,
    *,
    keyboard: Keyboard | None = None,
    reply_to: int | None = None,
    priority: Priority = Priority.INTERACTIVE,
    dedup_key: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    if_failed: tuple[Call, ...] = (),
) -> Call:
    if not paging.fits(text, paging.TEXT_LIMIT):
        # A last resort for the bot's own sentences (a roster field of thousands of
        # characters in a greeting): cut rather than refused. A person's words never get
        # here whole: they are sent in pages (``messages``).
        text, entities = _cut(text, entities or [])
    params: dict[str, Any] = {"chat_id": chat_id, "text": text}
    if entities:
        params["entities"] = entities
    if keyboard is not None:
        params["reply_markup"] = keyboard.to_dict()
    if reply_to is not None:
        # If the quoted message is gone, the answer still goes out.
        params["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
    return Call(chat_id, "sendMessage", params, priority, dedup_key, if_failed)


def _cut(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    (page,) = paging.pages([Part(text)], "", paging.TEXT_LIMIT - 1)[:1]
    end = paging.utf16_len(page.text)
    kept = [
        {**e, "length": min(e["length"], end - e["offset"])} for e in entities if e["offset"] < end
    ]
    return page.text + "…", kept


def messages(
    chat_id: int,
    pages: Sequence[Page],
    *,
    keyboard: Keyboard | None = None,
    keyboard_first: bool = False,
    reply_to: int | None = None,
    if_failed: tuple[Call, ...] = (),
) -> list[Call]:
    """One message per page (``handlers.paging``): the quote of ``reply_to`` on the
    first, the keyboard on the last (or on the first: a case card's buttons)."""
    last = len(pages) - 1
    return [
        message(
            chat_id,
            page.text,
            entities=page.entities,
            keyboard=keyboard if n == (0 if keyboard_first else last) else None,
            reply_to=reply_to if n == 0 else None,
            if_failed=if_failed,
        )
        for n, page in enumerate(pages)
    ]


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
