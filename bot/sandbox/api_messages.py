"""Bot API methods that send, edit, copy, forward and delete text messages."""

from __future__ import annotations

import copy
from typing import Any

from bot.sandbox.chats import Chat
from bot.sandbox.errors import NOT_MODIFIED, bad_request
from bot.sandbox.markup import caption, entities, inline_keyboard, message_text
from bot.sandbox.outgoing import compose, content_of
from bot.sandbox.params import Params
from bot.sandbox.state import SandboxState

MEDIA_KEYS = ("photo", "document", "voice", "video", "audio", "animation")
DELETE_WINDOW = 48 * 3600


def send_message(state: SandboxState, p: Params) -> dict[str, Any]:
    chat = state.chats.reachable(p.chat_id())
    content: dict[str, Any] = {"text": message_text(p)}
    found = entities(p, "entities")
    if found:
        content["entities"] = found
    return compose(state, "sendMessage", chat, p, content)


def edit_message_text(state: SandboxState, p: Params) -> dict[str, Any]:
    chat, message = _editable(state, p)
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    wanted = {"text": message_text(p), "entities": entities(p, "entities")}
    return _apply_edit(state, "editMessageText", chat, message, wanted, p)


def edit_message_caption(state: SandboxState, p: Params) -> dict[str, Any]:
    chat, message = _editable(state, p)
    if not any(key in message for key in MEDIA_KEYS):
        raise bad_request("there is no caption in the message to edit")
    wanted = {"caption": caption(p), "caption_entities": entities(p, "caption_entities")}
    return _apply_edit(state, "editMessageCaption", chat, message, wanted, p)


def edit_message_reply_markup(state: SandboxState, p: Params) -> dict[str, Any]:
    chat, message = _editable(state, p)
    return _apply_edit(state, "editMessageReplyMarkup", chat, message, {}, p)


def _editable(state: SandboxState, p: Params) -> tuple[Chat, dict[str, Any]]:
    if p.has("inline_message_id"):
        raise bad_request("inline messages are not supported by the sandbox")
    chat = state.chats.reachable(p.chat_id())
    message = chat.get(p.int_("message_id"))
    if message is None:
        raise bad_request("message to edit not found")
    if not chat.is_from_bot(message):
        raise bad_request("message can't be edited")
    return chat, message


def _apply_edit(
    state: SandboxState,
    method: str,
    chat: Chat,
    message: dict[str, Any],
    wanted: dict[str, Any],
    p: Params,
) -> dict[str, Any]:
    """Replace the given fields and the keyboard (absent means removed, as on Telegram)."""
    wanted["reply_markup"] = inline_keyboard(p.opt_dict("reply_markup"))
    if all(message.get(key) == value for key, value in wanted.items()):
        raise bad_request(NOT_MODIFIED)
    for key, value in wanted.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    message["edit_date"] = state.clock.unix()
    state.record_sent(method, chat.id, message)
    return copy.deepcopy(message)


def delete_message(state: SandboxState, p: Params) -> bool:
    chat = state.chats.require(p.chat_id())
    message_id = p.int_("message_id")
    message = chat.get(message_id)
    if message is None:
        raise bad_request("message to delete not found")
    if state.clock.unix() - int(message["date"]) > DELETE_WINDOW:
        raise bad_request("message can't be deleted for everyone")
    del chat.messages[message_id]
    state.notifier.notify()
    return True


def copy_message(state: SandboxState, p: Params) -> dict[str, Any]:
    source = _source_message(state, p, "copy")
    chat = state.chats.reachable(p.chat_id())
    content = content_of(source)
    if p.has("caption") and any(key in content for key in MEDIA_KEYS):
        content.pop("caption_entities", None)
        new_caption = caption(p)
        if new_caption is None:
            content.pop("caption", None)
        else:
            content["caption"] = new_caption
    message = compose(state, "copyMessage", chat, p, content)
    return {"message_id": message["message_id"]}


def forward_message(state: SandboxState, p: Params) -> dict[str, Any]:
    source = _source_message(state, p, "forward")
    if source.get("has_protected_content"):
        raise bad_request("message has protected content and can't be forwarded")
    chat = state.chats.reachable(p.chat_id())
    content = content_of(source)
    content["forward_origin"] = source.get("forward_origin") or {
        "type": "user",
        "sender_user": source["from"],
        "date": source["date"],
    }
    return compose(state, "forwardMessage", chat, p, content)


def _source_message(state: SandboxState, p: Params, verb: str) -> dict[str, Any]:
    source_chat = state.chats.require(p.chat_id("from_chat_id"))
    message = source_chat.get(p.int_("message_id"))
    if message is None:
        raise bad_request(f"message to {verb} not found")
    return message
