"""``/away``: a cadre away until a day (their backup takes new requests meanwhile, and
the supervisor nearest above hears of it), ``/away off`` or the 「我回来了」 button to end
it, ``/away`` alone to see how it stands, with buttons: 明天 / 3天 / 一周 (``away:in:<days>``)
and 选日期 (``away:pick:``, the next two weeks as buttons ``away:day:<YYYY-MM-DD>``). The
day may be typed in Chinese (``/away 下周一``, ``/away 12月5日``: ``bot.domain.dates``).

The handlers read the command, call one use case of ``bot.services.away`` and render
what comes back with the pure views below.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import callbacks
from bot.calls import Call, Priority
from bot.domain.away import BadDate, PastDate, TooFar
from bot.i18n import Texts
from bot.services import away
from bot.services.away import Away
from bot.services.casework import CadresOnly
from bot.services.identity import Identity

from . import outgoing, tell_cadre
from .context import AnyApp, LianxinContext, Unit, View
from .paging import bounded

BACK = callbacks.Callback("away", "off")
_BACK_WORDS = ("off", "back", "取消", "回来")
QUICK = (("tomorrow", 1), ("three_days", 3), ("week", 7))  # the buttons under /away alone
PICKER_DAYS = 14  # 选日期: tomorrow and the 13 days after it
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


async def set_away(update: Update, context: LianxinContext) -> None:
    """``/away 明天`` / ``/away 2026-12-01`` (away until that day begins), ``/away off``, or
    ``/away`` (how it stands, with the 明天 / 3天 / 一周 / 选日期 buttons)."""
    unit, who = context.unit, context.unit.who
    if who is None:
        return
    argument = " ".join(context.args or [])  # 12月 5日 typed with a space is one date
    try:
        calls = await _answer(unit, who, argument)
    except CadresOnly:
        calls = [outgoing.message(who.user_id, unit.texts("requests_cadre.cadres_only"))]
    unit.send(*calls)


async def _answer(unit: Unit, who: Identity, argument: str) -> list[Call]:
    if argument.lower() in _BACK_WORDS:
        return [back_message(unit.texts, who.user_id, await away.come_back(unit.work, who))]
    if not argument:
        until = await away.away_until(unit.work, who)
        return [status_message(unit.view(), who.user_id, until)]
    config = unit.setup.config
    try:
        gone = await away.set_away(unit.work, who, argument, config.general.zone, config.away.max)
    except (BadDate, PastDate, TooFar) as refused:
        text = refusal_text(unit.texts, refused, argument, config.away.max)
        return [outgoing.message(who.user_id, text)]
    return away_calls(unit.view(), who.user_id, gone)


async def choice_pressed(update: Update, context: LianxinContext) -> None:
    """明天 / 3天 / 一周 (``away:in:<days>``), a day of the picker (``away:day:<date>``),
    or 选日期 (``away:pick:``, which shows the picker)."""
    query, unit, who = update.callback_query, context.unit, context.unit.who
    if query is None or who is None:
        return
    pressed = callbacks.decode(query.data) or callbacks.Callback("away", "")
    if pressed.action == "pick":
        unit.send(outgoing.answer_button(who.user_id, query.id))
        unit.send(picker_message(unit.view(), who.user_id))
        return
    day = pressed_day(pressed)
    refused = unit.texts("requests_cadre.answer.refused")
    if day is None:
        unit.send(outgoing.answer_button(who.user_id, query.id, refused))
        return
    unit.send(*await _set_pressed(unit, who, query.id, day))


async def _set_pressed(unit: Unit, who: Identity, query_id: str, day: str | int) -> list[Call]:
    config = unit.setup.config
    try:
        gone = await away.set_away(unit.work, who, day, config.general.zone, config.away.max)
    except CadresOnly:
        text = unit.texts("requests_cadre.answer.refused")
        return [outgoing.answer_button(who.user_id, query_id, text)]
    except (BadDate, PastDate, TooFar) as refused:
        text = refusal_text(unit.texts, refused, str(day), config.away.max)
        return [outgoing.answer_button(who.user_id, query_id, text)]
    return [
        outgoing.answer_button(who.user_id, query_id),
        *away_calls(unit.view(), who.user_id, gone),
    ]


def pressed_day(pressed: callbacks.Callback) -> str | int | None:
    """The days from today (``in``) or the date (``day``) a button carries, read strictly
    (forged data is None; a forged day still meets the date rules)."""
    if pressed.action == "in":
        return callbacks.identifier(pressed.argument)
    if pressed.action == "day" and _ISO_DAY.fullmatch(pressed.argument):
        return pressed.argument
    return None


async def back_pressed(update: Update, context: LianxinContext) -> None:
    """「我回来了」 under the away message."""
    query, unit, who = update.callback_query, context.unit, context.unit.who
    if query is None or who is None:
        return
    try:
        was_away = await away.come_back(unit.work, who)
    except CadresOnly:
        refused = unit.texts("requests_cadre.answer.refused")
        unit.send(outgoing.answer_button(who.user_id, query.id, refused))
        return
    unit.send(outgoing.answer_button(who.user_id, query.id))
    unit.send(back_message(unit.texts, who.user_id, was_away))


# --- views ----------------------------------------------------------------------------


def back_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    label = texts("requests_cadre.button.back")
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=BACK.encode())]])


def choices_row(texts: Texts) -> list[InlineKeyboardButton]:
    """明天 / 3天 / 一周 / 选日期."""
    row = [
        InlineKeyboardButton(
            texts(f"dates.away.{label}"),
            callback_data=callbacks.Callback("away", "in", str(days)).encode(),
        )
        for label, days in QUICK
    ]
    pick = callbacks.Callback("away", "pick").encode()
    return [*row, InlineKeyboardButton(texts("dates.away.pick"), callback_data=pick)]


def picker_message(view: View, user: int) -> Call:
    """The next ``PICKER_DAYS`` days as buttons, four a row, each carrying its date."""
    texts, today = view.texts, view.now.astimezone(view.zone).date()
    buttons = []
    for offset in range(1, PICKER_DAYS + 1):
        day = today + timedelta(days=offset)
        label = texts(
            "dates.away.day_button",
            month=day.month,
            day=day.day,
            weekday=texts(f"dates.weekday.{day.weekday()}"),
        )
        data = callbacks.Callback("away", "day", day.isoformat()).encode()
        buttons.append(InlineKeyboardButton(label, callback_data=data))
    rows = [buttons[n : n + 4] for n in range(0, len(buttons), 4)]
    return outgoing.message(user, texts("dates.away.picker"), keyboard=InlineKeyboardMarkup(rows))


def back_message(texts: Texts, user: int, was_away: bool) -> Call:
    key = "requests_cadre.away.back" if was_away else "requests_cadre.away.not_away"
    return outgoing.message(user, texts(key))


def status_message(view: View, user: int, until: datetime | None) -> Call:
    """Not away: the 明天 / 3天 / 一周 / 选日期 buttons. Away: until when, 「我回来了」, and
    the same buttons to change the day."""
    texts = view.texts
    if until is None:
        keyboard = InlineKeyboardMarkup([choices_row(texts)])
        return outgoing.message(user, texts("dates.away.offer"), keyboard=keyboard)
    text = texts("requests_cadre.away.status", until=tell_cadre.local(view, until))
    rows = [*back_keyboard(texts).inline_keyboard, choices_row(texts)]
    return outgoing.message(user, text, keyboard=InlineKeyboardMarkup(rows))


def refusal_text(
    texts: Texts, refused: BadDate | PastDate | TooFar, argument: str, longest: timedelta
) -> str:
    """What was wrong with the date, and what would do."""
    if isinstance(refused, TooFar):
        latest = refused.latest.isoformat()
        return texts("requests_cadre.away.too_far", latest=latest, days=longest.days)
    if isinstance(refused, PastDate):
        return texts("requests_cadre.away.past_date", date=refused.day.isoformat())
    return texts("requests_cadre.away.bad_date", text=argument, forms=texts("dates.forms"))


def away_calls(view: View, user: int, gone: Away) -> list[Call]:
    """The cadre hears until when and who stands in; the supervisors hear of it too."""
    texts = view.texts
    when = tell_cadre.local(view, gone.until)
    backup = bounded(gone.backup.name) if gone.backup else ""
    if backup:
        text = texts("requests_cadre.away.set", until=when, backup=backup)
    else:
        text = texts("requests_cadre.away.set_no_backup", until=when)
    notice = texts(
        "requests_cadre.away.supervisor",
        name=gone.cadre.name,
        rank=texts(f"people.rank.{gone.cadre.rank}"),
        until=when,
        backup=backup or texts("requests_cadre.away.supervisor_no_backup"),
    )
    return [
        outgoing.message(user, text, keyboard=back_keyboard(texts)),
        *(outgoing.message(s, notice, priority=Priority.BULK) for s in gone.supervisors),
    ]


def register(app: AnyApp) -> None:
    app.add_handler(CommandHandler("away", set_away, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(back_pressed, pattern=r"^away:off:"))
    app.add_handler(CallbackQueryHandler(choice_pressed, pattern=r"^away:(in|pick|day):"))
