"""/stats: a supervisor's figures for their jurisdiction, a cadre's for themselves.

A supervisor (a cadre with ``supervises``) gets the summary of that region's subtree,
the chart, and buttons: by township, village, cadre, category, the overdue list (each
opens with /inbox's rights) and the workbook. Buttons carry only the period: the region
is always the presser's own ``supervises``, so a forged button cannot reach another
jurisdiction. Files (chart, workbook) are written beside the database and queued as
``{"$file": path}`` for the sender to upload.

Nothing here reads the statistics inside the update's transaction, which holds the only
writer lock: the handler checks who asks and for what period (held to ``[stats]``'s
bounds), refuses a person who has one in the making or asked too often, and records the
work with ``unit.after_commit``. After the commit it runs on a read connection, the chart
in a thread and the workbook in a worker process, and its answer is queued then.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, get_args

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import callbacks, charts, workbook_process
from bot.calls import Call, Priority
from bot.domain import stats
from bot.domain.roster import Cadre
from bot.domain.stats import By, Figures, Period
from bot.i18n import Texts
from handlers.context import LongContext as Work
from handlers.context import Unit
from storage import stats as store
from storage.people import People

from . import outgoing
from .context import AnyApp, Job, LianxinContext, Run

SCOPE = "st"
TABLES: dict[str, By] = {by: by for by in get_args(By)}  # the breakdown buttons
EXTRA = ("overdue", "workbook")  # the other buttons
OVERDUE_LIMIT = 20
WINDOW = timedelta(minutes=1)  # [stats] per_minute counts over this


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


def _span(period: Period) -> str:
    return f"{period.first.isoformat()}.{period.last.isoformat()}"


def keyboard(texts: Texts, period: Period) -> InlineKeyboardMarkup:
    def button(action: str) -> InlineKeyboardButton:
        data = callbacks.Callback(SCOPE, action, _span(period)).encode()
        return InlineKeyboardButton(texts(f"stats.button.{action}"), callback_data=data)

    return InlineKeyboardMarkup(
        [
            [button("township"), button("village")],
            [button("cadre"), button("category")],
            [button("overdue"), button("workbook")],
        ]
    )


def _file_call(user_id: int, method: str, field: str, path: Path, caption: str) -> Call:
    params: dict[str, Any] = {
        "chat_id": user_id,
        field: {"$file": str(path), "filename": path.name},
        "caption": caption,
    }
    return Call(user_id, method, params, Priority.INTERACTIVE)


def _period_problem(texts: Texts, bad: stats.BadPeriod, text: str) -> str:
    """What was wrong with the period, and what is allowed."""
    if isinstance(bad, stats.PeriodTooLong):
        return texts("stats.period_too_long", days=bad.days, max_days=bad.max_days)
    if isinstance(bad, stats.PeriodOutOfRange):
        return texts("stats.period_out_of_range", earliest=bad.earliest, latest=bad.latest)
    return texts("stats.bad_period", text=text)


def _key(user_id: int) -> str:
    return f"stats:{user_id}"


def _refusal(unit: Unit, user_id: int) -> str | None:
    """Why this person may not ask now (one at a time, ``per_minute`` a minute), or None."""
    texts, work = unit.setup.texts, unit.runner
    if work is None:
        raise RuntimeError("/stats needs the dispatcher's long work")
    if work.busy(_key(user_id)):
        return texts("stats.busy")
    limit = unit.setup.config.stats.per_minute
    if work.started_since(_key(user_id), unit.now - WINDOW) >= limit:
        return texts("stats.too_many", limit=limit)
    return None


async def _who(update: Update, context: LianxinContext) -> tuple[Unit, int, Cadre] | None:
    user = update.effective_user
    if user is None:
        return None
    unit = context.unit
    people = People(unit.tx)
    cadre_id = await people.cadre_of_user(user.id)
    if cadre_id is None:
        unit.send(outgoing.message(user.id, unit.setup.texts("stats.not_cadre")))
        return None
    return unit, user.id, await people.cadre(cadre_id)


async def stats_command(update: Update, context: LianxinContext) -> None:
    """``/stats [today|week|month|lastmonth|YYYY-MM-DD YYYY-MM-DD]``: checked here, counted
    after the commit (``_summary``)."""
    found = await _who(update, context)
    if found is None:
        return
    unit, user_id, cadre = found
    config = unit.setup.config
    words = list(context.args or [])
    try:
        period = stats.period(words, unit.now, config.general.zone, config.stats.bounds())
    except stats.BadPeriod as bad:
        problem = _period_problem(unit.setup.texts, bad, " ".join(words))
        unit.send(outgoing.message(user_id, problem))
        return
    refused = _refusal(unit, user_id)
    if refused is not None:
        unit.send(outgoing.message(user_id, refused))
        return
    unit.after_commit(_job("stats summary", user_id, _summary(user_id, cadre, period)))


def _job(name: str, user_id: int, run: Run) -> Job:
    return Job(name, run, key=_key(user_id), chat=user_id)


def _summary(user_id: int, cadre: Cadre, period: Period) -> Run:
    async def run(work: Work) -> list[Call]:
        texts, zone = work.setup.texts, work.setup.config.general.zone
        async with work.read() as tx:
            if cadre.supervises:
                title = await People(tx).region_name(cadre.supervises)
                figures = await store.region_figures(tx, cadre.supervises, period, work.now)
                days = await store.region_days(tx, cadre.supervises, period, zone)
            else:
                title = cadre.name
                figures = await store.cadre_figures(tx, cadre.id, period, work.now)
                days = await store.cadre_days(tx, cadre.id, period, zone)
        if cadre.supervises:
            head = texts("stats.head_region", region=title, first=period.first, last=period.last)
            markup: InlineKeyboardMarkup | None = keyboard(texts, period)
        else:
            head = texts("stats.head_cadre", name=title, first=period.first, last=period.last)
            markup = None
        text = f"{head}\n{summary(texts, figures)}"
        chart = await _chart(work, user_id, days, period, title)
        return [outgoing.message(user_id, text, keyboard=markup), chart]

    return run


async def _chart(
    work: Work, user_id: int, days: list[stats.Day], period: Period, title: str
) -> Call:
    texts = work.setup.texts
    labels = charts.Labels(
        title=texts("stats.chart.title", region=title, first=period.first, last=period.last),
        filed=texts("stats.chart.filed"),
        response=texts("stats.chart.response"),
        day=texts("stats.chart.day"),
    )
    png = await work.in_process(charts.requests_chart, days, labels)
    path = work.file_path(f"stats-{user_id}", "png")
    await asyncio.to_thread(path.write_bytes, png)
    caption = texts("stats.chart_caption", region=title, first=period.first, last=period.last)
    return _file_call(user_id, "sendPhoto", "photo", path, caption)


# --- buttons --------------------------------------------------------------------------


async def on_button(update: Update, context: LianxinContext) -> None:
    """``st:<table|overdue|workbook>:<first>.<last>`` pressed by a supervisor."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    unit = context.unit
    texts, config = unit.setup.texts, unit.setup.config
    pressed = callbacks.decode(query.data)
    people = People(unit.tx)
    cadre_id = await people.cadre_of_user(user.id)
    region = (await people.cadre(cadre_id)).supervises if cadre_id else None
    if pressed is None or region is None or pressed.action not in (*TABLES, *EXTRA):
        unit.send(outgoing.answer_button(user.id, query.id, texts("stats.refused")))
        return
    try:
        period = stats.span(pressed.argument, unit.now, config.general.zone, config.stats.bounds())
    except stats.BadPeriod as bad:
        problem = _period_problem(texts, bad, pressed.argument)
        unit.send(outgoing.answer_button(user.id, query.id, problem))
        return
    refused = _refusal(unit, user.id)
    if refused is not None:
        unit.send(outgoing.answer_button(user.id, query.id, refused))
        return
    unit.send(outgoing.answer_button(user.id, query.id))
    if pressed.action in TABLES:
        run = _table(user.id, region, period, TABLES[pressed.action])
    elif pressed.action == "overdue":
        run = _overdue(user.id, region)
    else:
        unit.send(outgoing.message(user.id, texts("stats.workbook_making")))
        run = _workbook(user.id, region, period)
    unit.after_commit(_job(f"stats {pressed.action}", user.id, run))


