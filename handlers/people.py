"""How people of the roster are shown in the chat: cadre lines and the villager's keyboard."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot import callbacks
from bot.domain.binding import CadreDuties
from bot.domain.roster import Household, LinkedCadre
from bot.i18n import Texts


def tier_label(texts: Texts, tier: int) -> str:
    return (
        texts(f"people.tier.{tier}") if 1 <= tier <= 3 else texts("people.tier.other", tier=tier)
    )


def cadre_lines(texts: Texts, cadres: Sequence[LinkedCadre]) -> str:
    """One line per linked cadre in tier order; phone numbers as digits so Telegram
    makes them tappable."""
    if not cadres:
        return texts("people.no_cadres")
    return "\n".join(
        texts(
            "people.cadre_line",
            tier=tier_label(texts, linked.tier),
            name=linked.cadre.name,
            rank=texts(f"people.rank.{linked.cadre.rank}"),
            phone=linked.cadre.phone,
        )
        for linked in cadres
    )


def villager_keyboard(texts: Texts, households: int, rota: bool = False) -> ReplyKeyboardMarkup:
    """Big buttons under the text box, for villagers who would rather not type
    (「🌙 今晚谁值班」 where the county keeps a 住夜 rota, ``[rota] enabled``)."""
    rows = [[KeyboardButton(texts("people.button_my_cadres"))]]
    rows.append([KeyboardButton(texts("villager_requests.button_my"))])
    rows.append([KeyboardButton(texts("confidential.button"))])
    if rota:
        rows.append([KeyboardButton(texts("rota.button_tonight"))])
    rows.append([KeyboardButton(texts("announce.button.reception"))])
    if households > 1:
        rows.append([KeyboardButton(texts("people.button_switch"))])
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)


def household_chooser(households: Sequence[Household]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{h.head_name}（{h.address or h.id}）",
                    callback_data=callbacks.pick_household(h.id).encode(),
                )
            ]
            for h in households
        ]
    )


def duties_text(texts: Texts, duties: CadreDuties) -> str:
    """ "Households linked to you: 12 (first contact: 10, second contact: 2): ..." """
    if not duties.households:
        return texts("people.duties_none")
    tiers = texts("people.separator").join(
        texts("people.duties_tier", tier=tier_label(texts, tier), count=count)
        for tier, count in sorted(duties.tiers.items())
    )
    first = texts("people.separator").join(h.head_name for h in duties.first)
    more = texts("people.more") if duties.households > len(duties.first) else ""
    return texts(
        "people.duties", households=duties.households, tiers=tiers, first=first, more=more
    )
