"""Turning an accepted send into a Message, the way Telegram fills one in.

Every send method ends here: the message gets the next id of its chat, the
bot as ``from``, the chat, the date, the replied-to message and the inline
keyboard, is stored as the chat's latest state and recorded in
``sandbox.sent``. Validation happens before the id is taken, so a refused send
leaves no gap in the chat's message ids.
"""

from __future__ import annotations

import copy
from typing import Any

from bot.sandbox.chats import Chat
from bot.sandbox.errors import bad_request
from bot.sandbox.markup import inline_keyboard, reply_keyboard_change
from bot.sandbox.params import Params
from bot.sandbox.state import SandboxState

# Keys that describe where and when a message lives rather than what it says.
ENVELOPE_KEYS = frozenset(
    {
        "message_id",
        "from",
        "chat",
        "date",
        "edit_date",
        "reply_to_message",
        "reply_markup",
        "forward_origin",
        "has_protected_content",
    }
)


def compose(
    state: SandboxState, method: str, chat: Chat, p: Params, content: dict[str, Any]
) -> dict[str, Any]:
    """Validate the envelope parameters, then store, record and return the new message."""
    markup = p.opt_dict("reply_markup")
    keyboard = inline_keyboard(markup)
    next_reply_keyboard = reply_keyboard_change(markup, chat.reply_keyboard)
    replied = reply_target(chat, p)
    message: dict[str, Any] = {
        "message_id": chat.next_message_id(),
        "from": state.bot_user,
        "chat": chat.user.as_chat(),
        "date": state.clock.unix(),
        **content,
    }
    if replied is not None:
        message["reply_to_message"] = replied
    if keyboard is not None:
        message["reply_markup"] = keyboard
    if p.bool_("protect_content"):
        message["has_protected_content"] = True
    chat.reply_keyboard = next_reply_keyboard
    chat.store(message)
    state.record_sent(method, chat.id, message)
    return copy.deepcopy(message)


def reply_target(chat: Chat, p: Params) -> dict[str, Any] | None:
    """The message being replied to (without its own reply), from reply_parameters or the
    older reply_to_message_id."""
    parameters = p.opt_dict("reply_parameters") or {}
    raw_id = parameters.get("message_id", p.opt_int("reply_to_message_id"))
    if raw_id is None:
        return None
    target = chat.get(int(raw_id))
    if target is None:
        lenient = parameters.get("allow_sending_without_reply")
        if lenient or p.bool_("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")
    reply = copy.deepcopy(target)
    reply.pop("reply_to_message", None)
    return reply


def content_of(message: dict[str, Any]) -> dict[str, Any]:
    """What a message says (text, media, caption...), without its envelope."""
    return {
        key: copy.deepcopy(value) for key, value in message.items() if key not in ENVELOPE_KEYS
    }
