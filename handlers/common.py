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

from bot.services import identity
from storage import accounts
from storage.people import People

from . import menus, outgoing
from .context import AnyApp, LianxinContext


async def record_seen(update: Update, context: LianxinContext) -> None:
    """Every update from a person refreshes their account row (and counts it)."""
    user = update.effective_user
    if user is None or user.is_bot:
        return
    chat = update.effective_chat
    account = accounts.Account(
        user_id=user.id,
        chat_id=chat.id if chat else None,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )
    unit = context.unit
    first_time = await accounts.record_seen(unit.tx, account, unit.now)
    unit.who = await identity.identify(unit.work.people, user.id, unit.setup.config.general.admins)
    if first_time and chat and unit.setup.is_admin(user.id):
        unit.send(*menus.menu_calls(menus.ADMIN, unit.setup.texts.language, chat_id=chat.id))


async def start(update: Update, context: LianxinContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    unit = context.unit
    texts = unit.setup.texts
    if unit.setup.is_admin(user.id):
        unit.send(
            outgoing.message(message.chat_id, texts("start.welcome_admin", name=user.first_name))
        )
        unit.send(*menus.menu_calls(menus.ADMIN, texts.language, chat_id=message.chat_id))
        return
    unit.send(outgoing.message(message.chat_id, texts("start.welcome", name=user.first_name)))


async def show_help(update: Update, context: LianxinContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    unit = context.unit
    if unit.setup.is_admin(user.id):
        key = "help.admin"
    elif await People(unit.tx).cadre_of_user(user.id) is not None:
        key = "help.cadre"
    else:
        key = "help.villager"
    unit.send(outgoing.message(message.chat_id, unit.setup.texts(key)))


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
