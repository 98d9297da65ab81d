"""/stats: a supervisor's figures for their jurisdiction, a cadre's for themselves.

A supervisor (a cadre with ``supervises``) gets the summary of that region's subtree,
the chart, and buttons: by township, village, cadre, category, the overdue list (each
opens with /inbox's rights) and the workbook. Buttons carry only the period: the region
is always the presser's own ``supervises``, so a forged button cannot reach another
jurisdiction. Files (chart, workbook) are written beside the database and queued as
``{"$file": path}`` for the sender to upload.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import callbacks, charts, report
from bot.domain import stats
from bot.domain.roster import Cadre
from bot.domain.stats import By, Figures, Period
from bot.edge.unit import Unit
from bot.i18n import Texts
from storage import stats as store
from storage.outbox import Call, Priority
from storage.people import People

from . import outgoing, tell_cadre
from .context import AnyApp, LianxinContext

SCOPE = "st"
TABLES: dict[str, By] = {by: by for by in get_args(By)}  # the breakdown buttons
OVERDUE_LIMIT = 20


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


def _file_path(unit: Unit, user_id: int, suffix: str) -> Path:
    """A new file beside the database, for the sender to upload (kept: the outbox row
    may be retried after a restart)."""
    folder = unit.services.config.database.path.parent / "files"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"stats-{user_id}-{unit.now.strftime('%Y%m%d%H%M%S%f')}.{suffix}"


def _file_call(user_id: int, method: str, field: str, path: Path, caption: str) -> Call:
    params: dict[str, Any] = {
        "chat_id": user_id,
        field: {"$file": str(path), "filename": path.name},
        "caption": caption,
    }
    return Call(user_id, method, params, Priority.INTERACTIVE)


async def _chart(
    unit: Unit, user_id: int, days: list[stats.Day], period: Period, title: str
) -> Call:
    texts = unit.services.texts
    labels = charts.Labels(
        title=texts("stats.chart.title", region=title, first=period.first, last=period.last),
        filed=texts("stats.chart.filed"),
        response=texts("stats.chart.response"),
        day=texts("stats.chart.day"),
    )
    png = await asyncio.to_thread(charts.requests_chart, days, labels)
    path = _file_path(unit, user_id, "png")
    path.write_bytes(png)
    caption = texts("stats.chart_caption", region=title, first=period.first, last=period.last)
    return _file_call(user_id, "sendPhoto", "photo", path, caption)


async def _who(update: Update, context: LianxinContext) -> tuple[Unit, int, Cadre] | None:
    user = update.effective_user
    if user is None:
        return None
    unit = context.unit
    people = People(unit.tx)
    cadre_id = await people.cadre_of_user(user.id)
    if cadre_id is None:
        unit.send(outgoing.message(user.id, unit.services.texts("stats.not_cadre")))
        return None
    return unit, user.id, await people.cadre(cadre_id)


async def stats_command(update: Update, context: LianxinContext) -> None:
    """``/stats [today|week|month|lastmonth|YYYY-MM-DD YYYY-MM-DD]``."""
    found = await _who(update, context)
    if found is None:
        return
    unit, user_id, cadre = found
    texts = unit.services.texts
    words = list(context.args or [])
    try:
        period = stats.period(words, unit.now, unit.services.config.general.zone)
    except stats.BadPeriod:
        unit.send(outgoing.message(user_id, texts("stats.bad_period", text=" ".join(words))))
        return
    zone = unit.services.config.general.zone
    if cadre.supervises:
        region = await People(unit.tx).region_name(cadre.supervises)
        figures = await store.region_figures(unit.tx, cadre.supervises, period, unit.now)
        days = await store.region_days(unit.tx, cadre.supervises, period, zone)
        head = texts("stats.head_region", region=region, first=period.first, last=period.last)
        markup: InlineKeyboardMarkup | None = keyboard(texts, period)
        title = region
    else:
        figures = await store.cadre_figures(unit.tx, cadre.id, period, unit.now)
        days = await store.cadre_days(unit.tx, cadre.id, period, zone)
        head = texts("stats.head_cadre", name=cadre.name, first=period.first, last=period.last)
        markup = None
        title = cadre.name
    text = f"{head}\n{summary(texts, figures)}"
    unit.send(outgoing.message(user_id, text, keyboard=markup))
    unit.send(await _chart(unit, user_id, days, period, title))


# --- buttons --------------------------------------------------------------------------


def _period_of(argument: str, zone: Any) -> Period | None:
    """The period a button carries; None for forged or impossible ones (9999-12-31 has
    no next day: OverflowError)."""
    span = callbacks.days(argument)
    if span is None:
        return None
    try:
        return stats.days(*span, zone)
    except (ValueError, OverflowError):
        return None


async def on_button(update: Update, context: LianxinContext) -> None:
    """``st:<table|overdue|workbook>:<first>.<last>`` pressed by a supervisor."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    unit = context.unit
    texts = unit.services.texts
    pressed = callbacks.decode(query.data)
    people = People(unit.tx)
    cadre_id = await people.cadre_of_user(user.id)
    region = (await people.cadre(cadre_id)).supervises if cadre_id else None
    zone = unit.services.config.general.zone
    period = _period_of(pressed.argument, zone) if pressed else None
    if pressed is None or region is None or period is None:
        unit.send(outgoing.answer_button(user.id, query.id, texts("stats.refused")))
        return
    unit.send(outgoing.answer_button(user.id, query.id))
    if pressed.action in TABLES:
        await _table(unit, user.id, region, period, TABLES[pressed.action])
    elif pressed.action == "overdue":
        await _overdue(unit, user.id, region)
    elif pressed.action == "workbook":
        await _workbook(unit, user.id, region, period)


