"""Bot API methods about the bot itself: identity, menus, chats and button answers."""

from __future__ import annotations

from typing import Any

from bot.sandbox.commands import scope_key, validate_commands
from bot.sandbox.errors import QUERY_TOO_OLD, bad_request
from bot.sandbox.params import Params
from bot.sandbox.state import CallbackAnswer, SandboxState


def get_me(state: SandboxState, p: Params) -> dict[str, Any]:
    return state.me()


def get_chat(state: SandboxState, p: Params) -> dict[str, Any]:
    """A ChatFullInfo for a known private chat (with the fields PTB requires)."""
    chat = state.chats.require(p.chat_id())
    return {
        **chat.user.as_chat(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


def answer_callback_query(state: SandboxState, p: Params) -> bool:
    query = state.live_callback(p.str_("callback_query_id"))
    if query is None:
        raise bad_request(QUERY_TOO_OLD)
    query.answer = CallbackAnswer(
        text=p.opt_str("text"), show_alert=p.bool_("show_alert"), url=p.opt_str("url")
    )
    state.notifier.notify()
    return True


def set_my_commands(state: SandboxState, p: Params) -> bool:
    commands = validate_commands(p.opt_list("commands") or [])
    state.menus.set(scope_key(p.opt_dict("scope")), p.opt_str("language_code") or "", commands)
    state.notifier.notify()
    return True


def get_my_commands(state: SandboxState, p: Params) -> list[dict[str, str]]:
    return state.menus.get(scope_key(p.opt_dict("scope")), p.opt_str("language_code") or "")


def delete_my_commands(state: SandboxState, p: Params) -> bool:
    state.menus.delete(scope_key(p.opt_dict("scope")), p.opt_str("language_code") or "")
    state.notifier.notify()
    return True


def set_chat_menu_button(state: SandboxState, p: Params) -> bool:
    button = p.opt_dict("menu_button") or {"type": "default"}
    if p.has("chat_id"):
        state.chats.require(p.chat_id()).menu_button = button
    else:
        state.default_menu_button = button
    return True


def get_chat_menu_button(state: SandboxState, p: Params) -> dict[str, Any]:
    if p.has("chat_id"):
        button = state.chats.require(p.chat_id()).menu_button
        if button is not None and button.get("type") != "default":
            return button
    return state.default_menu_button


# Telegram's limits: what a chat shows before /start, and the profile's short text.
DESCRIPTION_LIMITS = {"description": 512, "short_description": 120}


def set_my_description(state: SandboxState, p: Params) -> bool:
    return _set_description(state, p, "description")


def set_my_short_description(state: SandboxState, p: Params) -> bool:
    return _set_description(state, p, "short_description")


def _set_description(state: SandboxState, p: Params, field: str) -> bool:
    text = p.opt_str(field) or ""  # empty: removed, as Telegram does
    if len(text) > DESCRIPTION_LIMITS[field]:
        raise bad_request(f"{field} is too long")
    key = (field, p.opt_str("language_code") or "")
    if text:
        state.descriptions[key] = text
    else:
        state.descriptions.pop(key, None)
    state.notifier.notify()
    return True


def get_my_description(state: SandboxState, p: Params) -> dict[str, str]:
    return {"description": _description(state, p, "description")}


def get_my_short_description(state: SandboxState, p: Params) -> dict[str, str]:
    return {"short_description": _description(state, p, "short_description")}


def _description(state: SandboxState, p: Params, field: str) -> str:
    return state.descriptions.get((field, p.opt_str("language_code") or ""), "")


def accept(state: SandboxState, p: Params) -> bool:
    """Settings the sandbox takes without keeping (the bot's name)."""
    return True
