"""``/start``: with a contact card's code it binds; without one it greets by role.

A new phone bound to a household that already has phones is announced to them, with a
button to report a stranger (the administrators may then unbind it with a button).
The use cases are ``bot.services.binding``'s; here they are asked and their results shown."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import callbacks
from bot.calls import Call
from bot.domain.binding import BindingPolicy, BoundCadre, Refusal
from bot.i18n import Texts
from bot.services import binding as service
from bot.services.binding import Bound, Joined, NewPhone, NotBound, Reported, StaleNotice
from bot.services.identity import Identity

from . import cadre_keyboard, common, menus, outgoing, tell_household
from .context import AnyApp, LianxinContext, Unit
from .paging import bounded
from .people import cadre_lines, duties_text, villager_keyboard


async def start(update: Update, context: LianxinContext) -> None:
    message, user, unit = update.effective_message, update.effective_user, context.unit
    if message is None or user is None or unit.who is None:
        return
    if context.args:
        found: Bound | None = await service.bind(
            unit.work, unit.who, context.args[0], policy(unit)
        )
    else:
        found = await service.who_am_i(unit.work, unit.who)
    if found is None:
        unit.send(*common.greeting(unit.texts, unit.who, user.first_name, message.chat_id))
    else:
        unit.send(*bound_calls(unit, unit.who.user_id, user.first_name, found))


def policy(unit: Unit) -> BindingPolicy:
    config = unit.setup.config.binding
    return BindingPolicy(
        phones_per_household=config.phones_per_household,
        max_wrong_codes=config.max_wrong_codes,
        wrong_code_window=config.wrong_code_window,
        lockout=config.lockout,
    )


# --- what binding says --------------------------------------------------------------


def bound_calls(unit: Unit, chat: int, name: str, found: Bound) -> list[Call]:
    """The answer to /start (``name``: the person's Telegram first name), and the notice
    to the household's other phones when a new one bound."""
    texts = unit.texts
    if isinstance(found, Joined):
        notice = new_phone_calls(unit, found.new_phone) if found.new_phone else []
        keyboard = cadre_keyboard.of(texts, unit.who) if unit.who else None
        rota = unit.setup.config.rota.enabled
        keyboard = keyboard or villager_keyboard(texts, found.households, rota)  # a cadre's wins
        welcome = outgoing.message(chat, joined_text(texts, name, found), keyboard=keyboard)
        return [*notice, welcome, *switch_calls(texts, chat, found)]
    if isinstance(found, BoundCadre):
        households = len(unit.who.households) if unit.who else 0
        keyboard = cadre_keyboard.keyboard(texts, found.supervises is not None, households)
        calls = [outgoing.message(chat, cadre_text(texts, found), keyboard=keyboard)]
        if found.again:
            return calls
        return [*calls, *menus.menu_calls(menus.CADRE, texts.language, chat_id=chat)]
    return [outgoing.message(chat, refusal_text(unit, found))]


def switch_calls(texts: Texts, chat: int, joined: Joined) -> list[Call]:
    """A phone that spoke for another household before still does: it is asked, with
    buttons (``hh:pick``, checked against its households), which one to speak for."""
    kept, new = joined.kept, joined.bound.household
    if kept is None:
        return []
    heads = {"new": bounded(new.head_name), "kept": bounded(kept.head_name)}
    rows = [
        [
            InlineKeyboardButton(
                texts("threads.switch_to", head=bounded(new.head_name)),
                callback_data=callbacks.pick_household(new.id).encode(),
            )
        ],
        [
            InlineKeyboardButton(
                texts("threads.stay_with", head=bounded(kept.head_name)),
                callback_data=callbacks.pick_household(kept.id).encode(),
            )
        ],
    ]
    text = texts("threads.switch_ask", **heads)
    return [outgoing.message(chat, text, keyboard=InlineKeyboardMarkup(rows))]


def joined_text(texts: Texts, name: str, joined: Joined) -> str:
    household = joined.bound.household
    return texts(
        "binding.household_again" if joined.bound.again else "binding.household_welcome",
        name=name,
        head=household.head_name,
        address=household.address or household.id,
        cadres=cadre_lines(texts, joined.bound.cadres),
    )


def cadre_text(texts: Texts, bound: BoundCadre) -> str:
    cadre = bound.cadre
    supervises = (
        texts("binding.cadre_supervises", region=bound.supervises) if bound.supervises else ""
    )
    return texts(
        "binding.cadre_again" if bound.again else "binding.cadre_welcome",
        name=cadre.name,
        rank=texts(f"people.rank.{cadre.rank}"),
        unit=cadre.unit,
        duties=duties_text(texts, bound.duties),
        supervises=supervises,
    )


def refusal_text(unit: Unit, refused: NotBound) -> str:
    texts = unit.texts
    match refused.refused.reason:
        case Refusal.USED_UP:
            return texts("binding.used_up", limit=unit.setup.config.binding.phones_per_household)
        case Refusal.LOCKED:
            until = (refused.refused.until or unit.now).astimezone(unit.setup.config.general.zone)
            return texts("binding.locked", until=until.strftime("%H:%M"))
        case Refusal.OTHER_CADRE:
            name = refused.acting_as.name if refused.acting_as else ""
            return texts("binding.other_cadre", name=name)
        case reason:
            return texts(f"binding.{reason}")


# --- a new phone on a household: its members hear, and may report it -------------------

SCOPE = "nb"  # new binding
REPORT, UNBIND = "rep", "unb"
_ARGUMENT = re.compile(r"^(?P<household>[A-Za-z0-9_-]{1,30}):(?P<user>[0-9]{1,15})$")


@dataclass(frozen=True)
class Press:
    """``nb:rep:<household>:<user>`` (a member) or ``nb:unb:<household>:<user>`` (an
    administrator), as pressed: still to be checked against who pressed it."""

    action: str
    household_id: str
    user_id: int


def read_press(data: str | None) -> Press | None:
    chosen = callbacks.decode(data)
    found = _ARGUMENT.match(chosen.argument) if chosen else None
    if chosen is None or found is None:
        return None
    return Press(chosen.action, found["household"], int(found["user"]))


def _button(
    texts: Texts, label: str, action: str, household_id: str, user_id: int
) -> InlineKeyboardMarkup:
    data = callbacks.Callback(SCOPE, action, f"{household_id}:{user_id}").encode()
    return InlineKeyboardMarkup([[InlineKeyboardButton(texts(label), callback_data=data)]])


def new_phone_calls(unit: Unit, new: NewPhone) -> list[Call]:
    """The phones already bound to the household hear who bound a new one, and when, with
    a button to report it: a stranger holding the card would read every answer."""
    texts = unit.texts
    text = texts(
        "binding_notice.new_phone",
        head=new.household.head_name,
        who=new.name,
        at=tell_household.local_time(unit, new.at),
    )
    label = "binding_notice.report_button"
    keyboard = _button(texts, label, REPORT, new.household.id, new.user_id)
    return [outgoing.message(other, text, keyboard=keyboard) for other in new.told]


async def pressed(update: Update, context: LianxinContext) -> None:
    """A member's report or an administrator's unbinding; anything else (forged, stale,
    another's) changes nothing and says so."""
    query, unit, who = update.callback_query, context.unit, context.unit.who
    if query is None or who is None:
        return
    press = read_press(query.data)
    try:
        if press is None or press.action not in (REPORT, UNBIND):
            raise StaleNotice
        act = _report if press.action == REPORT else _unbind
        answer = await act(unit, who, press)
    except StaleNotice:
        answer = unit.texts("binding_notice.stale")
    unit.send(outgoing.answer_button(who.user_id, query.id, answer))


async def _report(unit: Unit, who: Identity, press: Press) -> str:
    admins = unit.setup.config.general.admins
    reported = await service.report_stranger(
        unit.work, who, press.household_id, press.user_id, admins
    )
    unit.send(*report_calls(unit.texts, reported))
    return unit.texts("binding_notice.report_sent")


def report_calls(texts: Texts, reported: Reported) -> list[Call]:
    """The administrators (with a button to unbind the phone) and the household's first
    cadre hear that a member does not know the new phone; once per binding."""
    household, user_id = reported.household, reported.stranger_id
    text = texts(
        "binding_notice.reported",
        reporter=reported.reporter,
        head=household.head_name,
        household=household.id,
        who=reported.stranger,
        user_id=user_id,
    )
    keyboard = _button(texts, "binding_notice.unbind_button", UNBIND, household.id, user_id)
    key = f"nb:{household.id}:{user_id}:{reported.since}"
    calls = [
        outgoing.message(admin, text, keyboard=keyboard, dedup_key=f"{key}:{admin}")
        for admin in reported.admins
    ]
    if reported.cadre_user is not None:
        calls.append(outgoing.message(reported.cadre_user, text, dedup_key=f"{key}:cadre"))
    return calls


async def _unbind(unit: Unit, who: Identity, press: Press) -> str:
    unbound = await service.unbind_stranger(unit.work, who, press.household_id, press.user_id)
    if unbound is None:
        return unit.texts("binding_notice.not_bound")
    head = unbound.household.head_name
    told = unit.texts("binding_notice.you_were_unbound", head=head)
    unit.send(outgoing.message(unbound.user_id, told))
    return unit.texts("binding_notice.unbound", head=head)


def register(app: AnyApp) -> None:
    app.add_handler(CommandHandler("start", start, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(pressed, pattern=rf"^{SCOPE}:"))
