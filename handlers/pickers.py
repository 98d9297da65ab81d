"""``/file``, ``/visit`` and ``/stay`` without typing an id, and the cadre's big buttons.

The command alone offers the cadre's households as buttons; a name after it is searched;
an id works as always (``bot.services.pickers``). After a stay the location button (or
跳过) comes up; the cadre's keyboard (``cadre_keyboard``) does what the commands do.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.domain import picking
from bot.domain.picking import NotYours, Verb
from bot.domain.schedule import CadresOnly, Rules
from bot.domain.stays import StayedAlready
from bot.services import pickers
from bot.services.casework import NotLinked

from . import (
    cadre,
    cadre_keyboard,
    common,
    outgoing,
    picker_views,
    stay_views,
    supervisor,
    villager,
)
from .context import AnyApp, LianxinContext, Unit

Handler = Callable[[Update, LianxinContext], Coroutine[Any, Any, None]]


async def file(update: Update, context: LianxinContext) -> None:
    """``/file [id | name]``: the next message is filed for the household picked."""
    await _command(context, Verb.FILE)


async def visit(update: Update, context: LianxinContext) -> None:
    """``/visit [id | name] [note]``: a visit logged for the household picked."""
    await _command(context, Verb.VISIT)


async def stay(update: Update, context: LianxinContext) -> None:
    """``/stay [id | name] [note]``: a village-stay day, then the place if the cadre will."""
    await _command(context, Verb.STAY)


async def _command(context: LianxinContext, verb: Verb) -> None:
    unit, who = context.unit, context.unit.who
    if who is None:
        return
    words = list(context.args or [])
    try:
        picked = await pickers.command(unit.work, who, verb, words, rules(unit))
    except CadresOnly:
        unit.send(outgoing.message(who.user_id, unit.texts("requests_cadre.cadres_only")))
        return
    except NotLinked as refused:
        text = unit.texts("requests_cadre.file.not_linked", household=refused.household_id)
        unit.send(outgoing.message(who.user_id, text))
        return
    except StayedAlready as twice:
        unit.send(outgoing.message(who.user_id, stay_views.twice_text(unit.texts, twice)))
        return
    unit.send(*picker_views.picked_calls(unit.view(), who, picked))


def rules(unit: Unit) -> Rules:
    config, zone = unit.setup.config, unit.setup.config.general.zone
    return config.schedule.rules(zone, hours=config.stays.hours(zone))


async def pressed(update: Update, context: LianxinContext) -> None:
    """``pk:…``: a household, a page, a group; forged or another's: refused, no change."""
    query, unit, who = update.callback_query, context.unit, context.unit.who
    if query is None or who is None:
        return
    shown = query.message if isinstance(query.message, Message) else None
    try:
        press = picking.decode(query.data)
        if press is None:
            raise NotYours
        picked = await pickers.press(unit.work, who, press, rules(unit))
    except (NotYours, CadresOnly):
        unit.send(outgoing.answer_button(who.user_id, query.id, unit.texts("pickers.refused")))
        return
    except StayedAlready as twice:
        text = stay_views.twice_text(unit.texts, twice)
        unit.send(
            outgoing.answer_button(who.user_id, query.id), outgoing.message(who.user_id, text)
        )
        return
    answer = outgoing.answer_button(who.user_id, query.id)
    unit.send(answer, *picker_views.pressed_calls(unit.view(), who, shown, picked))


async def skip(update: Update, context: LianxinContext) -> None:
    """「跳过」 under the location button: no place this time; the cadre's keyboard again."""
    unit, who = context.unit, context.unit.who
    if who is None:
        return
    keyboard = cadre_keyboard.of(unit.texts, who)
    unit.send(outgoing.message(who.user_id, unit.texts("pickers.skipped"), keyboard=keyboard))


def _for_cadres(handler: Handler) -> Handler:
    """A big button's text from anyone but a cadre is a message like any other."""

    async def button(update: Update, context: LianxinContext) -> None:
        who = context.unit.who
        if who is not None and who.cadre is None:
            await villager.message(update, context)
            return
        await handler(update, context)

    return button


BUTTONS: dict[str, Handler] = {
    "inbox": cadre.inbox,
    "file": file,
    "visit": visit,
    "stay": stay,
    "stats": supervisor.stats_command,
    "help": common.show_help,
    "skip": skip,
}


def register(app: AnyApp) -> None:
    """Before villager.py, whose last handler takes any text as a message."""
    private = filters.ChatType.PRIVATE
    fresh = private & filters.UpdateType.MESSAGE
    for name, command in (("file", file), ("visit", visit), ("stay", stay)):
        app.add_handler(CommandHandler(name, command, filters=private))
    for name, handler in BUTTONS.items():
        pressed_button = cadre_keyboard.pressed(f"pickers.button_{name}")
        app.add_handler(MessageHandler(fresh & pressed_button, _for_cadres(handler)))
    app.add_handler(CallbackQueryHandler(pressed, pattern=rf"^{picking.SCOPE}:"))