def _table(user_id: int, region: str, period: Period, what: By) -> Run:
    async def run(work: Work) -> list[Call]:
        async with work.read() as tx:
            table = await store.region_breakdown(tx, region, period, work.now, what)
            places = await store.places(tx, region) if what in ("township", "village") else {}
            names = await store.cadre_names(tx, sorted(table)) if what == "cadre" else {}
        texts = work.setup.texts
        name: Callable[[str], str]
        if what in ("township", "village"):

            def name(k: str) -> str:
                return places[k].name if k in places else k

        elif what == "cadre":

            def name(k: str) -> str:
                return names.get(k, k)

        else:

            def name(k: str) -> str:
                return texts(f"requests.category.{k}")

        lines = [
            texts(
                "stats.table_line",
                name=name(k),
                filed=f.filed,
                overdue=f.overdue,
                response_rate=percent(texts, f.response_rate),
                resolution_rate=percent(texts, f.resolution_rate),
                satisfaction_rate=percent(texts, f.satisfaction_rate),
            )
            for k, f in stats.ranking(table)
        ]
        what_text = texts(f"stats.table.{what}")
        head = texts("stats.table_head", what=what_text, first=period.first, last=period.last)
        body = "\n".join(lines) if lines else texts("stats.table_empty")
        return [outgoing.message(user_id, f"{head}\n{body}")]

    return run


