"""Visiting rounds (``/round``), 夜议 (``/meeting``), 回头看 and the 走访 figures: parse the
update, call one use case of ``bot.services.rounds``, render with ``round_views``.

Buttons: ``rd:<action>:<args>`` (rounds, 当场办结, decisions, the /stats 走访 button) and
``hk:<action>:<args>`` (回头看). Every press is checked by the use case against the
presser and the state; a forged or stale one is answered so and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import callbacks
from bot.calls import Call
from bot.domain import dates, picking, stats
from bot.domain.rounds import BadMeeting, NightRules, NotSupervisor, RevisitRefused, RoundRefused
from bot.domain.schedule import CadresOnly
from bot.services import rounds
from bot.services.identity import Identity
from bot.services.rounds import BadEnd, NoTeam, NoVillage

from . import cadre, notify, outgoing, round_views
from .context import AnyApp, LianxinContext, Unit

Press = Callable[[Unit, int, list[str], str], Coroutine[Any, Any, list[Call]]]
REFUSED = (RoundRefused, RevisitRefused, CadresOnly, ValueError)
# Only these scopes: "rv" is the villager receipt's (``tell_household``).
PATTERN = rf"^({round_views.ROUND}|{round_views.REVISIT}):"


def night(unit: Unit) -> NightRules:
    config = unit.setup.config
    return config.three_nights.rules(config.general.zone)


def _zone(unit: Unit) -> ZoneInfo:
    return unit.setup.config.general.zone


def _say(chat: int, shown: tuple[str, InlineKeyboardMarkup | None] | str) -> Call:
    if isinstance(shown, str):
        return outgoing.message(chat, shown)
    return outgoing.message(chat, shown[0], keyboard=shown[1])


def _id(text: str) -> int:
    found = callbacks.identifier(text)
    if found is None:
        raise RoundRefused
    return found


def _key(text: str) -> str:
    if not picking.is_id(text):
        raise RoundRefused
    return text


# --- commands --------------------------------------------------------------------------


async def round_command(update: Update, context: LianxinContext) -> None:
    """``/round``: the cadre's rounds (who is left), 发起 for a supervisor; ``/round
    12月20日`` ends the round being set up on that day and starts it."""
    unit, who = context.unit, context.unit.who
    if who is None:
        return
    words = " ".join(context.args or [])
    try:
        if words:
            sent = await _start(unit, dates.day(words, unit.now, _zone(unit)))
        else:
            sent = [
                _say(
                    who.user_id,
                    round_views.menu(unit.texts, await rounds.menu(unit.work, who, _zone(unit))),
                )
            ]
    except dates.NotADate:
        sent = [outgoing.message(who.user_id, unit.texts("rounds.bad_date", text=words))]
    except (CadresOnly, RoundRefused) as refused:
        sent = [outgoing.message(who.user_id, _refusal(unit, refused))]
    unit.send(*sent)


async def _start(unit: Unit, ends_on: date) -> list[Call]:
    who = _who(unit)
    done = await rounds.start(unit.work, who, ends_on, _zone(unit))
    text, keyboard = round_views.started_for_team(unit.texts, done)
    told = [outgoing.message(u, text, keyboard=keyboard) for u in done.team_users]
    return [outgoing.message(who.user_id, round_views.started(unit.texts, done)), *told]


def _refusal(unit: Unit, refused: Exception) -> str:
    texts = unit.texts
    if isinstance(refused, CadresOnly):
        return texts("requests_cadre.cadres_only")
    if isinstance(refused, BadEnd):
        return texts("rounds.bad_end", latest=refused.latest)
    if isinstance(refused, NoTeam):
        return texts("rounds.no_team")
    if isinstance(refused, NotSupervisor):
        return texts("rounds.not_supervisor")
    if isinstance(refused, RevisitRefused):
        return texts("rounds.revisit_refused")
    return texts("rounds.refused")


async def meeting_command(update: Update, context: LianxinContext) -> None:
    """``/meeting <人数> <议题>`` then one decision a line: a 夜议 logged, each decision
    with a button to file it for a household."""
    unit, who, message = context.unit, context.unit.who, update.effective_message
    if who is None or message is None:
        return
    parts = (message.text or "").split(maxsplit=1)
    text = parts[1] if len(parts) == 2 else ""
    try:
        logged = await rounds.log_meeting(unit.work, who, text)
    except BadMeeting:
        unit.send(outgoing.message(who.user_id, unit.texts("rounds.meeting_how")))
        return
    except NoVillage:
        unit.send(outgoing.message(who.user_id, unit.texts("rounds.meeting_no_village")))
        return
    except CadresOnly:
        unit.send(outgoing.message(who.user_id, unit.texts("requests_cadre.cadres_only")))
        return
    unit.send(_say(who.user_id, round_views.meeting(unit.texts, logged)))


# --- buttons ---------------------------------------------------------------------------


async def pressed(update: Update, context: LianxinContext) -> None:
    """``rd:…`` and ``hk:…``: each action to its use case; refused: answered, no change."""
    query, unit, who = update.callback_query, context.unit, context.unit.who
    if query is None or who is None:
        return
    found = callbacks.decode(query.data)
    act = ACTIONS.get((found.scope, found.action)) if found else None
    try:
        if found is None or act is None:
            raise RoundRefused
        sent = await act(unit, who.user_id, found.argument.split("."), found.argument)
    except REFUSED as refused:
        text = _refusal(unit, refused)
        unit.send(outgoing.answer_button(who.user_id, query.id, text))
        return
    unit.send(outgoing.answer_button(who.user_id, query.id), *sent)


def _who(unit: Unit) -> Identity:
    if unit.who is None:  # checked by the handlers before
        raise CadresOnly
    return unit.who


async def _new(unit: Unit, chat: int, args: list[str], raw: str) -> list[Call]:
    return [
        _say(chat, round_views.villages(unit.texts, await rounds.villages(unit.work, _who(unit))))
    ]


async def _village(unit: Unit, chat: int, args: list[str], raw: str) -> list[Call]:
    pick = await rounds.pick_village(unit.work, _who(unit), _key(raw))
    return [_say(chat, round_views.team(unit.texts, pick))]


async def _toggle(unit: Unit, chat: int, args: list[str], raw: str) -> list[Call]:
    pick = await rounds.toggle(unit.work, _who(unit), _key(raw))
    return [_say(chat, round_views.team(unit.texts, pick))]


async def _end(unit: Unit, chat: int, args: list[str], raw: str) -> list[Call]:
    days = _id(raw)
    if days not in round_views.END_DAYS:
        raise RoundRefused
    today = dates.today(unit.now, _zone(unit))
    return await _start(unit, today + timedelta(days=days))


async def _left(unit: Unit, chat: int, args: list[str], raw: str) -> list[Call]:
    round_id, page = _id(args[0]), _id(args[-1]) if len(args) == 2 else 0
    shown = await rounds.left(unit.work, _who(unit), round_id, page, _zone(unit))
    return [_say(chat, round_views.left(unit.texts, shown))]


async def _visit(unit: Unit, chat: int, args: list[str], raw: str) -> list[Call]:
    if len(args) != 2:
        raise RoundRefused
    done = await rounds.visit(unit.work, _who(unit), _id(args[0]), _key(args[1]), night(unit))
    return [_say(chat, round_views.covered(unit.texts, done))]


async def _finding(unit: Unit, chat: int, args: list[str], raw: str) -> list[Call]:
    if len(args) != 2:
        raise RoundRefused
    asked = await rounds.ask_finding(
        unit.work, _who(unit), _id(args[0]), _key(args[1]), _zone(unit)
    )
    return [_say(chat, round_views.asking(unit.texts, asked))]


async def _findings(unit: Unit, chat: int, args: list[str], raw: str) -> list[Call]:
    shown = await rounds.findings(unit.work, _who(unit), _id(raw), _zone(unit))
    return [_say(chat, round_views.findings(unit.texts, shown))]


async def _on_spot(unit: Unit, chat: int, args: list[str], raw: str) -> list[Call]:
    if len(args) != 2:
        raise RoundRefused
    done = await rounds.resolve_on_spot(
        unit.work, _who(unit), _id(args[0]), _id(args[1]), _zone(unit)
    )
    shown = _say(chat, round_views.solved(unit.texts, done))
    return [*notify.calls(unit.view(), done.notices), shown]


async def _confirm(unit: Unit, chat: int, args: list[str], raw: str) -> list[Call]:
    done = await rounds.confirm_on_spot(unit.work, _who(unit), _id(raw))
    return [_say(chat, round_views.confirmed(unit.texts, done))]


async def _decision(unit: Unit, chat: int, args: list[str], raw: str) -> list[Call]:
    if len(args) != 3:
        raise RoundRefused
    pick = await rounds.decision_households(
        unit.work, _who(unit), _id(args[0]), _id(args[1]), _id(args[2])
    )
    return [_say(chat, round_views.decision(unit.texts, pick))]


async def _file_decision(unit: Unit, chat: int, args: list[str], raw: str) -> list[Call]:
    if len(args) != 3:
        raise RoundRefused
    deadlines = cadre.rules(unit).deadlines
    filed = await rounds.file_decision(
        unit.work, _who(unit), _id(args[0]), _id(args[1]), _key(args[2]), deadlines
    )
    return cadre.written_calls(unit.view(), chat, 0, filed)


async def _figures(unit: Unit, chat: int, args: list[str], raw: str) -> list[Call]:
    config = unit.setup.config
    try:
        period = stats.span(raw, unit.now, config.general.zone, config.stats.bounds())
    except stats.BadPeriod:
        raise RoundRefused from None
    shown = await rounds.figures_for(unit.work, _who(unit), period, night(unit))
    return [outgoing.message(chat, round_views.figures(unit.texts, shown))]


async def _revisit_ask(unit: Unit, chat: int, args: list[str], raw: str) -> list[Call]:
    asked = await rounds.revisit_ask(unit.work, _who(unit), _id(raw))
    return [_say(chat, round_views.revisit_days(unit.texts, asked))]


async def _revisit_day(unit: Unit, chat: int, args: list[str], raw: str) -> list[Call]:
    if len(args) != 2 or _id(args[1]) not in round_views.REVISIT_DAYS:
        raise RevisitRefused
    day = dates.today(unit.now, _zone(unit)) + timedelta(days=_id(args[1]))
    done = await rounds.schedule_revisit(unit.work, _who(unit), _id(args[0]), day, _zone(unit))
    return [_say(chat, round_views.scheduled(unit.texts, done))]


async def _revisit_result(unit: Unit, chat: int, satisfied: bool, raw: str) -> list[Call]:
    done = await rounds.record_revisit(unit.work, _who(unit), _id(raw), satisfied, _zone(unit))
    return [outgoing.message(chat, round_views.recorded(unit.texts, done))]


async def _revisit_ok(unit: Unit, chat: int, args: list[str], raw: str) -> list[Call]:
    return await _revisit_result(unit, chat, True, raw)


async def _revisit_again(unit: Unit, chat: int, args: list[str], raw: str) -> list[Call]:
    return await _revisit_result(unit, chat, False, raw)


ACTIONS: dict[tuple[str, str], Press] = {
    ("rd", "new"): _new,
    ("rd", "v"): _village,
    ("rd", "t"): _toggle,
    ("rd", "e"): _end,
    ("rd", "l"): _left,
    ("rd", "h"): _visit,
    ("rd", "f"): _finding,
    ("rd", "p"): _findings,
    ("rd", "s"): _on_spot,
    ("rd", "c"): _confirm,
    ("rd", "d"): _decision,
    ("rd", "x"): _file_decision,
    ("rd", "st"): _figures,
    ("hk", "ask"): _revisit_ask,
    ("hk", "day"): _revisit_day,
    ("hk", "ok"): _revisit_ok,
    ("hk", "again"): _revisit_again,
}


# --- the sweep -------------------------------------------------------------------------


async def remind_revisits(unit: Unit) -> int:
    """回头看 past their day and not recorded: their cadre is reminded, once each."""
    due = await rounds.remind_revisits(unit.work, _zone(unit))
    for item in due:
        text = round_views.overdue_revisit(
            unit.texts, item.number, item.head_name, item.due_on.isoformat()
        )
        keyboard = round_views.result_buttons(unit.texts, item.revisit_id)
        unit.send(outgoing.message(item.user_id, text, keyboard=keyboard))
    return len(due)


def register(app: AnyApp) -> None:
    """Before cadre.py's catch-all messages; the buttons by their own scopes."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("round", round_command, filters=private))
    app.add_handler(CommandHandler("meeting", meeting_command, filters=private))
    app.add_handler(CallbackQueryHandler(pressed, pattern=PATTERN))
