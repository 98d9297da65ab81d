"""The big buttons under a cadre's text box, and the location button after ``/stay``.

A cadre who is also a member of a household gets one keyboard with both: the cadre's
actions first, then the villager's 「📇 我的干部」 and 「📋 我的诉求」 (and 「🏠 换一户」 for
several households). Not the villager's 「🔒 反映干部问题」: what a cadre types goes to
the cadre side (a request's answer, a filing), never into a villager's complaint.
"""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup
from telegram.ext import filters

from bot.i18n import LANGUAGES, Texts, t
from bot.services.identity import Identity

ACTIONS = ("inbox", "file", "visit", "stay", "stats", "help")


def keyboard(texts: Texts, supervisor: bool, households: int) -> ReplyKeyboardMarkup:
    """The cadre's actions (统计 for supervisors only), then a member's own buttons."""
    button = {name: KeyboardButton(texts(f"pickers.button_{name}")) for name in ACTIONS}
    rows = [[button["inbox"], button["file"]], [button["visit"], button["stay"]]]
    rows.append([button["stats"], button["help"]] if supervisor else [button["help"]])
    if households:
        mine = [KeyboardButton(texts("people.button_my_cadres"))]
        rows.append([*mine, KeyboardButton(texts("villager_requests.button_my"))])
    if households > 1:
        rows.append([KeyboardButton(texts("people.button_switch"))])
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)


def of(texts: Texts, who: Identity) -> ReplyKeyboardMarkup | None:
    """The keyboard of a bound cadre; None for anyone else."""
    if who.cadre is None:
        return None
    return keyboard(texts, who.supervises is not None, len(who.households))


def place(texts: Texts) -> ReplyKeyboardMarkup:
    """After a stay: send the phone's location with one press, or skip."""
    rows = [
        [KeyboardButton(texts("pickers.button_place"), request_location=True)],
        [KeyboardButton(texts("pickers.button_skip"))],
    ]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


def pressed(key: str) -> filters.MessageFilter:
    """A big button's text in any language (the phone may change language)."""
    return filters.Text([t(language, key) for language in LANGUAGES])
