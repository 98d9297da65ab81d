"""/stats: a supervisor's figures for their jurisdiction, a cadre's for themselves.

A supervisor (a cadre with ``supervises``) gets the summary of that region's subtree,
the chart, and buttons: by township, village, cadre, category, the overdue list (each
opens with /inbox's rights) and the workbook. Buttons carry only the period: the region
is always the presser's own ``supervises``, so a forged button cannot reach another
jurisdiction. Files (chart, workbook) are written beside the database and queued as
``{"$file": path}`` for the sender to upload.

Who may ask, for what period and how often is decided by the use case
(``bot.services.stats.ask`` and ``press``) inside the update; what it returns is recorded
with ``unit.after_commit`` and counted after the commit, through a read unit of work
(``LongContext.reading``), the chart in a worker process and the workbook in a process
of its own. This module parses, calls, and renders (pure views below).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import callbacks, charts, workbook_process
from bot.calls import Call, Priority
from bot.domain import stats
from bot.domain.announce import Binding
from bot.domain.stats import Figures, Period
from bot.i18n import Texts
from bot.services import announce as notices
from bot.services import stats as figures
from bot.services.stats import Order, Overdue, Summary, Table

from . import announce, outgoing
from . import rota as rota_views
from .context import AnyApp, Job, LianxinContext, LongContext, Run, Unit

SCOPE = "st"
OVERDUE_LIMIT = 20
Refusal = stats.Refused | stats.BadPeriod  # what asking may raise


# --- views: results in, text and calls out ---------------------------------------------


def percent(texts: Texts, value: float | None) -> str:
    return (
        texts("stats.none")
        if value is None
        else texts("stats.percent", percent=f"{value * 100:.1f}")
    )


def hours(texts: Texts, seconds: float | None) -> str:
    return (
        texts("stats.none")
        if seconds is None
        else texts("stats.hours", hours=f"{seconds / 3600:.1f}")
    )


def summary(texts: Texts, f: Figures) -> str:
    return _figures_text(texts, f) + "\n" + texts("leaders.stats_taken", taken=f.taken)


def _figures_text(texts: Texts, f: Figures) -> str:
    return texts(
        "stats.summary",
        filed=f.filed,
        open=f.open,
        overdue=f.overdue,
        escalated=f.escalated,
        explained=f.explained,
        reopened=f.reopened,
        response_rate=percent(texts, f.response_rate),
        responded=f.responded_in_time,
        resolution_rate=percent(texts, f.resolution_rate),
        solved=f.solved_of_due,
        due=f.due,
        satisfaction_rate=percent(texts, f.satisfaction_rate),
        satisfied=f.satisfied,
        rated=f.rated,
        partly=f.partly,
        by_timeout=f.by_timeout,
        first_median=hours(texts, f.first_response_median),
        first_p90=hours(texts, f.first_response_p90),
        resolution_median=hours(texts, f.resolution_median),
        resolution_p90=hours(texts, f.resolution_p90),
    )


def span_of(period: Period) -> str:
    return f"{period.first.isoformat()}.{period.last.isoformat()}"


def keyboard(texts: Texts, period: Period) -> InlineKeyboardMarkup:
    # 走访: handlers.rounds answers ``rd:st:<first>.<last>``
    visits = InlineKeyboardButton(
        texts("rounds.stats_button"), callback_data=f"rd:st:{span_of(period)}"
    )

    def button(action: str) -> InlineKeyboardButton:
        data = callbacks.Callback(SCOPE, action, span_of(period)).encode()
        return InlineKeyboardButton(texts(f"stats.button.{action}"), callback_data=data)

    return InlineKeyboardMarkup(
        [
            [button("township"), button("village")],
            [button("cadre"), button("category")],
            [
                button("overdue"),
                button("workbook"),
                InlineKeyboardButton(texts("stays.button"), callback_data="sy:month"),
            ],
            [rota_views.stats_button(texts, span_of(period)), visits, button("binding")],
        ]
    )


def period_row(
    texts: Texts, shown: Period, choices: Sequence[tuple[str, Period]], scope: str = SCOPE
) -> list[InlineKeyboardButton]:
    """本月 / 上个月 / 本周 / 今年: each carries only its days (``st:summary:<first>.<last>``,
    or the province bot's ``pv:``); the one shown is ticked."""
    row = []
    for word, period in choices:
        label = texts(f"dates.stats.{word}")
        if (period.first, period.last) == (shown.first, shown.last):
            label = texts("dates.stats.shown", label=label)
        data = callbacks.Callback(scope, "summary", span_of(period)).encode()
        row.append(InlineKeyboardButton(label, callback_data=data))
    return row


def refusal(texts: Texts, refused: Refusal, text: str) -> str:
    """Why this was not counted, and what is allowed."""
    if isinstance(refused, stats.PeriodTooLong):
        return texts("stats.period_too_long", days=refused.days, max_days=refused.max_days)
    if isinstance(refused, stats.PeriodOutOfRange):
        return texts("stats.period_out_of_range", earliest=refused.earliest, latest=refused.latest)
    if isinstance(refused, stats.BadPeriod):
        return texts("stats.bad_period", text=text, forms=texts("dates.period_forms"))
    if isinstance(refused, stats.Busy):
        return texts("stats.busy")
    if isinstance(refused, stats.TooMany):
        return texts("stats.too_many", limit=refused.limit)
    if isinstance(refused, stats.NotCadre):
        return texts("stats.not_cadre")
    return texts("stats.refused")


def summary_message(texts: Texts, result: Summary, binding: Binding | None = None) -> Call:
    period, title = result.order.period, result.title
    rows: list[Sequence[InlineKeyboardButton]] = []
    if result.periods:
        rows.append(period_row(texts, period, result.periods))
    if result.supervisor:
        head = texts("stats.head_region", region=title, first=period.first, last=period.last)
        rows = [*keyboard(texts, period).inline_keyboard, *rows]
    else:
        head = texts("stats.head_cadre", name=title, first=period.first, last=period.last)
    markup = InlineKeyboardMarkup(rows) if rows else None
    text = f"{head}\n{summary(texts, result.figures)}"
    if binding is not None:
        text += "\n" + announce.binding_summary(texts, binding)
    return outgoing.message(result.order.user_id, text, keyboard=markup)


def table_text(texts: Texts, table: Table) -> str:
    lines = [
        texts(
            "stats.table_line",
            name=texts(f"requests.category.{line.key}") if line.name is None else line.name,
            filed=line.figures.filed,
            overdue=line.figures.overdue,
            response_rate=percent(texts, line.figures.response_rate),
            resolution_rate=percent(texts, line.figures.resolution_rate),
            satisfaction_rate=percent(texts, line.figures.satisfaction_rate),
        )
        for line in table.lines
    ]
    first, last = table.period.first, table.period.last
    what = texts(f"stats.table.{table.by}")
    head = texts("stats.table_head", what=what, first=first, last=last)
    return f"{head}\n" + ("\n".join(lines) if lines else texts("stats.table_empty"))


def overdue_message(texts: Texts, user_id: int, found: Overdue, zone: ZoneInfo) -> Call:
    if not found.lines:
        return outgoing.message(user_id, texts("stats.overdue_none"))
    body = "\n".join(
        texts(
            "stats.overdue_line",
            number=line.number,
            head=line.head_name,
            handler=line.handler,
            due=line.resolve_by.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        )
        for line in found.lines
    )
    buttons = [
        [
            InlineKeyboardButton(
                texts("requests_cadre.open_button", number=line.number, head=line.head_name),
                callback_data=callbacks.Callback("rq", "open", str(line.request_id)).encode(),
            )
        ]
        for line in found.lines
    ]
    text = f"{texts('stats.overdue_head', limit=found.limit)}\n{body}"
    return outgoing.message(user_id, text, keyboard=InlineKeyboardMarkup(buttons))


def file_call(user_id: int, method: str, field: str, path: Path, caption: str) -> Call:
    params: dict[str, Any] = {
        "chat_id": user_id,
        field: {"$file": str(path), "filename": path.name},
        "caption": caption,
    }
    return Call(user_id, method, params, Priority.INTERACTIVE)


# --- handlers ---------------------------------------------------------------------------


def _rules(unit: Unit) -> figures.Rules:
    config = unit.setup.config
    return figures.Rules(config.general.zone, config.stats.bounds(), config.stats.per_minute)


def _pace(unit: Unit) -> figures.Pace:
    if unit.runner is None:
        raise RuntimeError("/stats needs the dispatcher's long work")
    return unit.runner


async def stats_command(update: Update, context: LianxinContext) -> None:
    """``/stats [本月|上个月|本周|今年|近7天|12月|2026-11-01 2026-11-30 …]``: checked now,
    counted after the commit."""
    unit, words = context.unit, list(context.args or [])
    if update.effective_user is None or unit.who is None:
        return
    try:
        order = await figures.ask(unit.work, unit.who, words, _rules(unit), _pace(unit))
    except (stats.Refused, stats.BadPeriod) as refused:
        text = refusal(unit.texts, refused, " ".join(words))
        unit.send(outgoing.message(unit.who.user_id, text))
        return
    unit.after_commit(_job(order))


async def on_button(update: Update, context: LianxinContext) -> None:
    """``st:<summary|township|village|cadre|category|overdue|workbook>:<first>.<last>``
    (``summary``: a period button, 本月 / 上个月 / 本周 / 今年)."""
    unit, query = context.unit, update.callback_query
    if query is None or unit.who is None:
        return
    pressed = callbacks.decode(query.data) or callbacks.Callback(SCOPE, "")
    user_id = unit.who.user_id
    try:
        order = await figures.press(
            unit.work, unit.who, pressed.action, pressed.argument, _rules(unit), _pace(unit)
        )
    except (stats.Refused, stats.BadPeriod) as refused:
        text = refusal(unit.texts, refused, pressed.argument)
        unit.send(outgoing.answer_button(user_id, query.id, text))
        return
    unit.send(outgoing.answer_button(user_id, query.id))
    if order.what == "workbook":
        unit.send(outgoing.message(user_id, unit.texts("stats.workbook_making")))
    unit.after_commit(_job(order))


# --- after the commit -------------------------------------------------------------------


def _job(order: Order) -> Job:
    jobs = {"summary": _summary, "overdue": _overdue, "workbook": _workbook, "binding": _binding}
    run = jobs.get(order.what, _table)(order)
    return Job(f"stats {order.what}", run, key=order.key, chat=order.user_id)


def _summary(order: Order) -> Run:
    async def run(work: LongContext) -> list[Call]:
        async with work.reading() as read:
            config = work.setup.config
            result = await figures.summary(read, order, config.general.zone, config.stats.bounds())
            rates = await notices.binding(read, order.region) if order.region else None
        chart = await _chart(work, result)
        whole = rates.whole if rates is not None else None
        return [summary_message(work.setup.texts, result, whole), chart]

    return run


async def _chart(work: LongContext, result: Summary) -> Call:
    texts, period, title = work.setup.texts, result.order.period, result.title
    labels = charts.Labels(
        title=texts("stats.chart.title", region=title, first=period.first, last=period.last),
        filed=texts("stats.chart.filed"),
        response=texts("stats.chart.response"),
        day=texts("stats.chart.day"),
        response_minutes=texts("stats.chart.response_minutes"),
    )
    png = await work.in_process(charts.requests_chart, result.days, labels)
    path = work.file_path(f"stats-{result.order.user_id}", "png")
    await asyncio.to_thread(path.write_bytes, png)
    caption = texts("stats.chart_caption", region=title, first=period.first, last=period.last)
    return file_call(result.order.user_id, "sendPhoto", "photo", path, caption)


def _table(order: Order) -> Run:
    async def run(work: LongContext) -> list[Call]:
        async with work.reading() as read:
            table = await figures.table(read, order)
        return [outgoing.message(order.user_id, table_text(work.setup.texts, table))]

    return run


def _binding(order: Order) -> Run:
    async def run(work: LongContext) -> list[Call]:
        async with work.reading() as read:
            table = await notices.binding(read, _region(order))
        return [outgoing.message(order.user_id, announce.binding_text(work.setup.texts, table))]

    return run


def _region(order: Order) -> str:
    if order.region is None:
        raise stats.NotSupervisor("the 绑定率 button is a supervisor's")
    return order.region


def _overdue(order: Order) -> Run:
    async def run(work: LongContext) -> list[Call]:
        async with work.reading() as read:
            found = await figures.overdue(read, order, OVERDUE_LIMIT)
        zone = work.setup.config.general.zone
        return [overdue_message(work.setup.texts, order.user_id, found, zone)]

    return run


def _workbook(order: Order) -> Run:
    """The workbook is seconds of pure Python for a county: a worker process builds it,
    through its own read (``bot.workbook_process``: the same use case as ``lianxin
    report``)."""

    async def run(work: LongContext) -> list[Call]:
        texts, period = work.setup.texts, order.period
        path = work.file_path(f"stats-{order.user_id}", "xlsx")
        name = await workbook_process.build(_workbook_order(work, order, path))
        if name is None:
            return []
        first, last = period.first, period.last
        caption = texts("stats.workbook_caption", region=name, first=first, last=last)
        return [file_call(order.user_id, "sendDocument", "document", path, caption)]

    return run


def _workbook_order(work: LongContext, order: Order, path: Path) -> workbook_process.WorkbookOrder:
    config = work.setup.config
    return workbook_process.WorkbookOrder(
        database=str(config.database.path),
        region=order.region or "",
        first=order.period.first.isoformat(),
        last=order.period.last.isoformat(),
        now=work.now.isoformat(),
        language=work.setup.texts.language,
        timezone=config.general.timezone,
        quota=config.schedule.stay_quota.model_dump(),
        out=str(path),
        night=config.three_nights.model_dump(),
        url=config.database.url,
        schema=config.database.schema_name,
    )


def register(app: AnyApp) -> None:
    """/stats and its buttons (``st:``); overdue cases open through cadre.py's ``rq:open``."""
    app.add_handler(CommandHandler("stats", stats_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^st:"))
