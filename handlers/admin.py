"""Administrators' commands in the chat (the rest of their work is the command line)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.i18n import Texts
from bot.services import status as service
from bot.services.status import NotAdmin, Status

from . import outgoing
from .context import AnyApp, LianxinContext


async def status(update: Update, context: LianxinContext) -> None:
    message, unit = update.effective_message, context.unit
    if message is None or unit.who is None:
        return
    try:
        figures = await service.status(unit.work, unit.who)
    except NotAdmin:
        unit.send(outgoing.message(message.chat_id, unit.texts("reply.admin_only")))
        return
    unit.send(outgoing.message(message.chat_id, status_text(unit.texts, figures)))


def status_text(texts: Texts, figures: Status) -> str:
    return texts(
        "status.report",
        done=figures.done,
        pending=figures.pending,  # this very /status counts: it is being handled
        failed=figures.failed,
        outbox_pending=figures.outbox_pending,
        outbox_bulk=figures.outbox_bulk,
        outbox_sent=figures.outbox_sent,
        outbox_failed=figures.outbox_failed,
    )


def register(app: AnyApp) -> None:
    app.add_handler(CommandHandler("status", status, filters=filters.ChatType.PRIVATE))
