"""The command menus each role sees, in every language."""

from __future__ import annotations

from telegram import BotCommand

from bot.calls import Call
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
