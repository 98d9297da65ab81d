"""The command menus each role sees, in every language."""

from __future__ import annotations

from telegram import BotCommand

from bot.calls import Call, Priority
from bot.i18n import LANGUAGES, Language, t

from . import outgoing

VILLAGER = ("start", "help", "cadres", "household", "my", "visits", "notices")
CADRE = (
    "start",
    "help",
    "inbox",
    "away",
    "file",
    "extend",
    "stay",
    "visit",
    "stats",
    "rota",
    "round",
    "meeting",
    "announce",
)
ADMIN = ("start", "help", "status", "cards", "card")


def description_calls(default: Language) -> list[Call]:
    """What a chat shows before /start (setMyDescription) and the profile's short text
    (setMyShortDescription): in the configured language for everyone, and in each other
    language for users whose Telegram is set to it."""
    calls = []
    for language in (default, *(other for other in LANGUAGES if other != default)):
        code = {} if language == default else {"language_code": language}
        for method, field in DESCRIPTIONS.items():
            params = {field: t(language, f"bot.{field}"), **code}
            calls.append(Call(0, method, params, Priority.BULK))
    return calls


DESCRIPTIONS = {"setMyDescription": "description", "setMyShortDescription": "short_description"}


def commands(names: tuple[str, ...], language: Language) -> list[BotCommand]:
    return [BotCommand(name, t(language, f"commands.{name}")) for name in names]


def menu_calls(
    names: tuple[str, ...], default: Language, chat_id: int | None = None
) -> list[Call]:
    """The menu in the configured language for everyone, and in each other language for
    users whose Telegram is set to it."""
    calls = [outgoing.command_menu(commands(names, default), chat_id=chat_id)]
    for language in LANGUAGES:
        if language != default:
            calls.append(
                outgoing.command_menu(
                    commands(names, language), chat_id=chat_id, language=language
                )
            )
    return calls
