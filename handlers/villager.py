"""A bound villager's chat: their cadres, which household they speak for, their messages
(each files a request or joins one: ``handlers.villager_requests``), and /my."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callbacks
from bot.domain import members
from bot.i18n import LANGUAGES, t
from handlers.context import Unit
from storage.people import People

from . import cadre, common, my_requests, outgoing, tell_household, villager_requests
from .context import AnyApp, LianxinContext
from .people import cadre_lines, household_chooser


async def my_cadres(update: Update, context: LianxinContext) -> None:
    """The current household's cadres: names, ranks and phones, in tier order."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    unit = context.unit
    found = await members.cadres_of_current(People(unit.tx), user.id)
    if isinstance(found, members.Membership):
        _ask_which_or_bind(unit, message, found)
        return
    texts = unit.setup.texts
    text = texts(
        "villager.my_cadres",
        head=found.household.head_name,
        cadres=cadre_lines(texts, found.cadres),
    )
    unit.send(outgoing.message(message.chat_id, text))


async def switch_household(update: Update, context: LianxinContext) -> None:
    """Offer the households of this phone as buttons (or say there is only one)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    unit = context.unit
    member = await members.membership(People(unit.tx), user.id)
    if len(member.households) == 1:
        text = unit.setup.texts("villager.only_one", head=member.households[0].head_name)
        unit.send(outgoing.message(message.chat_id, text))
        return
    _ask_which_or_bind(unit, message, members.Membership(member.households, None))


async def pick_household(update: Update, context: LianxinContext) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    unit = context.unit
    texts = unit.setup.texts
    chosen = callbacks.decode(query.data)
    household_id = chosen.argument if chosen else ""
    household = await members.choose(People(unit.tx), user.id, household_id)
    if household is None:
        unit.send(outgoing.answer_button(user.id, query.id, texts("villager.not_your_household")))
        return
    text = texts("villager.chosen", head=household.head_name, address=household.address)
    unit.send(outgoing.answer_button(user.id, query.id))
    unit.send(outgoing.message(user.id, text))


async def message(update: Update, context: LianxinContext) -> None:
    """What a bound person sends: a cadre's goes to the cadre side; a villager's files a
    request for the household they speak for, or joins the one they are talking about."""
    incoming, user = update.effective_message, update.effective_user
    if incoming is None or user is None:
        return
    unit = context.unit
    people = People(unit.tx)
    cadre_id = await people.cadre_of_user(user.id)
    if cadre_id is not None:
        await cadre.message(update, context, cadre_id)
        return
    member = await members.membership(people, user.id)
    if member.current is None:
        if not member.bound:
            await common.not_bound(update, context)
            return
        _ask_which_or_bind(unit, incoming, member)
        return
    await villager_requests.file_or_join(unit, incoming, user.id, member.current.id)


def _ask_which_or_bind(unit: Unit, message: Message, member: members.Membership) -> None:
    texts = unit.setup.texts
    if not member.bound:
        text = texts("reply.not_bound")
        unit.send(outgoing.message(message.chat_id, text, reply_to=message.message_id))
        return
    unit.send(
        outgoing.message(
            message.chat_id,
            texts("villager.choose_household"),
            keyboard=household_chooser(member.households),
        )
    )


def _button(key: str) -> filters.MessageFilter:
    """A big keyboard button's text in any language (the phone may change language)."""
    return filters.Text([t(language, key) for language in LANGUAGES])


def register(app: AnyApp) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("cadres", my_cadres, filters=private))
    app.add_handler(CommandHandler("household", switch_household, filters=private))
    fresh = private & filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(fresh & _button("people.button_my_cadres"), my_cadres))
    app.add_handler(MessageHandler(fresh & _button("people.button_switch"), switch_household))
    app.add_handler(CommandHandler("my", my_requests.show, filters=private))
    app.add_handler(
        MessageHandler(fresh & _button("villager_requests.button_my"), my_requests.show)
    )
    app.add_handler(CallbackQueryHandler(pick_household, pattern=r"^hh:pick:"))
    app.add_handler(CallbackQueryHandler(villager_requests.press, pattern=tell_household.PATTERN))
    app.add_handler(MessageHandler(fresh & ~filters.COMMAND & common.REQUEST_CONTENT, message))
