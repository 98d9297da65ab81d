"""Contact cards in the chat, for an administrator (issue 13): ``/cards`` offers the
regions (townships, then villages) and sends a village's cards as a PDF, the picker's
message showing the progress; ``/card 王`` or ``/card H0001`` finds households and opens
a household's page, with its card (「🖨 联系卡」) and revoking it (「🚫 作废联系卡」).

The handlers parse, call one use case (``bot.services.cards``) and render with
``card_views``. The PDF is drawn after the update commits (long work), in a thread so
the event loop keeps answering, with the progress edited at most once a second.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import callbacks, private
from bot.calls import Call
from bot.services import cards as service
from bot.services.cards import BadQuery, Empty, Gone, NotAdmin, Printing
from bot.services.identity import Identity

from . import card_views as views
from . import outgoing
from .context import AnyApp, Job, LianxinContext, LongContext, Unit

if TYPE_CHECKING:
    from bot.cards import Card

EVERY = 1.0  # seconds between progress edits: Telegram allows about one a second a chat
Refusal = NotAdmin | Gone | Empty | BadQuery


def refusal_text(unit: Unit, refused: Refusal, region: str = "") -> str:
    if isinstance(refused, NotAdmin):
        return unit.texts("reply.admin_only")
    if isinstance(refused, Empty):
        return unit.texts("cards.chat.empty")
    if isinstance(refused, BadQuery):
        return unit.texts("cards.chat.ask", limit=service.QUERY_LIMIT)
    return unit.texts("cards.chat.gone")


# --- commands ---------------------------------------------------------------------------


async def cards_command(update: Update, context: LianxinContext) -> None:
    """/cards: the regions to print for."""
    message, unit = update.effective_message, context.unit
    if message is None or unit.who is None:
        return
    try:
        shown = await service.places(unit.work, unit.who)
    except (NotAdmin, Gone) as refused:
        unit.send(outgoing.message(message.chat_id, refusal_text(unit, refused)))
        return
    unit.send(views.places_message(unit.texts, message.chat_id, shown))


async def card_command(update: Update, context: LianxinContext) -> None:
    """/card 王 or /card H0001: the households found (a page of buttons), or the one."""
    message, unit = update.effective_message, context.unit
    if message is None or unit.who is None:
        return
    try:
        found = await service.find(unit.work, unit.who, " ".join(context.args or []))
    except (NotAdmin, Gone, BadQuery) as refused:
        unit.send(outgoing.message(message.chat_id, refusal_text(unit, refused)))
        return
    if found.only is not None:
        unit.send(views.holder_message(unit.texts, message.chat_id, found.only))
    else:
        unit.send(views.found_message(unit.texts, message.chat_id, found))


# --- buttons ----------------------------------------------------------------------------


async def on_button(update: Update, context: LianxinContext) -> None:
    query, unit = update.callback_query, context.unit
    if query is None or unit.who is None or query.message is None:
        return
    chat, message_id = query.message.chat.id, query.message.message_id
    pressed = callbacks.decode(query.data)
    act = ACTIONS.get(pressed.action) if pressed is not None else None
    answer = unit.texts("cards.chat.gone")
    if act is not None and pressed is not None:
        try:
            answer = await act(unit, unit.who, chat, message_id, pressed.argument)
        except (NotAdmin, Gone, Empty, BadQuery) as refused:
            answer = refusal_text(unit, refused)
    unit.send(outgoing.answer_button(chat, query.id, answer))


async def _open(unit: Unit, who: Identity, chat: int, message_id: int, region: str) -> str:
    shown = await service.places(unit.work, who, region or None)
    unit.send(views.places_edit(unit.texts, chat, message_id, shown))
    return ""


async def _print_region(unit: Unit, who: Identity, chat: int, message_id: int, region: str) -> str:
    if _busy(unit, chat):
        return unit.texts("cards.chat.busy")
    printing = await service.region_cards(unit.work, who, region)
    text = views.progress_text(unit.texts, len(printing.cards), 0)
    unit.send(views.edit(chat, message_id, text))
    unit.after_commit(_job(chat, message_id, printing))
    return ""


async def _print_one(unit: Unit, who: Identity, chat: int, message_id: int, household: str) -> str:
    if _busy(unit, chat):
        return unit.texts("cards.chat.busy")
    printing = await service.household_card(unit.work, who, household)
    unit.after_commit(_job(chat, None, printing))
    return unit.texts("cards.chat.printing_one")


async def _holder(unit: Unit, who: Identity, chat: int, message_id: int, household: str) -> str:
    holder = await service.holder(unit.work, who, household)
    unit.send(views.holder_edit(unit.texts, chat, message_id, holder))
    return ""


async def _ask_revoke(
    unit: Unit, who: Identity, chat: int, message_id: int, household: str
) -> str:
    holder = await service.holder(unit.work, who, household)
    unit.send(views.confirm_edit(unit.texts, chat, message_id, holder))
    return ""


async def _revoke(unit: Unit, who: Identity, chat: int, message_id: int, household: str) -> str:
    done = await service.revoke(unit.work, who, household)
    key = "cards.chat.revoked" if done.revoked else "cards.chat.already_revoked"
    note = unit.texts(key, head=done.holder.head_name)
    unit.send(views.holder_edit(unit.texts, chat, message_id, done.holder, note))
    return note


async def _page(unit: Unit, who: Identity, chat: int, message_id: int, argument: str) -> str:
    page_text, _, query = argument.partition(":")
    page = callbacks.identifier(page_text)
    if page is None:
        raise Gone(argument)
    found = await service.find(unit.work, who, query, page)
    keyboard = views.found_keyboard(unit.texts, found)
    unit.send(views.edit(chat, message_id, views.found_text(unit.texts, found), keyboard))
    return ""


ACTIONS = {
    "o": _open,
    "v": _print_region,
    "p": _print_one,
    "h": _holder,
    "r": _ask_revoke,
    "y": _revoke,
    "f": _page,
}


# --- the long work: drawing the PDF -----------------------------------------------------


def _key(chat: int) -> str:
    return f"cards {chat}"


def _busy(unit: Unit, chat: int) -> bool:
    return unit.runner is not None and unit.runner.busy(_key(chat))


class _Latest:
    """The drawing thread's last progress, read by the event loop."""

    def __init__(self) -> None:
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        self.done = done