def _overdue(user_id: int, region: str) -> Run:
    async def run(work: Work) -> list[Call]:
        texts, zone = work.setup.texts, work.setup.config.general.zone
        async with work.read() as tx:
            lines = await store.overdue(tx, region, work.now, OVERDUE_LIMIT)
        if not lines:
            return [outgoing.message(user_id, texts("stats.overdue_none"))]
        body = "\n".join(
            texts(
                "stats.overdue_line",
                number=line.number,
                head=line.head_name,
                handler=line.handler,
                due=line.resolve_by.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            )
            for line in lines
        )
        buttons = [
            [
                InlineKeyboardButton(
                    texts("requests_cadre.open_button", number=line.number, head=line.head_name),
                    callback_data=callbacks.Callback("rq", "open", str(line.request_id)).encode(),
                )
            ]
            for line in lines
        ]
        text = f"{texts('stats.overdue_head', limit=OVERDUE_LIMIT)}\n{body}"
        return [outgoing.message(user_id, text, keyboard=InlineKeyboardMarkup(buttons))]

    return run


def _workbook(user_id: int, region: str, period: Period) -> Run:
    """The workbook is seconds of pure Python for a county: a worker process builds it."""

    async def run(work: Work) -> list[Call]:
        texts, config = work.setup.texts, work.setup.config
        path = work.file_path(f"stats-{user_id}", "xlsx")
        order = workbook_process.WorkbookOrder(
            database=str(work.setup.config.database.path),
            region=region,
            first=period.first.isoformat(),
            last=period.last.isoformat(),
            now=work.now.isoformat(),
            language=texts.language,
            timezone=config.general.timezone,
            quota=config.schedule.stay_quota.model_dump(),
            out=str(path),
        )
        name = await workbook_process.build(order)
        if name is None:
            return []
        caption = texts(
            "stats.workbook_caption", region=name, first=period.first, last=period.last
        )
        return [_file_call(user_id, "sendDocument", "document", path, caption)]

    return run


def register(app: AnyApp) -> None:
    """/stats and its buttons (``st:``); overdue cases open through cadre.py's ``rq:open``."""
    app.add_handler(CommandHandler("stats", stats_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^st:"))
