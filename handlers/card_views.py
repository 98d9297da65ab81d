"""Views of the administrator's contact cards in the chat (/cards, /card): results of
``bot.services.cards`` in, texts and calls out. Pure: no awaits, no look-ups.

Buttons (``cd:``): ``o:<region>`` opens a region's list (empty: the top), ``v:<region>``
prints a village's cards, ``h:<household>`` opens a household's page, ``p:<household>``
prints its card, ``r:`` / ``y:<household>`` ask for and confirm revoking its card,
``f:<page>:<query>`` pages /card's results. Each is checked again by the use case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.calls import Call, Priority
from bot.domain.codes import Holder, Place
from bot.i18n import Texts
from bot.services.cards import LEAF, Found, Places, Printing

from . import outgoing

SCOPE = "cd"


def data(action: str, argument: str = "") -> str:
    return callbacks.Callback(SCOPE, action, argument).encode()


def _button(text: str, action: str, argument: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data(action, argument))


def fits(argument: str) -> bool:
    """Whether an id fits in a button's data (Telegram keeps 64 bytes)."""
    return len(f"{SCOPE}:x:{argument}".encode()) <= callbacks.LIMIT


# --- the region picker ------------------------------------------------------------------


def places_text(texts: Texts, shown: Places) -> str:
    if not shown.under:
        return texts("cards.chat.no_regions")
    name = shown.here.name if shown.here else texts("cards.chat.everywhere")
    return texts("cards.chat.pick", region=name)


def place_button(texts: Texts, place: Place) -> InlineKeyboardButton:
    label = texts("cards.chat.place", name=place.name, households=place.households)
    if place.level in LEAF:
        return _button(label, "v", place.id)
    return _button(texts("cards.chat.open", place=label), "o", place.id)


def places_keyboard(texts: Texts, shown: Places) -> InlineKeyboardMarkup:
    buttons = [place_button(texts, p) for p in shown.under if fits(p.id)]
    rows = [buttons[n : n + 2] for n in range(0, len(buttons), 2)]
    if shown.here is not None and shown.here.level not in ("county",) and fits(shown.here.id):
        rows.append([_button(texts("cards.chat.all", place=shown.here.name), "v", shown.here.id)])
        rows.append([_button(texts("cards.chat.back"), "o", "")])
    return InlineKeyboardMarkup(rows)


def places_message(texts: Texts, chat: int, shown: Places) -> Call:
    return outgoing.message(
        chat, places_text(texts, shown), keyboard=places_keyboard(texts, shown)
    )


def places_edit(texts: Texts, chat: int, message_id: int, shown: Places) -> Call:
    return edit(chat, message_id, places_text(texts, shown), places_keyboard(texts, shown))


def edit(
    chat: int, message_id: int, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> Call:
    params: dict[str, Any] = {"chat_id": chat, "message_id": message_id, "text": text}
    if keyboard is not None:
        params["reply_markup"] = keyboard.to_dict()
    return Call(chat, "editMessageText", params)


# --- printing ---------------------------------------------------------------------------


def progress_text(texts: Texts, count: int, percent: int) -> str:
    return texts("cards.progress", count=f"{count:,}", percent=percent)


def done_text(texts: Texts, printing: Printing) -> str:
    count = len(printing.cards)
    return texts("cards.chat.done", region=printing.name, count=f"{count:,}", new=printing.new)


def document(texts: Texts, chat: int, path: Path, printing: Printing) -> Call:
    if len(printing.cards) == 1:
        card = printing.cards[0].household
        caption = texts("cards.chat.one_caption", head=card.head_name, id=card.id)
    else:
        caption = texts("cards.chat.caption", region=printing.name, count=len(printing.cards))
    params: dict[str, Any] = {
        "chat_id": chat,
        "document": {"$file": str(path), "filename": path.name},
        "caption": caption,
    }
    return Call(chat, "sendDocument", params, Priority.INTERACTIVE)


# --- finding households, a household's page ---------------------------------------------


def found_text(texts: Texts, found: Found) -> str:
    if not found.hits:
        return texts("cards.chat.none_found", query=found.query)
    return texts(
        "cards.chat.found",
        query=found.query,
        total=found.total,
        page=found.page + 1,
        pages=found.pages,
    )


def found_keyboard(texts: Texts, found: Found) -> InlineKeyboardMarkup:
    rows = [
        [_button(texts("cards.chat.hit", head=h.head_name, village=h.village, id=h.id), "h", h.id)]
        for h in found.hits
        if fits(h.id)
    ]
    turn = []
    if found.page > 0:
        turn.append(_button(texts("cards.chat.previous"), "f", f"{found.page - 1}:{found.query}"))
    if found.page + 1 < found.pages:
        turn.append(_button(texts("cards.chat.next"), "f", f"{found.page + 1}:{found.query}"))
    return InlineKeyboardMarkup([*rows, turn] if turn else rows)


def found_message(texts: Texts, chat: int, found: Found) -> Call:
    keyboard = found_keyboard(texts, found) if found.hits else None
    return outgoing.message(chat, found_text(texts, found), keyboard=keyboard)


def holder_text(texts: Texts, holder: Holder) -> str:
    lines = [
        texts(
            "cards.chat.cadre",
            tier=texts(f"cards.tier_{linked.tier}") if 1 <= linked.tier <= 9 else linked.tier,
            name=linked.cadre.name,
            rank=texts(f"cards.rank.{linked.cadre.rank.value}"),
            phone=linked.cadre.phone,
        )
        for linked in holder.cadres
    ]
    return texts(
        "cards.chat.holder",
        head=holder.head_name,
        id=holder.id,
        village=holder.village,
        address=holder.address or "—",
        members=holder.members,
        cadres="\n".join(lines) or texts("cards.no_cadres"),
        code=texts(f"cards.chat.code.{holder.code.value}"),
    )


def holder_keyboard(texts: Texts, holder: Holder) -> InlineKeyboardMarkup:
    if not fits(holder.id):
        return InlineKeyboardMarkup([])
    return InlineKeyboardMarkup(
        [
            [
                _button(texts("cards.chat.print"), "p", holder.id),
                _button(texts("cards.chat.revoke"), "r", holder.id),
            ]
        ]
    )


def holder_message(texts: Texts, chat: int, holder: Holder) -> Call:
    keyboard = holder_keyboard(texts, holder)
    return outgoing.message(chat, holder_text(texts, holder), keyboard=keyboard)


def holder_edit(texts: Texts, chat: int, message_id: int, holder: Holder, note: str = "") -> Call:
    text = holder_text(texts, holder) + (f"\n\n{note}" if note else "")
    return edit(chat, message_id, text, holder_keyboard(texts, holder))


def confirm_edit(texts: Texts, chat: int, message_id: int, holder: Holder) -> Call:
    keyboard = InlineKeyboardMarkup(
        [
            [
                _button(texts("cards.chat.revoke_yes"), "y", holder.id),
                _button(texts("cards.chat.revoke_no"), "h", holder.id),
            ]
        ]
    )
    text = texts("cards.chat.revoke_ask", head=holder.head_name, id=holder.id)
    return edit(chat, message_id, text, keyboard)
