"""The first conversation: /start, /help, and a kind word for what we cannot handle."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.calls import Call
from bot.domain.accounts import Account
from bot.i18n import Texts
from bot.services import accounts
from bot.services.identity import Identity

from . import cadre_keyboard, menus, outgoing
from .context import AnyApp, LianxinContext


async def record_seen(update: Update, context: LianxinContext) -> None:
    """Every update from a person refreshes their account row (and counts it), and who
    they are is resolved here, once, for every handler after (``unit.who``)."""
    account, chat = account_of(update), update.effective_chat
    if account is None:
        return
    unit = context.unit
    seen = await accounts.record_seen(unit.work, account, unit.setup.config.general.admins)
    unit.who = seen.who
    if seen.first_time and chat and seen.who.admin:
        unit.send(*menus.menu_calls(menus.ADMIN, unit.texts.language, chat_id=chat.id))


def account_of(update: Update) -> Account | None:
    """The person behind an update, as their account row has them (None: a bot, a channel)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or user.is_bot:
        return None
    return Account(
        user_id=user.id,
        chat_id=chat.id if chat else None,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )


async def start(update: Update, context: LianxinContext) -> None:
    message, user, who = update.effective_message, update.effective_user, context.unit.who
    if message is None or user is None or who is None:
        return
    context.unit.send(*greeting(context.unit.texts, who, user.first_name, message.chat_id))


def greeting(texts: Texts, who: Identity, name: str, chat_id: int) -> list[Call]:
    """/start from an account bound to nothing: a welcome, and an administrator's menu."""
    if not who.admin:
        return [outgoing.message(chat_id, texts("start.welcome", name=name))]
    return [
        outgoing.message(chat_id, texts("start.welcome_admin", name=name)),
        *menus.menu_calls(menus.ADMIN, texts.language, chat_id=chat_id),
    ]


async def show_help(update: Update, context: LianxinContext) -> None:
    message, who = update.effective_message, context.unit.who
    if message is None or who is None:
        return
    texts = context.unit.texts
    keyboard = cadre_keyboard.of(texts, who)  # a cadre's big buttons come with the help
    context.unit.send(outgoing.message(message.chat_id, texts(help_key(who)), keyboard=keyboard))


def help_key(who: Identity) -> str:
    if who.admin:
        return "help.admin"
    return "help.cadre" if who.cadre is not None else "help.villager"


async def unknown_command(update: Update, context: LianxinContext) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split()[0].split("@")[0]
    text = context.unit.setup.texts("reply.unknown_command", command=command)
    context.unit.send(outgoing.message(message.chat_id, text, reply_to=message.message_id))


async def not_bound(update: Update, context: LianxinContext) -> None:
    """Anything a person sends before binding gets the way to bind, quoted to their message."""
    message = update.effective_message
    if message is None:
        return
    text = context.unit.setup.texts("reply.not_bound")
    context.unit.send(outgoing.message(message.chat_id, text, reply_to=message.message_id))


async def unsupported(update: Update, context: LianxinContext) -> None:
    message = update.effective_message
    if message is None:
        return
    text = context.unit.setup.texts("reply.unsupported")
    context.unit.send(outgoing.message(message.chat_id, text, reply_to=message.message_id))


async def stale_button(update: Update, context: LianxinContext) -> None:
    """A button no handler claims: it is from an old message; say so, change nothing."""
    query = update.callback_query
    if query is None:
        return
    chat_id = query.message.chat.id if query.message else query.from_user.id
    text = context.unit.setup.texts("reply.stale_button")
    context.unit.send(outgoing.answer_button(chat_id, query.id, text))


# What a villager may send as a request (issue 4 files them; until bound, we explain).
REQUEST_CONTENT = (
    filters.TEXT
    | filters.PHOTO
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.Document.ALL
    | filters.LOCATION
    | filters.CONTACT
)


def register_first(app: AnyApp) -> None:
    app.add_handler(TypeHandler(Update, record_seen), group=-1)


def register(app: AnyApp) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("help", show_help, filters=private))


def register_fallbacks(app: AnyApp) -> None:
    # New messages only: an edited message is not a new request.
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(private & filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(private & REQUEST_CONTENT, not_bound))
    app.add_handler(MessageHandler(private & ~filters.StatusUpdate.ALL, unsupported))
    app.add_handler(CallbackQueryHandler(stale_button))
