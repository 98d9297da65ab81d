"""Checks on what a message carries: text, captions, entities and keyboards.

These are the rules Telegram enforces on every send and edit; they live in one
place so sends and edits refuse the same things with the same words.
"""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.params import Params

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w@])")
_URL = re.compile(r"https?://[^\s<>\"']+")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def message_text(p: Params) -> str:
    """The ``text`` of sendMessage/editMessageText, checked for emptiness and length."""
    text = p.opt_str("text") or ""
    if not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text


def caption(p: Params) -> str | None:
    """An optional caption, at most 1024 characters."""
    text = p.opt_str("caption")
    if text is not None and len(text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return text or None


def entities(p: Params, name: str) -> list[dict[str, Any]] | None:
    """``entities``/``caption_entities`` as a list of MessageEntity objects, or ``None``."""
    value = p.opt_list(name)
    if not value:
        return None
    for entity in value:
        if not isinstance(entity, dict) or not {"type", "offset", "length"} <= entity.keys():
            raise bad_request(f"can't parse {name} JSON object")
    return value


def detect_entities(text: str) -> list[dict[str, Any]]:
    """The entities a Telegram client adds to typed text: bot commands and URLs."""
    found: list[dict[str, Any]] = []
    for kind, pattern in (("bot_command", _COMMAND), ("url", _URL)):
        for match in pattern.finditer(text):
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group()),
                }
            )
    return sorted(found, key=lambda entity: int(entity["offset"]))


def inline_keyboard(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """The inline keyboard to show under the message; other markups are not part of it."""
    if markup is None or "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard markup JSON object")
    for row in rows:
        for button in row:
            _check_inline_button(button)
    return {"inline_keyboard": rows}


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not str(button.get("text", "")):
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    if not any(key in button for key in _INLINE_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None:
        size = len(str(data).encode("utf-8"))
        if not 1 <= size <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")


def reply_keyboard_change(
    markup: dict[str, Any] | None, current: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The custom (reply) keyboard a chat shows after a message with ``markup``."""
    if markup is None or "inline_keyboard" in markup or "force_reply" in markup:
        return current
    if markup.get("remove_keyboard"):
        return None
    rows = markup.get("keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in rows:
        for button in row:
            text = button.get("text") if isinstance(button, dict) else button
            if not text:
                raise bad_request("can't parse keyboard button: Text must be non-empty")
    return markup


def button_label(button: Any) -> str:
    """The text on a reply-keyboard button (a string or a KeyboardButton object)."""
    if isinstance(button, dict):
        return str(button.get("text", ""))
    return str(button)
