"""A whole python-telegram-bot Application, polling the sandbox like real Telegram."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.sandbox import Sandbox


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    payload = " ".join(context.args or [])
    buttons = InlineKeyboardMarkup(
        [[InlineKeyboardButton("绑定", callback_data=f"bind:{payload}")]]
    )
    await update.effective_message.reply_text(f"联系卡 {payload}", reply_markup=buttons)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"已登记: {update.effective_message.text}")


async def bind(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("绑定成功")
    await query.edit_message_text("已绑定")


async def test_an_application_serves_a_villager(sandbox: Sandbox) -> None:
    app = (
        ApplicationBuilder()
        .token(sandbox.token)
        .base_url(sandbox.base_url)
        .base_file_url(sandbox.base_file_url)
        .job_queue(None)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(bind))
    villager = sandbox.user(1001, "王大爷")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=5)
        await villager.start("card_42")
        card = await villager.wait_for_text("联系卡 card_42", timeout=5)
        await villager.press(card, text="绑定")
        await villager.wait_for_text("已绑定", timeout=5)
        asked = await villager.send_text("路灯坏了")
        await villager.wait_for_text("已登记: 路灯坏了", after=asked["message_id"], timeout=5)
        await app.updater.stop()
        await app.stop()
    assert villager.callback_answers() == ["绑定成功"]
    assert sandbox.pending_updates() == 0  # the updater confirmed everything on stop
