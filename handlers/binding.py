"""``/start``: with a contact card's code it binds; without one it greets by role."""

from __future__ import annotations

from telegram import Update, User
from telegram.ext import CommandHandler, filters

from bot.domain import binding
from bot.domain.binding import BindingPolicy, BindOutcome, BoundCadre, BoundHousehold, Refusal
from bot.edge.unit import Unit
from storage.people import People

from . import common, menus, outgoing
from .context import AnyApp, LianxinContext
from .people import cadre_lines, duties_text, villager_keyboard


def _policy(unit: Unit) -> BindingPolicy:
    config = unit.services.config.binding
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
    texts = unit.services.texts
    if isinstance(outcome, BoundHousehold):
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
    texts = unit.services.texts
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
    texts = unit.services.texts
    match refused.reason:
        case Refusal.USED_UP:
            return texts(
                "binding.used_up", limit=unit.services.config.binding.phones_per_household
            )
        case Refusal.LOCKED:
            until = refused.until or unit.now
            local = until.astimezone(unit.services.config.general.zone)
            return texts("binding.locked", until=local.strftime("%H:%M"))
        case Refusal.OTHER_CADRE:
            cadre_id = await people.cadre_of_user(user_id)
            name = (await people.cadre(cadre_id)).name if cadre_id else ""
            return texts("binding.other_cadre", name=name)
        case _:
            return texts(f"binding.{refused.reason}")


def register(app: AnyApp) -> None:
    app.add_handler(CommandHandler("start", start, filters=filters.ChatType.PRIVATE))
