"""A bound villager's chat: their cadres, which household they speak for, their messages
(each files a request or joins one: ``handlers.villager_requests``), and /my."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callbacks
from bot.calls import Call
from bot.domain.members import CadresOf, NoHousehold
from bot.domain.roster import Household
from bot.i18n import LANGUAGES, Texts, t
from bot.services import villager

from . import cadre, common, complaints, my_requests, outgoing, tell_household, villager_requests
from .context import AnyApp, LianxinContext
from .people import cadre_lines, household_chooser


async def my_cadres(update: Update, context: LianxinContext) -> None:
    """The current household's cadres: names, ranks and phones, in tier order."""
    message, unit, who = update.effective_message, context.unit, context.unit.who
    if message is None or who is None:
        return
    try:
        found = await villager.cadres(unit.work, who)
    except NoHousehold:
        unit.send(ask_which_or_bind(unit.texts, message, who.households))
        return
    unit.send(outgoing.message(message.chat_id, cadres_text(unit.texts, found)))


async def switch_household(update: Update, context: LianxinContext) -> None:
    """Offer the households of this phone as buttons (or say there is only one)."""
    message, unit, who = update.effective_message, context.unit, context.unit.who
    if message is None or who is None:
        return
    if len(who.households) == 1:
        text = unit.texts("villager.only_one", head=who.households[0].head_name)
        unit.send(outgoing.message(message.chat_id, text))
        return
    unit.send(ask_which_or_bind(unit.texts, message, who.households))


async def pick_household(update: Update, context: LianxinContext) -> None:
    """A household chosen from the buttons (checked against the phone's households)."""
    query, unit, who = update.callback_query, context.unit, context.unit.who
    if query is None or who is None:
        return
    chosen = callbacks.decode(query.data)
    household = await villager.choose(unit.work, who, chosen.argument if chosen else "")
    unit.send(*chosen_calls(unit.texts, who.user_id, query.id, household))


async def message(update: Update, context: LianxinContext) -> None:
    """What a bound person sends: a cadre's goes to the cadre side; a villager's files a
    request for the household they speak for, or joins the one they are talking about."""
    incoming, unit, who = update.effective_message, context.unit, context.unit.who
    if incoming is None or who is None:
        return
    if who.cadre is not None:
        await cadre.message(update, context, who.cadre.id)
    elif not who.villager:
        await common.not_bound(update, context)
    elif who.current is None:
        unit.send(ask_which_or_bind(unit.texts, incoming, who.households))
    else:
        await complaints.file_or_join(unit, incoming, who)


# --- views ----------------------------------------------------------------------------


def cadres_text(texts: Texts, found: CadresOf) -> str:
    return texts(
        "villager.my_cadres",
        head=found.household.head_name,
        cadres=cadre_lines(texts, found.cadres),
    )


def chosen_calls(
    texts: Texts, user_id: int, query_id: str, household: Household | None
) -> list[Call]:
    if household is None:
        return [outgoing.answer_button(user_id, query_id, texts("villager.not_your_household"))]
    text = texts("villager.chosen", head=household.head_name, address=household.address)
    return [outgoing.answer_button(user_id, query_id), outgoing.message(user_id, text)]


def ask_which_or_bind(texts: Texts, message: Message, households: Sequence[Household]) -> Call:
    """A phone that speaks for no household now: how to bind, or which one to speak for."""
    if not households:
        text = texts("reply.not_bound")
        return outgoing.message(message.chat_id, text, reply_to=message.message_id)
    keyboard = household_chooser(households)
    return outgoing.message(message.chat_id, texts("villager.choose_household"), keyboard=keyboard)


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
    app.add_handler(MessageHandler(fresh & _button("confidential.button"), complaints.start))
    app.add_handler(CallbackQueryHandler(complaints.pick, pattern=complaints.PATTERN))
    app.add_handler(CallbackQueryHandler(pick_household, pattern=r"^hh:pick:"))
    app.add_handler(CallbackQueryHandler(villager_requests.press, pattern=tell_household.PATTERN))
    app.add_handler(MessageHandler(fresh & ~filters.COMMAND & common.REQUEST_CONTENT, message))