async def _table(unit: Unit, user_id: int, region: str, period: Period, what: By) -> None:
    texts = unit.services.texts
    table = await store.region_breakdown(unit.tx, region, period, unit.now, what)
    name: Callable[[str], str]
    if what in ("township", "village"):
        places = await store.places(unit.tx, region)

        def name(k: str) -> str:
            return places[k].name if k in places else k

    elif what == "cadre":
        names = await store.cadre_names(unit.tx, sorted(table))

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
    unit.send(outgoing.message(user_id, f"{head}\n{body}"))


async def _overdue(unit: Unit, user_id: int, region: str) -> None:
    texts = unit.services.texts
    lines = await store.overdue(unit.tx, region, unit.now, OVERDUE_LIMIT)
    if not lines:
        unit.send(outgoing.message(user_id, texts("stats.overdue_none")))
        return
    body = "\n".join(
        texts(
            "stats.overdue_line",
            number=line.number,
            head=line.head_name,
            handler=line.handler,
            due=tell_cadre.local(unit, line.resolve_by),
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
    unit.send(outgoing.message(user_id, text, keyboard=InlineKeyboardMarkup(buttons)))


async def _workbook(unit: Unit, user_id: int, region: str, period: Period) -> None:
    texts = unit.services.texts
    config = unit.services.config
    data = await report.gather(unit.tx, region, period, unit.now)
    if data is None:
        return
    quota = config.schedule.stay_quota.model_dump()
    content = await asyncio.to_thread(report.xlsx, data, texts, config.general.zone, quota)
    path = _file_path(unit, user_id, "xlsx")
    path.write_bytes(content)
    caption = texts(
        "stats.workbook_caption", region=data.region.name, first=period.first, last=period.last
    )
    unit.send(_file_call(user_id, "sendDocument", "document", path, caption))


def register(app: AnyApp) -> None:
    """/stats and its buttons (``st:``); overdue cases open through cadre.py's ``rq:open``."""
    app.add_handler(CommandHandler("stats", stats_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^st:"))