def _job(chat: int, message_id: int | None, printing: Printing) -> Job:
    async def run(work: LongContext) -> list[Call]:
        texts, count = work.setup.texts, len(printing.cards)
        path = work.file_path(f"cards-{chat}", "pdf")
        latest = _Latest()
        drawing = asyncio.ensure_future(asyncio.to_thread(_draw, work, printing, latest, path))
        shown = 0
        while not (await asyncio.wait({drawing}, timeout=EVERY))[0]:
            percent = latest.done * 100 // count
            if message_id is not None and percent != shown:
                shown = percent
                text = views.progress_text(texts, count, percent)
                await work.tell(views.edit(chat, message_id, text))
        drawing.result()
        finished = [views.document(texts, chat, path, printing)]
        if message_id is not None:
            finished.insert(0, views.edit(chat, message_id, views.done_text(texts, printing)))
        return finished

    return Job("contact cards", run, key=_key(chat), chat=chat)


def _draw(work: LongContext, printing: Printing, progress: _Latest, path: Path) -> None:
    """In a thread: the PDF, written for the owner only (names, phones, the codes)."""
    from bot import cards  # reportlab takes a while to import; only printing needs it

    config, username = work.setup.config, work.setup.bot_username
    sheet = cards.sheet_of(config, config.cards.bot_username or username)
    font = cards.find_font(config.cards.font)
    every: list[Card] = list(printing.cards)
    data = cards.pdf(every, sheet, "a6", font, progress)
    private.write_bytes(path, data)


def register(app: AnyApp) -> None:
    private_chat = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("cards", cards_command, filters=private_chat))
    app.add_handler(CommandHandler("card", card_command, filters=private_chat))
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{views.SCOPE}:"))
