"""Administrators' commands in the chat (the rest of their work is the command line)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.calls import Priority
from storage import inbox, outbox

from . import outgoing
from .context import AnyApp, LianxinContext


async def status(update: Update, context: LianxinContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    unit = context.unit
    texts = unit.setup.texts
    if not unit.setup.is_admin(user.id):
        unit.send(outgoing.message(message.chat_id, texts("reply.admin_only")))
        return
    seen = await inbox.counts(unit.tx)
    queued = await outbox.counts(unit.tx)

    def waiting(status: str, priority: Priority | None = None) -> int:
        return sum(n for (s, p), n in queued.items() if s == status and priority in (None, p))

    text = texts(
        "status.report",
        done=seen.get("done", 0),
        pending=seen.get("pending", 0),  # this very /status counts: it is being handled
        failed=seen.get("failed", 0),
        outbox_pending=waiting("pending"),
        outbox_bulk=waiting("pending", Priority.BULK),
        outbox_sent=waiting("sent"),
        outbox_failed=waiting("failed"),
    )
    unit.send(outgoing.message(message.chat_id, text))


def register(app: AnyApp) -> None:
    app.add_handler(CommandHandler("status", status, filters=filters.ChatType.PRIVATE))
