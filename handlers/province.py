"""The province's own bot (``lianxin run --province``): its supervisors' /stats across
the counties, and the workbook of them.

It serves only the people of ``[province] supervisors``; anyone else is told their
Telegram id, to ask for it, and nothing more. /stats (or /start, or /help) answers with
the province's figures for the period (this month by default): the whole province's, a
line per county, period buttons (本月 / 上个月 / 本周 / 今年) and a workbook button. Each
button carries only its period (``pv:<summary|workbook>:<first>.<last>``): who may press
it is decided again, so a forged one changes nothing.

Asking is decided inside the update (``bot.services.province.ask`` and ``press``); the
counting runs after the commit, reading each county from its own schema or file through
``Setup.counties`` (``bot.edge.province``)."""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import callbacks, report
from bot.calls import Call
from bot.domain import stats
from bot.domain.province import NotProvincial
from bot.i18n import Texts
from bot.services import accounts
from bot.services import province as figures
from bot.services.province import ProvinceOrder, ProvinceSummary
from bot.services.stats import Pace, Rules

from . import common, menus, outgoing, paging, supervisor
from .context import AnyApp, Job, LianxinContext, LongContext, Run, Setup, Shows, Unit, View
from .tell_household import local_time

SCOPE = "pv"
MENU = ("stats", "help")


# --- views: results in, text and calls out ---------------------------------------------


def name_of(setup: Setup) -> str:
    return report.province_name(setup.config.province.name, setup.texts)


def refusal(
    texts: Texts,
    refused: stats.Refused | stats.BadPeriod,
    user_id: int,
    text: str,
    *,
    button: bool = False,
) -> str:
    """Why not; on a button, short enough for Telegram's 200 characters of an answer."""
    if isinstance(refused, NotProvincial):
        key = "province_bot.not_supervisor_button" if button else "province_bot.not_supervisor"
        return texts(key, user_id=user_id)
    return supervisor.refusal(texts, refused, text)


def county_lines(texts: Texts, result: ProvinceSummary) -> list[str]:
    """A line per county (filed, overdue, the three rates), under their heading."""
    if not result.counties:
        return []
    return [texts("province_bot.counties_head") + "\n"] + [
        texts(
            "stats.table_line",
            name=title,
            filed=f.filed,
            overdue=f.overdue,
            response_rate=supervisor.percent(texts, f.response_rate),
            resolution_rate=supervisor.percent(texts, f.resolution_rate),
            satisfaction_rate=supervisor.percent(texts, f.satisfaction_rate),
        )
        + "\n"
        for title, f in report.county_lines(texts, result.counties)
    ]


def summary_messages(shown: Shows, name: str, result: ProvinceSummary) -> list[Call]:
    """The province's figures (and when they were counted, if kept ones), then a line per
    county (in pages, should a province have more counties than one message holds), the
    buttons under the last page."""
    texts, period, user_id = shown.texts, result.order.period, result.order.user_id
    head = texts("stats.head_region", region=name, first=period.first, last=period.last)
    if result.as_of is not None:
        head += "\n" + texts("province_bot.as_of", time=local_time(shown, result.as_of))
    chunks = [f"{head}\n{supervisor.summary(texts, result.total)}\n\n"]
    chunks += county_lines(texts, result) or [texts("province_bot.no_counties")]
    workbook = callbacks.Callback(SCOPE, "workbook", supervisor.span_of(period)).encode()
    rows = [
        supervisor.period_row(texts, period, result.periods, scope=SCOPE),
        [InlineKeyboardButton(texts("province_bot.workbook_button"), callback_data=workbook)],
    ]
    pages = paging.whole_lines(chunks, texts("province_bot.continued"))
    return outgoing.messages(user_id, pages, keyboard=InlineKeyboardMarkup(rows))


# --- handlers ---------------------------------------------------------------------------


def _rules(unit: Unit) -> Rules:
    config = unit.setup.config
    return Rules(config.general.zone, config.stats.bounds(), config.stats.per_minute)


def _pace(unit: Unit) -> Pace:
    if unit.runner is None:
        raise RuntimeError("the province's /stats needs the dispatcher's long work")
    return unit.runner


async def record_seen(update: Update, context: LianxinContext) -> None:
    """Every update refreshes its account (the province bot's own schema), as a county's
    bot does; nobody here is an administrator of it."""
    account = common.account_of(update)
    if account is None:
        return
    seen = await accounts.record_seen(context.unit.work, account, ())
    context.unit.who = seen.who


