"""The bot's command menus, one per (scope, language), as ``setMyCommands`` leaves them.

Telegram shows a chat the menu of the most specific scope that has one; the
test API reads menus through :meth:`CommandMenus.for_private_chat` so a test
can assert what a villager or a cadre actually sees.
"""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.errors import bad_request

ScopeKey = tuple[str, int | str | None, int | None]
DEFAULT_SCOPE: ScopeKey = ("default", None, None)
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SCOPES_WITH_CHAT = frozenset({"chat", "chat_administrators", "chat_member"})
_KNOWN_SCOPES = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}
    | _SCOPES_WITH_CHAT
)


def scope_key(scope: dict[str, Any] | None) -> ScopeKey:
    """Normalise a BotCommandScope object to a hashable key."""
    if not scope:
        return DEFAULT_SCOPE
    kind = scope.get("type")
    if kind not in _KNOWN_SCOPES:
        raise bad_request("wrong parameter scope specified")
    chat: int | str | None = None
    if kind in _SCOPES_WITH_CHAT:
        raw = scope.get("chat_id")
        if raw is None:
            raise bad_request("chat_id is empty")
        chat = int(raw) if str(raw).lstrip("-").isdigit() else str(raw)
    user = scope.get("user_id")
    return (str(kind), chat, int(user) if user is not None else None)


def validate_commands(commands: list[Any]) -> list[dict[str, str]]:
    """Check commands as Telegram does and keep only the two documented fields."""
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    checked: list[dict[str, str]] = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse commands JSON object")
        name = str(command.get("command", ""))
        description = str(command.get("description", ""))
        if not _COMMAND.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        checked.append({"command": name, "description": description})
    return checked


class CommandMenus:
    """Command lists by scope and language."""

    def __init__(self) -> None:
        self._menus: dict[tuple[ScopeKey, str], list[dict[str, str]]] = {}

    def set(self, scope: ScopeKey, language: str, commands: list[dict[str, str]]) -> None:
        if commands:
            self._menus[(scope, language)] = commands
        else:
            self._menus.pop((scope, language), None)

    def get(self, scope: ScopeKey, language: str) -> list[dict[str, str]]:
        return [dict(command) for command in self._menus.get((scope, language), [])]

    def delete(self, scope: ScopeKey, language: str) -> None:
        self._menus.pop((scope, language), None)

    def for_private_chat(self, chat_id: int, language: str | None) -> list[dict[str, str]]:
        """The menu a private chat sees: chat scope, then all private chats, then default;
        within each, the user's language before the language-less list."""
        scopes: list[ScopeKey] = [("chat", chat_id, None), ("all_private_chats", None, None)]
        scopes.append(DEFAULT_SCOPE)
        languages = [language, ""] if language else [""]
        for scope in scopes:
            for lang in languages:
                menu = self.get(scope, lang)
                if menu:
                    return menu
        return []
