"""How the pickers of ``/file``, ``/visit`` and ``/stay`` look: pure functions from the
use case's result (``bot.services.pickers``) to the calls the chat gets."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.calls import Call
from bot.domain import picking
from bot.domain.picking import Kind, Listed, Listing, Press, Verb
from bot.domain.schedule import DayKind
from bot.i18n import Texts
from bot.services.field import Logged
from bot.services.identity import Identity
from bot.services.pickers import Filing, NoneFound, Picked

from . import cadre_keyboard, outgoing, schedule
from .context import View
from .paging import bounded

Row = list[InlineKeyboardButton]


def picked_calls(view: View, who: Identity, picked: Picked) -> list[Call]:
    """What the cadre sees after a command or a press that picked or listed."""
    texts, chat = view.texts, who.user_id
    if isinstance(picked, Listing):
        return [
            outgoing.message(chat, listing_text(texts, picked), keyboard=buttons(texts, picked))
        ]
    if isinstance(picked, Filing):
        head = bounded(picked.household.head_name)
        return [outgoing.message(chat, texts("requests_cadre.file.ask", head=head))]
    if isinstance(picked, NoneFound):
        return [outgoing.message(chat, none_found_text(texts, picked))]
    return [logged_message(texts, who, picked)]


def pressed_calls(view: View, who: Identity, shown: Message | None, picked: Picked) -> list[Call]:
    """A page or group turns the picker in place; a household picked takes its buttons
    away (they are done) and answers below."""
    if shown is None:
        return picked_calls(view, who, picked)
    params: dict[str, object] = {"chat_id": shown.chat_id, "message_id": shown.message_id}
    if isinstance(picked, Listing):
        params["text"] = listing_text(view.texts, picked)
        params["reply_markup"] = buttons(view.texts, picked).to_dict()
        return [Call(shown.chat_id, "editMessageText", params)]
    params["reply_markup"] = InlineKeyboardMarkup([]).to_dict()
    return [
        Call(shown.chat_id, "editMessageReplyMarkup", params),
        *picked_calls(view, who, picked),
    ]


def logged_message(texts: Texts, who: Identity, logged: Logged) -> Call:
    """A stay or visit logged; after a stay, the location button (or 跳过)."""
    if logged.kind != DayKind.STAY:
        return outgoing.message(who.user_id, schedule.logged_text(texts, logged))
    text = schedule.logged_text(texts, logged, hint="stays.place_ask")
    return outgoing.message(who.user_id, text, keyboard=cadre_keyboard.place(texts))


def listing_text(texts: Texts, listing: Listing) -> str:
    if listing.kind == Kind.GROUPS:
        head = texts("pickers.groups.head", total=listing.total)
    elif listing.kind == Kind.HOUSEHOLD:
        return _matches_text(texts, listing)
    elif not listing.total:
        return texts(f"pickers.none_linked.{listing.verb}")
    else:
        head = texts(f"pickers.ask.{listing.verb}")
    if listing.group is not None:
        head = f"{bounded(listing.group.name)}\n{head}"
    if listing.pages > 1:
        head += "\n" + texts("pickers.page", page=listing.page + 1, pages=listing.pages)
    return head


def _matches_text(texts: Texts, listing: Listing) -> str:
    lines = [texts("pickers.matches.head", name=listing.name, total=listing.total)]
    if listing.more:
        lines.append(texts("pickers.matches.more", shown=len(listing.households)))
    if listing.verb != Verb.FILE:
        lines.append(texts("pickers.matches.note", verb=listing.verb))
    return "\n".join(lines)


def none_found_text(texts: Texts, none: NoneFound) -> str:
    where = "region" if none.region_too else "linked"
    found = texts(f"pickers.none_found.{where}", name=none.name)
    return f"{found}\n{texts('pickers.none_found.how', verb=none.verb)}"


def buttons(texts: Texts, listing: Listing) -> InlineKeyboardMarkup:
    """The households (or groups) of the page, then ◀ ▶, back to the groups, and for a
    stay the choice of no household. Data carries ids and pages only, never names."""
    rows = [_household(texts, listing.verb, item) for item in listing.households]
    rows = [row for row in rows if row]
    for group in listing.groups:
        if picking.is_id(group.region_id):
            label = texts("pickers.group", name=bounded(group.name), count=group.count)
            press = Press(listing.verb, Kind.GROUP, group.region_id)
            rows.append([_button(label, press)])
    rows += _navigation(texts, listing)
    if listing.verb == Verb.STAY:
        rows.append([_button(texts("pickers.stay_without"), Press(Verb.STAY, Kind.NONE))])
    return InlineKeyboardMarkup(rows)


def _household(texts: Texts, verb: Verb, item: Listed) -> Row:
    household = item.household
    if not picking.is_id(household.id):
        return []  # an id no button can carry: typed by name or id instead
    label = texts(
        "pickers.household",
        head=bounded(household.head_name),
        group=bounded(item.group),
        id=household.id,
    )
    return [_button(label, Press(verb, Kind.HOUSEHOLD, household.id))]


def _navigation(texts: Texts, listing: Listing) -> list[Row]:
    target = listing.group.region_id if listing.group else ""
    step: Row = []
    if listing.page > 0:
        back = Press(listing.verb, listing.kind, target, listing.page - 1)
        step.append(_button(texts("pickers.previous"), back))
    if listing.page + 1 < listing.pages:
        on = Press(listing.verb, listing.kind, target, listing.page + 1)
        step.append(_button(texts("pickers.next"), on))
    rows = [step] if step else []
    if listing.kind == Kind.GROUP:
        rows.append([_button(texts("pickers.back"), Press(listing.verb, Kind.GROUPS))])
    return rows


def _button(label: str, press: Press) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=picking.encode(press))
