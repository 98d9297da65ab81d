"""A cadre's chat: new requests with their buttons, /inbox, replies, resolving, /away."""

from __future__ import annotations

from telegram import Update

from . import outgoing
from .context import AnyApp, LianxinContext


async def message(update: Update, context: LianxinContext, cadre_id: str) -> None:
    """What a bound cadre sends (the villager side hands it over here)."""
    incoming = update.effective_message
    if incoming is None:
        return
    text = context.unit.services.texts("cadre.message_pending")
    context.unit.send(outgoing.message(incoming.chat_id, text, reply_to=incoming.message_id))


def register(app: AnyApp) -> None:
    """Cadre commands and buttons (none yet)."""