async def stats_command(update: Update, context: LianxinContext) -> None:
    """``/stats [本月|上个月|2026-11-01 2026-11-30 …]``, and /start and /help (this month)."""
    unit, message = context.unit, update.effective_message
    if message is None or unit.who is None:
        return
    user_id = unit.who.user_id
    command = (message.text or "/").split(maxsplit=1)[0].split("@")[0]
    words = list(context.args or []) if command == "/stats" else []  # /start's payload: none
    supervisors = unit.setup.config.province.supervisors
    try:
        order = figures.ask(unit.now, user_id, supervisors, words, _rules(unit), _pace(unit))
    except (stats.Refused, stats.BadPeriod) as refused:
        text = refusal(unit.texts, refused, user_id, " ".join(words))
        unit.send(outgoing.message(message.chat_id, text))
        return
    unit.after_commit(_job(order))


async def on_button(update: Update, context: LianxinContext) -> None:
    """``pv:<summary|workbook>:<first>.<last>``."""
    unit, query = context.unit, update.callback_query
    if query is None or unit.who is None:
        return
    pressed = callbacks.decode(query.data) or callbacks.Callback(SCOPE, "")
    user_id = unit.who.user_id
    supervisors = unit.setup.config.province.supervisors
    try:
        order = figures.press(
            unit.now,
            user_id,
            supervisors,
            pressed.action,
            pressed.argument,
            _rules(unit),
            _pace(unit),
        )
    except (stats.Refused, stats.BadPeriod) as refused:
        text = refusal(unit.texts, refused, user_id, pressed.argument, button=True)
        unit.send(outgoing.answer_button(user_id, query.id, text))
        return
    unit.send(outgoing.answer_button(user_id, query.id))
    if order.what == "workbook":
        unit.send(outgoing.message(user_id, unit.texts("stats.workbook_making")))
    unit.after_commit(_job(order))


async def anything_else(update: Update, context: LianxinContext) -> None:
    """Words, photos, unknown commands: this bot only counts; say how to ask (or who)."""
    unit, message = context.unit, update.effective_message
    if message is None or unit.who is None:
        return
    user_id = unit.who.user_id
    if user_id in unit.setup.config.province.supervisors:
        text = unit.texts("province_bot.only_stats")
    else:
        text = unit.texts("province_bot.not_supervisor", user_id=user_id)
    unit.send(outgoing.message(message.chat_id, text, reply_to=message.message_id))


# --- after the commit -------------------------------------------------------------------


def _job(order: ProvinceOrder) -> Job:
    run = _workbook(order) if order.what == "workbook" else _summary(order)
    return Job(f"province {order.what}", run, key=order.key, chat=order.user_id)


def _counties(work: LongContext) -> figures.Counties:
    if work.setup.counties is None:
        raise RuntimeError("the province's figures need its counties (lianxin run --province)")
    return work.setup.counties


def _summary(order: ProvinceOrder) -> Run:
    async def run(work: LongContext) -> list[Call]:
        setup, texts = work.setup, work.setup.texts
        config = setup.config
        try:
            result = await figures.summary(
                _counties(work),
                order,
                work.now,
                config.general.zone,
                config.stats.bounds(),
                setup.kept,
            )
        except figures.Unreadable as trouble:
            return [
                outgoing.message(order.user_id, texts("province_bot.unreadable", reason=trouble))
            ]
        shown = View(texts, config.general.zone, work.now, (), "")
        return summary_messages(shown, name_of(setup), result)

    return run


def _workbook(order: ProvinceOrder) -> Run:
    """The figure sheet of ``lianxin province report``, for the period the button carried."""

    async def run(work: LongContext) -> list[Call]:
        setup, texts, period = work.setup, work.setup.texts, order.period
        try:
            found = await _counties(work).figures(period, work.now)
        except figures.Unreadable as trouble:
            return [
                outgoing.message(order.user_id, texts("province_bot.unreadable", reason=trouble))
            ]
        name = name_of(setup)
        rows = report.province_rows(texts, name, found)
        content = await work.in_process(report.workbook, [(texts("province.sheet"), rows)])
        path = work.file_path(f"province-{order.user_id}", "xlsx")
        await asyncio.to_thread(report.write, path, content)
        caption = texts(
            "province_bot.workbook_caption", region=name, first=period.first, last=period.last
        )
        return [supervisor.file_call(order.user_id, "sendDocument", "document", path, caption)]

    return run


def menu_calls(texts: Texts) -> list[Call]:
    """The province bot's menu: /stats and /help."""
    return menus.menu_calls(MENU, texts.language)


def register(app: AnyApp) -> None:
    """Everything the province's bot answers; nothing of a county's bot."""
    app.add_handler(TypeHandler(Update, record_seen), group=-1)
    private = filters.ChatType.PRIVATE
    for name in ("stats", "start", "help"):
        app.add_handler(CommandHandler(name, stats_command, filters=private))
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{SCOPE}:"))
    app.add_handler(
        MessageHandler(
            private & filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL, anything_else
        )
    )
    app.add_handler(CallbackQueryHandler(common.stale_button))
