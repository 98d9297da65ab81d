"""``/start``: with a contact card's code it binds; without one it greets by role.

A new phone bound to a household that already has phones is announced to them, with a
button to report a stranger (the administrators may then unbind it with a button)."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import callbacks
from bot.domain import binding
from bot.domain.binding import BindingPolicy, BindOutcome, BoundCadre, BoundHousehold, Refusal
from bot.domain.roster import Household
from bot.i18n import Texts
from handlers.context import Unit
from storage import accounts, cadre_views, codes
from storage.people import People

from . import common, menus, outgoing, tell_household
from .context import AnyApp, LianxinContext
from .people import cadre_lines, duties_text, villager_keyboard


def _policy(unit: Unit) -> BindingPolicy:
    config = unit.setup.config.binding
    return BindingPolicy(
        phones_per_household=config.phones_per_household,
        max_wrong_codes=config.max_wrong_codes,
        wrong_code_window=config.wrong_code_window,
        lockout=config.lockout,
    )


async def start(update: Update, context: LianxinContext) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    unit = context.unit
    people = People(unit.tx)
    if context.args:
        outcome: BindOutcome | None = await binding.bind(
            people, user.id, context.args[0], unit.now, _policy(unit)
        )
    else:
        outcome = await binding.identify(people, user.id)
    if outcome is None:
        await common.start(update, context)
        return
    await _answer(unit, user, outcome, people)


async def _answer(unit: Unit, user: User, outcome: BindOutcome, people: People) -> None:
    texts = unit.setup.texts
    if isinstance(outcome, BoundHousehold):
        if not outcome.again:
            await _announce_new_phone(unit, user, outcome.household)
        key = "binding.household_again" if outcome.again else "binding.household_welcome"
        text = texts(
            key,
            name=user.first_name,
            head=outcome.household.head_name,
            address=outcome.household.address or outcome.household.id,
            cadres=cadre_lines(texts, outcome.cadres),
        )
        keyboard = villager_keyboard(texts, len(await people.households_of(user.id)))
        unit.send(outgoing.message(user.id, text, keyboard=keyboard))
    elif isinstance(outcome, BoundCadre):
        unit.send(outgoing.message(user.id, _cadre_text(unit, outcome)))
        if not outcome.again:
            unit.send(*menus.menu_calls(menus.CADRE, texts.language, chat_id=user.id))
    else:
        unit.send(outgoing.message(user.id, await _refusal(unit, outcome, people, user.id)))


def _cadre_text(unit: Unit, outcome: BoundCadre) -> str:
    texts = unit.setup.texts
    cadre = outcome.cadre
    supervises = (
        texts("binding.cadre_supervises", region=outcome.supervises) if outcome.supervises else ""
    )
    return texts(
        "binding.cadre_again" if outcome.again else "binding.cadre_welcome",
        name=cadre.name,
        rank=texts(f"people.rank.{cadre.rank}"),
        unit=cadre.unit,
        duties=duties_text(texts, outcome.duties),
        supervises=supervises,
    )


async def _refusal(unit: Unit, refused: binding.Refused, people: People, user_id: int) -> str:
    texts = unit.setup.texts
    match refused.reason:
        case Refusal.USED_UP:
            return texts("binding.used_up", limit=unit.setup.config.binding.phones_per_household)
        case Refusal.LOCKED:
            until = refused.until or unit.now
            local = until.astimezone(unit.setup.config.general.zone)
            return texts("binding.locked", until=local.strftime("%H:%M"))
        case Refusal.OTHER_CADRE:
            cadre_id = await people.cadre_of_user(user_id)
            name = (await people.cadre(cadre_id)).name if cadre_id else ""
            return texts("binding.other_cadre", name=name)
        case _:
            return texts(f"binding.{refused.reason}")


# --- a new phone on a household: its members hear, and may report it -------------------

SCOPE = "nb"  # new binding
REPORT, UNBIND = "rep", "unb"
_ARGUMENT = re.compile(r"^(?P<household>[A-Za-z0-9_-]{1,30}):(?P<user>[0-9]{1,15})$")


def _button(
    texts: Texts, label: str, action: str, household_id: str, user_id: int
) -> InlineKeyboardMarkup:
    data = callbacks.Callback(SCOPE, action, f"{household_id}:{user_id}").encode()
    return InlineKeyboardMarkup([[InlineKeyboardButton(texts(label), callback_data=data)]])


async def _announce_new_phone(unit: Unit, user: User, household: Household) -> None:
    """The phones already bound to the household hear who bound a new one, and when, with
    a button to report it: a stranger holding the card would read every answer."""
    texts = unit.setup.texts
    others = [u for u in await cadre_views.member_users(unit.tx, household.id) if u != user.id]
    if not others:
        return
    text = texts(
        "binding_notice.new_phone",
        head=household.head_name,
        who=_who(user),
        at=tell_household.local_time(unit, unit.now),
    )
    keyboard = _button(texts, "binding_notice.report_button", REPORT, household.id, user.id)
    for other in others:
        unit.send(outgoing.message(other, text, keyboard=keyboard))


def _who(user: User) -> str:
    name = user.full_name or str(user.id)
    return f"{name} (@{user.username})" if user.username else name


async def pressed(update: Update, context: LianxinContext) -> None:
    """``nb:rep:<household>:<user>`` by a member, ``nb:unb:<household>:<user>`` by an
    administrator; anything else (forged, stale, another's) changes nothing."""
    query, presser = update.callback_query, update.effective_user
    if query is None or presser is None:
        return
    unit = context.unit
    texts = unit.setup.texts
    chosen = callbacks.decode(query.data)
    found = _ARGUMENT.match(chosen.argument) if chosen else None
    answer = texts("binding_notice.stale")
    if chosen is not None and found is not None:
        household_id, user_id = found["household"], int(found["user"])
        if chosen.action == REPORT:
            answer = await _report(unit, presser.id, household_id, user_id)
        elif chosen.action == UNBIND and unit.setup.is_admin(presser.id):
            answer = await _unbind(unit, household_id, user_id)
    unit.send(outgoing.answer_button(presser.id, query.id, answer))


async def _report(unit: Unit, reporter: int, household_id: str, user_id: int) -> str:
    """The administrators (with a button to unbind it) and the household's first cadre
    hear that a member does not know the new phone."""
    texts = unit.setup.texts
    people = People(unit.tx)
    since = await codes.member_since(unit.tx, user_id, household_id)
    if reporter == user_id or since is None or not await people.is_member(reporter, household_id):
        return texts("binding_notice.stale")
    household = await people.household(household_id)
    text = texts(
        "binding_notice.reported",
        reporter=await accounts.display_name(unit.tx, reporter),
        head=household.head_name,
        household=household.id,
        who=await accounts.display_name(unit.tx, user_id),
        user_id=user_id,
    )
    keyboard = _button(texts, "binding_notice.unbind_button", UNBIND, household_id, user_id)
    for admin in unit.setup.config.general.admins:
        key = f"nb:{household_id}:{user_id}:{since}:{admin}"  # told once per binding
        unit.send(outgoing.message(admin, text, keyboard=keyboard, dedup_key=key))
    first = next(iter(await people.linked_cadres(household_id)), None)
    cadre_user = await cadre_views.cadre_account(unit.tx, first.cadre.id) if first else None
    if cadre_user is not None:
        key = f"nb:{household_id}:{user_id}:{since}:cadre"
        unit.send(outgoing.message(cadre_user, text, dedup_key=key))
    return texts("binding_notice.report_sent")


async def _unbind(unit: Unit, household_id: str, user_id: int) -> str:
    texts = unit.setup.texts
    if not await codes.unbind_member(unit.tx, user_id, household_id):
        return texts("binding_notice.not_bound")
    head = (await People(unit.tx).household(household_id)).head_name
    unit.send(outgoing.message(user_id, texts("binding_notice.you_were_unbound", head=head)))
    return texts("binding_notice.unbound", head=head)


def register(app: AnyApp) -> None:
    app.add_handler(CommandHandler("start", start, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(pressed, pattern=rf"^{SCOPE}:"))
